package inference

import (
	"slices"
	"testing"
)

func TestSentenceQueueDealsRoundRobin(t *testing.T) {
	units := make([]Segment, 7)
	taken := func(d *sentenceQueue, lane int) []int {
		var got []int
		for {
			u, _, _, ok := d.take(lane)
			if !ok {
				return got
			}
			got = append(got, u)
		}
	}
	d := newSentenceQueue(units, job{}, 2)
	if d.share != 4 {
		t.Errorf("share = %d, want 4", d.share)
	}
	if got := taken(d, 1); !slices.Equal(got, []int{1, 3, 5}) {
		t.Errorf("lane 1 took %v, want [1 3 5]", got)
	}
	if d.waiting(1) || !d.waiting(0) {
		t.Errorf("waiting: lane 0 %v, lane 1 %v; want true, false", d.waiting(0), d.waiting(1))
	}
	if got := taken(d, 0); !slices.Equal(got, []int{0, 2, 4, 6}) {
		t.Errorf("lane 0 took %v, want [0 2 4 6]", got)
	}
	if got := taken(newSentenceQueue(units, job{}, 1), 0); len(got) != 7 || got[6] != 6 {
		t.Errorf("one lane took %v, want all 7 in order", got)
	}
}
