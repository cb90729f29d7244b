package inference

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// sharedText is caller i's text: one to three sentences of the echo model's words, of different lengths, so that
// callers' answers end at different steps and new ones start in freed sequences; the last caller's is a document of
// six sentences, each translated on its own.
func sharedText(words []string, i int) string {
	var sb strings.Builder
	n := i%3 + 1
	if i == 15 {
		n = 6
	}
	for s := range n {
		w := strings.TrimSpace(words[(i+s)%len(words)])
		fmt.Fprintf(&sb, "%s %s %s%s. ", w, strings.TrimSpace(words[(i+s+3)%len(words)]), w, strings.Repeat(" "+w, (i+s)%4))
	}
	return strings.TrimSpace(sb.String())
}

// Requests from many callers at once are decoded together, and each caller gets exactly the translation of its own
// text that translating it alone gives, streamed in order.
func TestSharedRequestsGetTheirOwnAnswers(t *testing.T) {
	words := []string{" la", " li", " lu", " apple", " student", " weather", " good", " Hello", " world", " today"}
	for _, lanes := range []int{1, 2} {
		t.Run(fmt.Sprintf("lanes=%d", lanes), func(t *testing.T) {
			e := load(t, model(t, "echo-gptneox", tinymodel.Options{Arch: "gptneox", Echo: words}), Options{Parallel: 4, Lanes: lanes})
			const callers = 16
			want := make([]string, callers)
			for i := range want {
				r, _ := translate(t, e, Request{Text: sharedText(words, i), Direction: Direction(i % 2)})
				want[i] = r.Text
			}
			// Three rounds: the first callers start a run, later ones join it while it decodes, and the last round
			// starts after the run has closed.
			for round := range 3 {
				var wg sync.WaitGroup
				for i := range callers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if round == 1 {
							time.Sleep(time.Duration(i) * time.Millisecond)
						}
						var streamed strings.Builder
						res, err := e.TranslateShared(context.Background(), Request{Text: sharedText(words, i), Direction: Direction(i % 2)}, func(p, soFar string) {
							streamed.WriteString(p)
							if soFar != streamed.String() {
								t.Errorf("caller %d: text so far %q after %q", i, soFar, streamed.String())
							}
						})
						switch {
						case err != nil:
							t.Errorf("round %d, caller %d: %v", round, i, err)
						case res.Text != want[i] || streamed.String() != want[i]:
							t.Errorf("round %d, caller %d got %q (streamed %q), alone %q", round, i, res.Text, streamed.String(), want[i])
						case res.Chunks != 1 && i != 15 || res.Chunks != 6 && i == 15 || res.PromptTokens == 0 || res.GeneratedTokens == 0 || res.Stop == "":
							t.Errorf("caller %d: %d chunks, %d prompt and %d generated tokens, stop %q", i, res.Chunks, res.PromptTokens, res.GeneratedTokens, res.Stop)
						}
					}()
				}
				wg.Wait()
			}
		})
	}
}

// A caller that gives up gets its partial text and its context's error at once, frees its sequence for the others,
// and leaves the engine as good as before, for shared and own translations.
func TestSharedCallerGivesUp(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), Options{Parallel: 2, Lanes: 1})
	ctx, cancel := context.WithCancel(context.Background())
	pieces := 0
	done := make(chan struct{})
	var others sync.WaitGroup
	// The endless one holds a sequence; two short ones share the other, and one of them waits for it.
	for i := range 2 {
		others.Add(1)
		go func() {
			defer others.Done()
			<-done
			res, err := e.TranslateShared(context.Background(), Request{Text: fmt.Sprintf("문장 %d", i), Direction: KoreanToEnglish, MaxTokens: 3}, nil)
			if err != nil || res.Text != "Hello la li" {
				t.Errorf("short request %d beside a cancelled one: %q, %v", i, res.Text, err)
			}
		}()
	}
	res, err := e.TranslateShared(ctx, Request{Text: "끝없이", Direction: KoreanToEnglish, MaxTokens: 100000}, func(string, string) {
		if pieces++; pieces == 1 {
			close(done)
		}
		if pieces == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res.Stop != StopCancelled || !strings.HasPrefix(res.Text, "Hello la li") {
		t.Fatalf("err %v, stop %s, text %q", err, res.Stop, res.Text)
	}
	others.Wait()
	if r, _ := translate(t, e, Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 3}); r.Text != "Hello la li" {
		t.Errorf("own translation after a cancelled shared one: %q", r.Text)
	}
	if r, err := e.TranslateShared(context.Background(), Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 2}, nil); err != nil || r.Text != "Hello la" {
		t.Errorf("shared translation after a cancelled one: %q, %v", r.Text, err)
	}
}

