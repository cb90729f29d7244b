"""Reference speed of the Gugugo models' own Python path: Hugging Face transformers generate(), greedy, on a
random-weight model of Gugugo-koen-1.3B's shape (GPTNeoX, from its config.json). Prints one JSON line.
--batch N generates for N prompts at once (all of --prompt tokens, so no padding), the most a Python script could
do for a document's sentences.

    python3 scripts/hf_bench.py [--tokens 128] [--dtype float16] [--attn sdpa|eager] [--batch 1]
"""
import argparse
import json
import time

import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--tokens", type=int, default=128)
p.add_argument("--prompt", type=int, default=30)
p.add_argument("--dtype", default="float16")
p.add_argument("--attn", default="sdpa")
p.add_argument("--reps", type=int, default=3)
p.add_argument("--batch", type=int, default=1)
a = p.parse_args()

cfg = GPTNeoXConfig(vocab_size=30080, hidden_size=2048, num_hidden_layers=24, num_attention_heads=16,
                    intermediate_size=8192, rotary_pct=0.5, rotary_emb_base=10000, max_position_embeddings=2048,
                    use_parallel_residual=True, tie_word_embeddings=False, layer_norm_eps=1e-5,
                    bos_token_id=0, eos_token_id=2, attn_implementation=a.attn)
torch.manual_seed(0)
dtype = getattr(torch, a.dtype)
with torch.device("cuda"):
    model = GPTNeoXForCausalLM(cfg).to(dtype).eval()
ids = torch.randint(10, 30000, (a.batch, a.prompt), device="cuda")
kw = dict(max_new_tokens=a.tokens, min_new_tokens=a.tokens, do_sample=False, pad_token_id=0, eos_token_id=None)
with torch.inference_mode():
    model.generate(ids, **kw)  # warm-up
    times = []
    for _ in range(a.reps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        out = model.generate(ids, **kw)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
n = out.shape[1] - a.prompt
best = sorted(times)[len(times) // 2]
print(json.dumps({"engine": "transformers " + transformers.__version__, "torch": torch.__version__, "attn": a.attn,
                  "dtype": a.dtype, "gpu": torch.cuda.get_device_name(), "batch": a.batch, "new_tokens": int(n),
                  "seconds": round(best, 3), "tokens_per_s": round(a.batch * n / best, 1)}))
