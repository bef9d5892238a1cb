#!/usr/bin/env python3
"""Reference logits of SmolLM2-135M-Instruct (GGUF) computed independently with numpy in float64.

Dequantises the GGUF with the `gguf` package's own dequantiser, runs a plain Llama forward
(RMSNorm, interleaved-pair RoPE on GGUF-ordered q/k, grouped-query causal attention, SwiGLU,
tied head), and writes a small fixture: per position the top-20 logits plus whole-row mean,
standard deviation and log-sum-exp. Tests/LlamaModelTests/SmolLM2LogitsTests.swift compares the
Swift engine against it.

Run by hand (not in CI):
    python3 -m venv /tmp/engvenv && /tmp/engvenv/bin/pip install numpy gguf tokenizers
    /tmp/engvenv/bin/python scripts/reference/tokenizer_reference.py   # writes /tmp/smollm2_tokenizer.json
    /tmp/engvenv/bin/python scripts/reference/smollm2_reference.py models/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import sys
from pathlib import Path

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests/LlamaModelTests/Fixtures/smollm2_logits.json"

PROMPTS = [
    "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
    "The quick brown fox jumps over the lazy dog. 1234",
    "def add(a, b):\n    return",
]


def load(path):
    reader = GGUFReader(str(path))
    meta = {k: f.contents() for k, f in reader.fields.items()
            if not k.startswith("tokenizer.ggml.")}
    weights = {}
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float64)
        shape = [int(d) for d in reversed(t.shape)]
        weights[t.name] = w.reshape(shape)
    return meta, weights


def forward(meta, w, ids):
    dim = meta["llama.embedding_length"]
    n_layers = meta["llama.block_count"]
    n_heads = meta["llama.attention.head_count"]
    n_kv = meta["llama.attention.head_count_kv"]
    eps = meta["llama.attention.layer_norm_rms_epsilon"]
    theta = meta["llama.rope.freq_base"]
    hd = dim // n_heads
    T = len(ids)

    def rms(x, g):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g

    pos = np.arange(T)[:, None]
    freqs = theta ** (-2.0 * np.arange(hd // 2) / hd)
    ang = pos * freqs[None, :]
    cos, sin = np.cos(ang), np.sin(ang)

    def rope(x, heads):  # x: T × heads·hd, interleaved pairs
        x = x.reshape(T, heads, hd // 2, 2)
        a, b = x[..., 0], x[..., 1]
        c, s = cos[:, None, :], sin[:, None, :]
        return np.stack([a * c - b * s, a * s + b * c], -1).reshape(T, heads * hd)

    x = w["token_embd.weight"][ids]
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for l in range(n_layers):
        p = f"blk.{l}."
        h = rms(x, w[p + "attn_norm.weight"])
        q = rope(h @ w[p + "attn_q.weight"].T, n_heads).reshape(T, n_heads, hd)
        k = rope(h @ w[p + "attn_k.weight"].T, n_kv).reshape(T, n_kv, hd)
        v = (h @ w[p + "attn_v.weight"].T).reshape(T, n_kv, hd)
        out = np.zeros((T, n_heads, hd))
        for hh in range(n_heads):
            g = hh // (n_heads // n_kv)
            s = q[:, hh] @ k[:, g].T / np.sqrt(hd) + mask
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            out[:, hh] = s @ v[:, g]
        x = x + out.reshape(T, dim) @ w[p + "attn_output.weight"].T
        h = rms(x, w[p + "ffn_norm.weight"])
        gate = h @ w[p + "ffn_gate.weight"].T
        up = h @ w[p + "ffn_up.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[p + "ffn_down.weight"].T
    x = rms(x, w["output_norm.weight"])
    head = w.get("output.weight", w["token_embd.weight"])
    return x @ head.T


def main():
    model = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    meta, w = load(model)
    tok = Tokenizer.from_file("/tmp/smollm2_tokenizer.json")
    cases = []
    for text in PROMPTS:
        ids = tok.encode(text).ids
        logits = forward(meta, w, ids)
        rows = []
        for r in logits:
            top = np.argsort(-r)[:20]
            m = r.max()
            rows.append({
                "top_ids": [int(i) for i in top],
                "top_logits": [float(r[i]) for i in top],
                "mean": float(r.mean()),
                "std": float(r.std()),
                "logsumexp": float(m + np.log(np.exp(r - m).sum())),
            })
        cases.append({"text": text, "ids": ids, "rows": rows})
        print(repr(text[:40]), "→ next", repr(tok.decode([rows[-1]["top_ids"][0]])))
    FIXTURE.write_text(json.dumps({"model": model.name, "reference": "numpy float64 forward of gguf-dequantised weights",
                                   "cases": cases}, indent=0))
    print("wrote", FIXTURE)


if __name__ == "__main__":
    main()
