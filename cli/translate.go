package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/inference"
)

type engineFlags struct {
	fs        *flag.FlagSet
	model     *string
	server    *string
	serverKey *string
	gpuLayers *int
	threads   *int
	ctxSize   *int
	device    *string
	gpuMemory *float64
	verbose   *bool
}

func addEngineFlags(fs *flag.FlagSet) engineFlags {
	return engineFlags{
		fs:        fs,
		model:     modelFlag(fs),
		server:    fs.String("server", os.Getenv("GUGUGO_SERVER"), "translate with the model a server runs (llama-server, vLLM or gugugo serve), at this `URL`, instead of a local model (default $GUGUGO_SERVER)"),
		serverKey: fs.String("server-key", os.Getenv("GUGUGO_SERVER_KEY"), "API `key` the --server wants (default $GUGUGO_SERVER_KEY)"),
		gpuLayers: fs.Int("gpu-layers", -1, "layers to offload to the GPU (-1: all, 0: CPU only)"),
		threads:   fs.Int("threads", 0, "CPU threads (0: one per core)"),
		ctxSize:   fs.Int("ctx", 0, "context size in tokens (0: the model's)"),
		device:    fs.String("device", "", "device to run on: cpu, or a name that gugugo devices lists (default: the GPU with the most free memory)"),
		gpuMemory: fs.Float64("gpu-memory", 0, "GPU memory the model may take, in GB (0: what the GPU has free); layers that do not fit run on the CPU"),
		verbose:   fs.Bool("verbose", false, "show llama.cpp's log"),
	}
}

// serverURL is the server to translate with: --server, else $GUGUGO_SERVER unless --model was given; "" for none.
func (f engineFlags) serverURL() string {
	if isSet(f.fs, "model") && !isSet(f.fs, "server") {
		return ""
	}
	return *f.server
}

// open connects to the server when there is one (serverURL), else loads the local model.
func (f engineFlags) open(stderr io.Writer) (app.Engine, error) {
	url := f.serverURL()
	if url == "" {
		return f.load(stderr)
	}
	if isSet(f.fs, "model") {
		return nil, errors.New("give either --model or --server, not both")
	}
	return inference.Connect(context.Background(), inference.RemoteOptions{URL: url, APIKey: *f.serverKey})
}

// load loads the model and says on stderr what became of the GPU: a plugin that failed its test run (the first
// time it does), a model that fell back to the CPU.
func (f engineFlags) load(stderr io.Writer) (*inference.Engine, error) {
	if f.serverURL() != "" {
		return nil, errors.New("--server is for translating; this command runs a local model (--model)")
	}
	if *f.model == "" {
		return nil, errors.New("no model: pass --model FILE (or set GUGUGO_MODEL)")
	}
	e, err := inference.Load(*f.model, inference.Options{
		GPULayers: *f.gpuLayers, Threads: *f.threads, ContextSize: *f.ctxSize, Device: *f.device, Verbose: *f.verbose,
		GPUMemory: uint64(max(*f.gpuMemory, 0) * 1e9),
	})
	for _, n := range inference.BackendNotes() {
		if *f.verbose || !n.OK && n.Probed {
			fmt.Fprintln(stderr, "gugugo: note:", n)
		}
	}
	if err == nil {
		for _, note := range []string{e.Info().Fallback, e.Info().Warning} {
			if note != "" {
				fmt.Fprintln(stderr, "gugugo: note:", note)
			}
		}
	}
	return e, err
}

func translate(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("translate", flag.ContinueOnError)
	ef := addEngineFlags(fs)
	to := fs.String("to", "auto", "target language: en (from Korean), ko (from English) or auto")
	stats := fs.Bool("stats", false, "print timing statistics to stderr")
	file := fs.String("file", "", "translate this text `file` (a progress bar goes to stderr)")
	sequential := fs.Bool("sequential", false, "translate a document sentence after sentence instead of in parallel")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: gugugo translate --model FILE [--to en|ko|auto] [TEXT...]\nReads stdin when no TEXT is given.")
		fs.PrintDefaults()
	}
	words, err := parse(fs, args, stderr)
	if err != nil {
		return err
	}
	dir, auto, err := inference.ParseTarget(*to)
	if err != nil {
		return err
	}
	var text string
	switch {
	case *file != "":
		if len(words) > 0 {
			return errors.New("give either --file or TEXT, not both")
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		text = string(b)
	case len(words) > 0:
		text = strings.Join(words, " ")
	default:
		b, err := io.ReadAll(stdin)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return errors.New("nothing to translate")
	}
	if auto {
		dir = inference.DetectDirection(text)
	}
	eng, err := ef.open(stderr)
	if err != nil {
		return err
	}
	defer eng.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := bufio.NewWriter(stdout)
	req := inference.Request{Text: text, Direction: dir, Sequential: *sequential}
	bar := newProgressBar(stderr, "")
	if *file != "" {
		req.OnProgress = bar.set
	}
	res, err := eng.Translate(ctx, req, func(piece, _ string) {
		out.WriteString(piece)
		out.Flush()
	})
	bar.finish() // before the statistics, on a line of their own
	out.WriteString("\n")
	out.Flush()
	if *stats {
		prompts := fmt.Sprintf("%d prompts", res.Chunks)
		if res.Chunks == 1 {
			prompts = "1 prompt"
		}
		fmt.Fprintf(stderr, "%s, %s: %s, %d prompt tokens, %d generated, first token %d ms, %.1f tokens/s, %d ms in all, stop: %s\n",
			dir, res.Device, prompts, res.PromptTokens, res.GeneratedTokens, res.TimeToFirstToken.Milliseconds(),
			res.DecodeTokensPerSecond(), res.Duration.Milliseconds(), res.Stop)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	return err
}
