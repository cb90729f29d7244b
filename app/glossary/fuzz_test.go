package glossary

import (
	"bytes"
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzParse reads any bytes as a glossary: a list it accepts is written back and read again unchanged, and steering
// and checking any text with it neither panic nor break UTF-8.
func FuzzParse(f *testing.F) {
	f.Add([]byte("\ufeff# terms\n구구고\tGugugo\r\n\n데스크톱 앱 \t desktop app\n"), "구구고를 설치하세요. Start the art class.")
	f.Add([]byte("art\t미술\nGPU\t그래픽 카드\n차\ttea\n"), "자동차를 탔다 on the gpu")
	f.Add([]byte("a\tb\nno tab here\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		l, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		back, err := ParseString(l.String())
		if err != nil || !slices.Equal(back, l) {
			t.Fatalf("%q was read back as %q (%v)", l, back, err)
		}
		steered := l.Steer(text)
		if utf8.ValidString(text) && !utf8.ValidString(steered) {
			t.Fatalf("steering %q gave %q", text, steered)
		}
		l.Missing(text, steered)
	})
}
