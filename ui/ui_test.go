package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/apptest"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/history"
	"github.com/gugugo-desktop/gugugo/app/instance"
	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

// uiLoop plays the UI goroutine: callbacks run one at a time, in order, and the test touches widgets only
// inside sync, under the same lock.
type uiLoop struct {
	mu   sync.Mutex
	q    chan func()
	done chan struct{}
}

func newUILoop() *uiLoop {
	l := &uiLoop{q: make(chan func(), 1<<14), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for f := range l.q {
			l.mu.Lock()
			f()
			l.mu.Unlock()
		}
	}()
	return l
}

// stop runs what is queued and ends the loop, so that no callback of one test runs during the next.
func (l *uiLoop) stop() {
	close(l.q)
	<-l.done
}

func (l *uiLoop) do(f func()) { l.q <- f }

func (l *uiLoop) sync(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

var loops sync.Map // *Window → *uiLoop

func loopOf(w *Window) *uiLoop {
	l, _ := loops.Load(w)
	return l.(*uiLoop)
}

// ui runs f as the UI goroutine would.
func (w *Window) ui(f func()) { loopOf(w).sync(f) }

func newTestWindow(t *testing.T, eng *apptest.Engine, modelPath string) *Window {
	t.Helper()
	return newTestWindowWith(t, eng, modelPath, nil)
}

// newTestWindowWith makes a test window with desk as its desktop (nil: none, as without X11).
func newTestWindowWith(t *testing.T, eng *apptest.Engine, modelPath string, desk appdesktop.Input) *Window {
	t.Helper()
	return newTestWindowOpts(t, eng, func(o *Options) { o.ModelPath, o.Desktop = modelPath, desk })
}

// newTestWindowOpts makes a test window whose options set changes.
func newTestWindowOpts(t *testing.T, eng *apptest.Engine, set func(*Options)) *Window {
	t.Helper()
	a := test.NewTempApp(t)
	loop := newUILoop()
	hist := filepath.Join(t.TempDir(), "history.db")
	var w *Window
	loop.sync(func() {
		opts := Options{Do: loop.do, HistoryPath: hist, ModelDir: t.TempDir(), Load: func(path string, o inference.Options) (app.Engine, error) {
			if strings.HasSuffix(path, "bad.gguf") {
				return nil, errors.New("bad.gguf: not a GGUF model file")
			}
			o.Progress(1)
			return eng, nil
		}}
		set(&opts)
		w = NewWindow(a, opts)
	})
	loops.Store(w, loop)
	w.core.SetDebounce(30 * time.Millisecond)
	w.ui(func() { w.win.Resize(fyne.NewSize(900, 600)) })
	t.Cleanup(func() {
		w.ui(w.onClosed)
		loop.stop()
	})
	return w
}

// eventually polls cond on the UI goroutine.
func eventually(t *testing.T, w *Window, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		w.ui(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (w *Window) read(f func() string) string {
	var s string
	w.ui(func() { s = f() })
	return s
}

// readyWindow is a test window whose scripted model has loaded.
func readyWindow(t *testing.T, eng *apptest.Engine) *Window {
	w := newTestWindow(t, eng, "m.gguf")
	ready(t, w)
	return w
}

func ready(t *testing.T, w *Window) {
	eventually(t, w, "the model", func() bool { return w.stateLabel.Text == "Ready" })
}

func TestStreamingAppearsIncrementally(t *testing.T) {
	eng := &apptest.Engine{Pieces: 30, Delay: 10 * time.Millisecond}
	w := readyWindow(t, eng)
	if w.read(func() string { return w.deviceLabel.Text }) != "on Test GPU" {
		t.Errorf("device %q", w.deviceLabel.Text)
	}
	w.ui(func() { test.Type(w.source, "안녕하세요") })
	seen := map[string]bool{}
	eventually(t, w, "the whole translation", func() bool {
		seen[w.target.Text()] = true
		return w.target.Text() == eng.Want("안녕하세요")
	})
	if len(seen) < 4 {
		t.Errorf("the translation arrived in %d steps, want it streamed", len(seen))
	}
	eventually(t, w, "the done status", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Done in") })
	if got := w.read(func() string { return w.count.Text }); got != "5 characters" {
		t.Errorf("count %q", got)
	}
}

func TestStopStops(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1000, Delay: 5 * time.Millisecond}
	w := readyWindow(t, eng)
	w.core.Settings.AutoTranslate = false
	w.ui(func() { w.source.SetText("긴 글") })
	w.ui(func() { test.Tap(w.translate) })
	eventually(t, w, "streaming", func() bool { return strings.Count(w.target.Text(), "]") > 3 })
	w.ui(func() { test.Tap(w.stop) })
	eventually(t, w, "stopped", func() bool { return w.stateLabel.Text == "Stopped" })
	partial := w.read(func() string { return w.target.Text() })
	w.core.Wait() // the translation's goroutine has ended: whatever it sent is queued before the next read
	if got := w.read(func() string { return w.target.Text() }); got != partial || strings.Count(got, "]") >= 1000 {
		t.Errorf("text changed after Stop: %d pieces", strings.Count(got, "]"))
	}
}

func TestEscAndCtrlEnter(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1000, Delay: 5 * time.Millisecond}
	w := readyWindow(t, eng)
	w.core.Settings.AutoTranslate = false
	w.ui(func() {
		w.source.SetText("hello")
		w.source.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl})
	})
	eventually(t, w, "Ctrl+Enter translating", func() bool { return strings.Contains(w.target.Text(), "[hello:0]") })
	w.ui(func() { w.source.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	eventually(t, w, "Esc stopping", func() bool { return w.stateLabel.Text == "Stopped" })
}

func TestSwapSwapsDirectionAndText(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(func() { w.direction.SetSelected(app.ModeKoreanToEnglish.Label()) })
	w.ui(func() { test.Type(w.source, "사과") })
	eventually(t, w, "a translation", func() bool { return w.target.Text() == eng.Want("사과") })
	before := len(eng.RequestTexts())
	last := w.core.Requests()
	w.ui(w.doSwap)
	if w.read(func() string { return w.direction.Selected }) != app.ModeEnglishToKorean.Label() {
		t.Errorf("direction %q", w.direction.Selected)
	}
	if src, dst := w.read(func() string { return w.source.Text }), w.read(func() string { return w.target.Text() }); src != eng.Want("사과") || dst != "사과" {
		t.Errorf("after swap: source %q, target %q", src, dst)
	}
	if n, id := len(eng.RequestTexts()), w.core.Requests(); n != before || id != last {
		t.Errorf("swapping started %d translations (%d requests asked for, %d before)", n-before, id, last)
	}
}

func TestTypingBurstGivesOneTranslationOfTheFinalText(t *testing.T) {
	eng := &apptest.Engine{Pieces: 3, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(func() { test.Type(w.source, "The weather is nice today") })
	eventually(t, w, "the translation", func() bool { return w.target.Text() == eng.Want("The weather is nice today") })
	if got := eng.RequestTexts(); len(got) != 1 {
		t.Errorf("engine requests: %q", got)
	}
	if r := eng.Requests()[0]; r.Direction != inference.EnglishToKorean {
		t.Errorf("auto direction picked %v for English", r.Direction)
	}
}

func TestIMECommitAfterTranslatePress(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.core.Settings.AutoTranslate = false
	// The button is pressed while the IME still holds the last syllable...
	w.ui(func() { w.source.SetText("안녕하세") })
	w.ui(func() { test.Tap(w.translate) })
	// ...which the IME commits a moment later.
	w.ui(func() { w.source.SetText("안녕하세요") })
	eventually(t, w, "the full text translated", func() bool { return w.target.Text() == eng.Want("안녕하세요") })
	// Well after the press, edits wait for the button again.
	w.followUntil = time.Time{}
	last := w.core.Requests()
	w.ui(func() { w.source.SetText("다른 글") })
	if id := w.core.Requests(); id != last {
		t.Errorf("an edit well after the press started a translation (%d requests asked for, %d before)", id, last)
	}
}

// Swapping while a translation streams puts the texts in place for good: the translation's last updates are dropped.
func TestSwapDuringATranslationKeepsTheSwappedTexts(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1000, Delay: 2 * time.Millisecond}
	w := readyWindow(t, eng)
	w.core.Settings.AutoTranslate = false
	w.ui(func() { w.source.SetText("긴 글") })
	w.ui(func() { test.Tap(w.translate) })
	eventually(t, w, "streaming", func() bool { return strings.Count(w.target.Text(), "]") > 3 })
	var src, dst string
	w.ui(func() { src, dst = w.source.Text, w.target.Text(); w.doSwap() })
	w.core.Wait() // the cancelled translation's goroutine has ended: whatever it sent is queued before the next read
	if gotSrc, gotDst := w.read(func() string { return w.source.Text }), w.read(func() string { return w.target.Text() }); gotSrc != dst || gotDst != src {
		t.Errorf("after the swap: source %q, target %q", gotSrc, gotDst)
	}
	if state, stop := w.read(func() string { return w.stateLabel.Text }), w.read(func() string { return fmt.Sprint(w.stop.Disabled()) }); strings.HasPrefix(state, "Translating") || stop != "true" {
		t.Errorf("after the swap: status %q, Stop disabled %s", state, stop)
	}
}

func TestEngineErrorIsShownAndNextRequestWorks(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	eng.FailOnce(errors.New("the GPU ran out of memory"))
	w.ui(func() { test.Type(w.source, "a") })
	eventually(t, w, "the error", func() bool { return w.stateLabel.Text == "Error: the GPU ran out of memory" })
	w.ui(func() { test.Type(w.source, "b") })
	eventually(t, w, "the next translation", func() bool { return w.target.Text() == eng.Want("ab") })
}

func TestWelcomeScreenAndFailedLoad(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	w := newTestWindow(t, eng, "")
	if w.read(func() string { return fmt.Sprint(w.welcome.content.Visible(), w.main.Visible()) }) != "true false" {
		t.Fatal("a first run does not show the welcome screen")
	}
	w.ui(func() { w.core.LoadModel("/models/bad.gguf") })
	eventually(t, w, "the error on the welcome screen", func() bool {
		return w.welcome.content.Visible() && strings.Contains(w.welcome.errText.Text, "not a GGUF model file")
	})
	w.ui(func() { w.core.LoadModel("/models/good.gguf") })
	eventually(t, w, "the main view", func() bool { return w.stateLabel.Text == "Ready" && w.main.Visible() && !w.welcome.content.Visible() })
	if got := LoadedModelPath(w); got != "/models/good.gguf" {
		t.Errorf("model path saved as %q", got)
	}
}

func LoadedModelPath(w *Window) string {
	return app.LoadSettings(w.app.Preferences()).ModelPath
}

func TestHugePasteIsRefused(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	clip := w.app.Clipboard()
	clip.SetContent(strings.Repeat("가나다라 ", 1<<20/13*10)) // about 10 MB
	w.ui(func() { w.source.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip}) })
	if got := w.read(func() string { return w.source.Text }); got != "" {
		t.Errorf("%d bytes were pasted", len(got))
	}
	if st := w.read(func() string { return w.stateLabel.Text }); !strings.Contains(st, "Not pasted") {
		t.Errorf("status %q", st)
	}
	clip.SetContent("짧은 글")
	w.ui(func() { w.source.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip}) })
	if got := w.read(func() string { return w.source.Text }); got != "짧은 글" {
		t.Errorf("a short paste gave %q", got)
	}
}

