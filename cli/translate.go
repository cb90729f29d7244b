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

	"github.com/gugugo-desktop/gugugo/inference"
)

type engineFlags struct {
	model     *string
	gpuLayers *int
	threads   *int
	ctxSize   *int
	verbose   *bool
}

func addEngineFlags(fs *flag.FlagSet) engineFlags {
	return engineFlags{
		model:     modelFlag(fs),
		gpuLayers: fs.Int("gpu-layers", -1, "layers to offload to the GPU (-1: all, 0: CPU only)"),
		threads:   fs.Int("threads", 0, "CPU threads (0: one per core)"),
		ctxSize:   fs.Int("ctx", 0, "context size in tokens (0: the model's)"),
		verbose:   fs.Bool("verbose", false, "show llama.cpp's log"),
	}
}

func (f engineFlags) load(progress func(float32)) (*inference.Engine, error) {
	if *f.model == "" {
		return nil, errors.New("no model: pass --model FILE (or set GUGUGO_MODEL)")
	}
	return inference.Load(*f.model, inference.Options{
		GPULayers: *f.gpuLayers, Threads: *f.threads, ContextSize: *f.ctxSize, Verbose: *f.verbose, Progress: progress,
	})
}

func translate(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("translate", flag.ContinueOnError)
	ef := addEngineFlags(fs)
	to := fs.String("to", "auto", "target language: en (from Korean), ko (from English) or auto")
	stats := fs.Bool("stats", false, "print timing statistics to stderr")
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
	if len(words) > 0 {
		text = strings.Join(words, " ")
	} else {
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
	eng, err := ef.load(nil)
	if err != nil {
		return err
	}
	defer eng.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := bufio.NewWriter(stdout)
	res, err := eng.Translate(ctx, inference.Request{Text: text, Direction: dir}, func(piece string) {
		out.WriteString(piece)
		out.Flush()
	})
	out.WriteString("\n")
	out.Flush()
	if *stats {
		fmt.Fprintf(stderr, "%s, %s: %d prompt tokens, %d generated, first token %d ms, %.1f tokens/s, stop: %s\n",
			dir, res.Device, res.PromptTokens, res.GeneratedTokens, res.TimeToFirstToken.Milliseconds(),
			res.DecodeTokensPerSecond(), res.Stop)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	return err
}
