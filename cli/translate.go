package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/document"
	"github.com/gugugo-desktop/gugugo/app/glossary"
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
	mapFile   *bool
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
		mapFile: fs.Bool("mmap", false, "map the model file instead of reading it: loads faster where filling memory is slow, but overwriting\n"+
			"the file in place while it is loaded then ends the process"),
		verbose: fs.Bool("verbose", false, "show llama.cpp's log"),
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
		GPUMemory: uint64(max(*f.gpuMemory, 0) * 1e9), MapFile: *f.mapFile,
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
	file := fs.String("file", "", "translate this `file`: .txt, .srt, .vtt, .md or .html, keeping its structure (a progress bar goes to stderr)")
	outPath := fs.String("out", "", "write the --file's translation to this `file` instead of stdout")
	image := fs.String("image", "", "translate the text in this image `file` (PNG, JPEG or GIF), read with Tesseract")
	glossaryPath := fs.String("glossary", "", "steer the translation to the term pairs of this `file` (source TAB target, one pair a line) and warn of any missing")
	sequential := fs.Bool("sequential", false, "translate a document sentence after sentence instead of in parallel")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: gugugo translate --model FILE [--to en|ko|auto] [--glossary FILE] [TEXT... | --file IN [--out OUT] | --image FILE]\nReads stdin when no TEXT is given.")
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
	sources := 0
	for _, given := range []bool{*file != "", *image != "", len(words) > 0} {
		if given {
			sources++
		}
	}
	switch {
	case sources > 1:
		return errors.New("give one of TEXT, --file or --image")
	case *outPath != "" && *file == "":
		return errors.New("--out is where a --file's translation goes: give --file too")
	}
	terms, err := readGlossary(*glossaryPath)
	if err != nil {
		return err
	}
	var doc *document.Document
	var text string
	switch {
	case *file != "":
		f, err := document.FormatOf(*file)
		if err != nil {
			return err
		}
		var b []byte
		if doc, b, err = document.ReadFile(*file, f); err != nil {
			return err
		}
		for _, w := range doc.Warnings {
			fmt.Fprintf(stderr, "gugugo: warning: %s: %s\n", *file, w)
		}
		text = strings.Join(doc.Units(), "\n") // for the direction: the text, not its markup
		if f == document.Text && *outPath == "" {
			text, doc = string(b), nil // streamed to stdout as it is generated
		}
	case *image != "":
		if text, err = recognize(*image, stderr); err != nil {
			return err
		}
	case len(words) > 0:
		text = strings.Join(words, " ")
	default:
		b, err := io.ReadAll(io.LimitReader(stdin, document.MaxBytes+1))
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		if len(b) > document.MaxBytes {
			return fmt.Errorf("stdin holds over %d MB; up to %d MB are translated at once: split it", document.MaxBytes>>20, document.MaxBytes>>20)
		}
		text = string(b)
	}
	if inference.Blank(text) {
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
	bar := newProgressBar(stderr, "")
	if doc != nil {
		start := time.Now()
		out, rep, err := document.Translate(ctx, eng, doc, document.Options{Direction: dir, Glossary: terms, OnProgress: bar.set})
		bar.finish()
		if *stats {
			fmt.Fprintf(stderr, "%s, %s: %d units, %d prompt tokens, %d generated, %d ms in all\n", dir, eng.Info().Device, rep.Units,
				rep.PromptTokens, rep.GeneratedTokens, time.Since(start).Milliseconds())
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return errors.New("interrupted: nothing was written")
			}
			return err
		}
		warnMissing(stderr, rep.Missing)
		if *outPath == "" {
			_, err = stdout.Write(out)
			return err
		}
		return document.WriteFile(*outPath, *file, out)
	}
	out := bufio.NewWriter(stdout)
	req := inference.Request{Text: terms.Steer(text), Direction: dir, Sequential: *sequential}
	if *file != "" || len(text) > 4096 { // a document's progress; a sentence or two need none
		req.OnProgress = bar.set
	}
	res, err := eng.Translate(ctx, req, func(piece, _ string) {
		out.WriteString(piece)
		out.Flush()
	})
	bar.finish() // before the statistics, on a line of their own
	out.WriteString("\n")
	out.Flush()
	if err == nil {
		warnMissing(stderr, terms.Missing(text, res.Text))
	}
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

// readGlossary reads a glossary file; "" is none.
func readGlossary(path string) (glossary.List, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := glossary.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// warnMissing says which glossary terms did not come out as their target terms.
func warnMissing(stderr io.Writer, missing glossary.List) {
	if len(missing) > 0 {
		fmt.Fprintln(stderr, "gugugo: warning: glossary terms missing from the translation:", missing.Describe())
	}
}