// With a desktop connection the clipboard is read off the UI goroutine, no more of it than the pane takes; what
// is over that is refused, and a short text goes in at the cursor.
func TestHugePasteThroughTheDesktop(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	desk := apptest.NewDesktop()
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	desk.SetSelection(appdesktop.Clipboard, strings.Repeat("가나다라 ", 1<<20/13*10))
	paste := func() {
		w.ui(func() { w.source.TypedShortcut(&fyne.ShortcutPaste{Clipboard: w.app.Clipboard()}) })
	}
	paste()
	eventually(t, w, "the refusal", func() bool { return strings.Contains(w.stateLabel.Text, "Not pasted: the copied text is over 256 KB") })
	if got := w.read(func() string { return w.source.Text }); got != "" {
		t.Errorf("%d bytes were pasted", len(got))
	}
	w.ui(func() { w.source.SetText("안녕 세상"); w.source.CursorColumn = 2 })
	desk.SetSelection(appdesktop.Clipboard, "하세요,")
	paste()
	eventually(t, w, "the paste at the cursor", func() bool { return w.source.Text == "안녕하세요, 세상" })
}

func TestSettingsPersistAndApply(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	n := w.core.Settings
	n.Theme, n.FontSize, n.AutoTranslate = app.ThemeDark, 20, false
	w.ui(func() { w.applySettings(n) })
	got := app.LoadSettings(w.app.Preferences())
	if got.Theme != app.ThemeDark || got.FontSize != 20 || got.AutoTranslate {
		t.Errorf("saved %+v", got)
	}
	if size := w.app.Settings().Theme().Size(theme.SizeNameText); size != 20 {
		t.Errorf("text size %v", size)
	}
	if c := w.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight); c != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Errorf("dark theme not applied: %v", c)
	}
}

