package convert_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gugugo-desktop/gugugo/inference/convert"
)

// This file holds the references a converted model is checked against: a straightforward float32 GPT-NeoX forward
// pass over the original Hugging Face tensors, and Hugging Face's ByteLevel BPE tokenizer, both written from their
// definitions (transformers' modeling_gpt_neox.py, tokenizers' ByteLevel and BPE models), not from llama.cpp.

type neox struct {
	cfg     convert.Config
	ck      *convert.Checkpoint
	tensors map[string][]float32
}

func loadNeoX(t *testing.T, dir string) *neox {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := &neox{tensors: map[string][]float32{}}
	if err := json.Unmarshal(b, &n.cfg); err != nil {
		t.Fatal(err)
	}
	if n.ck, err = convert.OpenCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *neox) w(t *testing.T, name string) []float32 {
	if v, ok := n.tensors[name]; ok {
		return v
	}
	v, err := n.ck.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	n.tensors[name] = v
	return v
}

func layerNorm(x, w, b []float32, eps float64) []float32 {
	var mean, varSum float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		varSum += (float64(v) - mean) * (float64(v) - mean)
	}
	inv := 1 / math.Sqrt(varSum/float64(len(x))+eps)
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32((float64(v)-mean)*inv)*w[i] + b[i]
	}
	return out
}

// linear is x·Wᵀ + b for W stored (out, in) row-major, as PyTorch's nn.Linear.
func linear(x, w, b []float32) []float32 {
	in := len(x)
	out := make([]float32, len(w)/in)
	for o := range out {
		var s float64
		row := w[o*in : (o+1)*in]
		for i, v := range x {
			s += float64(v) * float64(row[i])
		}
		if b != nil {
			s += float64(b[o])
		}
		out[o] = float32(s)
	}
	return out
}

// gelu is the exact (erf) GELU of transformers' "gelu".
func gelu(x float32) float32 {
	return float32(0.5 * float64(x) * (1 + math.Erf(float64(x)/math.Sqrt2)))
}

// rotate applies GPT-NeoX's rotary embedding to the first rot dimensions of a head at position pos: the halves
// of those dimensions are rotated against each other (rotate_half), not interleaved pairs.
func rotate(v []float32, pos, rot int, base float64) {
	half := rot / 2
	for i := 0; i < half; i++ {
		theta := float64(pos) * math.Pow(base, -float64(2*i)/float64(rot))
		c, s := math.Cos(theta), math.Sin(theta)
		x1, x2 := float64(v[i]), float64(v[i+half])
		v[i] = float32(x1*c - x2*s)
		v[i+half] = float32(x2*c + x1*s)
	}
}

// logits runs the whole prompt and returns the logits at every position.
func (n *neox) logits(t *testing.T, tokens []int32) [][]float32 {
	c := n.cfg
	E, H := c.HiddenSize, c.NumAttentionHeads
	hd := E / H
	rot := int(c.RotaryPct * float64(hd))
	emb := n.w(t, "gpt_neox.embed_in.weight")
	xs := make([][]float32, len(tokens))
	for p, tok := range tokens {
		xs[p] = append([]float32(nil), emb[int(tok)*E:(int(tok)+1)*E]...)
	}
	for l := 0; l < c.NumHiddenLayers; l++ {
		pre := fmt.Sprintf("gpt_neox.layers.%d.", l)
		w := func(s string) []float32 { return n.w(t, pre+s) }
		qs, ks, vs := make([][]float32, len(xs)), make([][]float32, len(xs)), make([][]float32, len(xs))
		for p, x := range xs {
			h := layerNorm(x, w("input_layernorm.weight"), w("input_layernorm.bias"), c.LayerNormEps)
			qkv := linear(h, w("attention.query_key_value.weight"), w("attention.query_key_value.bias"))
			q, k, v := make([]float32, E), make([]float32, E), make([]float32, E)
			for hh := 0; hh < H; hh++ { // (head, q|k|v, head_dim)
				copy(q[hh*hd:], qkv[(hh*3+0)*hd:(hh*3+1)*hd])
				copy(k[hh*hd:], qkv[(hh*3+1)*hd:(hh*3+2)*hd])
				copy(v[hh*hd:], qkv[(hh*3+2)*hd:(hh*3+3)*hd])
				rotate(q[hh*hd:(hh+1)*hd], p, rot, c.RotaryEmbBase)
				rotate(k[hh*hd:(hh+1)*hd], p, rot, c.RotaryEmbBase)
			}
			qs[p], ks[p], vs[p] = q, k, v
		}
		next := make([][]float32, len(xs))
		for p, x := range xs {
			attn := make([]float32, E)
			for hh := 0; hh < H; hh++ {
				scores := make([]float64, p+1)
				best := math.Inf(-1)
				for j := 0; j <= p; j++ {
					var s float64
					for d := 0; d < hd; d++ {
						s += float64(qs[p][hh*hd+d]) * float64(ks[j][hh*hd+d])
					}
					scores[j] = s / math.Sqrt(float64(hd))
					best = math.Max(best, scores[j])
				}
				var sum float64
				for j := range scores {
					scores[j] = math.Exp(scores[j] - best)
					sum += scores[j]
				}
				for d := 0; d < hd; d++ {
					var s float64
					for j := range scores {
						s += scores[j] / sum * float64(vs[j][hh*hd+d])
					}
					attn[hh*hd+d] = float32(s)
				}
			}
			a := linear(attn, w("attention.dense.weight"), w("attention.dense.bias"))
			h2 := layerNorm(x, w("post_attention_layernorm.weight"), w("post_attention_layernorm.bias"), c.LayerNormEps)
			up := linear(h2, w("mlp.dense_h_to_4h.weight"), w("mlp.dense_h_to_4h.bias"))
			for i := range up {
				up[i] = gelu(up[i])
			}
			m := linear(up, w("mlp.dense_4h_to_h.weight"), w("mlp.dense_4h_to_h.bias"))
			out := make([]float32, E)
			for i := range out { // parallel residual: x + attn(ln1(x)) + mlp(ln2(x))
				out[i] = x[i] + a[i] + m[i]
			}
			next[p] = out
		}
		xs = next
	}
	res := make([][]float32, len(xs))
	for p, x := range xs {
		h := layerNorm(x, n.w(t, "gpt_neox.final_layer_norm.weight"), n.w(t, "gpt_neox.final_layer_norm.bias"), c.LayerNormEps)
		res[p] = linear(h, n.w(t, "embed_out.weight"), nil)
	}
	return res
}

