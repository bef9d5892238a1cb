#!/usr/bin/env python3
"""Reference fixtures for the Qwen2 / Qwen3 families, made with Hugging Face `transformers`.

Builds, with fixed seeds and nothing downloaded:
  * a tiny Qwen-style byte-level BPE tokenizer (NFC normalizer, Qwen2's Split regex, ByteLevel
    without its own regex, as Qwen2/Qwen2.5/Qwen3 ship it), trained on a few lines, and the ids
    `tokenizers` gives on tricky strings;
  * a tiny randomly initialised Qwen2ForCausalLM (q/k/v bias, tied head) and Qwen3ForCausalLM
    (q/k RMSNorm, untied head, head_dim · heads != hidden_size, as in Qwen3-0.6B), each saved as
    safetensors + config.json and as a GGUF written with the `gguf` package in llama.cpp's layout
    (general.architecture qwen2/qwen3, q/k rows left in Hugging Face order);
  * their logits on two prompts (a sample of vocabulary columns, log-sum-exp and argmax per
    position) and a loss with its gradients for the trainer's check.

Tests/LlamaModelTests/QwenLogitsTests.swift, QwenTokenizerTests.swift and
Tests/TrainerTests/QwenTrainerGradientTests.swift compare against these files.

Run by hand (not in CI); the script makes its own virtual environment on first use:
    python3 scripts/reference/qwen_reference.py
(set NNETNAV_REF_VENV to reuse another venv; NNETNAV_TORCH to pin a CPU torch wheel, e.g. "torch==2.13.0+cpu").
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/LlamaModelTests/Fixtures/qwen"


def ensure_environment():
    try:
        import torch, transformers, tokenizers, gguf, safetensors  # noqa: F401
        return
    except ImportError:
        pass
    venv = Path(os.environ.get("NNETNAV_REF_VENV", "/tmp/nnetnav-qwen-ref"))
    py = venv / "bin/python"
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", os.environ.get("NNETNAV_TORCH", "torch")])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "transformers", "tokenizers", "safetensors", "gguf", "numpy"])
    os.execv(str(py), [str(py), __file__] + sys.argv[1:])


ensure_environment()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from gguf import GGUFWriter  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM  # noqa: E402

# Qwen2's pre-tokenizer regex, as in its tokenizer.json (Qwen2.5 and Qwen3 use the same).
QWEN_REGEX = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]

TRAINING_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.",
    "Click the link to open the forum, then sign in with your user name and password.",
    "def add(a, b):\n    return a + b\n\nprint(add(12, 30))\n",
    "Numbers 0 1 2 3 4 5 6 7 8 9 and 2024, 3.14159, 1,000,000.",
    "日本語のテキストと中文文本，以及한국어 텍스트。",
    "I'm sure they're here; we've seen it, you'll see, he'd go. DON'T SHOUT.",
    "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\nParis.<|im_end|>\n",
]

CASES = [
    "", "Hello world", "Hello, world! How's it going? I'm fine, they're here, we've done it, you'll see, he'd go.",
    "DON'T SHOUT. Don'T shout. don 't I'M YOU'LL WE'VE", "  leading spaces and   runs of   spaces   ",
    "tabs\tand\t\tnewlines\n\nand\r\nwindows line ends\n \n\t \n", "trailing newline\n", "   ", "\n", " \n\n  x",
    "Numbers: 0 1 12 123 1234 12345 3.14159 -42 1e10 1,000,000 ²³ ½ ٣٤ 五",
    "Prices $19.99, €5, £3.50; 50% off! Call 555-0123.", "日本語のテキストと中文文本，以及한국어 텍스트。",
    "Café naïve résumé Zürich", "Cafe\u0301 decomposed e\u0301 (NFC composes it)", "Ελληνικά кириллица עברית العربية",
    "Emoji: 😀🎉👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️", "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    "x=1;y=2\n\n\nz = x+y  # sum", "...!!!???\n\n--- *** ###", "'s 'S 're 'RE it's IT'S", "\t\tindent\n\t\tmore",
    "a\u00a0b\u2003c  \u3000d", "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "<think>\n\n</think>\n\nOK", "Mixed123abc456 v2.0.1-beta+exp.sha.5114f85", "'hello' \"quoted\" (paren) [bracket] {brace}",
    "https://example.com/path?q=1&r=two#frag", "emails: someone@example.org, x.y@z.co",
]


def build_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=330, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(TRAINING_TEXT * 3, trainer=trainer)
    return tok


def randomize(model, seed):
    """transformers initialises biases at 0 and norm scales at 1, which would hide both: every
    parameter gets random values instead, large enough that logits are far from uniform."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            if p.dim() == 1:
                p.copy_((1 + 0.3 * noise) if "norm" in name else 0.5 * noise)
            else:
                p.copy_(noise * (0.5 if "embed" in name else 0.25))


