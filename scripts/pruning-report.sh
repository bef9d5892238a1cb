#!/usr/bin/env bash
# Measures the README's pruning table: magnitude / Wanda / D-Pruner at 30% and 50%, unstructured and
# FFN channels, on the embedded SmolLM2-135M (one scoring pass per method, every pattern and sparsity from it).
# Held-out perplexity on datasets/calibration/general_heldout.txt (Python-docs prose, no module shared with the
# calibration text); held-out demonstration loss on the real embedded-model demonstrations
# (datasets/sample/embedded/sft_train.jsonl); D-Pruner's domain calibration is the canned sample rows
# (datasets/sample/sft_train.jsonl). Usage: scripts/pruning-report.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/pruning-report}
bin=${NNETNAV_BIN:-.build/debug/nnetnav}   # the numeric targets are optimised in debug builds too
mkdir -p "$out"
common=(--seq-len 512 --general-segments 4 --eval-text datasets/calibration/general_heldout.txt --eval-segments 6
        --eval-data datasets/sample/embedded/sft_train.jsonl --domain-calibration datasets/sample/sft_train.jsonl --skip-weights)
"$bin" prune --method magnitude --sparsity 0 "${common[@]}" --out "$out/dense"
for method in magnitude wanda dpruner; do
  "$bin" prune --method "$method" --pattern unstructured ffn-channels --sparsity 0.3 0.5 "${common[@]}" --out "$out/$method"
done
