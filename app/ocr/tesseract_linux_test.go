package ocr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingLibrary(t *testing.T) {
	err := openLibrary([]string{"libtesseract-missing.so.5"})
	if err == nil || !strings.Contains(err.Error(), "sudo apt install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng") {
		t.Fatalf("a missing library: %v, want the command that installs it", err)
	}
}

// tessdata finds the system's traineddata files, where Tesseract looks for them itself.
func tessdata(t *testing.T) string {
	t.Helper()
	for _, d := range []string{os.Getenv("TESSDATA_PREFIX"), "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"} {
		if _, err := os.Stat(filepath.Join(d, "kor.traineddata")); d != "" && err == nil {
			return d
		}
	}
	t.Fatal("no kor.traineddata (install it with `sudo apt install tesseract-ocr-kor`)")
	return ""
}

func TestMissingLanguage(t *testing.T) {
	sys := tessdata(t)
	for _, c := range []struct {
		have        []string
		want, wrong string
	}{
		{[]string{"eng"}, "no Korean (kor.traineddata) language data in %s (install it with `sudo apt install tesseract-ocr-kor`)", "English"},
		{[]string{"kor"}, "no English (eng.traineddata) language data in %s (install it with `sudo apt install tesseract-ocr-eng`)", "Korean"},
		{nil, "no Korean (kor.traineddata) or English (eng.traineddata) language data in %s (install it with `sudo apt install tesseract-ocr-kor tesseract-ocr-eng`)", "\x00"},
	} {
		dir := t.TempDir()
		for _, l := range c.have {
			if err := os.Symlink(filepath.Join(sys, l+".traineddata"), filepath.Join(dir, l+".traineddata")); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		_, err := newEngine(dir)
		mu.Unlock()
		if want := strings.Replace(c.want, "%s", dir, 1); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), c.wrong) {
			t.Errorf("with %v only: %v, want %q", c.have, err, want)
		}
	}
	mu.Lock()
	e, err := newEngine(sys)
	mu.Unlock()
	if err != nil || e == nil {
		t.Fatalf("with every language: %v", err)
	}
}
