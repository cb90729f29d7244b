package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/gugugo-desktop/gugugo/app/document"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/inference"
)

// POST /translate is DeepLX's and LibreTranslate's endpoint. LibreTranslate's clients send q (as JSON or a form),
// DeepLX's send text as JSON.

// translateBody holds either dialect's request.
type translateBody struct {
	dialect string // "deeplx" or "libretranslate"
	// DeepLX
	Text       json.RawMessage `json:"text"`
	SourceLang string          `json:"source_lang"`
	TargetLang string          `json:"target_lang"`
	// LibreTranslate
	Q      json.RawMessage `json:"q"`
	Source string          `json:"source"`
	Target string          `json:"target"`
	Format string          `json:"format"`
	APIKey string          `json:"api_key"`
}

type bodyKey struct{}

// readTranslateBody reads a /translate body once, for the guard (its dialect and key) and the handler.
func readTranslateBody(r *http.Request) (*translateBody, error) {
	if b, ok := r.Context().Value(bodyKey{}).(*translateBody); ok {
		return b, nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	b := &translateBody{dialect: "deeplx"}
	*r = *r.WithContext(context.WithValue(r.Context(), bodyKey{}, b)) // its dialect shapes even a malformed body's error
	switch {
	case isForm(r) && !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")): // curl -d sends JSON as a form
		b.dialect = "libretranslate"
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return b, err
		}
		form := r.PostForm
		if q, ok := form["q"]; ok {
			b.Q, _ = json.Marshal(strings.Join(q, "\n"))
		}
		b.Source, b.Target, b.Format, b.APIKey = form.Get("source"), form.Get("target"), form.Get("format"), form.Get("api_key")
	default:
		if err := json.Unmarshal(raw, b); err != nil {
			if bytes.Contains(raw, []byte(`"q"`)) {
				b.dialect = "libretranslate"
			}
			return b, err
		}
		if b.Q != nil && b.Text == nil {
			b.dialect = "libretranslate"
		}
	}
	return b, nil
}

// libreRequest reports whether a /translate request speaks LibreTranslate.
func libreRequest(r *http.Request) bool {
	if b, ok := r.Context().Value(bodyKey{}).(*translateBody); ok {
		return b.dialect == "libretranslate"
	}
	return isForm(r)
}

// texts reads a string or a list of strings.
func texts(raw json.RawMessage) (list []string, isList bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, false, nil
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false, errors.New("the text must be a string or a list of strings")
	}
	return list, true, nil
}

func (s *Server) translate(w http.ResponseWriter, r *http.Request) {
	b, err := readTranslateBody(r)
	if err != nil {
		bodyError(w, r, err, s.o.MaxBody)
		return
	}
	if b.dialect == "libretranslate" {
		s.libreTranslate(w, r, b)
		return
	}
	s.deeplx(w, r, b)
}

// DeepLX: {text, source_lang, target_lang} → {code, id, data, alternatives, source_lang, target_lang, method}.
func (s *Server) deeplx(w http.ResponseWriter, r *http.Request, b *translateBody) {
	list, _, err := texts(b.Text)
	if err != nil {
		deeplxError(w, http.StatusBadRequest, err.Error())
		return
	}
	text := strings.Join(list, "\n")
	if inference.Blank(text) {
		deeplxError(w, http.StatusBadRequest, "no text to translate")
		return
	}
	source, err := parseLanguage(b.SourceLang)
	if err == nil {
		_, err = parseLanguage(b.TargetLang)
	}
	if err != nil {
		deeplxError(w, http.StatusBadRequest, err.Error())
		return
	}
	target, _ := parseLanguage(b.TargetLang)
	if !s.admit(w, r) {
		return
	}
	defer s.leave()
	p := s.plan(text, source, target)
	res, err := p.run(r.Context(), s.t, text, 0, nil)
	logTranslation(w, len([]rune(text)), err)
	if err != nil {
		if r.Context().Err() == nil {
			deeplxError(w, translateStatus(err), err.Error())
		}
		return
	}
	reply := map[string]any{
		"code": http.StatusOK, "id": rand.Int64N(1 << 53), "data": res.Text, "alternatives": []string{},
		"source_lang": strings.ToUpper(string(p.source)), "target_lang": strings.ToUpper(string(p.target)), "method": "Free",
	}
	addMissing(reply, p.terms.Missing(text, res.Text))
	writeJSON(w, http.StatusOK, reply)
}

func deeplxError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}

// statusOf is the status logged for a translation's outcome when none was answered.
func statusOf(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, context.Canceled):
		return 499 // the client closed the connection
	}
	return translateStatus(err)
}

