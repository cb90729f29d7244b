package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/gugugo-desktop/gugugo/app"
	"github.com/gugugo-desktop/gugugo/app/desktop"
	"github.com/gugugo-desktop/gugugo/inference"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
	"github.com/gugugo-desktop/gugugo/inference/llama"
	"github.com/gugugo-desktop/gugugo/inference/tinymodel"
)

func dev(args []string, stdout, stderr io.Writer) error {
	if len(args) == 2 && args[0] == "grab-hotkey" {
		return grabHotkey(args[1], stdout)
	}
	if len(args) == 2 && args[0] == "ui-latency" {
		return uiLatency(args[1], stdout)
	}
	if len(args) > 0 && args[0] == "tiny-hf" {
		return tinyHF(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "greedy" {
		return greedyTokens(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "memory" {
		return memoryNeed(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "tiny-model" {
		fmt.Fprintln(stderr, "Usage: gugugo dev tiny-model --arch gptneox|llama --out FILE [--shape tiny|gugugo-1.3b|gugugo-7b] [--type f32|f16|q8_0] [--echo WORDS] [--vocab FILE]\n"+
			"       gugugo dev tiny-hf --out DIR [--shape tiny|gugugo-1.3b]\n"+
			"       gugugo dev greedy --model FILE [--tokens N] TEXT\n"+
			"       gugugo dev memory --model FILE [--ctx N]\n"+
			"       gugugo dev ui-latency WINDOW-ID   (until SIGTERM or SIGINT)")
		return ErrUsage
	}
	fs := flag.NewFlagSet("tiny-model", flag.ContinueOnError)
	arch := fs.String("arch", "gptneox", "architecture: gptneox (like Gugugo-1.3B) or llama (like Gugugo-7B)")
	out := fs.String("out", "", "output `file`")
	shape := fs.String("shape", "tiny", "tiny, gugugo-1.3b for the real 1.3B shape (2.6 GB in f16), or gugugo-7b for the 7B's (13.5 GB in f16)")
	typ := fs.String("type", "f32", "type of the weight matrices: f32, f16 or q8_0")
	seed := fs.Uint64("seed", 1, "random seed")
	vocab := fs.String("vocab", "", "a Llama SentencePiece vocabulary (GGUF) to build the llama model's on, as Llama-2-Ko extends Llama-2's;\n"+
		"--shape gugugo-7b needs one: "+tinymodel.SPMVocabFile+" in a source tree")
	echo := fs.String("echo", "", "space-separated words of the test vocabulary: instead of random weights, a model that answers with\n"+
		"whichever of them its input holds most often, with wide logit margins, so that a parallel translation\n"+
		"must equal the sequential one (the check scripts/gpu-bench.sh makes on a GPU)")
	if _, err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("tiny-model: --out FILE is required")
	}
	s, err := shapeNamed(*shape)
	if err != nil {
		return err
	}
	t, err := gguf.ParseTensorType(*typ)
	if err != nil {
		return err
	}
	var words []string
	for _, w := range strings.Fields(*echo) {
		words = append(words, " "+w) // the vocabulary's words are tokens with their leading space
	}
	o := tinymodel.Options{Arch: *arch, Shape: s, Type: t, Seed: *seed, Echo: words}
	if *shape == "gugugo-7b" && *vocab == "" {
		return fmt.Errorf("tiny-model: --shape gugugo-7b builds on Llama-2's vocabulary: pass --vocab FILE (%s in a source tree)", tinymodel.SPMVocabFile)
	}
	if *vocab != "" {
		if *arch != "llama" {
			return errors.New("tiny-model: --vocab is for --arch llama")
		}
		base, err := tinymodel.ReadSPMBase(*vocab)
		if err != nil {
			return err
		}
		o.Vocab = tinymodel.NewSPMVocab(base, s.Vocab)
	}
	if err := tinymodel.Write(*out, o); err != nil {
		return err
	}
	fmt.Fprintln(stdout, *out)
	return nil
}

// memoryNeed prints what a model needs on a GPU by the engine's reckoning (inference.MemoryOf), in MiB as llama.cpp
// logs its buffers (gugugo translate --verbose), for comparing the two on a GPU.
func memoryNeed(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("memory", flag.ContinueOnError)
	model := fs.String("model", "", "GGUF `file`")
	ctx := fs.Int("ctx", 0, "context size in tokens (0: the model's, at most 4096)")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	header, err := inference.CheckFile(*model)
	if err != nil {
		return err
	}
	m, err := inference.MemoryOf(header, inference.ContextSize(header, *ctx))
	if err != nil {
		return err
	}
	var weights uint64
	for _, w := range m.LayerWeights {
		weights += w
	}
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
	fmt.Fprintf(stdout, "layers %d, context %d\nlayers' weights %.2f MiB, output %.2f MiB, KV cache %.2f MiB, compute %.2f MiB\ntotal on a GPU %.2f MiB\n",
		m.Layers(), m.Context, mib(weights), mib(m.Output), mib(m.KVPerToken*uint64(m.Layers()*m.Context)), mib(m.Compute), mib(m.Total()))
	return nil
}

// shapeNamed is one of tinymodel.Shapes, or an error that lists them.
func shapeNamed(name string) (tinymodel.Shape, error) {
	if s, ok := tinymodel.Shapes[name]; ok {
		return s, nil
	}
	names := slices.Sorted(maps.Keys(tinymodel.Shapes))
	return tinymodel.Shape{}, fmt.Errorf("unknown shape %q (want %s)", name, strings.Join(names, ", "))
}

// grabHotkey holds a key combination until its input closes, as another program would: the end-to-end test
// checks that the window reports the combination as taken.
func grabHotkey(combo string, stdout io.Writer) error {
	h, err := desktop.ParseHotkey(combo)
	if err != nil {
		return err
	}
	conn, err := app.OpenDesktop()
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Grab(h, func() {}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "grabbed", h)
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// tinyHF writes a random Hugging Face GPT-NeoX checkpoint folder, for checking the converter against transformers.
func tinyHF(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tiny-hf", flag.ContinueOnError)
	out := fs.String("out", "", "output `folder`")
	shape := fs.String("shape", "tiny", "tiny, or gugugo-1.3b for the real 1.3B shape (2.6 GB)")
	seed := fs.Uint64("seed", 1, "random seed")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("tiny-hf: --out DIR is required")
	}
	s, err := shapeNamed(*shape)
	if err != nil {
		return err
	}
	if err := tinymodel.WriteHF(*out, tinymodel.HFOptions{Shape: s, Seed: *seed}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, *out)
	return nil
}

// greedyTokens prints the prompt's tokens and the next N greedy tokens as JSON, with no stop rule: the raw model
// output that a reference implementation can be compared with token for token.
func greedyTokens(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("greedy", flag.ContinueOnError)
	model := fs.String("model", "", "GGUF `file`")
	n := fs.Int("tokens", 64, "tokens to generate")
	rest, err := parse(fs, args, stderr)
	if err != nil {
		return err
	}
	if *model == "" {
		return errors.New("greedy: --model FILE is required")
	}
	if _, err := inference.CheckFile(*model); err != nil {
		return err
	}
	m, err := llama.LoadModel(*model, llama.LoadParams{GPULayers: -1, Device: -1})
	if err != nil {
		return err
	}
	defer m.Free()
	prompt, err := m.Tokenize(strings.Join(rest, " "), false)
	if err != nil || len(prompt) == 0 {
		return fmt.Errorf("greedy: the text gives no tokens (%w)", err)
	}
	c, err := llama.NewContext(m, llama.ContextParams{Size: len(prompt) + *n + 16, Batch: len(prompt), Sequences: 1, Threads: runtime.NumCPU()})
	if err != nil {
		return err
	}
	defer c.Free()
	for i, t := range prompt {
		c.BatchAdd(t, i, 0, i == len(prompt)-1)
	}
	var out []llama.Token
	for pos := len(prompt); len(out) < *n; pos++ {
		if err := c.Decode(); err != nil {
			return err
		}
		t := c.Argmax(c.BatchLen() - 1)
		out = append(out, t)
		c.BatchClear()
		c.BatchAdd(t, pos, 0, true)
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"prompt_ids": prompt, "generated": out})
}
