package inference

import (
	"testing"
)

func TestPromptFormat(t *testing.T) {
	if got, want := KoreanToEnglish.Prompt("안녕"), "### 한국어: 안녕</끝>\n### 영어:"; got != want {
		t.Errorf("ko→en prompt %q, want %q", got, want)
	}
	if got, want := EnglishToKorean.Prompt("hi"), "### 영어: hi</끝>\n### 한국어:"; got != want {
		t.Errorf("en→ko prompt %q, want %q", got, want)
	}
}

func TestDetectDirection(t *testing.T) {
	for text, want := range map[string]Direction{
		"안녕하세요":                     KoreanToEnglish,
		"GPU 설정을 바꾸세요":              KoreanToEnglish,
		"Hello, how are you?":       EnglishToKorean,
		"I really like 김치 and rice": EnglishToKorean,
		"12345 !!":                  KoreanToEnglish,
		"":                          KoreanToEnglish,
	} {
		if got := DetectDirection(text); got != want {
			t.Errorf("DetectDirection(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	if d, auto, err := ParseTarget("ko"); err != nil || auto || d != EnglishToKorean {
		t.Errorf("ko: %v %v %v", d, auto, err)
	}
	if _, auto, err := ParseTarget("auto"); err != nil || !auto {
		t.Errorf("auto: %v %v", auto, err)
	}
	if _, _, err := ParseTarget("fr"); err == nil {
		t.Error("fr accepted")
	}
}
