package inference

import (
	"testing"
)

func TestLoopGuard(t *testing.T) {
	run := func(toks []int32) int {
		var g loopGuard
		for i, tk := range toks {
			if g.add(tk) {
				return i + 1
			}
		}
		return 0
	}
	sentence := []int32{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	var twice []int32
	twice = append(append(append(twice, 1, 2), sentence...), sentence...)
	if n := run(twice); n != len(twice) {
		t.Errorf("a 10-token sentence repeated: stopped at %d, want %d", n, len(twice))
	}
	var short []int32
	for i := 0; i < 10; i++ {
		short = append(short, 5, 6)
	}
	if n := run(short); n != 16 {
		t.Errorf("a 2-token block repeated: stopped at %d, want 16", n)
	}
	var normal []int32
	for i := int32(0); i < 300; i++ {
		normal = append(normal, i%7, 100+i)
	}
	if n := run(normal); n != 0 {
		t.Errorf("text without loops stopped at %d", n)
	}
	if n := run([]int32{1, 2, 3, 1, 2, 3, 4, 4, 4}); n != 0 {
		t.Errorf("short natural repetition stopped at %d", n)
	}
}