// The window's own translations and shared ones take turns without mixing.
func TestSharedAndOwnTranslationsTakeTurns(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "marker", -1, " Hello", " world", ".", "<", "/", "끝", ">", " the"), Options{Parallel: 4})
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := Request{Text: fmt.Sprintf("문장 %d.", i), Direction: KoreanToEnglish}
			translateFn := e.TranslateShared
			if i%3 == 0 {
				translateFn = e.Translate
			}
			if res, err := translateFn(context.Background(), req, nil); err != nil || res.Text != "Hello world." {
				t.Errorf("call %d: %q, %v", i, res.Text, err)
			}
		}()
	}
	wg.Wait()
}

func TestSharedEdgeCases(t *testing.T) {
	e, err := Load(randomModel(t, "gptneox"), Options{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.TranslateShared(context.Background(), Request{Text: "  \n "}, nil); err != nil || res.Text != "" {
		t.Errorf("blank text: %q, %v", res.Text, err)
	}
	e.Close()
	if _, err := e.TranslateShared(context.Background(), Request{Text: "hi"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("shared translation after Close: %v", err)
	}
}

// A steady stream of shared requests makes way for the window's own translation, and goes on after it.
func TestSharedRequestsMakeWayForTranslate(t *testing.T) {
	e := load(t, scripted(t, "gptneox", "loop", 1, " Hello", " la", " li", " lu"), Options{Parallel: 4, Lanes: 1})
	stop := make(chan struct{})
	var served sync.WaitGroup
	counts := make([]atomic.Int32, 12) // three times the sequences: requests always wait
	for i := range counts {
		served.Add(1)
		go func() {
			defer served.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.TranslateShared(context.Background(), Request{Text: fmt.Sprintf("문장 %d", i), Direction: KoreanToEnglish, MaxTokens: 40}, nil); err != nil {
					t.Errorf("shared request: %v", err)
					return
				}
				counts[i].Add(1)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the stream is flowing
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := e.Translate(ctx, Request{Text: "안녕", Direction: KoreanToEnglish, MaxTokens: 3}, nil)
	if err != nil || res.Text != "Hello la li" {
		t.Errorf("the window's translation beside a stream of shared ones: %q, %v", res.Text, err)
	}
	before := make([]int32, len(counts))
	for i := range counts {
		before[i] = counts[i].Load()
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	served.Wait()
	for i := range counts {
		if n := counts[i].Load(); n <= before[i] {
			t.Errorf("caller %d was not served after the window's translation: %d then %d", i, before[i], n)
		}
	}
}

// Prompts that arrive together and do not all fit one batch start over several steps: none is left behind.
func TestSharedPromptsOverflowingABatch(t *testing.T) {
	words := []string{" la", " li", " lu", " apple", " student", " weather", " good", " Hello", " world", " today"}
	e := load(t, model(t, "echo-gptneox", tinymodel.Options{Arch: "gptneox", Echo: words}), Options{Parallel: 16, Lanes: 1})
	// Eleven prompts of about 210 tokens: on the CPU the first starts alone, nine then fill the lane's batch of
	// 2,048 tokens, and the last waits a step.
	text := func(i int) string {
		w := strings.TrimSpace(words[i%len(words)])
		return strings.TrimSpace(strings.Repeat(w+" ", 120) + strings.Repeat(strings.TrimSpace(words[(i+1)%len(words)])+" ", 80))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 11 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.TranslateShared(ctx, Request{Text: text(i), Direction: KoreanToEnglish, MaxTokens: 4}, nil)
			w := strings.TrimSpace(words[i%len(words)])
			if err != nil || res.Text != strings.TrimSpace(strings.Repeat(w+" ", 4)) || res.PromptTokens < 200 {
				t.Errorf("request %d: %q (%d prompt tokens), %v", i, res.Text, res.PromptTokens, err)
			}
		}()
	}
	wg.Wait()
}
