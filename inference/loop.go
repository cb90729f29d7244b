package inference

// loopGuard spots a generation that has fallen into a loop (Gugugo-1.3B V1.0 repeats whole sentences on long
// text): the last tokens are the same block repeated back to back, either a block of 8 or more tokens twice, or a
// shorter block four times or more covering at least 16 tokens.
type loopGuard struct {
	toks []int32
}

const maxLoopPeriod = 128

// add records a token and reports whether the output is now looping.
func (g *loopGuard) add(t int32) bool {
	g.toks = append(g.toks, t)
	n := len(g.toks)
	for p := 1; p <= maxLoopPeriod && 2*p <= n; p++ {
		reps := 1
		for reps*p+p <= n && g.repeats(n-reps*p-p, n-p, p) {
			reps++
			if p >= 8 || reps >= 4 && reps*p >= 16 {
				return true
			}
		}
	}
	return false
}

// repeats reports whether the p tokens at a equal the p tokens at b.
func (g *loopGuard) repeats(a, b, p int) bool {
	for i := 0; i < p; i++ {
		if g.toks[a+i] != g.toks[b+i] {
			return false
		}
	}
	return true
}
