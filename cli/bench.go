package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/llama"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// The fixed inputs of `gugugo bench`.
const (
	benchKorean  = "오늘은 날씨가 맑고 따뜻해서 친구들과 함께 공원에 가서 점심을 먹기로 했습니다."
	benchEnglish = "The weather is clear and warm today, so I decided to go to the park with my friends and have lunch."
)

type benchRun struct {
	Direction        string  `json:"direction"`
	PromptTokens     int     `json:"prompt_tokens"`
	PromptTokensPerS float64 `json:"prompt_tokens_per_s"`
	FirstTokenMS     float64 `json:"first_token_ms"`
	DecodeTokens     int     `json:"decode_tokens"`
	DecodeTokensPerS float64 `json:"decode_tokens_per_s"`
}

type docRun struct {
	Direction     string  `json:"direction"`
	Mode          string  `json:"mode"`
	Sentences     int     `json:"sentences"`
	Seconds       float64 `json:"seconds"`
	FirstTokenMS  float64 `json:"first_token_ms"`
	Generated     int     `json:"generated_tokens"`
	TokensPerS    float64 `json:"tokens_per_s"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	DeviceUsedMiB float64 `json:"device_used_mib,omitempty"`
}

type benchReport struct {
	Model     string     `json:"model"`
	Device    string     `json:"device"`
	LoadS     float64    `json:"load_s"`
	Runs      []benchRun `json:"runs"`
	Documents []docRun   `json:"documents,omitempty"`
}

func bench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	ef := addEngineFlags(fs)
	tokens := fs.Int("tokens", 128, "tokens to generate per run (stops are ignored); with --server, per request, 48 unless given")
	reps := fs.Int("reps", 5, "measured runs per input after one warm-up; the median is reported")
	asJSON := fs.Bool("json", false, "print JSON")
	document := fs.Bool("document", false, "also time a 1,000-word English and a Korean document, sentence after sentence and in parallel (median of --reps)")
	real := fs.Bool("real", false, "documents: let the model stop on its own (a real model); by default a translation's usual length is generated")
	clients := fs.String("clients", "1,4,16", "with --server: the `counts` of concurrent clients to load the server with")
	rounds := fs.Int("rounds", 2, "with --server: times each client count sends the English test document's sentences")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *reps < 1 {
		return errors.New("--reps must be at least 1")
	}
	if *rounds < 1 {
		return errors.New("--rounds must be at least 1")
	}
	if url := ef.serverURL(); url != "" { // a load test of a server: gugugo serve, or llama-server as the reference
		tok := *tokens
		if !isSet(fs, "tokens") {
			tok = 48
		}
		return serverLoad(url, *ef.serverKey, *clients, tok, *rounds, *asJSON, stdout)
	}
	t0 := time.Now()
	eng, err := ef.load(stderr)
	if err != nil {
		return err
	}
	defer eng.Close()
	info := eng.Info()
	rep := benchReport{Model: info.Name + " (" + info.Description + ")", Device: info.Device, LoadS: time.Since(t0).Seconds()}
	for _, in := range []struct {
		dir  inference.Direction
		text string
	}{{inference.KoreanToEnglish, benchKorean}, {inference.EnglishToKorean, benchEnglish}} {
		var results []inference.Result
		for i := 0; i <= *reps; i++ {
			r, err := eng.Bench(context.Background(), inference.Request{Text: in.text, Direction: in.dir}, inference.Workload{Tokens: *tokens}, nil)
			if err != nil {
				return err
			}
			if i > 0 {
				results = append(results, r)
			}
		}
		med := func(f func(inference.Result) float64) float64 {
			v := make([]float64, len(results))
			for i, r := range results {
				v[i] = f(r)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		rep.Runs = append(rep.Runs, benchRun{
			Direction:        in.dir.String(),
			PromptTokens:     results[0].PromptTokens,
			PromptTokensPerS: med(inference.Result.PromptTokensPerSecond),
			FirstTokenMS:     med(func(r inference.Result) float64 { return float64(r.TimeToFirstToken.Microseconds()) / 1000 }),
			DecodeTokens:     results[0].GeneratedTokens,
			DecodeTokensPerS: med(inference.Result.DecodeTokensPerSecond),
		})
	}
	if *document {
		for _, in := range []struct {
			dir  inference.Direction
			text string
		}{{inference.EnglishToKorean, tinymodel.CorpusEnglish}, {inference.KoreanToEnglish, tinymodel.CorpusKorean}} {
			for _, sequential := range []bool{true, false} {
				req := inference.Request{Text: in.text, Direction: in.dir, Sequential: sequential}
				work := inference.Workload{TranslationLength: !*real}
				var runs []inference.Result
				for i := 0; i <= *reps; i++ { // the first is a warm-up
					r, err := eng.Bench(context.Background(), req, work, nil)
					if err != nil {
						return err
					}
					if i > 0 {
						runs = append(runs, r)
					}
				}
				slices.SortFunc(runs, func(a, b inference.Result) int { return cmp.Compare(a.Duration, b.Duration) })
				r := runs[len(runs)/2]
				mode := "parallel"
				if sequential {
					mode = "sequential"
				}
				rep.Documents = append(rep.Documents, docRun{
					Direction: in.dir.String(), Mode: mode, Sentences: r.Chunks, Seconds: r.Duration.Seconds(),
					FirstTokenMS: float64(r.TimeToFirstToken.Microseconds()) / 1000, Generated: r.GeneratedTokens,
					TokensPerS: float64(r.GeneratedTokens) / r.Duration.Seconds(), PeakRSSMiB: peakRSSMiB(),
					DeviceUsedMiB: deviceUsedMiB(),
				})
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "model   %s\ndevice  %s\nload    %.2f s\n", rep.Model, rep.Device, rep.LoadS)
	fmt.Fprintf(stdout, "%-7s %8s %14s %15s %14s\n", "", "prompt", "prompt tok/s", "first token ms", "decode tok/s")
	for _, r := range rep.Runs {
		fmt.Fprintf(stdout, "%-7s %8d %14.1f %15.1f %14.1f\n", r.Direction, r.PromptTokens, r.PromptTokensPerS, r.FirstTokenMS, r.DecodeTokensPerS)
	}
	if len(rep.Documents) > 0 {
		fmt.Fprintf(stdout, "\n%-7s %-10s %9s %9s %15s %10s %9s %13s\n", "doc", "mode", "sentences", "seconds", "first token ms", "generated", "tokens/s", "peak RSS MiB")
		for _, d := range rep.Documents {
			fmt.Fprintf(stdout, "%-7s %-10s %9d %9.3f %15.1f %10d %9.1f %13.0f\n", d.Direction, d.Mode, d.Sentences, d.Seconds, d.FirstTokenMS, d.Generated, d.TokensPerS, d.PeakRSSMiB)
		}
	}
	return nil
}

// deviceUsedMiB is the memory in use on the first GPU, by every process, or 0 without one.
func deviceUsedMiB() float64 {
	for _, d := range llama.Devices() {
		if d.IsGPU() {
			return float64(d.TotalMemory-d.FreeMemory) / (1 << 20)
		}
	}
	return 0
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
