#!/usr/bin/env bash
# Measures the README's pruning table: magnitude / Wanda / D-Pruner at 30% and 50%, unstructured and
# FFN channels, on the embedded SmolLM2-135M. Held-out perplexity on datasets/calibration/general_heldout.txt
# (Python-docs prose, no module shared with the calibration text), held-out demonstration loss on the real
# embedded-model demonstrations (datasets/sample/embedded/sft_train.jsonl); D-Pruner's domain calibration is
# the canned sample rows (datasets/sample/sft_train.jsonl). Usage: scripts/pruning-report.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/pruning-report}
bin=${NNETNAV_BIN:-.build/debug/nnetnav}  # numeric targets are optimised in debug builds too
mkdir -p "$out"
common=(--seq-len 512 --general-segments 8 --eval-text datasets/calibration/general_heldout.txt --eval-segments 8
        --eval-data datasets/sample/embedded/sft_train.jsonl --domain-calibration datasets/sample/sft_train.jsonl)
"$bin" prune --method magnitude --sparsity 0 "${common[@]}" --out "$out/dense" | tail -3
rm -f "$out/dense/model.safetensors" "$out/dense/model.gguf"
for pattern in unstructured ffn-channels; do
  for sparsity in 0.3 0.5; do
    for method in magnitude wanda dpruner; do
      dir="$out/$method-$pattern-$sparsity"
      "$bin" prune --method "$method" --pattern "$pattern" --sparsity "$sparsity" "${common[@]}" --out "$dir" | tail -3
      rm -f "$dir/model.safetensors" "$dir/model.gguf"   # keep prune.json; the weights are 1 GB a run
    done
  done
done
