#!/usr/bin/env python3
"""Tokenizer oracle: ids from Hugging Face `tokenizers` for SmolLM2 on a varied corpus.

Builds a tokenizer.json from the GGUF's tokenizer.ggml.* metadata (the same vocabulary, merges
and special tokens as HuggingFaceTB/SmolLM2-135M-Instruct, with its Digits + ByteLevel
pre-tokenizer), encodes the corpus with the Rust tokenizer, and writes the fixture that
Tests/LlamaModelTests/TokenizerFixtureTests.swift compares against exactly.

Run by hand (not in CI):
    python3 -m venv /tmp/engvenv && /tmp/engvenv/bin/pip install numpy gguf tokenizers
    /tmp/engvenv/bin/python scripts/reference/tokenizer_reference.py models/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import sys
from pathlib import Path

from gguf import GGUFReader
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "Tests/LlamaModelTests/Fixtures/smollm2_tokenizer.json"

CORPUS = [
    "",
    "Hello world",
    "Hello, world! How's it going? I'm fine, they're here, we've done it, you'll see, he'd go.",
    "DON'T SHOUT. Don't shout. don 't",
    "  leading spaces and   runs of   spaces   ",
    "tabs\tand\t\tnewlines\n\nand\r\nwindows line ends\n \n\t \n",
    "trailing newline\n",
    "   ",
    "\n",
    "Café naïve résumé Zürich Ångström façade coöperate",
    "Ελληνικά кириллица עברית العربية हिन्दी",
    "日本語のテキストと中文文本，以及한국어 텍스트。",
    "Emoji: 😀🎉👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
    "Numbers: 0 1 12 123 1234 3.14159 -42 1e10 1,000,000 ²³ ½ ٣٤ 五",
    "Prices $19.99, €5, £3.50; 50% off! Call 555-0123.",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; } // dot",
    "<div class=\"item\"><a href=\"/forum/f/42\">Reply</a></div>",
    "{\"name\": \"Alice\", \"age\": 30, \"tags\": [\"a\", \"b\"]}",
    "click [1234] type [56] \"search query\" scroll [down] goto [http://localhost:7770/admin]",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|><|im_end|><|endoftext|><repo_name>x<file_sep>",
    "not special: <|im_start and im_end|> <|unknown|>",
    "mixed'quotes 'single' \"double\" `back` ’curly’ ‘quotes’",
    "a-b_c.d/e\\f|g~h^i&j*k(l)m[n]o{p}q<r>s",
    "!!!??? ... --- *** ### @@@",
    "zero\u200bwidth and\u00a0nbsp and\u3000ideographic space",
    "e\u0301 combining acute, a\u0308 umlaut",
    "WWW.EXAMPLE.COM/path?query=1&x=2#frag",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "x" * 300,
    " " * 40 + "end",
    "\x00\x01\x07 control chars \x1b[0m",
]


def tokenizer_json(reader: GGUFReader) -> dict:
    f = reader.fields
    tokens = f["tokenizer.ggml.tokens"].contents()
    types = f["tokenizer.ggml.token_type"].contents()
    merges = f["tokenizer.ggml.merges"].contents()
    added = [
        {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, (t, ty) in enumerate(zip(tokens, types)) if ty in (3, 4)
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        ]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": list(merges)},
    }


def main() -> None:
    model = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "models/SmolLM2-135M-Instruct.Q4_1.gguf")
    spec = tokenizer_json(GGUFReader(str(model)))
    out_json = Path("/tmp/smollm2_tokenizer.json")
    out_json.write_text(json.dumps(spec, ensure_ascii=False))
    tok = Tokenizer.from_file(str(out_json))
    corpus = list(CORPUS)
    # A larger chunk of real prose and code: this script itself.
    corpus.append(Path(__file__).read_text())
    cases = [{"text": t, "ids": tok.encode(t).ids} for t in corpus]
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps({"tokenizer": "SmolLM2-135M-Instruct (from GGUF) via HF tokenizers",
                                   "cases": cases}, ensure_ascii=False, indent=0))
    print(f"wrote {FIXTURE} ({len(cases)} cases, {sum(len(c['ids']) for c in cases)} tokens); tokenizer.json at {out_json}")


if __name__ == "__main__":
    main()
