package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gugugo-desktop/gugugo/inference"
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

type benchReport struct {
	Model  string     `json:"model"`
	Device string     `json:"device"`
	LoadS  float64    `json:"load_s"`
	Runs   []benchRun `json:"runs"`
}

func bench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	ef := addEngineFlags(fs)
	tokens := fs.Int("tokens", 128, "tokens to generate per run (stops are ignored)")
	reps := fs.Int("reps", 5, "measured runs per input after one warm-up; the median is reported")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	t0 := time.Now()
	eng, err := ef.load(nil)
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
			r, err := eng.Translate(context.Background(), inference.Request{Text: in.text, Direction: in.dir, ForceTokens: *tokens}, nil)
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
	return nil
}
