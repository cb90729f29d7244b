package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

// serve runs the local translation server until interrupted (SIGINT or SIGTERM, as systemd stops it).
func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	ef := addEngineFlags(fs)
	addr := fs.String("addr", cmp.Or(os.Getenv("GUGUGO_ADDR"), server.DefaultAddr), "`host:port` to listen on ($GUGUGO_ADDR sets the default); anything but loopback needs --api-key")
	key := fs.String("api-key", os.Getenv("GUGUGO_API_KEY"), "`key` every request must carry (Authorization: Bearer KEY, or DeepLX's ?token=KEY); $GUGUGO_API_KEY sets it too")
	maxBody := fs.Int("max-body", server.DefaultMaxBody>>10, "largest request body, in `KiB`")
	quiet := fs.Bool("quiet", false, "do not log each request on stderr")
	koEn := fs.String("glossary-ko-en", "", "steer Korean→English translations to the term pairs of this `file` (source TAB target, one pair a line)")
	enKo := fs.String("glossary-en-ko", "", "steer English→Korean translations to the term pairs of this `file`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: gugugo serve [--model FILE | --server URL] [--addr HOST:PORT] [--api-key KEY]

Lets other programs translate with Gugugo, in the dialects their settings offer: DeepLX and LibreTranslate
(POST /translate), OpenAI (POST /v1/chat/completions, /v1/completions, GET /v1/models). Without --model it serves
$GUGUGO_MODEL, or the model that gugugo model pull installed.`)
		fs.PrintDefaults()
	}
	if rest, err := parse(fs, args, stderr); err != nil {
		return err
	} else if len(rest) > 0 {
		fs.Usage()
		return ErrUsage
	}
	if *ef.model == "" && ef.serverURL() == "" {
		if *ef.model = installedModel(); *ef.model == "" {
			return errors.New("no model: pass --model FILE (or set GUGUGO_MODEL), or get one first: gugugo model pull gugugo-7b")
		}
	}
	if *maxBody < 1 {
		return errors.New("--max-body must be at least 1 (KiB)")
	}
	// The address and key are checked before a model takes seconds to load.
	o := server.Options{Addr: *addr, APIKey: *key, MaxBody: int64(*maxBody) << 10}
	if _, err := server.New(nil, o); err != nil {
		return err
	}
	var terms [2]glossary.List
	for d, path := range map[inference.Direction]string{inference.KoreanToEnglish: *koEn, inference.EnglishToKorean: *enKo} {
		var err error
		if terms[d], err = readGlossary(path); err != nil {
			return err
		}
	}
	o.Glossary = func(d inference.Direction) glossary.List { return terms[d] }
	eng, err := ef.open(stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	o.Model = func() string { return eng.Info().Name }
	if !*quiet {
		o.Log = func(e server.Entry) {
			msg := ""
			if e.Err != nil && !errors.Is(e.Err, context.Canceled) {
				msg = " " + oneLine(e.Err.Error())
			}
			fmt.Fprintf(stderr, "gugugo: %s %s %d, %d characters, %d ms%s\n", e.Dialect, e.Path, e.Status, e.Chars, e.Duration.Milliseconds(), msg)
		}
	}
	s, err := server.New(eng, o)
	if err != nil {
		return err
	}
	if err := s.Start(); err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "gugugo: serving %s (%s) on http://%s\n", eng.Info().Name, eng.Info().Device, s.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stderr, "gugugo: stopping the server")
	return nil
}

// installedModel is the first model of the catalogue that gugugo model pull installed, or "".
func installedModel() string {
	for _, e := range catalogue.Entries() {
		if e.Installed(catalogue.Dir()) {
			return e.Path(catalogue.Dir())
		}
	}
	return ""
}
