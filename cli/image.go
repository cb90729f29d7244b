package cli

import (
	"fmt"
	"image"
	_ "image/gif" // decoders for image.Decode
	_ "image/jpeg"
	_ "image/png"
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
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return "", fmt.Errorf("%s: not an image this reads (PNG, JPEG or GIF): %w", path, err)
	}
	if err := ocr.CheckSize(cfg.Width, cfg.Height); err != nil {
		return "", fmt.Errorf("%s: %w", path, err) // before decoding megapixels into memory
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return "", fmt.Errorf("%s: a broken %s image: %w", path, format, err)
	}
	t, err := ocr.Recognize(img)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stderr, "gugugo: read in the image (confidence %d%%): %s\n", t.Confidence, t.Text)
	return t.Text, nil
}