// Hangul renders as real glyphs with the embedded font: distinct syllables give distinct images. A font without
// Hangul draws every syllable as the same box, which the control case shows the comparison would catch.
func TestHangulRendersWithEmbeddedFont(t *testing.T) {
	render := func(th fyne.Theme, s string) image.Image {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(th)
		label := widget.NewLabel(s)
		label.SizeName = theme.SizeNameHeadingText
		w := test.NewWindow(label)
		defer w.Close()
		w.Resize(fyne.NewSize(80, 60))
		return w.Canvas().Capture()
	}
	same := func(a, b image.Image) bool {
		if a.Bounds() != b.Bounds() {
			return false
		}
		for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
			for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
				r1, g1, b1, _ := a.At(x, y).RGBA()
				r2, g2, b2, _ := b.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					return false
				}
			}
		}
		return true
	}
	ours := newTheme(app.DefaultSettings())
	syllables := []string{"가", "나", "한", "글"}
	for i := range syllables {
		for j := i + 1; j < len(syllables); j++ {
			if same(render(ours, syllables[i]), render(ours, syllables[j])) {
				t.Errorf("%s and %s render the same: no Hangul glyphs", syllables[i], syllables[j])
			}
		}
	}
	// The control: characters that no font has render as the same box, so the comparison above would catch a theme
	// without Hangul; and it tells different glyphs apart. (The default theme cannot serve as the control for
	// Hangul itself: Fyne falls back to system fonts, and a machine with a Korean font draws it.)
	if !same(render(ours, "\U000F0000"), render(ours, "\U000F0001")) {
		t.Error("two characters without glyphs render differently: the comparison cannot see missing glyphs")
	}
	if same(render(ours, "A"), render(ours, "B")) {
		t.Error("A and B render the same: the comparison cannot tell glyphs apart")
	}
}

