package cli

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

func TestBenchTable(t *testing.T) {
	code, stdout, stderr := run(t, "", "bench", "--model", randomModel(t), "--tokens", "6", "--reps", "1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^model   gugugo-test-gptneox \(.+\)$`),
		regexp.MustCompile(`^device  CPU`),
		regexp.MustCompile(`^load    \d+\.\d\d s$`),
		regexp.MustCompile(`^ +prompt +prompt tok/s +first token ms +decode tok/s$`),
		regexp.MustCompile(`^ko→en +[1-9]\d* +[\d.]+ +[\d.]+ +[\d.]+$`),
		regexp.MustCompile(`^en→ko +[1-9]\d* +[\d.]+ +[\d.]+ +[\d.]+$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), stdout)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
		}
	}
}

func TestBenchJSON(t *testing.T) {
	code, stdout, stderr := run(t, "", "bench", "--json", "--model", randomModel(t), "--tokens", "5", "--reps", "2")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	var rep struct {
		Model  *string  `json:"model"`
		Device *string  `json:"device"`
		LoadS  *float64 `json:"load_s"`
		Runs   []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if rep.Model == nil || !strings.HasPrefix(*rep.Model, "gugugo-test-gptneox (") || rep.Device == nil || !strings.Contains(*rep.Device, "CPU") ||
		rep.LoadS == nil || *rep.LoadS <= 0 {
		t.Errorf("report %s", stdout)
	}
	if len(rep.Runs) != 2 {
		t.Fatalf("%d runs, want 2: %s", len(rep.Runs), stdout)
	}
	for i, dir := range []string{"ko→en", "en→ko"} {
		r := rep.Runs[i]
		if r["direction"] != dir {
			t.Errorf("run %d: direction %v, want %s", i, r["direction"], dir)
		}
		// --tokens is generated whatever the model says: stops are ignored.
		if r["decode_tokens"] != 5.0 {
			t.Errorf("run %d: decode_tokens %v, want 5", i, r["decode_tokens"])
		}
		for _, k := range []string{"prompt_tokens", "prompt_tokens_per_s", "first_token_ms", "decode_tokens_per_s"} {
			if v, ok := r[k].(float64); !ok || v <= 0 {
				t.Errorf("run %d: %s is %v, want a positive number", i, k, r[k])
			}
		}
	}
	if strings.Contains(stdout, "documents") {
		t.Errorf("documents reported without --document: %s", stdout)
	}
}

func TestBenchErrors(t *testing.T) {
	code, stdout, stderr := run(t, "", "bench", "--model", randomModel(t), "--reps", "0")
	wantOneLineError(t, code, stdout, stderr, "--reps must be at least 1")
	code, stdout, stderr = run(t, "", "bench", "--tokens", "4")
	wantOneLineError(t, code, stdout, stderr, "no model: pass --model FILE")
	code, stdout, stderr = run(t, "", "bench", "--model", randomModel(t), "--tokens", "lots")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `invalid value "lots" for flag -tokens`) {
		t.Errorf("--tokens lots: exit code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestDevices(t *testing.T) {
	code, stdout, stderr := run(t, "", "devices")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^CPU +CPU  \S`).MatchString(stdout) {
		t.Errorf("no CPU line in\n%s", stdout)
	}
	if strings.Contains(stdout, "note:") {
		t.Errorf("GPU plugin notes with the GPU plugins off:\n%s", stdout)
	}
}

// The document runs use the scripted model, which stops after a few tokens (--real): a random model would generate
// a translation's usual length of both 1,000-word documents, for a minute on two cores.
func TestBenchDocument(t *testing.T) {
	code, stdout, stderr := run(t, "", "bench", "--json", "--document", "--real", "--model", markerModel(t), "--tokens", "2", "--reps", "1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	var rep struct {
		Runs      []benchRun `json:"runs"`
		Documents []docRun   `json:"documents"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if len(rep.Runs) != 2 || len(rep.Documents) != 4 {
		t.Fatalf("%d runs and %d documents, want 2 and 4:\n%s", len(rep.Runs), len(rep.Documents), stdout)
	}
	for i, want := range []struct{ dir, mode string }{{"en→ko", "sequential"}, {"en→ko", "parallel"}, {"ko→en", "sequential"}, {"ko→en", "parallel"}} {
		d := rep.Documents[i]
		if d.Direction != want.dir || d.Mode != want.mode || d.Sentences < 10 || d.Seconds <= 0 || d.Generated != 7*d.Sentences ||
			d.TokensPerS <= 0 || d.PeakRSSMiB <= 0 || d.DeviceUsedMiB != 0 {
			t.Errorf("document %d: %+v, want %s %s with its numbers", i, d, want.dir, want.mode)
		}
	}
	if rep.Documents[0].Sentences != rep.Documents[1].Sentences || rep.Documents[2].Sentences != rep.Documents[3].Sentences {
		t.Errorf("the modes split a document differently: %+v", rep.Documents)
	}
}

func TestBenchDocumentTable(t *testing.T) {
	code, stdout, stderr := run(t, "", "bench", "--document", "--real", "--model", markerModel(t), "--tokens", "2", "--reps", "1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	header := regexp.MustCompile(`(?m)^doc +mode +sentences +seconds +first token ms +generated +tokens/s +peak RSS MiB$`)
	row := regexp.MustCompile(`(?m)^(en→ko|ko→en) +(sequential|parallel) +[1-9]\d* +[\d.]+ +[\d.]+ +[1-9]\d* +[\d.]+ +[1-9]\d*$`)
	if !header.MatchString(stdout) || len(row.FindAllString(stdout, -1)) != 4 {
		t.Errorf("no document table of 4 rows:\n%s", stdout)
	}
}

// bench --server loads a server (here the local server on a tiny model) with concurrent clients and prints a row per
// client count; every request generates the tokens asked for (ignore_eos).
func TestBenchServerLoad(t *testing.T) {
	e, err := inference.Load(randomModel(t), inference.Options{Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s, err := server.New(e, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	code, stdout, stderr := run(t, "", "bench", "--server", hs.URL, "--clients", "1,3", "--rounds", "1", "--tokens", "3", "--json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	var rep struct {
		Runs []loadRun `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Runs) != 2 {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	sentences := len(loadSentences())
	for i, r := range rep.Runs {
		if r.Clients != []int{1, 3}[i] || r.Requests != sentences || r.GeneratedTok != 3*sentences || r.SentencesPS <= 0 || r.P99MS < r.P50MS {
			t.Errorf("run %d: %+v", i, r)
		}
	}
	code, stdout, stderr = run(t, "", "bench", "--server", hs.URL, "--clients", "0")
	wantOneLineError(t, code, stdout, stderr, "--clients")
	hs.Close()
	code, stdout, stderr = run(t, "", "bench", "--server", hs.URL, "--clients", "1", "--rounds", "1")
	wantOneLineError(t, code, stdout, stderr, "connection refused")
}
