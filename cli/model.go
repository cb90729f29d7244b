package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"

	"github.com/gugugo-desktop/gugugo/inference/convert"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

const modelUsage = `Usage:
  gugugo model list                                  the models gugugo offers, and which are installed
  gugugo model pull NAME                             download (and for the 1.3B, convert) a model; resumes
  gugugo model path NAME                             print an installed model's GGUF file
  gugugo model rm NAME                               delete an installed model
  gugugo model convert DIR --out FILE [--type f16|q8_0]
                                                     convert a Hugging Face GPT-NeoX checkpoint to GGUF
`

func model(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, modelUsage)
		return ErrUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, modelUsage)
		return nil
	case "convert":
		return modelConvert(args[1:], stdout, stderr)
	case "list":
		return modelList(stdout)
	case "pull":
		return modelPull(args[1:], stdout, stderr)
	case "path":
		return modelPath(args[1:], stdout)
	case "rm":
		return modelRemove(args[1:], stdout)
	}
	fmt.Fprintf(stderr, "gugugo model: unknown command %q\n%s", args[0], modelUsage)
	return ErrUsage
}

func modelConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("model convert", flag.ContinueOnError)
	out := fs.String("out", "", "GGUF `file` to write")
	typ := fs.String("type", "f16", "type of the weight matrices: f16 (as published) or q8_0 (half the size, faster)")
	rest, err := parse(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1:
		fmt.Fprintf(stderr, "gugugo model convert: give one checkpoint folder (got %d)\n%s", len(rest), modelUsage)
		return ErrUsage
	case *out == "":
		fmt.Fprintf(stderr, "gugugo model convert: give the GGUF file to write with --out FILE\n%s", modelUsage)
		return ErrUsage
	}
	t, err := gguf.ParseTensorType(*typ)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	bar := newProgressBar(stderr, "Converting ")
	if err := convert.Convert(ctx, rest[0], *out, convert.Options{Type: t, Progress: download.NewMeter(bar.bytes, 0).Update}); err != nil {
		bar.finish()
		return err
	}
	bar.finish()
	fmt.Fprintf(stderr, "Wrote %s in %.1f s\n", *out, time.Since(start).Seconds())
	fmt.Fprintln(stdout, *out)
	return nil
}

func modelList(stdout io.Writer) error {
	dir := catalogue.Dir()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDOWNLOAD\tMEMORY\tINSTALLED\tABOUT")
	for _, e := range catalogue.Entries() {
		installed := "no"
		if e.Installed(dir) {
			installed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, download.FormatSize(e.DownloadSize()), download.FormatSize(int64(e.Memory().Total())), installed, e.About)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nModels are kept in %s\n", dir)
	return nil
}

func oneName(args []string) (catalogue.Entry, error) {
	if len(args) != 1 {
		return catalogue.Entry{}, errors.New("name one model (see gugugo model list)")
	}
	return catalogue.Find(args[0])
}

func modelPull(args []string, stdout, stderr io.Writer) error {
	e, err := oneName(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var bar *progressBar
	step := ""
	path, err := e.Pull(ctx, &download.Downloader{}, catalogue.Dir(), func(s catalogue.Status) {
		if s.Step != step {
			if bar != nil {
				bar.finish()
			}
			step, bar = s.Step, newProgressBar(stderr, s.Step+" ")
		}
		bar.bytes(s.Progress)
	})
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("stopped; run the same command again to resume")
		}
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

func modelPath(args []string, stdout io.Writer) error {
	e, err := oneName(args)
	if err != nil {
		return err
	}
	if !e.Installed(catalogue.Dir()) {
		return fmt.Errorf("%s is not installed: gugugo model pull %s", e.Name, e.Name)
	}
	fmt.Fprintln(stdout, e.Path(catalogue.Dir()))
	return nil
}

func modelRemove(args []string, stdout io.Writer) error {
	e, err := oneName(args)
	if err != nil {
		return err
	}
	installed := e.Installed(catalogue.Dir())
	if err := e.Remove(catalogue.Dir()); err != nil { // also a partial download
		return err
	}
	if !installed {
		return fmt.Errorf("%s is not installed", e.Name)
	}
	fmt.Fprintln(stdout, "removed", e.Name)
	return nil
}
