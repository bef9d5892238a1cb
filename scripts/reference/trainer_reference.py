#!/usr/bin/env python3
"""Reference loss and gradients for the Swift trainer (run by hand, not by CI).

Builds a tiny Llama-architecture model in PyTorch with the project's conventions (GGUF tensor
names, (out, in) weights, interleaved-pair RoPE, grouped-query attention, SwiGLU, tied head),
a packed batch (two documents per row, positions restart, attention masked at document
boundaries, loss only on target tokens), runs one forward/backward and writes weights, batch,
loss and every parameter gradient to a safetensors file that `ReferenceCheckTests` reads.

    /tmp/torchvenv/bin/python scripts/reference/trainer_reference.py \
        Tests/TrainerTests/Fixtures/reference_step.safetensors
"""
import json
import struct
import sys

import numpy as np
import torch

CONFIG = dict(vocabSize=64, dim=32, hiddenDim=48, layerCount=2, headCount=4, kvHeadCount=2,
              contextLength=64, ropeTheta=10000.0, rmsNormEps=1e-5, tiedEmbeddings=True)


def param_shapes(c):
    C, KV, F, V = c["dim"], c["kvHeadCount"] * c["dim"] // c["headCount"], c["hiddenDim"], c["vocabSize"]
    shapes = [("token_embd.weight", (V, C))]
    for l in range(c["layerCount"]):
        shapes += [(f"blk.{l}.attn_norm.weight", (C,)), (f"blk.{l}.attn_q.weight", (C, C)),
                   (f"blk.{l}.attn_k.weight", (KV, C)), (f"blk.{l}.attn_v.weight", (KV, C)),
                   (f"blk.{l}.attn_output.weight", (C, C)), (f"blk.{l}.ffn_norm.weight", (C,)),
                   (f"blk.{l}.ffn_gate.weight", (F, C)), (f"blk.{l}.ffn_up.weight", (F, C)),
                   (f"blk.{l}.ffn_down.weight", (C, F))]
    shapes.append(("output_norm.weight", (C,)))
    return shapes


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def rope(x, pos, theta):
    # x: (B, T, H, hd); rotate interleaved pairs (x[2i], x[2i+1]) by pos * theta^(-2i/hd).
    hd = x.shape[-1]
    freq = theta ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    ang = (pos[..., None].double() * freq).float()  # (B, T, hd/2)
    cos, sin = ang.cos()[:, :, None, :], ang.sin()[:, :, None, :]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def forward(p, c, tokens, targets, positions, doc_start):
    B, T = tokens.shape
    H, KVH, C = c["headCount"], c["kvHeadCount"], c["dim"]
    hd = C // H
    x = p["token_embd.weight"][tokens]
    idx = torch.arange(T)
    allowed = (idx[None, None, :] <= idx[None, :, None]) & (idx[None, None, :] >= doc_start[:, :, None])
    for l in range(c["layerCount"]):
        h = rms_norm(x, p[f"blk.{l}.attn_norm.weight"], c["rmsNormEps"])
        q = (h @ p[f"blk.{l}.attn_q.weight"].T).view(B, T, H, hd)
        k = (h @ p[f"blk.{l}.attn_k.weight"].T).view(B, T, KVH, hd)
        v = (h @ p[f"blk.{l}.attn_v.weight"].T).view(B, T, KVH, hd)
        q, k = rope(q, positions, c["ropeTheta"]), rope(k, positions, c["ropeTheta"])
        k = k.repeat_interleave(H // KVH, dim=2)
        v = v.repeat_interleave(H // KVH, dim=2)
        s = torch.einsum("bthd,bshd->bhts", q, k) / hd ** 0.5
        s = s.masked_fill(~allowed[:, None], float("-inf"))
        a = torch.einsum("bhts,bshd->bthd", s.softmax(-1), v).reshape(B, T, C)
        x = x + a @ p[f"blk.{l}.attn_output.weight"].T
        h = rms_norm(x, p[f"blk.{l}.ffn_norm.weight"], c["rmsNormEps"])
        g = h @ p[f"blk.{l}.ffn_gate.weight"].T
        u = h @ p[f"blk.{l}.ffn_up.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ p[f"blk.{l}.ffn_down.weight"].T
    x = rms_norm(x, p["output_norm.weight"], c["rmsNormEps"])
    logits = x @ p["token_embd.weight"].T
    return torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-1)


def make_batch(rng, c, B=2, T=12, split=5):
    tokens = rng.integers(0, c["vocabSize"], size=(B, T))
    positions = np.zeros((B, T), dtype=np.int64)
    doc_start = np.zeros((B, T), dtype=np.int64)
    targets = np.full((B, T), -1, dtype=np.int64)
    for b in range(B):
        for t in range(T):
            start = 0 if t < split else split
            positions[b, t] = t - start
            doc_start[b, t] = start
            last = t in (split - 1, T - 1)
            prompt = t < 2 or split <= t < split + 2
            if not (last or prompt):
                targets[b, t] = tokens[b, t + 1]
    return tokens, targets, positions, doc_start


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, arr in tensors:
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "reference_step.safetensors"
    torch.manual_seed(0)
    rng = np.random.default_rng(1234)
    c = CONFIG
    params = {}
    for name, shape in param_shapes(c):
        if len(shape) == 1:
            value = 1 + 0.1 * rng.standard_normal(shape)
        else:
            value = 0.15 * rng.standard_normal(shape)
        params[name] = torch.tensor(value, dtype=torch.float32, requires_grad=True)
    tokens, targets, positions, doc_start = make_batch(rng, c)
    loss = forward(params, c, torch.tensor(tokens), torch.tensor(targets), torch.tensor(positions), torch.tensor(doc_start))
    loss.backward()
    tensors = [("param." + n, params[n].detach().numpy()) for n, _ in param_shapes(c)]
    tensors += [("grad." + n, params[n].grad.numpy()) for n, _ in param_shapes(c)]
    tensors += [("batch.tokens", tokens), ("batch.targets", targets), ("batch.positions", positions),
                ("batch.doc_start", doc_start), ("loss", np.array([loss.item()]))]
    write_safetensors(out, tensors, {"config": json.dumps(c), "torch": torch.__version__})
    print(f"loss {loss.item():.6f} -> {out} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
