// Package ocr reads Korean and English text in an image, such as a region of the screen, with Tesseract (loaded at
// run time; see tesseract_linux.go).
package ocr

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats Decode reads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/draw"
)

// ErrNoText means Tesseract found no text in the image.
var ErrNoText = errors.New("no text was found in the image")

// maxPixels bounds the images Recognize takes: an 8K screen is 33 megapixels, and Tesseract's time and memory grow
// with the area. A larger image is refused rather than shrunk, which would make its text too small to read.
const maxPixels = 40_000_000

// Text is what Recognize read.
type Text struct {
	// Text has the lines of each paragraph joined (JoinLines), paragraphs apart by a blank line.
	Text string
	// Confidence is Tesseract's mean word confidence, 0 to 100.
	Confidence int
}

// engine is Tesseract initialised for Korean and English; newEngine (per platform) makes one.
type engine interface {
	// recognize reads an 8-bit grey image whose rows are w bytes apart.
	recognize(grey []byte, w, h, ppi, psm int) (text string, confidence int)
}

var (
	mu  sync.Mutex // Tesseract's API reads one image at a time, and its initialisation takes a while: one is kept
	eng engine
)

// Tesseract's page segmentation modes. A single line reads better as one (measured: as well or better than as a
// block, line by line), but two lines read as one lose the second. Its command's default, automatic (3), read no
// text in some Korean lines.
const (
	psmBlock = 6
	psmLine  = 7
)

// CheckSize refuses an image of w×h pixels that is too large to read, so that a caller can refuse a file from its
// header before decoding it.
func CheckSize(w, h int) error {
	if w > 0 && h > 0 && w <= maxPixels/h { // w*h could overflow
		return nil
	}
	if w <= 0 || h <= 0 {
		return fmt.Errorf("the image is empty (%d×%d pixels)", w, h)
	}
	return fmt.Errorf("the image is too large for OCR: %d×%d pixels (%.1f megapixels), the limit is %d megapixels",
		w, h, float64(w)*float64(h)/1e6, maxPixels/1_000_000)
}

// Decode decodes a PNG, JPEG or GIF (name says which in errors), refusing one too large to read from its header,
// before it takes memory.
func Decode(r io.ReadSeeker, name string) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG, JPEG or GIF image", name)
	}
	if err := CheckSize(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s is a broken image: %w", name, err)
	}
	return img, nil
}

// Recognize reads the text in img. It is safe for concurrent use; calls wait for each other.
func Recognize(img image.Image) (Text, error) {
	if img == nil {
		return Text{}, errors.New("no image to read text from")
	}
	b := img.Bounds()
	if b.Empty() {
		return Text{}, fmt.Errorf("the image is empty (%d×%d pixels)", b.Dx(), b.Dy())
	}
	if err := CheckSize(b.Dx(), b.Dy()); err != nil {
		return Text{}, err
	}
	g, scale, lines := prepare(img)
	psm := psmBlock
	if lines == 1 {
		psm = psmLine
	}
	mu.Lock()
	defer mu.Unlock()
	if eng == nil {
		e, err := newEngine("")
		if err != nil {
			return Text{}, err
		}
		eng = e
	}
	// A screen is about 96 pixels per inch; Tesseract's guess without one is 70.
	s, conf := eng.recognize(g.Pix, g.Rect.Dx(), g.Rect.Dy(), 96*scale, psm)
	if s = JoinLines(s); s == "" {
		return Text{}, ErrNoText
	}
	return Text{Text: s, Confidence: conf}, nil
}

// smallText is the height of a line's ink, in pixels, below which an image is enlarged 3×. Measured with NanumGothic
// (22 images of one or two lines a size and language): 16 px text (ink 15–16 px) read 93–98% of Korean and 99% of
// English characters right as it was and 99.7–100% enlarged; 13 px gained less, 11 px Korean lost single lines and
// gained pairs; 20 px and larger gained nothing. 2× gained less than 3×.
const smallText = 18

// prepare converts img to 8-bit grey, dark text on a light background, enlarged when its text is small. It returns
// the factor it enlarged by and the number of lines of text it sees (0 when it cannot tell).
func prepare(img image.Image) (g *image.Gray, scale, lines int) {
	b := img.Bounds()
	g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	// Transparent pixels are white paper, not black: dark text on a transparent PNG is common.
	draw.Draw(g, g.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(g, g.Rect, img, b.Min, draw.Over)
	// The most common shade is the background. Tesseract reads light text on dark too, but tries it both ways,
	// which takes longer.
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	bg := 0
	for v, n := range hist {
		if n > hist[bg] {
			bg = v
		}
	}
	if bg < 128 {
		for i, v := range g.Pix {
			g.Pix[i] = 255 - v
		}
		bg = 255 - bg
	}
	runs := inkRuns(g, uint8(bg))
	scale = 1
	if len(runs) > 0 && runs[len(runs)/2] < smallText {
		scale = 3
	}
	for scale > 1 && b.Dx()*b.Dy()*scale*scale > maxPixels {
		scale--
	}
	if scale > 1 {
		big := image.NewGray(image.Rect(0, 0, b.Dx()*scale, b.Dy()*scale))
		draw.CatmullRom.Scale(big, big.Rect, g, g.Rect, draw.Src, nil)
		g = big
	}
	return g, scale, len(runs)
}

// inkRuns returns, shortest first, the heights of the runs of rows that hold ink (a pixel well darker than the
// background bg): one run a line of text, or several lines whose glyphs touch.
func inkRuns(g *image.Gray, bg uint8) []int {
	var runs []int
	run := 0
	for y := g.Rect.Min.Y; y <= g.Rect.Max.Y; y++ {
		ink := false
		if y < g.Rect.Max.Y {
			row := g.Pix[g.PixOffset(g.Rect.Min.X, y):g.PixOffset(g.Rect.Max.X, y)]
			ink = slices.ContainsFunc(row, func(v uint8) bool { return int(v) < int(bg)-64 })
		}
		if ink {
			run++
		} else if run > 0 {
			runs = append(runs, run)
			run = 0
		}
	}
	slices.Sort(runs)
	return runs
}

// JoinLines turns OCR's lines into paragraphs: the lines of a paragraph are joined with a space, or without one
// where an English word was hyphenated at the end of a line; blank lines separate paragraphs, which come out apart
// by one blank line. Runs of spaces become one, and the ends are trimmed.
func JoinLines(s string) string {
	var paras []string
	para := ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		switch {
		case line == "":
			if para != "" {
				paras = append(paras, para)
			}
			para = ""
		case para == "":
			para = line
		case hyphenated(para, line):
			para = para[:len(para)-1] + line
		default:
			para += " " + line
		}
	}
	if para != "" {
		paras = append(paras, para)
	}
	return strings.Join(paras, "\n\n")
}

// hyphenated says whether line ends in a Latin letter and a hyphen and next goes on in lower case: a word split
// across the two.
func hyphenated(line, next string) bool {
	word, ok := strings.CutSuffix(line, "-")
	last, _ := utf8.DecodeLastRuneInString(word)
	first, _ := utf8.DecodeRuneInString(next)
	return ok && unicode.Is(unicode.Latin, last) && unicode.IsLower(first)
}
