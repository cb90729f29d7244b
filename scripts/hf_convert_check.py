"""Greedy tokens of a Hugging Face GPT-NeoX checkpoint with transformers, for comparing with the GGUF that
`gugugo model convert` makes of it (`gugugo dev greedy`). Run on a machine with torch and transformers:

    python3 hf_convert_check.py CHECKPOINT_DIR PROMPT TOKENS DTYPE   # DTYPE: float16 or float32

Prints JSON: the prompt's token ids (by the tokenizers library), the generated ids (no stop rule) and each step's
margin between the top two logits.
"""
import json
import sys

import torch
from transformers import GPTNeoXForCausalLM, PreTrainedTokenizerFast

folder, prompt, n, dtype = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tok = PreTrainedTokenizerFast(tokenizer_file=folder + "/tokenizer.json")
ids = tok(prompt, add_special_tokens=False)["input_ids"]
model, info = GPTNeoXForCausalLM.from_pretrained(folder, torch_dtype=getattr(torch, dtype), output_loading_info=True)
if info["missing_keys"] or info["unexpected_keys"] or info["mismatched_keys"]:
    sys.exit("checkpoint does not load cleanly: %s" % info)
device = "cuda" if torch.cuda.is_available() else "cpu"
model = model.to(device).eval()
x = torch.tensor([ids], device=device)
past, out, margins = None, [], []
with torch.no_grad():
    for _ in range(n):
        r = model(x if past is None else x[:, -1:], past_key_values=past, use_cache=True)
        past = r.past_key_values
        top = torch.topk(r.logits[0, -1].float(), 2)
        t = int(top.indices[0])
        out.append(t)
        margins.append(round(float(top.values[0] - top.values[1]), 5))
        x = torch.cat([x, torch.tensor([[t]], device=device)], 1)
print(json.dumps({"prompt_ids": ids, "generated": out, "margins": margins, "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
                  "transformers": __import__("transformers").__version__, "torch": torch.__version__}))
