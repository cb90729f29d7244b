package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

func TestDevTinyModel(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		arch string
		typ  gguf.TensorType
	}{
		{"default", nil, "gptneox", gguf.F32},
		{"llama f16", []string{"--arch", "llama", "--type", "f16", "--seed", "3"}, "llama", gguf.F16},
		{"q8_0", []string{"--type", "q8_0"}, "gptneox", gguf.Q8_0},
		{"echo", []string{"--echo", "la li lu"}, "gptneox", gguf.F32},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".gguf")
			code, stdout, stderr := run(t, "", append([]string{"dev", "tiny-model", "--out", out}, c.args...)...)
			if code != 0 || stdout != out+"\n" || stderr != "" {
				t.Fatalf("exit code %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			info, err := gguf.ReadInfo(out)
			if err != nil {
				t.Fatalf("the gguf reader refuses the model: %v", err)
			}
			if info.Architecture() != c.arch || info.Metadata["general.file_type"] != c.typ.FileType() || info.Tensors == 0 {
				t.Errorf("architecture %q, file type %v, %d tensors; want %s of type %v", info.Architecture(), info.Metadata["general.file_type"], info.Tensors, c.arch, c.typ.FileType())
			}
			if _, err := inference.CheckFile(out); err != nil {
				t.Errorf("the engine refuses the model: %v", err)
			}
		})
	}
}

func TestDevTinyModelErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.gguf")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "llama"}, "tiny-model: --out FILE is required"},
		{[]string{"--out", out, "--shape", "huge"}, `unknown shape "huge" (want gugugo-1.3b, gugugo-7b, probe, tiny)`},
		{[]string{"--out", out, "--type", "q3_k"}, "q3_k"},
		{[]string{"--out", out, "--arch", "llama", "--shape", "gugugo-7b"}, "--shape gugugo-7b builds on Llama-2's vocabulary: pass --vocab FILE"},
		{[]string{"--out", out, "--vocab", out}, "--vocab is for --arch llama"},
		{[]string{"--out", out, "--arch", "llama", "--vocab", filepath.Join(t.TempDir(), "none.gguf")}, "SentencePiece vocabulary"},
		{[]string{"--out", out, "--arch", "bert"}, `unknown architecture "bert" (want gptneox or llama)`},
		{[]string{"--out", out, "--echo", "la zebra"}, `echo word " zebra" is not a token of the test vocabulary`},
		{[]string{"--out", filepath.Join(out, "inside-a-missing-folder.gguf")}, "no such file or directory"},
	} {
		code, stdout, stderr := run(t, "", append([]string{"dev", "tiny-model"}, c.args...)...)
		wantOneLineError(t, code, stdout, stderr, c.want)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%q: a model was written: %v", c.args, err)
		}
	}
}

func TestDevMemory(t *testing.T) {
	code, stdout, stderr := run(t, "", "dev", "memory", "--model", randomModel(t), "--ctx", "512")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "layers 2, context 512\n") || !strings.Contains(stdout, "total on a GPU ") {
		t.Errorf("exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "", "dev", "memory", "--model", filepath.Join(t.TempDir(), "none.gguf"))
	wantOneLineError(t, code, stdout, stderr, "model file not found")
}

func TestDevUsage(t *testing.T) {
	for _, args := range [][]string{{"dev"}, {"dev", "frobnicate"}, {"dev", "tiny-model", "--bogus"}, {"dev", "tiny-model", "--seed", "-1"}} {
		code, stdout, stderr := run(t, "", args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q; want 2 and why", args, code, stdout, stderr)
		}
	}
	if _, _, stderr := run(t, "", "dev"); !strings.Contains(stderr, "Usage: gugugo dev tiny-model --arch gptneox|llama --out FILE") {
		t.Errorf("usage %q", stderr)
	}
}

func TestDevTinyHFErrors(t *testing.T) {
	code, stdout, stderr := run(t, "", "dev", "tiny-hf")
	wantOneLineError(t, code, stdout, stderr, "tiny-hf: --out DIR is required")
	code, stdout, stderr = run(t, "", "dev", "tiny-hf", "--out", t.TempDir(), "--shape", "huge")
	wantOneLineError(t, code, stdout, stderr, `unknown shape "huge" (want gugugo-1.3b, gugugo-7b, probe, tiny)`)
}

func TestDevGreedy(t *testing.T) {
	code, stdout, stderr := run(t, "", "dev", "greedy", "--model", markerModel(t), "--tokens", "4", "안녕", ":")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	var got struct {
		Prompt    []int `json:"prompt_ids"`
		Generated []int `json:"generated"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(got.Prompt) == 0 || len(got.Generated) != 4 {
		t.Fatalf("%d prompt tokens and %d generated, want some and 4: %s", len(got.Prompt), len(got.Generated), stdout)
	}
	// The scripted model continues ":" with " Hello", " world", ".", "<": four different tokens, none of them ":".
	seen := map[int]bool{got.Prompt[len(got.Prompt)-1]: true}
	for _, id := range got.Generated {
		if seen[id] {
			t.Errorf("generated %v after %v: a token repeats", got.Generated, got.Prompt)
		}
		seen[id] = true
	}

	code, stdout, stderr = run(t, "", "dev", "greedy", "--model", markerModel(t), "--tokens", "2")
	wantOneLineError(t, code, stdout, stderr, "greedy: the text gives no tokens")
}

func TestDevGreedyWithoutModel(t *testing.T) {
	code, stdout, stderr := run(t, "", "dev", "greedy", "--tokens", "2", "안녕")
	wantOneLineError(t, code, stdout, stderr, "greedy: --model FILE is required")
	code, stdout, stderr = run(t, "", "dev", "greedy", "--model", filepath.Join(t.TempDir(), "none.gguf"), "안녕")
	wantOneLineError(t, code, stdout, stderr, "model file not found")
}

func TestDevGrabHotkeyErrors(t *testing.T) {
	noDisplay(t)
	code, stdout, stderr := run(t, "", "dev", "grab-hotkey", "Q")
	wantOneLineError(t, code, stdout, stderr, `"Q": write a combination such as`)
	code, stdout, stderr = run(t, "", "dev", "grab-hotkey", "Ctrl+Alt+T")
	wantOneLineError(t, code, stdout, stderr, "global hotkeys need an X11 session")
}