// LibreTranslate: {q, source, target, format, api_key} → {translatedText, detectedLanguage (when source is auto)};
// q may be a list, answered with lists.
func (s *Server) libreTranslate(w http.ResponseWriter, r *http.Request, b *translateBody) {
	list, isList, err := texts(b.Q)
	switch {
	case err != nil:
		libreError(w, http.StatusBadRequest, "Invalid request: "+err.Error())
		return
	case list == nil:
		libreError(w, http.StatusBadRequest, "Invalid request: missing q parameter")
		return
	case len(list) == 0 || !isList && inference.Blank(list[0]):
		libreError(w, http.StatusBadRequest, "Invalid request: q is empty")
		return
	case len(list) > maxTexts:
		libreError(w, http.StatusBadRequest, fmt.Sprintf("Invalid request: q holds %d texts; at most %d per request", len(list), maxTexts))
		return
	}
	if b.Target == "" {
		libreError(w, http.StatusBadRequest, "Invalid request: missing target parameter")
		return
	}
	source, err := parseLanguage(b.Source)
	if err != nil {
		libreError(w, http.StatusBadRequest, err.Error())
		return
	}
	target, err := parseLanguage(b.Target)
	if err != nil || target == "" {
		libreError(w, http.StatusBadRequest, "target: "+errText(err, "auto is not a target"))
		return
	}
	if !s.admit(w, r) {
		return
	}
	defer s.leave()
	var out []string
	var missing glossary.List
	if b.Format == "html" {
		out, missing, err = s.translateHTML(r.Context(), list, source, target)
	} else {
		out, missing, err = s.translateAll(r.Context(), list, source, target, 0)
	}
	chars := 0
	for _, t := range list {
		chars += len([]rune(t))
	}
	logTranslation(w, chars, err)
	if err != nil {
		if r.Context().Err() == nil {
			libreError(w, translateStatus(err), err.Error())
		}
		return
	}
	reply := map[string]any{"translatedText": out[0]}
	addMissing(reply, missing)
	if isList {
		reply["translatedText"] = out
	}
	if source == "" {
		detected := make([]map[string]any, len(list))
		for i, text := range list {
			if !inference.Blank(text) {
				lang, confidence := detect(text)
				detected[i] = map[string]any{"language": string(lang), "confidence": confidence}
			}
		}
		reply["detectedLanguage"] = detected[0]
		if isList {
			reply["detectedLanguage"] = detected
		}
	}
	writeJSON(w, http.StatusOK, reply)
}

// addMissing adds the glossary terms missing from a translation to a reply, as glossary_missing: a list of
// {source, target}, only when there are some, so that clients that know nothing of it see their usual reply.
func addMissing(reply map[string]any, missing glossary.List) {
	if len(missing) == 0 {
		return
	}
	list := make([]map[string]string, len(missing))
	for i, m := range missing {
		list[i] = map[string]string{"source": m.Source, "target": m.Target}
	}
	reply["glossary_missing"] = list
}

// translateHTML translates LibreTranslate's format "html": each text is an HTML document or fragment whose tags are
// kept and whose text is translated (package document).
func (s *Server) translateHTML(ctx context.Context, texts []string, source, target language) ([]string, glossary.List, error) {
	out := make([]string, len(texts))
	var missing glossary.List
	for i, text := range texts {
		d, err := document.Parse(document.HTML, []byte(text))
		if err != nil {
			return nil, nil, err
		}
		p := s.plan(strings.Join(d.Units(), "\n"), source, target) // the language of the text, not of the markup
		if p.asIs || len(d.Units()) == 0 {
			out[i] = text
			continue
		}
		b, rep, err := document.Translate(ctx, s.t, d, document.Options{Direction: p.direction, Glossary: p.terms})
		if err != nil {
			return nil, nil, err
		}
		out[i] = string(b)
		missing = missing.Union(rep.Missing)
	}
	return out, missing, nil
}

func errText(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

func libreError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// GET /languages: LibreTranslate's list.
func (s *Server) languages(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{
		{"code": "en", "name": "English", "targets": []string{"ko"}},
		{"code": "ko", "name": "Korean", "targets": []string{"en"}},
	})
}

// POST /detect: LibreTranslate's detection, {q} as JSON or a form → [{language, confidence}].
func (s *Server) detect(w http.ResponseWriter, r *http.Request) {
	var q string
	if isForm(r) {
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			bodyError(w, r, err, s.o.MaxBody)
			return
		}
		q = r.PostForm.Get("q")
	} else {
		var b struct {
			Q string `json:"q"`
		}
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			bodyError(w, r, err, s.o.MaxBody)
			return
		}
		q = b.Q
	}
	if strings.TrimSpace(q) == "" {
		libreError(w, http.StatusBadRequest, "Invalid request: missing q parameter")
		return
	}
	lang, confidence := detect(q)
	writeJSON(w, http.StatusOK, []map[string]any{{"language": string(lang), "confidence": confidence}})
}