// The embedded fonts themselves cover Hangul, so no system font is needed.
func TestEmbeddedFontsCoverHangul(t *testing.T) {
	for _, res := range []fyne.Resource{fontRegular, fontBold} {
		face, err := font.ParseTTF(bytes.NewReader(res.Content()))
		if err != nil {
			t.Fatalf("%s: %v", res.Name(), err)
		}
		for _, r := range "가나다한글안녕하세요뷁ㄱㅏAz0" {
			if _, ok := face.NominalGlyph(r); !ok {
				t.Errorf("%s has no glyph for %q", res.Name(), r)
			}
		}
	}
}

func TestDeviceFallbackIsShown(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond, Fallback: "The model could not be loaded on Test GPU (out of memory), so it runs on the CPU."}
	w := newTestWindow(t, eng, "m.gguf")
	eventually(t, w, "the fallback note", func() bool { return strings.HasSuffix(w.stateLabel.Text, "so it runs on the CPU.") })
}

func TestFailedGPUPluginsAreShown(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond, GPUNotes: []string{
		"GPU plugin cuda.so failed its test run (exit status 2: CUDA error: no kernel image), so it is not used",
		"GPU plugin vulkan.so failed its test run (exit status 1: ggml_backend_init returned NULL), so it is not used",
	}}
	w := newTestWindow(t, eng, "m.gguf")
	want := "Ready. GPU plugin cuda.so failed its test run (exit status 2: CUDA error: no kernel image), so it is not used. " +
		"GPU plugin vulkan.so failed its test run (exit status 1: ggml_backend_init returned NULL), so it is not used"
	eventually(t, w, "both notes", func() bool { return w.stateLabel.Text == want })
}

