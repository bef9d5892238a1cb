#!/usr/bin/env bash
# Measures README's recovery tables (issue #21): SmolLM2-135M pruned by Wanda to 30% and 50% fewer FFN channels,
# then recovered with LoRA on rows chosen by PASER or at random (10% and 20% of the pool) or on the whole pool,
# every arm the same 96 steps (scripts/recovery-at-sparsity.sh, once per sparsity); the pool is the oracle's rows
# (scripted solutions of the experiment's training-split tasks). Also D-Pruner's FFN-channel mask with the pool as
# its domain calibration, unrecovered and recovered on the random 20%, and IFPruning on the pool split by task.
# About 5 h on 2 cores (PASER's scoring of 521 rows is about 35 min per sparsity).
# Usage: scripts/recovery-report.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/recovery}
source scripts/recovery-settings.sh
mkdir -p "$out"

for sparsity in 0.3 0.5; do bash scripts/recovery-at-sparsity.sh "$sparsity" "$out"; done
pool=$out/pool/oracle/sft_scroll_runs_collapsed.jsonl
"$bin" experiment --arms base "${common[@]}" --out "$out/exp-dense"
"$bin" eval --report-only "$out/exp-pruned30/base/eval-reference-steps" --compare "$out/exp-dense/base/eval-reference-steps"
"$bin" eval --report-only "$out/exp-pruned50/base/eval-reference-steps" --compare "$out/exp-dense/base/eval-reference-steps"

# D-Pruner's mask with the pool as domain calibration: unrecovered against Wanda's, then recovered on the same
# random 20% (session 13) against its unrecovered self and Wanda + random 20%.
dpruner=$out/dpruner-ffn30-q41
[ -f "$dpruner/model.gguf" ] || "$bin" prune --method dpruner --pattern ffn-channels --sparsity 0.3 --weight-type q4_1 \
    "${heldout_text[@]}" --domain-calibration "$pool" --domain-rows 128 --out "$dpruner"
"$bin" experiment --arms base --student "$dpruner/model.gguf" "${common[@]}" --out "$out/exp-dpruner"
"$bin" eval --report-only "$out/exp-dpruner/base/eval-reference-steps" --compare "$out/exp-pruned30/base/eval-reference-steps"
"$bin" experiment --arms nnetnav --data "$out/random/budget-20%/selected.jsonl" --student "$dpruner/model.gguf" \
    --train-steps 96 "${common[@]}" --out "$out/exp-dpruner-random20"
"$bin" eval --report-only "$out/exp-dpruner-random20/nnetnav/eval-reference-steps" --compare "$out/exp-dpruner/base/eval-reference-steps"
"$bin" eval --report-only "$out/exp-dpruner-random20/nnetnav/eval-reference-steps" --compare "$out/exp-random20-30/nnetnav/eval-reference-steps"
"$bin" prune --model "$out/exp-dpruner-random20/nnetnav/checkpoint/model.gguf" --method magnitude --sparsity 0 --skip-weights \
    "${heldout_text[@]}" --out "$out/ppl-dpruner-random20"

# IFPruning with many instructions: the pool split by task (every fifth task held out), 30% of the FFN channels.
mkdir -p "$out/ifp"
python3 - "$pool" "$out/ifp" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
held = lambda r: int(r["id"].split(":")[0]) % 5 == 4
open(f"{sys.argv[2]}/train.jsonl", "w").writelines(json.dumps(r) + "\n" for r in rows if not held(r))
open(f"{sys.argv[2]}/heldout.jsonl", "w").writelines(json.dumps(r) + "\n" for r in rows if held(r))
PY
"$bin" ifprune --data "$out/ifp/train.jsonl" --held-out "$out/ifp/heldout.jsonl" --sparsity 0.3 --seq-len 512 --out "$out/ifp/ffn30"
