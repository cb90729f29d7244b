package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
)

// modelHome gives the test a models folder of its own ($XDG_DATA_HOME/gugugo/models) and returns it.
func modelHome(t *testing.T) string {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	return catalogue.Dir()
}

// install puts a stand-in for an entry's GGUF where it is installed, without downloading it.
func install(t *testing.T, dir, name string) string {
	t.Helper()
	e, err := catalogue.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	p := e.Path(dir)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("GGUF"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestModelList(t *testing.T) {
	dir := modelHome(t)
	code, stdout, stderr := run(t, "", "model", "list")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	entries := catalogue.Entries()
	lines := strings.Split(stdout, "\n")
	if len(lines) != len(entries)+4 || !regexp.MustCompile(`^NAME +DOWNLOAD +MEMORY +INSTALLED +ABOUT$`).MatchString(lines[0]) {
		t.Fatalf("want a header and %d models:\n%s", len(entries), stdout)
	}
	for i, e := range entries {
		if !strings.HasPrefix(lines[i+1], e.Name+" ") || !strings.Contains(lines[i+1], "  no  ") || !strings.HasSuffix(lines[i+1], e.About) {
			t.Errorf("line %q for %s", lines[i+1], e.Name)
		}
	}
	if !regexp.MustCompile(`(?m)^gugugo-7b +4\.16 GB +5\.30 GB +no +`).MatchString(stdout) {
		t.Errorf("no line for gugugo-7b with its sizes:\n%s", stdout)
	}
	if !strings.HasSuffix(stdout, "\nModels are kept in "+dir+"\n") {
		t.Errorf("the models folder %s is not named:\n%s", dir, stdout)
	}

	install(t, dir, "gugugo-1.3b")
	_, stdout, _ = run(t, "", "model", "list")
	if !regexp.MustCompile(`(?m)^gugugo-1\.3b +.* yes +Small and fast`).MatchString(stdout) || strings.Count(stdout, " yes ") != 1 {
		t.Errorf("gugugo-1.3b alone should be installed:\n%s", stdout)
	}
}

func TestModelPathPullRemove(t *testing.T) {
	dir := modelHome(t)
	code, stdout, stderr := run(t, "", "model", "path", "gugugo-7b")
	wantOneLineError(t, code, stdout, stderr, "gugugo-7b is not installed: gugugo model pull gugugo-7b")

	p := install(t, dir, "gugugo-7b")
	for _, name := range []string{"gugugo-7b", "GUGUGO-7B"} {
		code, stdout, stderr = run(t, "", "model", "path", name)
		if code != 0 || stdout != p+"\n" || stderr != "" {
			t.Errorf("path %s: exit code %d, stdout %q, stderr %q; want %s", name, code, stdout, stderr, p)
		}
	}
	// An installed model is not fetched again: pull names its file, offline.
	code, stdout, stderr = run(t, "", "model", "pull", "gugugo-7b")
	if code != 0 || stdout != p+"\n" || stderr != "" {
		t.Errorf("pull of an installed model: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, stdout, stderr = run(t, "", "model", "rm", "gugugo-7b")
	if code != 0 || stdout != "removed gugugo-7b\n" || stderr != "" {
		t.Errorf("rm: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("%s is still there after rm: %v", p, err)
	}
	code, stdout, stderr = run(t, "", "model", "path", "gugugo-7b")
	wantOneLineError(t, code, stdout, stderr, "is not installed")
	code, stdout, stderr = run(t, "", "model", "rm", "gugugo-7b")
	wantOneLineError(t, code, stdout, stderr, "gugugo-7b is not installed")
}

func TestModelNameErrors(t *testing.T) {
	modelHome(t)
	for _, cmd := range []string{"path", "pull", "rm"} {
		code, stdout, stderr := run(t, "", "model", cmd, "gugugo-9b")
		wantOneLineError(t, code, stdout, stderr, `no model "gugugo-9b" in the catalogue (gugugo-7b, `)
		code, stdout, stderr = run(t, "", "model", cmd)
		wantOneLineError(t, code, stdout, stderr, "name one model (see gugugo model list)")
		code, stdout, stderr = run(t, "", "model", cmd, "gugugo-7b", "gugugo-1.3b")
		wantOneLineError(t, code, stdout, stderr, "name one model")
	}
}

func TestModelUsage(t *testing.T) {
	for _, args := range [][]string{{"model"}, {"model", "frobnicate"}, {"model", "convert"}, {"model", "convert", "dir"},
		{"model", "convert", "--out", "x.gguf"}, {"model", "convert", "a", "b", "--out", "x.gguf"}} {
		code, stdout, stderr := run(t, "", args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "gugugo model convert DIR --out FILE") {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q; want 2 and the usage", args, code, stdout, stderr)
		}
	}
	if _, _, stderr := run(t, "", "model", "frobnicate"); !strings.HasPrefix(stderr, `gugugo model: unknown command "frobnicate"`) {
		t.Errorf("stderr %q does not name the unknown command", stderr)
	}
	// convert says what is missing before the usage.
	for want, args := range map[string][]string{
		"gugugo model convert: give the GGUF file to write with --out FILE": {"model", "convert", "dir"},
		"gugugo model convert: give one checkpoint folder (got 0)":          {"model", "convert", "--out", "x.gguf"},
		"gugugo model convert: give one checkpoint folder (got 2)":          {"model", "convert", "a", "b", "--out", "x.gguf"},
	} {
		if _, _, stderr := run(t, "", args...); !strings.HasPrefix(stderr, want) {
			t.Errorf("%q: stderr %q does not start with %q", args, stderr, want)
		}
	}
}

func TestModelConvert(t *testing.T) {
	dir := t.TempDir()
	hf := filepath.Join(dir, "hf")
	if code, stdout, stderr := run(t, "", "dev", "tiny-hf", "--out", hf); code != 0 || stdout != hf+"\n" || stderr != "" {
		t.Fatalf("tiny-hf: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	out := filepath.Join(dir, "converted.gguf")
	code, stdout, stderr := run(t, "", "model", "convert", hf, "--out", out, "--type", "q8_0")
	if code != 0 || stdout != out+"\n" {
		t.Fatalf("convert: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// stderr is no terminal: the step is named once instead of a progress bar.
	if !regexp.MustCompile(`^Converting…\nWrote ` + regexp.QuoteMeta(out) + ` in \d+\.\d s\n$`).MatchString(stderr) {
		t.Errorf("convert: stderr %q", stderr)
	}
	code, stdout, stderr = run(t, "", "translate", "--model", out, "--to", "en", "안녕하세요")
	if code != 0 || !strings.HasSuffix(stdout, "\n") || strings.Contains(stdout, "</끝>") {
		t.Errorf("translate with the converted model: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, stdout, stderr = run(t, "", "model", "convert", hf, "--out", filepath.Join(dir, "x.gguf"), "--type", "q4_k")
	wantOneLineError(t, code, stdout, stderr, "q4_k")
	code, stdout, stderr = run(t, "", "model", "convert", filepath.Join(dir, "nothing"), "--out", filepath.Join(dir, "y.gguf"))
	if code != 1 || stdout != "" || !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "gugugo: ") != 1 {
		t.Errorf("convert of a missing folder: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, f := range []string{"x.gguf", "y.gguf"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("a failed conversion left %s: %v", f, err)
		}
	}
}
