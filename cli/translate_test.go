package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestTranslateStopsAtMarker(t *testing.T) {
	m := markerModel(t)
	for _, c := range []struct {
		name, stdin string
		args        []string
	}{
		{"text", "", []string{"translate", "--model", m, "--to", "en", "안녕하세요"}},
		{"words", "", []string{"translate", "--model", m, "--to", "en", "안녕하세요,", "친구들"}},
		{"flags after the text", "", []string{"translate", "안녕하세요", "--model", m, "--to", "en"}},
		{"stdin", "안녕하세요\n", []string{"translate", "--model", m, "--to", "en"}},
		{"on the CPU by name", "", []string{"translate", "--model", m, "--device", "cpu", "--gpu-layers", "0", "--threads", "1", "안녕하세요"}},
		{"text after --", "", []string{"translate", "--model", m, "--", "--to", "ko"}},
		{"a SentencePiece model", "", []string{"translate", "--model", spmMarkerModel(t), "--to", "en", "안녕하세요"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.stdin, c.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit code %d, stderr %q", code, stderr)
			}
			if stdout != "Hello world.\n" {
				t.Errorf("stdout %q, want \"Hello world.\\n\": the answer up to the </끝> marker", stdout)
			}
		})
	}
}

func TestTranslateTargets(t *testing.T) {
	m := markerModel(t)
	for _, c := range []struct{ to, text, want string }{
		{"en", "안녕하세요", "ko→en"},
		{"english", "안녕하세요", "ko→en"},
		{"ko", "Hello there", "en→ko"},
		{"korean", "Hello there", "en→ko"},
		{"auto", "오늘 날씨가 좋아요", "ko→en"},
		{"auto", "The weather is nice today", "en→ko"},
		{"en", "The weather is nice today", "ko→en"}, // the flag wins over the text
	} {
		code, stdout, stderr := run(t, "", "translate", "--model", m, "--stats", "--to", c.to, c.text)
		if code != 0 || stdout != "Hello world.\n" {
			t.Errorf("--to %s %q: exit code %d, stdout %q, stderr %q", c.to, c.text, code, stdout, stderr)
			continue
		}
		// The statistics' one line: direction, device: prompts, tokens, times, stop.
		stats := regexp.MustCompile(`^(\S+), CPU[^:]*: 1 prompt, \d+ prompt tokens, 7 generated, first token \d+ ms, [\d.]+ tokens/s, \d+ ms in all, stop: marker\n$`)
		if m := stats.FindStringSubmatch(stderr); m == nil || m[1] != c.want {
			t.Errorf("--to %s %q: statistics %q, want one line for %s", c.to, c.text, stderr, c.want)
		}
	}
}

func TestTranslateReadsTheText(t *testing.T) {
	m := echoModel(t)
	for _, c := range []struct {
		stdin, word string
		args        []string
	}{
		{"", "apple", []string{"translate", "--model", m, "--to", "en", "apple la apple apple"}},
		{"", "li", []string{"translate", "--model", m, "--to", "en", "li", "la", "li"}},
		{"lu la lu lu li\n", "lu", []string{"translate", "--model", m, "--to", "en"}},
		{"la la li\n", "la", []string{"translate", "--model", m}},
	} {
		code, stdout, stderr := run(t, c.stdin, c.args...)
		words := strings.Fields(stdout)
		if code != 0 || stderr != "" || len(words) == 0 || strings.Trim(stdout, c.word+" \n") != "" || !strings.HasSuffix(stdout, "\n") {
			t.Errorf("%q with stdin %q: exit code %d, stdout %q, stderr %q; want %q repeated", c.args[len(c.args)-1], c.stdin, code, stdout, stderr, c.word)
		}
	}
}

func TestTranslateRandomModel(t *testing.T) {
	code, stdout, stderr := run(t, "", "translate", "--model", randomModel(t), "--stats", "--threads", "2", "--ctx", "512", "안녕하세요, 오늘 날씨가 좋아요.")
	if code != 0 || !strings.HasSuffix(stdout, "\n") || strings.Contains(stdout, "</끝>") {
		t.Errorf("exit code %d, stdout %q", code, stdout)
	}
	if !regexp.MustCompile(`^ko→en, CPU[^:]*: 1 prompt, \d+ prompt tokens, [1-9]\d* generated, .* stop: \w+\n$`).MatchString(stderr) {
		t.Errorf("statistics %q", stderr)
	}
}

