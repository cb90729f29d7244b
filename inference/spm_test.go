package inference

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// The Gugugo-7B path: a Llama model with a SentencePiece vocabulary. These tests run the llama test vocabulary and,
// where the pinned llama.cpp source is at hand, Llama-2's own 32,000 pieces (which Gugugo-7B's vocabulary extends).

// llama2Vocab is Llama-2's vocabulary from the pinned llama.cpp source.
func llama2Vocab(t *testing.T) *tinymodel.Vocab {
	t.Helper()
	v, err := tinymodel.ReadSPMBase(filepath.Join("..", tinymodel.SPMVocabFile))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no llama.cpp source in deps/ (make test fetches it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pieces are the token pieces of text as the engine's prompt tokenization gives them.
func promptPieces(t *testing.T, e *Engine, text string) ([]string, int) {
	t.Helper()
	toks, err := e.model.Tokenize(text, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	bos := 0
	for _, tok := range toks {
		if tok == tinymodel.SPMBOS {
			bos++
		}
		out = append(out, string(e.model.AppendPiece(nil, tok)))
	}
	return out, bos
}

func TestSPMPromptHasOneBOSAndItsSpacesAsWritten(t *testing.T) {
	t.Run("test vocabulary", func(t *testing.T) { checkSPMPrompt(t, randomModel(t, "llama")) })
	t.Run("Llama-2's vocabulary", func(t *testing.T) {
		checkSPMPrompt(t, model(t, "llama2-vocab", tinymodel.Options{Arch: "llama", Shape: tinymodel.Shape{Embd: 64, Layers: 1,
			Heads: 2, FFN: 64, Context: 2048}, Type: gguf.F16, Vocab: llama2Vocab(t)}))
	})
}

func checkSPMPrompt(t *testing.T, path string) {
	e := load(t, path, DefaultOptions())
	for _, d := range []Direction{KoreanToEnglish, EnglishToKorean} {
		prompt := d.Prompt("오늘 날씨가 좋네요. The weather is nice.")
		pieces, bos := promptPieces(t, e, prompt)
		if bos != 1 || pieces[0] != "" {
			t.Errorf("%s: %d BOS, the first piece %q; want exactly one, first", d, bos, pieces[0])
		}
		// SentencePiece puts one space before the text; every other space is where the prompt has one.
		if got := strings.Join(pieces, ""); got != " "+prompt {
			t.Errorf("%s: the pieces give %q, want %q", d, got, " "+prompt)
		}
		// The answer follows the heading's colon directly: no space is left for the model to write twice.
		if last := pieces[len(pieces)-1]; !strings.HasSuffix(last, ":") || strings.HasSuffix(last, " :") {
			t.Errorf("%s: the prompt ends with the piece %q", d, last)
		}
		t.Logf("%s: %q", d, pieces)
	}
}

func TestSPMLoopGuard(t *testing.T) {
	e := load(t, scripted(t, "llama", "spm-loop", 1, " Hello", " la", " li", " lu"), DefaultOptions())
	res, _ := translate(t, e, Request{Text: "안녕하세요", Direction: KoreanToEnglish, MaxTokens: 500})
	if res.Stop != StopRepetition || res.GeneratedTokens > 20 || !strings.HasPrefix(res.Text, "Hello la li lu la li lu") {
		t.Fatalf("%d tokens, stop %s: %q", res.GeneratedTokens, res.Stop, res.Text)
	}
}

func TestUnknownTokenizerIsRefused(t *testing.T) {
	v := tinymodel.NewSPMVocab(nil, 0)
	v.Model = "t5"
	path := model(t, "t5-tokenizer", tinymodel.Options{Arch: "llama", Shape: tinymodel.Shapes["tiny"], Vocab: v})
	_, err := Load(path, DefaultOptions())
	if !errors.Is(err, ErrTokenizer) || !strings.Contains(err.Error(), `"t5"`) {
		t.Fatalf("got %v, want the tokenizer named", err)
	}
}

// A SentencePiece vocabulary without its byte-fallback pieces would make llama.cpp abort the process (it looks
// them up unchecked): it is refused before llama.cpp sees it.
func TestSPMVocabularyWithoutByteFallbackIsRefused(t *testing.T) {
	v := tinymodel.NewSPMVocab(nil, 0).Without("<0x0A>", "<0xEB>")
	path := model(t, "no-bytes", tinymodel.Options{Arch: "llama", Shape: tinymodel.Shapes["tiny"], Vocab: v})
	if _, err := Load(path, DefaultOptions()); err == nil || !strings.Contains(err.Error(), "lacks the byte-fallback piece <0x0A>") {
		t.Fatalf("got %v", err)
	}
}

// A vocabulary that cannot write the end marker (a BPE one here, without 끝 and its bytes) loads, with a warning
// that its translations have no end marker.
func TestVocabularyWithoutTheMarkerIsWarnedOf(t *testing.T) {
	v := tinymodel.NewVocab(0)
	var missing []string
	for _, t := range v.Tokens {
		if strings.HasPrefix(t, tinymodel.Encode("\xeb")) || t == tinymodel.Encode("\x81") || t == tinymodel.Encode("\x9d") {
			missing = append(missing, t)
		}
	}
	e := load(t, model(t, "no-marker", tinymodel.Options{Arch: "gptneox", Shape: tinymodel.Shapes["tiny"], Vocab: v.Without(missing...)}), DefaultOptions())
	if w := e.Info().Warning; !strings.Contains(w, "cannot write the </끝> marker") {
		t.Errorf("warning %q", w)
	}
	if w := load(t, randomModel(t, "llama"), DefaultOptions()).Info().Warning; w != "" {
		t.Errorf("the llama test vocabulary, which writes 끝 in bytes, got the warning %q", w)
	}
}
