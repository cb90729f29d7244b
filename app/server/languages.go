package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// language is "ko", "en", or "" for auto.
type language string

// parseLanguage reads a client's language code: DeepL's (KO, EN, EN-US, EN-GB), LibreTranslate's and ISO ones (ko,
// en, kor, eng, ko-KR, en-US), names (Korean, English), and auto ("auto", "" or DeepL's none).
func parseLanguage(code string) (language, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(c, "-_"); i > 0 {
		c = c[:i]
	}
	switch c {
	case "", "auto", "detect":
		return "", nil
	case "ko", "kor", "korean", "한국어":
		return "ko", nil
	case "en", "eng", "english", "영어":
		return "en", nil
	}
	return "", fmt.Errorf("language %q is not supported: Gugugo translates between Korean (ko) and English (en)", code)
}

// detect is the language of text, and the confidence in percent: the share of its letters in that language's script.
func detect(text string) (language, float64) {
	hangul, latin := inference.LetterCounts(text)
	lang, share := language("en"), float64(latin)
	if inference.DetectDirection(text) == inference.KoreanToEnglish {
		lang, share = "ko", float64(hangul)
	}
	if hangul+latin == 0 {
		return lang, 0
	}
	return lang, math.Round(1000*share/float64(hangul+latin)) / 10
}

// plan is how one text is answered: translated in a direction, or returned as it is when it already is in the
// target language.
type plan struct {
	source    language // as asked, or detected
	target    language
	direction inference.Direction
	asIs      bool
	terms     glossary.List // the glossary of the direction, steering the translation
}

// planFor decides a translation from the languages asked for (either may be auto) and the text.
func planFor(text string, source, target language) plan {
	p := plan{source: source, target: target}
	if p.source == "" {
		p.source, _ = detect(text)
	}
	if p.target == "" {
		p.target = "en"
		if p.source == "en" {
			p.target = "ko"
		}
	}
	p.asIs = p.source == p.target
	p.direction = inference.KoreanToEnglish
	if p.target == "ko" {
		p.direction = inference.EnglishToKorean
	}
	return p
}

// run translates text by the plan (returning it as is when the plan says so), calling onPiece as the translation
// grows.
func (p plan) run(ctx context.Context, t Translator, text string, maxTokens int, onPiece func(piece, soFar string)) (inference.Result, error) {
	if p.asIs {
		if onPiece != nil && text != "" {
			onPiece(text, text)
		}
		return inference.Result{Text: text, Direction: p.direction, Stop: inference.StopMarker}, nil
	}
	return t.TranslateShared(ctx, inference.Request{Text: p.terms.Steer(text), Direction: p.direction, MaxTokens: maxTokens}, onPiece)
}

// plan is planFor with the server's glossary for the direction.
func (s *Server) plan(text string, source, target language) plan {
	p := planFor(text, source, target)
	if s.o.Glossary != nil && !p.asIs {
		p.terms = s.o.Glossary(p.direction)
	}
	return p
}

// translateAll translates texts at once (their sentences decoded together), each from source to target (either may
// be auto), and returns their translations (a blank text stays blank) and the glossary terms missing from them.
func (s *Server) translateAll(ctx context.Context, texts []string, source, target language, maxTokens int) ([]string, glossary.List, error) {
	out := make([]string, len(texts))
	errs := make([]error, len(texts))
	var mu sync.Mutex
	var missing glossary.List
	var wg sync.WaitGroup
	for i, text := range texts {
		if inference.Blank(text) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := s.plan(text, source, target)
			res, err := p.run(ctx, s.t, text, maxTokens, nil)
			out[i], errs[i] = res.Text, err
			mu.Lock()
			defer mu.Unlock()
			missing = missing.Union(p.terms.Missing(text, res.Text))
		}()
	}
	wg.Wait()
	return out, missing, errors.Join(errs...)
}
