package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/gugugo-desktop/gugugo/app/ocr"
)

// recognize reads the text in an image file and says on stderr what was read, so that a user can tell a reading
// error from a translation error.
func recognize(path string, stderr io.Writer) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, err := ocr.Decode(f, path)
	if err != nil {
		return "", err
	}
	t, err := ocr.Recognize(img)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stderr, "gugugo: read in the image (confidence %d%%): %s\n", t.Confidence, t.Text)
	return t.Text, nil
}