func TestHistoryRecordsFinalTextsAndRestores(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(w.toggleHistory)
	h := w.history
	w.ui(func() { test.Type(w.source, "사과") })
	eventually(t, w, "one entry for the typed word", func() bool { return h.count == 1 })
	w.ui(func() { w.source.SetText("The weather is nice") })
	eventually(t, w, "a second entry", func() bool { return h.count == 2 })
	last := w.core.Requests()
	w.ui(func() { h.list.Select(1) })
	if src, dst, dir := w.read(func() string { return w.source.Text }), w.read(func() string { return w.target.Text() }), w.read(func() string { return w.direction.Selected }); src != "사과" || dst != eng.Want("사과") || dir != app.ModeKoreanToEnglish.Label() {
		t.Errorf("restored %q → %q (%s)", src, dst, dir)
	}
	if n, id := len(eng.RequestTexts()), w.core.Requests(); n != 2 || id != last {
		t.Errorf("restoring translated again: %d requests, %d requests asked for, %d before", n, id, last)
	}
}

func TestHistorySearchDeleteExportClear(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	h := w.history
	h.store.Supersede = 0
	for _, s := range []string{"안녕하세요", "날씨가 좋아요", "Hello there"} {
		if _, err := h.store.Add(context.Background(), history.Entry{Direction: inference.KoreanToEnglish, Source: s, Target: "t:" + s}); err != nil {
			t.Fatal(err)
		}
	}
	w.ui(func() { test.Type(h.search, "하세요") })
	if n := w.read(func() string { return fmt.Sprint(h.count) }); n != "1" {
		t.Errorf("search found %s", n)
	}
	w.ui(func() { h.search.SetText("") })
	w.ui(func() { h.list.Select(0) }) // the newest: Hello there
	var deleted bool
	w.ui(func() {
		test.Tap(h.del)
		deleted = h.count == 2
	})
	if !deleted {
		t.Error("delete did not remove the entry")
	}
	var buf bytes.Buffer
	w.ui(func() {
		if err := h.export(&buf, true); err != nil {
			t.Error(err)
		}
	})
	if lines := strings.Count(buf.String(), "\n"); lines != 3 || strings.Contains(buf.String(), "Hello there") {
		t.Errorf("CSV export:\n%s", buf.String())
	}
	w.ui(h.clearAll)
	if n := w.read(func() string { return fmt.Sprint(h.count) }); n != "0" {
		t.Errorf("%s entries after clearing", n)
	}
}

