#!/usr/bin/env python3
"""llama.cpp yardstick for `nnetnav-bench engine`: prompt eval and generation speed of the same
GGUF on the same prompt tokens, through llama-cpp-python (optional; not needed by set-up or tests).

Install (builds llama.cpp from source, ~13 min on 2 cores):
    CMAKE_ARGS=-DGGML_NATIVE=ON pip install llama-cpp-python

Prints one JSON line: prefill and decode seconds (best of --repeats, from llama.cpp's own timers),
plus the llama.cpp system info (which SIMD paths it was built with).
"""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--tokens", required=True, help="comma-separated prompt token ids")
parser.add_argument("--decode", type=int, default=128)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()

try:
    import numpy as np
    import llama_cpp
except ImportError as error:
    print(json.dumps({"error": f"llama-cpp-python is not installed ({error})"}))
    sys.exit(0)

prompt = [int(t) for t in args.tokens.split(",")]
llm = llama_cpp.Llama(model_path=args.model, n_ctx=len(prompt) + args.decode + 16, n_batch=len(prompt),
                      n_ubatch=len(prompt), n_threads=args.threads, n_threads_batch=args.threads, verbose=False)

n_vocab = llm.n_vocab()


def last_logits():
    # The last evaluated position's logits straight from llama.cpp: llama-cpp-python (0.3.x) no longer
    # copies them into `Llama.scores` unless logits_all, which would add a head matmul per prompt token.
    return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(n_vocab,))


prefill_best = decode_best = float("inf")
generated = []
for _ in range(args.repeats):
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm.ctx)
    llm.eval(prompt)
    # llama.cpp books a batch's time when the context synchronizes, not when decode returns.
    llama_cpp.llama_synchronize(llm.ctx)
    perf = llama_cpp.llama_perf_context(llm.ctx)
    prefill_best = min(prefill_best, perf.t_p_eval_ms / 1000)
    llama_cpp.llama_perf_context_reset(llm.ctx)
    tokens = []
    for _ in range(args.decode):
        token = int(np.argmax(last_logits()))
        tokens.append(token)
        llm.eval([token])
    llama_cpp.llama_synchronize(llm.ctx)
    perf = llama_cpp.llama_perf_context(llm.ctx)
    decode_best = min(decode_best, perf.t_eval_ms / 1000)
    generated = tokens

print(json.dumps({
    "version": llama_cpp.__version__,
    "system_info": llama_cpp.llama_print_system_info().decode().strip(),
    "prefill_seconds": prefill_best,
    "prompt_tokens": len(prompt),
    "decode_seconds": decode_best,
    "decode_tokens": args.decode,
    "generated": generated,
}))
