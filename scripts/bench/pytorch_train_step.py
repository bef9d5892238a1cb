#!/usr/bin/env python3
"""PyTorch CPU yardstick for `nnetnav-bench trainer`: the same Llama-architecture training step
(fp32, fwd + bwd + AdamW) on random tokens, median milliseconds per step. Run by hand or by the
benchmark with `--torch-python PATH`; never needed by CI.

    python pytorch_train_step.py --layers 6 --dim 384 --heads 6 --kv-heads 6 --hidden 1024 \
        --vocab 8192 --batch 16 --seq 128 --threads 2 --steps 6
Prints one JSON line: {"ms_per_step": ..., "tokens_per_s": ..., "torch": ..., "threads": ...}.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, c, h, kvh, hidden):
        super().__init__()
        self.h, self.kvh, self.hd = h, kvh, c // h
        self.attn_norm = torch.nn.Parameter(torch.ones(c))
        self.q = torch.nn.Linear(c, c, bias=False)
        self.k = torch.nn.Linear(c, kvh * self.hd, bias=False)
        self.v = torch.nn.Linear(c, kvh * self.hd, bias=False)
        self.o = torch.nn.Linear(c, c, bias=False)
        self.ffn_norm = torch.nn.Parameter(torch.ones(c))
        self.gate = torch.nn.Linear(c, hidden, bias=False)
        self.up = torch.nn.Linear(c, hidden, bias=False)
        self.down = torch.nn.Linear(hidden, c, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        h = F.rms_norm(x, (C,), self.attn_norm, 1e-5)
        q = self.q(h).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k(h).view(B, T, self.kvh, self.hd).transpose(1, 2)
        v = self.v(h).view(B, T, self.kvh, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=self.h != self.kvh)
        x = x + self.o(a.transpose(1, 2).reshape(B, T, C))
        h = F.rms_norm(x, (C,), self.ffn_norm, 1e-5)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class LoRALinear(torch.nn.Module):
    """A frozen linear layer plus a trainable rank-r update scaled by alpha/r (B starts at zero), as the
    project's trainer does for `--lora`."""
    def __init__(self, base, rank=8, alpha=16.0):
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) * (1 / base.in_features) ** 0.5)
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def rope(x, cos, sin):
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)


class Model(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.emb = torch.nn.Embedding(a.vocab, a.dim)
        torch.nn.init.normal_(self.emb.weight, std=0.02)
        self.blocks = torch.nn.ModuleList(Block(a.dim, a.heads, a.kv_heads, a.hidden) for _ in range(a.layers))
        self.norm = torch.nn.Parameter(torch.ones(a.dim))
        hd = a.dim // a.heads
        freq = 10000.0 ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.arange(a.seq).float()[:, None] * freq
        self.register_buffer("cos", ang.cos())
        self.register_buffer("sin", ang.sin())

    def forward(self, tokens, targets):
        x = self.emb(tokens)
        for b in self.blocks:
            x = b(x, self.cos, self.sin)
        x = F.rms_norm(x, (x.shape[-1],), self.norm, 1e-5)
        logits = x @ self.emb.weight.T
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def main():
    p = argparse.ArgumentParser()
    for name, default in [("layers", 6), ("dim", 384), ("heads", 6), ("kv-heads", 6), ("hidden", 1024),
                          ("vocab", 8192), ("batch", 16), ("seq", 128), ("threads", 2), ("steps", 6)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--lora", action="store_true", help="rank-8 adapters on q/k/v/o, everything else frozen (as the trainer's --lora)")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (fp32 master weights), to see whether bf16 pays on this CPU")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a)
    if a.lora:
        for parameter in model.parameters():
            parameter.requires_grad_(False)
        for block in model.blocks:
            for name in ("q", "k", "v", "o"):
                setattr(block, name, LoRALinear(getattr(block, name)))
    trained = [parameter for parameter in model.parameters() if parameter.requires_grad]
    opt = torch.optim.AdamW(trained, lr=1e-4, weight_decay=0.0)
    tokens = torch.randint(0, a.vocab, (a.batch, a.seq))
    targets = torch.randint(0, a.vocab, (a.batch, a.seq))
    times, cpu = [], []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            loss = model(tokens, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    ms = statistics.median(times) * 1000
    print(json.dumps({"ms_per_step": ms, "cpu_ms_per_step": statistics.median(cpu) * 1000, "tokens_per_s": a.batch * a.seq / (ms / 1000), "torch": torch.__version__,
                      "threads": a.threads, "loss": loss.item(), "bf16": a.bf16, "lora": a.lora}))


if __name__ == "__main__":
    main()
