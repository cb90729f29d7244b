// Package cli is gugugo's command line: translate, bench and the developer tools, in the same binary as the app.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gugugo-desktop/gugugo/app/instance"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Version is the application's version: FyneApp.toml's, which make passes in with -ldflags -X.
var Version = "dev"

// ErrUsage marks a command line that could not be understood; its message has already been printed.
var ErrUsage = errors.New("usage")

// errHelp marks a request for a command's usage, which has been printed: not a failure.
var errHelp = errors.New("help")

const usage = `gugugo %s: offline Korean⇄English translation with the Gugugo models

Usage:
  gugugo [--model FILE]                                       open the translator window
  gugugo show                                                 bring the running window to the front (or start it)
  gugugo translate-clipboard                                  translate the clipboard in the running window
  gugugo translate --model FILE [--to en|ko|auto] [TEXT...]   translate TEXT (or stdin), streaming to stdout
                                                              (--server URL: with a server's model instead)
  gugugo serve [--model FILE] [--addr HOST:PORT]              let other programs translate (DeepLX, LibreTranslate,
                                                              OpenAI dialects) on http://127.0.0.1:1188
  gugugo bench --model FILE [--document]                      measure load, prompt and decode speed
  gugugo devices                                              list the devices models can run on
  gugugo model list|pull|path|rm|convert                      get a model (see gugugo model)
  gugugo dev tiny-model --arch gptneox|llama --out FILE       write a random-weight test model
  gugugo --version

Run "gugugo COMMAND --help" for a command's options.
`

// GUI opens the window with a model to load ("" for the one in the settings); main provides it so that this
// package stays free of the UI. It is nil in the server build, which has no window.
type GUI func(modelPath string)

// errNoWindow is what the window's commands say in the server build.
var errNoWindow = errors.New("this build has no window (it is the server build); the other commands work: gugugo --help")

// Run runs a command line (without the program name) and returns the process exit code. With no command it
// opens the window through gui.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, gui GUI) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "--model") || strings.HasPrefix(args[0], "-model") {
		return window(args, stderr, gui)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, usage, Version)
		return 0
	}
	var err error
	switch args[0] {
	case "--version", "version":
		fmt.Fprintln(stdout, "gugugo", Version)
		return 0
	case "translate":
		err = translate(args[1:], stdin, stdout, stderr)
	case "bench":
		err = bench(args[1:], stdout, stderr)
	case "serve":
		err = serve(args[1:], stdout, stderr)
	case "devices":
		err = devices(stdout)
	case instance.Show, instance.TranslateClipboard:
		err = errNoWindow
		if gui != nil {
			err = remote(args[0], args[1:], stderr)
		}
	case "model":
		err = model(args[1:], stdout, stderr)
	case "dev":
		err = dev(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "gugugo: unknown command %q (see gugugo --help)\n", args[0])
		return 2
	}
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, ErrUsage):
		return 2
	}
	fmt.Fprintln(stderr, "gugugo:", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error to one line on the terminal.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// parse parses flags that may come before or after the positional arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, ErrUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func modelFlag(fs *flag.FlagSet) *string {
	return fs.String("model", os.Getenv("GUGUGO_MODEL"), "GGUF model `file` (default $GUGUGO_MODEL)")
}

// window opens the GUI, or says in one line why it cannot.
func window(args []string, stderr io.Writer, gui GUI) int {
	fs := flag.NewFlagSet("gugugo", flag.ContinueOnError)
	model := fs.String("model", "", "GGUF model `file` to load")
	if rest, err := parse(fs, args, stderr); err != nil || len(rest) > 0 {
		fmt.Fprintln(stderr, "Usage: gugugo [--model FILE] (see gugugo --help for the commands)")
		return 2
	}
	if gui == nil {
		fmt.Fprintln(stderr, "gugugo:", errNoWindow)
		return 1
	}
	if err := needDisplay(); err != nil {
		fmt.Fprintln(stderr, "gugugo:", err)
		return 1
	}
	// One window per user: a second start brings the first one forward instead, and hands it the model to load.
	if *model == "" && instance.Send(instance.Address(), instance.Request{Command: instance.Show}) == nil {
		fmt.Fprintln(stderr, "gugugo: the window that is already open was brought to the front")
		return 0
	}
	if *model != "" {
		abs, err := filepath.Abs(*model)
		if err == nil && instance.Send(instance.Address(), instance.Request{Command: instance.OpenModel, Model: abs}) == nil {
			fmt.Fprintln(stderr, "gugugo: the window that is already open loads", abs)
			return 0
		}
	}
	gui(*model)
	return 0
}

// remoteUsage says what the commands for the running window do.
var remoteUsage = map[string]string{
	instance.Show:               "Bring the running window to the front, starting Gugugo when it is not running",
	instance.TranslateClipboard: "Put the clipboard's text in the running window and translate it, starting Gugugo when it is not running",
}

// remote sends a command to the running window, starting one first when none runs: what a desktop shortcut runs.
func remote(cmd string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gugugo %s\n\n%s. Bind it to a key in your desktop's keyboard settings.\n", cmd, remoteUsage[cmd])
	}
	if rest, err := parse(fs, args, stderr); err != nil {
		return err
	} else if len(rest) > 0 {
		fs.Usage()
		return ErrUsage
	}
	addr := instance.Address()
	req := instance.Request{Command: cmd}
	err := instance.Send(addr, req)
	if !errors.Is(err, instance.ErrNotRunning) {
		return err
	}
	if err := needDisplay(); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	start := exec.Command(exe)
	detach(start)
	if err := start.Start(); err != nil {
		return err
	}
	go start.Wait()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err = instance.Send(addr, req); !errors.Is(err, instance.ErrNotRunning) {
			return err
		}
	}
	return errors.New("started Gugugo, but its window did not answer in 20 s")
}

// devices lists the devices llama.cpp sees, with what became of the GPU plugins.
func devices(stdout io.Writer) error {
	devs, err := inference.Devices()
	if err != nil {
		return err
	}
	for _, d := range devs {
		kind := "CPU"
		if d.IsGPU() {
			kind = "GPU"
		}
		fmt.Fprintf(stdout, "%-10s %s  %s", d.Name, kind, d.Description)
		if d.TotalMemory > 0 && d.IsGPU() {
			fmt.Fprintf(stdout, "  (%.1f of %.1f GiB free)", float64(d.FreeMemory)/(1<<30), float64(d.TotalMemory)/(1<<30))
		}
		fmt.Fprintln(stdout)
	}
	for _, n := range inference.BackendNotes() {
		fmt.Fprintln(stdout, "note:", n)
	}
	return nil
}