func TestTranslateModelFromEnvironment(t *testing.T) {
	t.Setenv("GUGUGO_MODEL", markerModel(t))
	code, stdout, stderr := run(t, "", "translate", "--to", "en", "안녕하세요")
	if code != 0 || stdout != "Hello world.\n" || stderr != "" {
		t.Errorf("exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestTranslateFile(t *testing.T) {
	m := echoModel(t)
	doc := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(doc, []byte("la li la. li lu li li.\n\nlu la lu. apple la apple apple. li la li."), 0o644); err != nil {
		t.Fatal(err)
	}
	code, parallel, stderr := run(t, "", "translate", "--model", m, "--to", "en", "--file", doc, "--stats")
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	// Into a buffer, which is no terminal: no progress bar, only the statistics' line.
	if strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "\r") || !strings.HasPrefix(stderr, "ko→en, ") || !strings.Contains(stderr, ": 5 prompts, ") {
		t.Errorf("stderr %q, want the statistics' one line for 5 prompts", stderr)
	}
	lines := strings.Split(parallel, "\n")
	if len(lines) < 3 || !regexp.MustCompile(`^(la )+la (li )+li\s*$`).MatchString(lines[0]) {
		t.Errorf("stdout %q, want the first paragraph as la... li...", parallel)
	}
	code, sequential, stderr := run(t, "", "translate", "--sequential", "--model", m, "--to", "en", "--file", doc)
	if code != 0 || stderr != "" || sequential != parallel {
		t.Errorf("--sequential: exit code %d, stderr %q, stdout %q; want the parallel one %q", code, stderr, sequential, parallel)
	}
}

func TestTranslateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile(randomModel(t))
	if err != nil {
		t.Fatal(err)
	}
	text := write("notes.txt", []byte("hello, this is a text file\n"))
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no model", "", []string{"translate", "hi"}, "no model: pass --model FILE (or set GUGUGO_MODEL)"},
		{"text file", "", []string{"translate", "--model", text, "hi"}, "not a GGUF model file"},
		{"empty file", "", []string{"translate", "--model", write("empty.gguf", nil), "hi"}, "not a GGUF model file"},
		{"missing file", "", []string{"translate", "--model", filepath.Join(dir, "nope.gguf"), "hi"}, "model file not found: " + filepath.Join(dir, "nope.gguf")},
		{"folder", "", []string{"translate", "--model", dir, "hi"}, "is a folder, not a GGUF model file"},
		{"header cut short", "", []string{"translate", "--model", write("header.gguf", good[:100]), "hi"}, "truncated"},
		{"data cut short", "", []string{"translate", "--model", write("cut.gguf", good[:len(good)/2]), "hi"}, "corrupted or incomplete"},
		{"unknown target", "", []string{"translate", "--model", randomModel(t), "--to", "fr", "hi"}, `unknown target language "fr" (want en, ko or auto)`},
		{"no text", "", []string{"translate", "--model", randomModel(t)}, "nothing to translate"},
		{"blank stdin", " \n\t\n", []string{"translate", "--model", randomModel(t)}, "nothing to translate"},
		{"NUL bytes", "\x00\x00\x00\n", []string{"translate", "--model", randomModel(t)}, "nothing to translate"},
		{"blank text", "", []string{"translate", "--model", randomModel(t), " "}, "nothing to translate"},
		{"file and text", "", []string{"translate", "--model", randomModel(t), "--file", text, "hi"}, "give one of TEXT, --file or --image"},
		{"out without file", "", []string{"translate", "--model", randomModel(t), "--out", filepath.Join(dir, "o.txt"), "hi"}, "--out is where a --file's translation goes: give --file too"},
		{"unknown file kind", "", []string{"translate", "--model", randomModel(t), "--file", write("a.pdf", []byte("%PDF")), "--out", filepath.Join(dir, "o.pdf")}, "a.pdf: files of this kind are not translated"},
		{"glossary without tab", "", []string{"translate", "--model", randomModel(t), "--glossary", write("g.tsv", []byte("a b\n")), "hi"}, "g.tsv: line 1 has no tab"},
		{"not an image", "", []string{"translate", "--model", randomModel(t), "--image", text}, "notes.txt is not a PNG, JPEG or GIF image"},
		{"missing text file", "", []string{"translate", "--model", randomModel(t), "--file", filepath.Join(dir, "nope.txt")}, "no such file or directory"},
		{"unknown device", "", []string{"translate", "--model", randomModel(t), "--device", "nosuchgpu", "hi"}, `no device "nosuchgpu"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, c.stdin, c.args...)
			wantOneLineError(t, code, stdout, stderr, c.want)
		})
	}
}

func TestTranslateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"translate", "--bogus"},
		{"translate", "hi", "--bogus"},
		{"translate", "--model"},
		{"translate", "--threads", "many", "hi"},
	} {
		code, stdout, stderr := run(t, "", args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: gugugo translate --model FILE [--to en|ko|auto] [--glossary FILE] [TEXT... | --file IN [--out OUT] | --image FILE]") ||
			!strings.Contains(stderr, "-sequential") {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q; want 2 and the usage with the options", args, code, stdout, stderr)
		}
	}
}

// $GUGUGO_SERVER makes the server the engine, unless a command names a model; naming both is refused.
func TestServerFromTheEnvironment(t *testing.T) {
	t.Setenv("GUGUGO_SERVER", "http://127.0.0.1:1")
	code, stdout, stderr := run(t, "", "translate", "--model", markerModel(t), "--to", "en", "안녕")
	if code != 0 || strings.TrimSpace(stdout) != "Hello world." {
		t.Errorf("--model beside $GUGUGO_SERVER: exit %d, %q, %q", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "", "translate", "--to", "en", "안녕")
	wantOneLineError(t, code, stdout, stderr, "connection refused")
	code, stdout, stderr = run(t, "", "translate", "--model", markerModel(t), "--server", "http://127.0.0.1:1", "안녕")
	wantOneLineError(t, code, stdout, stderr, "either --model or --server")
}
