package ui

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynedesktop "fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"

	"github.com/gugugo-desktop/gugugo/app/apptest"
	appdesktop "github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

func TestADroppedSubtitleFileIsTranslatedBesideItselfWithProgress(t *testing.T) {
	eng := &apptest.Engine{Pieces: 2, Delay: 5 * time.Millisecond}
	w := newTestWindow(t, eng, "m.gguf")
	ready(t, w)
	dir := t.TempDir()
	in := filepath.Join(dir, "talk.srt")
	var cues strings.Builder
	for i := range 30 {
		cues.WriteString(strings.Join([]string{strconv.Itoa(i + 1), "00:00:01,000 --> 00:00:02,000", "Line " + strconv.Itoa(i) + ".", "", ""}, "\n"))
	}
	os.WriteFile(in, []byte(cues.String()), 0o644)
	w.ui(func() { w.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(in)}) })
	eventually(t, w, "progress", func() bool {
		return w.fileProgress.Visible() && strings.HasPrefix(w.stateLabel.Text, "Translating talk.srt: ")
	})
	eventually(t, w, "the file written", func() bool { return w.stateLabel.Text == "Translated talk.srt into talk.ko.srt" })
	if w.read(func() string {
		if w.fileProgress.Visible() {
			return "visible"
		}
		return ""
	}) != "" {
		t.Error("the progress bar stayed")
	}
	b, err := os.ReadFile(filepath.Join(dir, "talk.ko.srt"))
	if err != nil || !strings.Contains(string(b), "30\n00:00:01,000 --> 00:00:02,000\n[Line 29.:0][Line 29.:1]\n") {
		t.Errorf("wrote %q, %v", b, err)
	}
	// A broken file is named in the status bar, and nothing is written.
	bad := filepath.Join(dir, "bad.vtt")
	os.WriteFile(bad, []byte("not a vtt"), 0o644)
	w.ui(func() { w.startFile(bad) })
	eventually(t, w, "the broken file named", func() bool {
		return strings.HasPrefix(w.stateLabel.Text, "bad.vtt: not translated: ") && strings.Contains(w.stateLabel.Text, "not a WebVTT file")
	})
	if _, err := os.Stat(filepath.Join(dir, "bad.ko.vtt")); err == nil {
		t.Error("a broken file's translation was written")
	}
	w.ui(func() { w.startFile(filepath.Join(dir, "notes.pdf")) })
	if got := w.read(func() string { return w.stateLabel.Text }); !strings.Contains(got, "neither a text file") {
		t.Errorf("a PDF: %q", got)
	}
}

func TestGlossaryEditorAndMissingTermsInTheStatusBar(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	w := newTestWindow(t, eng, "m.gguf")
	ready(t, w)
	var g *glossaryEditor
	w.ui(func() {
		g = w.newGlossaryEditor()
		g.source.SetText("사과")
		g.target.SetText("apple")
		g.add()
		g.source.SetText("사과")
		g.target.SetText("fruit")
		g.add()
	})
	if note := w.read(func() string { return g.note.Text }); !strings.Contains(note, `repeats the term "사과"`) {
		t.Errorf("a repeated term: %q", note)
	}
	w.ui(func() {
		g.source.SetText("배")
		g.target.SetText("pear")
		g.add()
		g.remove(0)
		g.save()
	})
	if got := w.core.Glossary(inference.KoreanToEnglish); len(got) != 1 || got[0] != (glossary.Entry{Source: "배", Target: "pear"}) {
		t.Fatalf("saved %q", got)
	}
	// The scripted engine answers with its request, which the glossary steered: nothing is missing.
	w.ui(func() {
		w.direction.SetSelected(w.direction.Options[0])
		w.source.SetText("배를 먹어요")
		w.doTranslate()
	})
	eventually(t, w, "done", func() bool { return strings.HasPrefix(w.stateLabel.Text, "Done in") })
	if got := w.read(w.target.Text); !strings.Contains(got, "pear를 먹어요") {
		t.Errorf("translation %q was not steered", got)
	}
	eng.Pieces = 0
	w.ui(func() { w.source.SetText("배를 먹어요!"); w.doTranslate() })
	eventually(t, w, "the missing term marked", func() bool {
		return strings.HasPrefix(w.stateLabel.Text, `⚠ Glossary terms missing: "배" → "pear"`)
	})
}

