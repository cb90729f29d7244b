package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/instance"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// The tests run the command line in this process, as main does, on the real llama.cpp libraries of deps/llama/lib
// (found from the source tree, see inference/llama.LibraryDirs) and on tiny generated models, on the CPU.

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gugugo-cli-test")
	if err != nil {
		panic(err)
	}
	models = tinymodel.NewCache(dir)
	// The test binary is not gugugo: it must not start itself as a GPU probe's child, nor read or write the user's
	// cache of probe verdicts, nor pick up the user's model.
	os.Setenv("GUGUGO_GPU", "off")
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	os.Unsetenv("GUGUGO_MODEL")
	os.Unsetenv("GUGUGO_SERVER")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// models holds the test models, written once per test binary.
var models *tinymodel.Cache

// testModel writes a model once per test binary.
func testModel(t testing.TB, name string, o tinymodel.Options) string {
	t.Helper()
	p, err := models.Path(name, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// randomModel is a random-weight model in the shape of Gugugo-1.3B's architecture.
func randomModel(t testing.TB) string {
	return testModel(t, "random-gptneox", tinymodel.Options{Arch: "gptneox", Shape: tinymodel.Shapes["tiny"], Type: gguf.F32, Seed: 7})
}

// markerModel answers any prompt with "Hello world." followed by the </끝> marker and more words.
func markerModel(t testing.TB) string {
	return testModel(t, "marker-gptneox", tinymodel.Options{Arch: "gptneox", Script: &tinymodel.Script{
		After: ":", Pieces: []string{" Hello", " world", ".", "<", "/", "끝", ">", " the", " weather"}, LoopTo: -1,
	}})
}

// spmMarkerModel is markerModel with the 7B's kind of vocabulary: SentencePiece, 끝 as three byte-fallback pieces.
func spmMarkerModel(t testing.TB) string {
	return testModel(t, "marker-llama", tinymodel.Options{Arch: "llama", Script: &tinymodel.Script{
		After: ":", Pieces: []string{" Hello", " world", ".", "<", "/", "\xeb", "\x81", "\x9d", ">", " the", " weather"}, LoopTo: -1,
	}})
}

// echoModel answers with whichever of la, li, lu and apple its input holds most often.
func echoModel(t testing.TB) string {
	return testModel(t, "echo-gptneox", tinymodel.Options{Arch: "gptneox", Type: gguf.F32, Echo: []string{" la", " li", " lu", " apple"}})
}

// noGUI fails the test if the window is opened.
func noGUI(t *testing.T) GUI {
	return func(model string) { t.Errorf("the window was opened (model %q)", model) }
}

// run runs a command line with stdin and returns the exit code and what went to stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, strings.NewReader(stdin), &stdout, &stderr, noGUI(t))
	return code, stdout.String(), stderr.String()
}

// wantOneLineError checks a failed command: exit code 1, nothing on stdout, and one line on stderr that starts
// with "gugugo: " and holds want.
func wantOneLineError(t *testing.T, code int, stdout, stderr, want string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit code %d, want 1 (stderr %q)", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "gugugo: ") {
		t.Errorf("stderr %q is not one line starting with \"gugugo: \"", stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
}

func TestCommandHelpWorksWithoutADisplay(t *testing.T) {
	noDisplay(t)
	for _, c := range []struct{ cmd, want string }{
		{"show", "Usage: gugugo show\n"},
		{"translate-clipboard", "Usage: gugugo translate-clipboard\n"},
		{"translate", "Usage: gugugo translate --model FILE"},
		{"bench", "-tokens"},
	} {
		code, stdout, stderr := run(t, "", c.cmd, "--help")
		if code != 0 || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%s --help: exit code %d, stdout %q, stderr %q; want 0 and the usage", c.cmd, code, stdout, stderr)
		}
	}
	code, stdout, _ := run(t, "", "model", "--help")
	if code != 0 || !strings.Contains(stdout, "gugugo model list") {
		t.Errorf("model --help: exit code %d, stdout %q", code, stdout)
	}
	code, _, stderr := run(t, "", "show", "extra")
	if code != 2 || !strings.Contains(stderr, "Usage: gugugo show") {
		t.Errorf("show extra: exit code %d, stderr %q", code, stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			code, stdout, stderr := run(t, "", arg)
			if code != 0 || stderr != "" {
				t.Errorf("exit code %d, stderr %q", code, stderr)
			}
			for _, want := range []string{"gugugo " + Version + ": offline Korean⇄English translation", "Usage:",
				"gugugo translate --model FILE", "gugugo bench --model FILE", "gugugo devices", "gugugo model list|pull|path|rm|convert",
				"gugugo dev tiny-model", "gugugo --version"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("usage lacks %q:\n%s", want, stdout)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		code, stdout, stderr := run(t, "", arg)
		if code != 0 || stdout != "gugugo "+Version+"\n" || stderr != "" {
			t.Errorf("%s: exit code %d, stdout %q, stderr %q", arg, code, stdout, stderr)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, arg := range []string{"frobnicate", "-v", "Translate"} {
		code, stdout, stderr := run(t, "", arg, "x")
		if code != 2 || stdout != "" || stderr != `gugugo: unknown command "`+arg+`" (see gugugo --help)`+"\n" {
			t.Errorf("%s: exit code %d, stdout %q, stderr %q", arg, code, stdout, stderr)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"plain":                         "plain",
		"two\nlines":                    "two lines",
		"  indented\n\tcontinued \n\n":  "indented continued",
		"cannot load x: a\r\nb\n":       "cannot load x: a b",
		"spaces   inside\tkept as one ": "spaces inside kept as one",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		args     []string
		wantPos  []string
		wantTo   string
		wantStat bool
	}{
		{nil, nil, "auto", false},
		{[]string{"hello"}, []string{"hello"}, "auto", false},
		{[]string{"--to", "en", "hello", "world"}, []string{"hello", "world"}, "en", false},
		{[]string{"hello", "--to", "ko", "world", "--stats"}, []string{"hello", "world"}, "ko", true},
		{[]string{"hello", "-to=ko", "world"}, []string{"hello", "world"}, "ko", false},
		{[]string{"hello", "--", "--to", "ko"}, []string{"hello", "--to", "ko"}, "auto", false},
		{[]string{"--stats", "--", "-x"}, []string{"-x"}, "auto", true},
		{[]string{"-", "--to", "en"}, []string{"-"}, "en", false},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		to := fs.String("to", "auto", "")
		stats := fs.Bool("stats", false, "")
		var stderr bytes.Buffer
		pos, err := parse(fs, c.args, &stderr)
		if err != nil || !slices.Equal(pos, c.wantPos) || *to != c.wantTo || *stats != c.wantStat {
			t.Errorf("parse(%q) = %q, %v with --to %q --stats %v; want %q with --to %q --stats %v (stderr %q)",
				c.args, pos, err, *to, *stats, c.wantPos, c.wantTo, c.wantStat, stderr.String())
		}
	}
	for _, args := range [][]string{{"--bogus"}, {"hello", "--bogus"}, {"--to"}, {"hello", "--to"}, {"-h"}, {"hello", "--help"}} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.String("to", "auto", "")
		var stderr bytes.Buffer
		want := ErrUsage
		if slices.Contains(args, "-h") || slices.Contains(args, "--help") {
			want = errHelp
		}
		if _, err := parse(fs, args, &stderr); !errors.Is(err, want) {
			t.Errorf("parse(%q): error %v, want %v", args, err, want)
		}
		if stderr.Len() == 0 {
			t.Errorf("parse(%q) printed nothing to stderr", args)
		}
	}
}

// noDisplay unsets DISPLAY and WAYLAND_DISPLAY for the test.
func noDisplay(t *testing.T) {
	for _, v := range []string{"DISPLAY", "WAYLAND_DISPLAY"} {
		t.Setenv(v, "") // restores the value after the test
		os.Unsetenv(v)
	}
}

// withDisplay pretends there is a display, and gives the test a runtime folder of its own, so that the instance
// socket is the test's and no real Gugugo window answers.
func withDisplay(t *testing.T) {
	t.Setenv("DISPLAY", ":99")
	t.Setenv("WAYLAND_DISPLAY", "")
	// A short path: a Unix socket's path is limited to 108 bytes.
	dir, err := os.MkdirTemp("", "gg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
}

// fakeGUI records the models the window is opened with.
type fakeGUI struct{ opened []string }

func (g *fakeGUI) open(model string) { g.opened = append(g.opened, model) }

func TestWindowWithoutDisplay(t *testing.T) {
	noDisplay(t)
	for _, args := range [][]string{nil, {}, {"--model", "model.gguf"}} {
		var g fakeGUI
		var stdout, stderr bytes.Buffer
		code := Run(args, strings.NewReader(""), &stdout, &stderr, g.open)
		wantOneLineError(t, code, stdout.String(), stderr.String(), "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)")
		if !strings.Contains(stderr.String(), "gugugo --help") {
			t.Errorf("%q: the message does not point to the commands: %q", args, stderr.String())
		}
		if len(g.opened) > 0 {
			t.Errorf("%q: the window was opened with %q", args, g.opened)
		}
	}
}

func TestWindowOpensWithModel(t *testing.T) {
	withDisplay(t)
	for _, args := range [][]string{{"--model", "/some/model.gguf"}, {"--model=/some/model.gguf"}, {"-model", "/some/model.gguf"}} {
		var g fakeGUI
		var stdout, stderr bytes.Buffer
		code := Run(args, strings.NewReader(""), &stdout, &stderr, g.open)
		if code != 0 || stdout.Len() > 0 || stderr.Len() > 0 {
			t.Errorf("%q: exit code %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
		if !slices.Equal(g.opened, []string{"/some/model.gguf"}) {
			t.Errorf("%q: window opened with %q, want the model once", args, g.opened)
		}
	}
}

func TestWindowOnWayland(t *testing.T) {
	withDisplay(t)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	var g fakeGUI
	if code := Run(nil, strings.NewReader(""), io.Discard, io.Discard, g.open); code != 0 || !slices.Equal(g.opened, []string{""}) {
		t.Errorf("exit code %d, window opened with %q; want the settings' model once", code, g.opened)
	}
}

func TestWindowUsageErrors(t *testing.T) {
	withDisplay(t)
	for _, args := range [][]string{{"--model"}, {"--model", "m.gguf", "extra"}, {"--model", "m.gguf", "--bogus"}, {"--models", "m.gguf"}} {
		var g fakeGUI
		var stdout, stderr bytes.Buffer
		code := Run(args, strings.NewReader(""), &stdout, &stderr, g.open)
		if code != 2 || !strings.Contains(stderr.String(), "Usage: gugugo [--model FILE]") {
			t.Errorf("%q: exit code %d, stderr %q; want 2 and the usage", args, code, stderr.String())
		}
		if len(g.opened) > 0 {
			t.Errorf("%q: the window was opened with %q", args, g.opened)
		}
	}
}

// listen starts a stand-in for the running window on the test's instance socket and returns the commands it gets.
func listen(t *testing.T) *[]string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	s, err := instance.Listen(instance.Address(), func(r instance.Request) {
		mu.Lock()
		got = append(got, r.Command)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &got // read after Send has returned: the handler runs before the instance answers
}

func TestSecondStartBringsWindowForward(t *testing.T) {
	withDisplay(t)
	got := listen(t)
	var g fakeGUI
	var stdout, stderr bytes.Buffer
	code := Run(nil, strings.NewReader(""), &stdout, &stderr, g.open)
	if code != 0 || stderr.String() != "gugugo: the window that is already open was brought to the front\n" {
		t.Errorf("exit code %d, stderr %q", code, stderr.String())
	}
	if len(g.opened) > 0 {
		t.Errorf("a second window was opened with %q", g.opened)
	}
	if !slices.Equal(*got, []string{instance.Show}) {
		t.Errorf("the running window got %q, want [show]", *got)
	}
}

// gugugo --model FILE while a window is open hands the file to it, which loads it: no second window.
func TestSecondStartWithAModelHandsItToTheWindow(t *testing.T) {
	withDisplay(t)
	var mu sync.Mutex
	var got []instance.Request
	s, err := instance.Listen(instance.Address(), func(r instance.Request) { mu.Lock(); got = append(got, r); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Chdir(t.TempDir())
	var g fakeGUI
	var stdout, stderr bytes.Buffer
	code := Run([]string{"--model", "m.gguf"}, strings.NewReader(""), &stdout, &stderr, g.open)
	abs, _ := filepath.Abs("m.gguf")
	if code != 0 || len(g.opened) > 0 || stderr.String() != "gugugo: the window that is already open loads "+abs+"\n" {
		t.Errorf("exit code %d, stderr %q, windows opened %q", code, stderr.String(), g.opened)
	}
	if want := (instance.Request{Command: instance.OpenModel, Model: abs}); len(got) != 1 || got[0] != want {
		t.Errorf("the running window got %+v, want %+v", got, want)
	}
}

func TestNoInstanceOpensWindow(t *testing.T) {
	withDisplay(t)
	var g fakeGUI
	var stdout, stderr bytes.Buffer
	code := Run(nil, strings.NewReader(""), &stdout, &stderr, g.open)
	if code != 0 || stdout.Len() > 0 || stderr.Len() > 0 || !slices.Equal(g.opened, []string{""}) {
		t.Errorf("exit code %d, stdout %q, stderr %q, window opened with %q; want it opened once with the settings' model",
			code, stdout.String(), stderr.String(), g.opened)
	}
}

func TestRemoteCommands(t *testing.T) {
	withDisplay(t)
	got := listen(t)
	for _, cmd := range []string{instance.Show, instance.TranslateClipboard} {
		code, stdout, stderr := run(t, "", cmd)
		if code != 0 || stdout != "" || stderr != "" {
			t.Errorf("%s: exit code %d, stdout %q, stderr %q", cmd, code, stdout, stderr)
		}
	}
	if !slices.Equal(*got, []string{instance.Show, instance.TranslateClipboard}) {
		t.Errorf("the running window got %q", *got)
	}
}

func TestRemoteWithoutWindowOrDisplay(t *testing.T) {
	withDisplay(t) // for a runtime folder of the test's own, with no instance
	noDisplay(t)
	for _, cmd := range []string{instance.Show, instance.TranslateClipboard} {
		code, stdout, stderr := run(t, "", cmd)
		wantOneLineError(t, code, stdout, stderr, "no display to open the window on")
	}
}

// The server build has no window: the window and its commands say so in one line.
func TestServerBuildHasNoWindow(t *testing.T) {
	for _, args := range [][]string{nil, {"show"}, {"translate-clipboard"}} {
		var stdout, stderr bytes.Buffer
		code := Run(args, strings.NewReader(""), &stdout, &stderr, nil)
		if code != 1 || !strings.Contains(stderr.String(), "this build has no window") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
