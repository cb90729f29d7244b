package convert

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Token types as llama.cpp reads tokenizer.ggml.token_type.
const (
	tokenNormal      = 1
	tokenControl     = 3
	tokenUserDefined = 4
	tokenUnused      = 5
)

// vocabulary is a tokenizer.json turned into what GGUF's gpt2 tokenizer keys hold.
type vocabulary struct {
	tokens []string
	types  []int32
	merges []string
	pre    string // tokenizer.ggml.pre
}

// readTokenizer reads a Hugging Face ByteLevel BPE tokenizer.json, padded with unused tokens to size entries
// (config.json's vocab_size: the model's embedding has rows the tokenizer never produces).
func readTokenizer(path string, size int) (*vocabulary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tj struct {
		AddedTokens []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens"`
		PreTokenizer json.RawMessage `json:"pre_tokenizer"`
		Model        struct {
			Type   string          `json:"type"`
			Vocab  map[string]int  `json:"vocab"`
			Merges json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("%s is not a Hugging Face tokenizer (a JSON object with a BPE model is expected): %w", path, err)
	}
	if tj.Model.Type != "BPE" {
		return nil, fmt.Errorf("tokenizer.json: the model is %q; only BPE tokenizers are converted", tj.Model.Type)
	}
	pre, err := preTokenizer(tj.PreTokenizer)
	if err != nil {
		return nil, err
	}
	v := &vocabulary{pre: pre}
	n := size
	for _, id := range tj.Model.Vocab {
		n = max(n, id+1)
	}
	for _, a := range tj.AddedTokens {
		n = max(n, a.ID+1)
	}
	v.tokens = make([]string, n)
	v.types = make([]int32, n)
	for tok, id := range tj.Model.Vocab {
		if id < 0 {
			return nil, fmt.Errorf("tokenizer.json: token %q has id %d", tok, id)
		}
		v.tokens[id], v.types[id] = tok, tokenNormal
	}
	for _, a := range tj.AddedTokens {
		v.tokens[a.ID], v.types[a.ID] = a.Content, tokenUserDefined
		if a.Special {
			v.types[a.ID] = tokenControl
		}
	}
	for i := range v.tokens {
		if v.types[i] == 0 {
			v.tokens[i], v.types[i] = fmt.Sprintf("[PAD%d]", i), tokenUnused
		}
	}
	// Merges are "a b" strings in older files and [a, b] pairs in newer ones.
	var asStrings []string
	if err := json.Unmarshal(tj.Model.Merges, &asStrings); err == nil {
		v.merges = asStrings
	} else {
		var pairs [][2]string
		if err := json.Unmarshal(tj.Model.Merges, &pairs); err != nil {
			return nil, fmt.Errorf("tokenizer.json: merges: %w", err)
		}
		for _, p := range pairs {
			v.merges = append(v.merges, p[0]+" "+p[1])
		}
	}
	return v, nil
}

// preTokenizer maps a tokenizer.json pre_tokenizer to llama.cpp's name for it. ByteLevel with GPT-2's regex is
// llama.cpp's "gpt-2". polyglot-ko (Gugugo-1.3B) puts a Split on one rarely used character ("ೱ", removed) before it;
// llama.cpp keeps that character as text, which changes nothing else.
func preTokenizer(raw json.RawMessage) (string, error) {
	var p struct {
		Type           string            `json:"type"`
		AddPrefixSpace bool              `json:"add_prefix_space"`
		UseRegex       *bool             `json:"use_regex"`
		Pretokenizers  []json.RawMessage `json:"pretokenizers"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("tokenizer.json has no pre_tokenizer; only ByteLevel BPE tokenizers (GPT-2 style) are converted")
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("tokenizer.json: pre_tokenizer: %w", err)
	}
	switch p.Type {
	case "ByteLevel":
		if p.UseRegex != nil && !*p.UseRegex {
			return "", fmt.Errorf("pre-tokenizer ByteLevel without its regex has no llama.cpp equivalent")
		}
		if p.AddPrefixSpace {
			return "", fmt.Errorf("pre-tokenizer ByteLevel with add_prefix_space has no llama.cpp equivalent")
		}
		return "gpt-2", nil
	case "Sequence":
		for i, sub := range p.Pretokenizers {
			var s struct {
				Type     string `json:"type"`
				Behavior string `json:"behavior"`
				Pattern  struct {
					String *string `json:"String"`
					Regex  *string `json:"Regex"`
				} `json:"pattern"`
			}
			json.Unmarshal(sub, &s)
			last := i == len(p.Pretokenizers)-1
			one := s.Pattern.String
			if one == nil && s.Pattern.Regex != nil && !strings.ContainsAny(*s.Pattern.Regex, `\.^$|?*+()[]{}`) {
				one = s.Pattern.Regex // a regex that is one plain character
			}
			switch {
			case last && s.Type == "ByteLevel":
				if _, err := preTokenizer(sub); err != nil {
					return "", err
				}
			case !last && s.Type == "Split" && s.Behavior == "Removed" && one != nil && len([]rune(*one)) == 1:
			default:
				return "", fmt.Errorf("pre-tokenizer Sequence[%s] has no llama.cpp equivalent (expected optional one-character Splits, then ByteLevel)",
					strings.Join(namesOf(p.Pretokenizers), ", "))
			}
		}
		return "gpt-2", nil
	}
	return "", fmt.Errorf("pre-tokenizer %s has no llama.cpp equivalent; only ByteLevel BPE tokenizers (GPT-2 style) are converted", p.Type)
}

func namesOf(subs []json.RawMessage) []string {
	var out []string
	for _, sub := range subs {
		var s struct {
			Type string `json:"type"`
		}
		json.Unmarshal(sub, &s)
		out = append(out, s.Type)
	}
	return out
}