// A region dragged over the frozen screen is read with Tesseract and translated: the screen holds a line of text
// rendered with the embedded font, and the drag goes over it.
func TestScreenRegionIsReadAndTranslated(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	desk := apptest.NewDesktop()
	screen := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	draw.Draw(screen, screen.Bounds(), image.White, image.Point{}, draw.Src)
	text := apptest.TextImage([]string{"Good morning, my friend"}, 20, false)
	at := image.Pt(300, 400)
	draw.Draw(screen, text.Bounds().Add(at), text, image.Point{}, draw.Src)
	desk.SetScreen(screen)
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	if !desk.Held("Ctrl+Alt+Shift+G") {
		t.Fatal("the region hotkey is not held")
	}
	desk.Press("Ctrl+Alt+Shift+G")
	eventually(t, w, "the region picker", func() bool { return w.region != nil })
	var p *regionPicker
	w.ui(func() {
		p = w.region.Content().(*regionPicker)
		p.Resize(fyne.NewSize(600, 400)) // half the screen's pixels: the rectangle is scaled back
		r := text.Bounds().Add(at)
		p.MouseDown(&fynedesktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(r.Min.X)/2, float32(r.Min.Y)/2)}})
		p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(r.Max.X)/2, float32(r.Max.Y)/2)}})
		if p.box.Size() != fyne.NewSize(float32(r.Dx())/2, float32(r.Dy())/2) {
			t.Errorf("the rectangle shown while dragging is %v", p.box.Size())
		}
		p.MouseUp(&fynedesktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(r.Max.X)/2, float32(r.Max.Y)/2)}})
	})
	eventually(t, w, "the text read and translated", func() bool {
		return strings.Contains(w.source.Text, "Good morning") && strings.Contains(w.target.Text(), "Good morning")
	})
	if w.read(func() string {
		if w.region != nil {
			return "open"
		}
		return ""
	}) != "" {
		t.Error("the picker stayed open")
	}
	// Esc cancels: nothing is read.
	desk.Press("Ctrl+Alt+Shift+G")
	eventually(t, w, "the region picker again", func() bool { return w.region != nil })
	asked := len(eng.Requests())
	w.ui(func() { w.region.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	eventually(t, w, "the picker closed", func() bool { return w.region == nil })
	time.Sleep(50 * time.Millisecond)
	if len(eng.Requests()) != asked {
		t.Error("a cancelled region was translated")
	}
}

func TestADroppedImageIsReadAndABlankOneSaysSo(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	w := newTestWindow(t, eng, "m.gguf")
	ready(t, w)
	dir := t.TempDir()
	write := func(name string, img image.Image) string {
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		png.Encode(f, img)
		f.Close()
		return p
	}
	good := write("note.png", apptest.TextImage([]string{"오늘 날씨가 좋아요"}, 32, false))
	blank := image.NewRGBA(image.Rect(0, 0, 300, 100))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	empty := write("blank.png", blank)
	w.ui(func() { w.onDropped(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(good)}) })
	eventually(t, w, "the image's text", func() bool { return strings.Contains(w.source.Text, "날씨가") })
	w.ui(func() { w.onDropped(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(empty)}) })
	eventually(t, w, "the message", func() bool { return strings.Contains(w.stateLabel.Text, "no text was found") })
	if !strings.Contains(w.read(func() string { return w.source.Text }), "날씨가") {
		t.Error("a blank image replaced the source")
	}
}

func TestAPastedImageIsRead(t *testing.T) {
	eng := &apptest.Engine{Pieces: 1}
	desk := apptest.NewDesktop()
	w := newTestWindowWith(t, eng, "m.gguf", desk)
	ready(t, w)
	var b bytes.Buffer
	png.Encode(&b, apptest.TextImage([]string{"Good morning, my friend"}, 24, true))
	desk.SetClipboardImage(b.Bytes())
	paste := func() bool {
		handled := false
		w.ui(func() { handled = w.onShortcut(&fyne.ShortcutPaste{Clipboard: w.app.Clipboard()}) })
		return handled
	}
	if !paste() {
		t.Fatal("the paste of an image was left to the entry")
	}
	eventually(t, w, "the pasted image's text", func() bool { return strings.Contains(w.source.Text, "Good morning") })
	desk.SetClipboardImage([]byte("not an image"))
	paste()
	eventually(t, w, "the message", func() bool {
		return strings.Contains(w.stateLabel.Text, "the pasted image is not a PNG, JPEG or GIF image")
	})
	// Text on the clipboard is pasted as text.
	desk.SetSelection(appdesktop.Clipboard, " and text")
	paste()
	eventually(t, w, "the pasted text", func() bool { return strings.Contains(w.source.Text, " and text") })
}
