package inference

import (
	"fmt"
	"unicode"
)

// Direction is a translation direction.
type Direction int

// The two directions the Gugugo models translate.
const (
	KoreanToEnglish Direction = iota
	EnglishToKorean
)

func (d Direction) String() string {
	if d == EnglishToKorean {
		return "en→ko"
	}
	return "ko→en"
}

// Code names the direction by its languages' codes, "ko-en" or "en-ko": what files and databases store.
func (d Direction) Code() string {
	if d == EnglishToKorean {
		return "en-ko"
	}
	return "ko-en"
}

// ParseDirectionCode reads a Code; ok is false (and d KoreanToEnglish) for anything else.
func ParseDirectionCode(s string) (d Direction, ok bool) {
	switch s {
	case "ko-en":
		return KoreanToEnglish, true
	case "en-ko":
		return EnglishToKorean, true
	}
	return KoreanToEnglish, false
}

// Target is the language code of the output: "en" or "ko".
func (d Direction) Target() string {
	if d == EnglishToKorean {
		return "ko"
	}
	return "en"
}

// Reverse is the other direction.
func (d Direction) Reverse() Direction { return 1 - d }

// endMarker closes a Gugugo answer (and the source text in the prompt).
const endMarker = "</끝>"

// Prompt is the text the Gugugo models were trained on, exactly as the Gugugo code builds it. The model answers
// after the second heading and ends its answer with the </끝> marker.
func (d Direction) Prompt(text string) string {
	return d.heading() + " " + text + endMarker + "\n" + d.Reverse().heading()
}

// heading is the source language's heading, with which every prompt of the direction starts. The space after it
// goes with the text: GPT-2's pre-tokenizer puts it at the start of the text's first token.
func (d Direction) heading() string {
	if d == EnglishToKorean {
		return "### 영어:"
	}
	return "### 한국어:"
}

// ParseTarget reads a target language: "en" (from Korean), "ko" (from English) or "auto" (detect from the text).
func ParseTarget(s string) (d Direction, auto bool, err error) {
	switch s {
	case "en", "english":
		return KoreanToEnglish, false, nil
	case "ko", "korean":
		return EnglishToKorean, false, nil
	case "auto", "":
		return KoreanToEnglish, true, nil
	}
	return 0, false, fmt.Errorf("unknown target language %q (want en, ko or auto)", s)
}

// DetectDirection picks the direction from the share of Hangul among the letters: text that is at least 30% Hangul
// is Korean and goes to English, anything else goes to Korean. Text with no letters goes to English.
func DetectDirection(text string) Direction {
	hangul, latin := LetterCounts(text)
	if hangul+latin == 0 || float64(hangul) >= 0.3*float64(hangul+latin) {
		return KoreanToEnglish
	}
	return EnglishToKorean
}

// LetterCounts counts the Hangul letters of text and its other letters.
func LetterCounts(text string) (hangul, other int) {
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.IsLetter(r):
			other++
		}
	}
	return hangul, other
}