def gguf_tokenizer_metadata(w, tok, template):
    vocab = tok.get_vocab()
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    merges = json.loads(tok.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types([3 if t in SPECIALS else 1 for t in tokens])
    w.add_token_merges(merges)
    w.add_eos_token_id(vocab["<|im_end|>"])
    w.add_bos_token_id(vocab["<|endoftext|>"])
    w.add_chat_template(template)


HF_TO_GGUF = {
    "model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight",
    "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight", "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.q_proj.bias": "attn_q.bias", "self_attn.k_proj.bias": "attn_k.bias", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
    "self_attn.o_proj.weight": "attn_output.weight", "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def write_gguf(path, arch, config, model, tok, template):
    w = GGUFWriter(str(path), arch)
    w.add_context_length(config.max_position_embeddings)
    w.add_embedding_length(config.hidden_size)
    w.add_feed_forward_length(config.intermediate_size)
    w.add_block_count(config.num_hidden_layers)
    w.add_head_count(config.num_attention_heads)
    w.add_head_count_kv(config.num_key_value_heads)
    # transformers 5 keeps RoPE settings in rope_parameters; older configs have rope_theta.
    theta = (getattr(config, "rope_parameters", None) or {}).get("rope_theta") or config.rope_theta
    w.add_rope_freq_base(theta)
    w.add_layer_norm_rms_eps(config.rms_norm_eps)
    if arch == "qwen3":
        w.add_key_length(config.head_dim)
        w.add_value_length(config.head_dim)
    gguf_tokenizer_metadata(w, tok, template)
    for name, p in model.state_dict().items():
        if name == "lm_head.weight" and config.tie_word_embeddings:
            continue
        if name.startswith("model.layers."):
            parts = name.split(".")
            gname = f"blk.{parts[2]}." + HF_TO_GGUF[".".join(parts[3:])]
        else:
            gname = HF_TO_GGUF[name]
        # llama.cpp's converter keeps Qwen's q/k rows as they are (its Qwen graphs use NeoX RoPE).
        w.add_tensor(gname, p.detach().numpy().astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


QWEN2_TEMPLATE = ("{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
                  "{%- else %}{{- '<|im_start|>system\\nYou are a tiny test model.<|im_end|>\\n' }}{%- endif %}"
                  "{%- for message in messages %}...{%- endfor %}")
QWEN3_TEMPLATE = ("{%- for message in messages %}...{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
                  "{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}")


def sample_columns(vocab):
    return list(range(0, vocab, 7))


def logits_record(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    cols = sample_columns(logits.shape[1])
    return {"ids": ids, "columns": cols,
            "sampled": [[round(float(v), 6) for v in row[cols]] for row in logits],
            "logsumexp": [round(float(v), 6) for v in torch.logsumexp(logits, -1)],
            "argmax": [int(v) for v in logits.argmax(-1)]}


def gradient_record(model, ids, targets):
    """Mean cross-entropy over the targets (-1 = none) and its gradient for a sample of each
    parameter's entries (every STRIDE-th), what the trainer's gradient check compares."""
    model.zero_grad()
    logits = model(torch.tensor([ids])).logits[0]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(targets), ignore_index=-1)
    loss.backward()
    grads = {}
    for name, p in model.named_parameters():
        flat = p.grad.detach().reshape(-1)
        grads[name] = [float(f"{float(v):.6g}") for v in flat[::STRIDE]]
    return {"ids": ids, "targets": targets, "loss": float(loss.detach()), "stride": STRIDE, "gradients": grads}


STRIDE = 23


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer()
    tok.save(str(OUT / "tokenizer.json"))
    cases = []
    for text in CASES:
        ids = tok.encode(text).ids
        cases.append({"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
    (OUT / "tokenizer_cases.json").write_text(json.dumps({"regex": QWEN_REGEX, "cases": cases}, ensure_ascii=False, indent=0))
    vocab = tok.get_vocab_size()

    prompts = [tok.encode("<|im_start|>user\nOpen the forum 42.<|im_end|>\n<|im_start|>assistant\n").ids,
               tok.encode("The quick brown fox, 日本語 123 jumps.").ids]
    common = dict(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=256, rope_theta=1_000_000.0, rms_norm_eps=1e-6,
                  torch_dtype="float32")
    specs = [
        ("qwen2", Qwen2Config(**common, tie_word_embeddings=True), Qwen2ForCausalLM, QWEN2_TEMPLATE, 2),
        ("qwen3", Qwen3Config(**common, head_dim=16, tie_word_embeddings=False, attention_bias=False), Qwen3ForCausalLM, QWEN3_TEMPLATE, 3),
    ]
    expected = {}
    for arch, config, cls, template, seed in specs:
        torch.manual_seed(seed)
        model = cls(config).eval()
        randomize(model, seed)
        model.config.attn_implementation = "eager"
        d = OUT / arch
        d.mkdir(exist_ok=True)
        model.save_pretrained(d, safe_serialization=True)
        for extra in ["generation_config.json"]:
            (d / extra).unlink(missing_ok=True)
        write_gguf(OUT / f"{arch}.gguf", arch, config, model, tok, template)
        targets = prompts[0][1:] + [-1]
        targets[:3] = [-1, -1, -1]
        expected[arch] = {"logits": [logits_record(model, p) for p in prompts],
                          "gradient": gradient_record(model, prompts[0], targets)}
    (OUT / "expected.json").write_text(json.dumps(expected))
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"fixtures in {OUT}: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