func TestHistoryOffWritesNothing(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	h := w.history
	w.ui(func() { h.keep.SetChecked(false) })
	w.ui(func() { test.Type(w.source, "비밀") })
	eventually(t, w, "the translation", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Done in") })
	w.core.Wait()
	if n, _ := h.store.Count(context.Background()); n != 0 {
		t.Errorf("%d entries written with history off", n)
	}
	if app.LoadSettings(w.app.Preferences()).KeepHistory {
		t.Error("the switch was not saved")
	}
}

func TestUnreadableHistoryIsKeptAsideWithANotice(t *testing.T) {
	a := test.NewTempApp(t)
	loop := newUILoop()
	p := filepath.Join(t.TempDir(), "history.db")
	os.WriteFile(p, bytes.Repeat([]byte("garbage!"), 512), 0o600)
	var w *Window
	loop.sync(func() { w = NewWindow(a, Options{Do: loop.do, HistoryPath: p, Load: app.LoadEngine}) })
	loops.Store(w, loop)
	t.Cleanup(func() { w.ui(w.onClosed); loop.stop() })
	if notice := overlayText(w); !strings.Contains(notice, "history.db.corrupt-") || w.history == nil {
		t.Errorf("notice %q", notice)
	}
	if kept, _ := filepath.Glob(p + ".corrupt-*"); len(kept) != 1 {
		t.Errorf("kept %v", kept)
	}
}

func TestOneLineCutsOnCharacters(t *testing.T) {
	s := oneLine(strings.Repeat("가", 200))
	if !utf8.ValidString(s) || len(s) > 300 {
		t.Errorf("%d bytes, valid %v", len(s), utf8.ValidString(s))
	}
}

// BenchmarkTargetUpdate2000Words is the cost of one streamed update of a 2,000-word translation in the target pane
// (the session sends at most 30 a second): what a frame pays for it.
func BenchmarkTargetUpdate2000Words(b *testing.B) {
	a := test.NewTempApp(b)
	a.Settings().SetTheme(newTheme(app.DefaultSettings()))
	target := newTargetView()
	w := test.NewWindow(container.NewVScroll(target.box))
	defer w.Close()
	w.Resize(fyne.NewSize(480, 600))
	// 2,000 words in 20 paragraphs; each update adds a word to the last one, as streaming does.
	para := strings.Repeat("번역된 문장이 화면에 흘러 들어옵니다 and English words too. ", 10)
	text := strings.Repeat(para+"\n", 19) + para
	target.SetText(text)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text += " 단어"
		target.SetText(text)
	}
}

func TestTranslateClipboardCommand(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: time.Millisecond}
	w := readyWindow(t, eng)
	w.ui(func() { w.direction.SetSelected(app.ModeKoreanToEnglish.Label()) })
	w.app.Clipboard().SetContent("Good morning")
	w.ui(func() { w.handleRemote(instance.Request{Command: instance.TranslateClipboard}) })
	eventually(t, w, "the clipboard translated", func() bool { return w.target.Text() == eng.Want("Good morning") })
	if src, dir := w.read(func() string { return w.source.Text }), w.read(func() string { return w.direction.Selected }); src != "Good morning" || dir != app.ModeAuto.Label() {
		t.Errorf("source %q, direction %q", src, dir)
	}
	if got := eng.Requests()[len(eng.Requests())-1].Direction; got != inference.EnglishToKorean {
		t.Errorf("direction picked %v", got)
	}
}

// Settings → Sharing starts the local server on the window's model; a request served while the window keeps
// answering; a taken port is reported in the status bar; turning it off stops it.
func TestSharingFromSettings(t *testing.T) {
	eng := &apptest.Engine{Pieces: 3, Delay: 300 * time.Millisecond}
	w := readyWindow(t, eng)
	n := w.core.Settings
	n.Share, n.ShareAddr = true, "127.0.0.1:0"
	w.ui(func() { w.applySettings(n) })
	addr := w.read(func() string { return w.core.SharingAddr() })
	if state := w.read(func() string { return w.stateLabel.Text }); addr == "" || !strings.Contains(state, "http://"+addr) {
		t.Fatalf("sharing on %q, status %q", addr, state)
	}
	answer := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/translate", "application/json", strings.NewReader(`{"text":"사과","target_lang":"EN"}`))
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		var v struct{ Data string }
		json.NewDecoder(resp.Body).Decode(&v)
		answer <- v.Data
	}()
	eventually(t, w, "the request at the engine", func() bool { return len(eng.Requests()) == 1 })
	w.ui(func() {}) // the window's goroutine answers while the server translates
	select {
	case a := <-answer:
		t.Fatalf("answered before the window was checked: %q", a)
	default:
	}
	if a := <-answer; a != eng.Want("사과") {
		t.Errorf("served %q, want %q", a, eng.Want("사과"))
	}

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	n.ShareAddr = taken.Addr().String()
	w.ui(func() { w.applySettings(n) })
	if state := w.read(func() string { return w.stateLabel.Text }); !strings.Contains(state, "Not shared with other programs: cannot listen on "+n.ShareAddr) {
		t.Errorf("a taken port: status %q", state)
	}
	n.Share = false
	w.ui(func() { w.applySettings(n) })
	if a := w.read(func() string { return w.core.SharingAddr() }); a != "" {
		t.Errorf("still sharing on %q", a)
	}
	if _, err := http.Get("http://" + addr + "/health"); err == nil {
		t.Error("the server still answers after sharing was turned off")
	}
}

