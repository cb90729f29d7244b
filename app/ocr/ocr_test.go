package ocr

import (
	"errors"
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/image/draw"

	"github.com/gugugo-desktop/gugugo/app/apptest"
)

// accuracy is 1 − the edit distance between want and got over want's length, in characters, whitespace left out.
func accuracy(want, got string) float64 {
	strip := func(s string) []rune {
		return []rune(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), ""))
	}
	a, b := strip(want), strip(got)
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(b)])/float64(len(a))
}

func TestAccuracy(t *testing.T) {
	if got := accuracy("가나 다라", "가나다"); got != 0.75 {
		t.Errorf("one of four characters missing: %v", got)
	}
	if got := accuracy("ab", "a\nb"); got != 1 {
		t.Errorf("whitespace counted: %v", got)
	}
}

// minAccuracy is below what every case reads on Tesseract 5.3 (all of them 1.0) by enough for one wrong character
// in a 15-character line, and above what the small-text cases read unenlarged (0.75, 0.79).
const minAccuracy = 0.9

func TestRecognize(t *testing.T) {
	ko := []string{"번역할 문장을 마우스로 선택하세요.", "인터넷 연결 없이도 작동합니다."}
	small := []string{"이 문서는 자동으로 번역되었습니다.", "인터넷 연결 없이도 작동합니다.", "회의는 다음 주 화요일 오후 세 시에 시작합니다."}
	en := []string{"Select a region of the screen to translate it.", "The meeting starts next Tuesday at 3 pm."}
	for _, c := range []struct {
		name  string
		lines []string
		px    float64
		dark  bool
	}{
		{"Korean 16px", ko[:1], 16, false},
		{"Korean 16px two lines", ko, 16, false},
		// Black on white, these read wrong at their own size ("이 BALE 자동으로", "Foie 다음 주"), right enlarged.
		{"Korean 16px small-text case", small[:1], 16, false},
		{"Korean 16px small-text case, dark", small[:1], 16, true},
		{"Korean 13px small-text case", small[1:], 13, false},
		{"Korean 32px", ko[:1], 32, false},
		{"Korean 32px two lines", ko, 32, false},
		{"English 16px", en[:1], 16, false},
		{"English 16px two lines", en, 16, false},
		{"English 32px", en[:1], 32, false},
		{"English 32px two lines", en, 32, false},
	} {
		got, err := Recognize(apptest.TextImage(c.lines, c.px, c.dark))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := strings.Join(c.lines, " ")
		a := accuracy(want, got.Text)
		t.Logf("%s: accuracy %.3f, confidence %d: %q", c.name, a, got.Confidence, got.Text)
		if a < minAccuracy {
			t.Errorf("%s: accuracy %.3f below %.2f: read %q for %q", c.name, a, minAccuracy, got.Text, want)
		}
		if strings.Contains(got.Text, "\n") {
			t.Errorf("%s: the lines of one paragraph were not joined: %q", c.name, got.Text)
		}
	}
}

func TestRecognizeConcurrently(t *testing.T) {
	img := apptest.TextImage([]string{"오늘 날씨가 정말 좋네요"}, 16, false)
	var wg sync.WaitGroup
	texts := make([]string, 4)
	for i := range texts {
		wg.Go(func() {
			got, err := Recognize(img)
			if err != nil {
				t.Error(err)
			}
			texts[i] = got.Text
		})
	}
	wg.Wait()
	for _, s := range texts[1:] {
		if s != texts[0] {
			t.Fatalf("one image read differently at once: %q", texts)
		}
	}
}

// huge is a 50-megapixel white image that takes no memory.
type huge struct{}

func (huge) ColorModel() color.Model { return color.GrayModel }
func (huge) Bounds() image.Rectangle { return image.Rect(0, 0, 10000, 5000) }
func (huge) At(x, y int) color.Color { return color.White }

func TestRecognizeRefuses(t *testing.T) {
	white := image.NewGray(image.Rect(0, 0, 300, 60))
	draw.Draw(white, white.Rect, image.White, image.Point{}, draw.Src)
	if _, err := Recognize(white); !errors.Is(err, ErrNoText) {
		t.Errorf("a white image: %v, want ErrNoText", err)
	}
	for _, c := range []struct {
		name string
		img  image.Image
		want string
	}{
		{"nil", nil, "no image"},
		{"0×0", image.NewRGBA(image.Rectangle{}), "the image is empty (0×0 pixels)"},
		{"0×10", image.NewRGBA(image.Rect(5, 5, 5, 15)), "the image is empty (0×10 pixels)"},
		{"50 megapixels", huge{}, "10000×5000 pixels (50.0 megapixels), the limit is 40 megapixels"},
	} {
		if _, err := Recognize(c.img); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

func TestJoinLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{" \n\n ", ""},
		{"one line\n", "one line"},
		{"번역할 문장을\n선택하세요.\n", "번역할 문장을 선택하세요."},
		{"first  paragraph\ngoes on\n\n\nsecond\n", "first paragraph goes on\n\nsecond"},
		{"machine trans-\nlation works", "machine translation works"},
		{"a well-\nKnown name", "a well- Known name"},       // a capital goes on a new word
		{"ends in a dash -\nnext", "ends in a dash - next"}, // no word before the hyphen
		{"한국-\n어", "한국- 어"},                                 // only English words are split with a hyphen
		{"\t lead\r\ntrail \t\r\n", "lead trail"},
	} {
		if got := JoinLines(c.in); got != c.want {
			t.Errorf("JoinLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPrepare(t *testing.T) {
	for _, c := range []struct {
		name         string
		lines        []string
		px           float64
		dark         bool
		scale, count int
	}{
		{"16px line", []string{"작은 글자"}, 16, false, 3, 1},
		{"16px line, dark", []string{"작은 글자"}, 16, true, 3, 1},
		{"32px lines", []string{"큰 글자", "Large text"}, 32, false, 1, 2},
	} {
		g, scale, count := prepare(apptest.TextImage(c.lines, c.px, c.dark))
		if scale != c.scale || count != c.count {
			t.Errorf("%s: enlarged %d×, %d lines; want %d×, %d lines", c.name, scale, count, c.scale, c.count)
		}
		if corner := g.GrayAt(0, 0).Y; corner < 200 {
			t.Errorf("%s: the background is %d, not light", c.name, corner)
		}
	}
}

// Dark text on a transparent background (a PNG cut from a page) reads as text on white, not as black on black.
func TestTransparentBackground(t *testing.T) {
	text := apptest.TextImage([]string{"Good morning, my friend"}, 24, false)
	img := image.NewNRGBA(text.Rect)
	for i := 0; i < len(text.Pix); i += 4 {
		if text.Pix[i] < 128 { // ink stays opaque, paper becomes transparent
			copy(img.Pix[i:i+4], []byte{0, 0, 0, 255})
		}
	}
	got, err := Recognize(img)
	if err != nil || accuracy("Good morning, my friend", got.Text) < 0.9 {
		t.Errorf("read %q, %v", got.Text, err)
	}
}