// hfBPE is Hugging Face's ByteLevel BPE: GPT-2's pre-tokenizer regex, bytes mapped to printable characters, then
// merges applied by rank.
type hfBPE struct {
	vocab   map[string]int32
	ranks   map[[2]string]int
	removed []string // characters a Split pre-tokenizer removes
}

func loadBPE(t *testing.T, path string) *hfBPE {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tj struct {
		PreTokenizer struct {
			Pretokenizers []struct {
				Type    string `json:"type"`
				Pattern struct {
					String string `json:"String"`
				} `json:"pattern"`
			} `json:"pretokenizers"`
		} `json:"pre_tokenizer"`
		Model struct {
			Vocab  map[string]int32 `json:"vocab"`
			Merges []string         `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		t.Fatal(err)
	}
	bpe := &hfBPE{vocab: tj.Model.Vocab, ranks: map[[2]string]int{}}
	for i, m := range tj.Model.Merges {
		a, b, _ := strings.Cut(m, " ")
		bpe.ranks[[2]string{a, b}] = i
	}
	for _, p := range tj.PreTokenizer.Pretokenizers {
		if p.Type == "Split" {
			bpe.removed = append(bpe.removed, p.Pattern.String)
		}
	}
	return bpe
}

// gpt2Pieces splits text as GPT-2's pattern does:
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func gpt2Pieces(s string) []string {
	var out []string
	rs := []rune(s)
	isL, isN := unicode.IsLetter, unicode.IsNumber
	other := func(r rune) bool { return !unicode.IsSpace(r) && !isL(r) && !isN(r) }
	run := func(i int, f func(rune) bool) int {
		for i < len(rs) && f(rs[i]) {
			i++
		}
		return i
	}
	for i := 0; i < len(rs); {
		if rs[i] == '\'' {
			rest := string(rs[i+1:])
			found := false
			for _, c := range []string{"s", "t", "re", "ve", "m", "ll", "d"} {
				if strings.HasPrefix(rest, c) {
					out = append(out, "'"+c)
					i += 1 + utf8.RuneCountInString(c)
					found = true
					break
				}
			}
			if found {
				continue
			}
		}
		j := i
		if rs[j] == ' ' && j+1 < len(rs) {
			j++
		}
		var end int
		switch {
		case isL(rs[j]):
			end = run(j, isL)
		case isN(rs[j]):
			end = run(j, isN)
		case other(rs[j]):
			end = run(j, other)
		default: // whitespace: a run, leaving its last character to the word that follows
			end = run(i, unicode.IsSpace)
			if end < len(rs) && end-i > 1 {
				end--
			}
		}
		out = append(out, string(rs[i:end]))
		i = end
	}
	return out
}

var byteChars = func() [256]string {
	var enc [256]string
	n := 0
	for b := 0; b < 256; b++ {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			enc[b] = string(rune(b))
		} else {
			enc[b] = string(rune(256 + n))
			n++
		}
	}
	return enc
}()

func (bpe *hfBPE) encode(t *testing.T, text string) []int32 {
	for _, r := range bpe.removed {
		text = strings.ReplaceAll(text, r, "")
	}
	var ids []int32
	for _, piece := range gpt2Pieces(text) {
		var syms []string
		for i := 0; i < len(piece); i++ {
			syms = append(syms, byteChars[piece[i]])
		}
		for len(syms) > 1 {
			best, at := -1, -1
			for i := 0; i+1 < len(syms); i++ {
				if r, ok := bpe.ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || r < best) {
					best, at = r, i
				}
			}
			if at < 0 {
				break
			}
			merged := syms[at] + syms[at+1]
			var next []string
			for i := 0; i < len(syms); i++ {
				if i+1 < len(syms) && syms[i] == syms[at] && syms[i+1] == syms[at+1] {
					next = append(next, merged)
					i++
				} else {
					next = append(next, syms[i])
				}
			}
			syms = next
		}
		for _, s := range syms {
			id, ok := bpe.vocab[s]
			if !ok {
				t.Fatalf("symbol %q is not in the vocabulary", s)
			}
			ids = append(ids, id)
		}
	}
	return ids
}