// Settings → Translation → Engine → A server: the window translates with the server's model, says so in the status
// bar, reports a server that went away, and comes back to the model file when set back to this computer.
func TestEngineOnAServer(t *testing.T) {
	remote := &apptest.Engine{Pieces: 2, Delay: time.Millisecond, Name: "team 7B"}
	srv, err := server.New(remote, server.Options{Addr: "127.0.0.1:0", Model: func() string { return "team 7B" }})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	eng := &apptest.Engine{Pieces: 1, Delay: time.Millisecond, Name: "local"}
	w := readyWindow(t, eng)
	n := w.core.Settings
	n.UseServer, n.ServerURL = true, "http://"+srv.Addr()
	w.ui(func() { w.applySettings(n) })
	eventually(t, w, "the server's model", func() bool {
		return w.modelLabel.Text == "team 7B" && strings.Contains(w.deviceLabel.Text, srv.Addr()) && w.stateLabel.Text == "Ready"
	})
	w.ui(func() { test.Type(w.source, "사과") })
	eventually(t, w, "the server's translation", func() bool { return w.target.Text() == remote.Want("사과") })
	srv.Close()
	w.ui(func() { test.Type(w.source, "나무") })
	eventually(t, w, "the error", func() bool { return strings.Contains(w.stateLabel.Text, "connection refused") })
	n.UseServer = false
	w.ui(func() { w.applySettings(n) })
	eventually(t, w, "the local model", func() bool { return w.modelLabel.Text == "local" })
}

// An unreadable history is said in a dialog that stays until dismissed: the status bar's message was replaced by
// "Ready" as soon as the model loaded.
func TestUnreadableHistoryNoticeStays(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history.db")
	os.WriteFile(hist, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	w := newTestWindowOpts(t, &apptest.Engine{Pieces: 1}, func(o *Options) { o.ModelPath, o.HistoryPath = "m.gguf", hist })
	ready(t, w)
	if notice := overlayText(w); !strings.Contains(notice, "history database was unreadable") || !strings.Contains(notice, "it was kept as") {
		t.Errorf("no notice of the unreadable history over the window: %q", notice)
	}
}

// overlayText is the text of the labels in the dialog over the window, if any.
func overlayText(w *Window) string {
	var texts []string
	w.ui(func() {
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			for _, o := range test.LaidOutObjects(top) {
				if label, ok := o.(*widget.Label); ok {
					texts = append(texts, label.Text)
				}
			}
		}
	})
	return strings.Join(texts, "\n")
}

// A document translated in the window shows its sentences done of all, and a progress bar, until it is done.
func TestDocumentProgressInTheWindow(t *testing.T) {
	eng := &apptest.Engine{Pieces: 6, Delay: 30 * time.Millisecond, Progress: true}
	w := readyWindow(t, eng)
	w.ui(func() { w.source.SetText("One. Two. Three. Four. Five. Six."); w.doTranslate() })
	eventually(t, w, "the sentences done", func() bool {
		return strings.Contains(w.stateLabel.Text, " of 6 sentences") && w.fileProgress.Visible()
	})
	eventually(t, w, "done", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Done in") })
	if w.read(func() string {
		if w.fileProgress.Visible() {
			return "shown"
		}
		return ""
	}) != "" {
		t.Error("the progress bar stayed after the document")
	}
}
