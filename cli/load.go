package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

// A load test of a translation server (gugugo serve, or llama-server as the reference): the English test document's
// sentences, each sent as POST /v1/completions with Gugugo's prompt, by 1, 4, 16 ... concurrent clients. Every
// request generates the same number of tokens (ignore_eos, which both servers honour), so the servers do the same
// work.

type loadRun struct {
	Clients      int     `json:"clients"`
	Requests     int     `json:"requests"`
	Seconds      float64 `json:"seconds"`
	SentencesPS  float64 `json:"sentences_per_s"`
	TokensPS     float64 `json:"tokens_per_s"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	GeneratedTok int     `json:"generated_tokens"`
}

// loadSentences are the requests' texts: the English test document's sentences.
func loadSentences() []string {
	var out []string
	for _, u := range inference.SentenceUnits(tinymodel.CorpusEnglish, func(s string) bool { return len(s) <= 480 }) {
		out = append(out, u.Text)
	}
	return out
}

// serverLoad runs the load test against url for each client count and prints a table (or JSON).
func serverLoad(url, key string, clientCounts string, tokens, rounds int, asJSON bool, stdout io.Writer) error {
	var counts []int
	for _, f := range strings.Split(clientCounts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("--clients: %q is not a list of client counts such as 1,4,16", clientCounts)
		}
		counts = append(counts, n)
	}
	sentences := loadSentences()
	base := strings.TrimRight(url, "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 10 * time.Minute}
	send := func(text string) (int, error) {
		body, _ := json.Marshal(map[string]any{"prompt": inference.EnglishToKorean.Prompt(text), "max_tokens": tokens,
			"temperature": 0, "stop": []string{"</끝>"}, "ignore_eos": true, "stream": false})
		req, _ := http.NewRequest(http.MethodPost, base+"/completions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, fmt.Errorf("cannot reach the server at %s: %w", base, err)
		}
		defer resp.Body.Close()
		var reply struct {
			Usage struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &reply) != nil {
			return 0, fmt.Errorf("the server at %s answered %s: %s", base, resp.Status, cut(string(raw), 200))
		}
		return reply.Usage.CompletionTokens, nil
	}
	var runs []loadRun
	for _, n := range counts {
		// A warm-up round of n requests, then the document rounds times over.
		if _, err := drive(sentences[:min(n, len(sentences))], n, send); err != nil {
			return err
		}
		var texts []string
		for range rounds {
			texts = append(texts, sentences...)
		}
		start := time.Now()
		lat, err := drive(texts, n, send)
		if err != nil {
			return err
		}
		wall := time.Since(start)
		generated := 0
		durations := make([]time.Duration, len(lat))
		for i, l := range lat {
			generated += l.tokens
			durations[i] = l.d
		}
		slices.Sort(durations)
		pct := func(p float64) float64 {
			return float64(durations[min(len(durations)-1, int(p*float64(len(durations))))].Microseconds()) / 1000
		}
		runs = append(runs, loadRun{Clients: n, Requests: len(texts), Seconds: wall.Seconds(), SentencesPS: float64(len(texts)) / wall.Seconds(),
			TokensPS: float64(generated) / wall.Seconds(), P50MS: pct(0.50), P99MS: pct(0.99), GeneratedTok: generated})
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"server": url, "tokens_per_request": tokens, "runs": runs})
	}
	fmt.Fprintf(stdout, "server %s, %d sentences × %d, %d tokens each\n", url, len(sentences), rounds, tokens)
	fmt.Fprintf(stdout, "%8s %10s %12s %10s %10s %10s\n", "clients", "requests", "sentences/s", "tok/s", "p50 ms", "p99 ms")
	for _, r := range runs {
		fmt.Fprintf(stdout, "%8d %10d %12.2f %10.1f %10.1f %10.1f\n", r.Clients, r.Requests, r.SentencesPS, r.TokensPS, r.P50MS, r.P99MS)
	}
	return nil
}

type latency struct {
	d      time.Duration
	tokens int
}

// drive sends every text by n concurrent clients and returns each request's latency; the first error stops it.
func drive(texts []string, n int, send func(string) (int, error)) ([]latency, error) {
	jobs := make(chan string)
	var mu sync.Mutex
	var out []latency
	var firstErr error
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				t0 := time.Now()
				toks, err := send(t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out = append(out, latency{time.Since(t0), toks})
				mu.Unlock()
			}
		}()
	}
	for _, t := range texts {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	return out, firstErr
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
