#!/usr/bin/env bash
# Measures README's recovery table (issue #21): SmolLM2-135M pruned by Wanda to 30% fewer FFN channels, then
# recovered with LoRA on rows chosen by PASER or at random (10% and 20% of the pool) or on the whole pool, every
# arm the same 96 steps; the pool is the oracle's rows (scripted solutions of the experiment's training-split
# tasks). Each model is evaluated by the learning experiment's harness on the 27 held-out tasks: success, and
# the teacher-forced pass over their solutions (steps matched, log P of the reference), each recovered arm
# paired with the unrecovered pruned model. Also D-Pruner's FFN-channel mask with the pool as its domain
# calibration, unrecovered. About 2.5 h on 2 cores (PASER's scoring of 521 rows is 35 min of it).
# Usage: scripts/recovery-report.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/recovery}
bin=${NNETNAV_BIN:-.build/release/nnetnav}
dense=models/SmolLM2-135M-Instruct.Q4_1.gguf
common=(--sites shop,forum,admin,wiki,code --tasks-per-site 6 --max-difficulty 3 --max-steps 6
        --lora-rank 8 --learning-rate 1e-3 --no-match-rows --decoding choice)
heldout_text=(--eval-text datasets/calibration/general_heldout.txt --eval-segments 6 --general-segments 4 --seq-len 512)
mkdir -p "$out"

"$bin" experiment --arms oracle "${common[@]}" --collapse-scrolls --oracle-data-only --out "$out/pool"
pool=$out/pool/oracle/sft_scroll_runs_collapsed.jsonl

"$bin" prune --method wanda --pattern ffn-channels --sparsity 0.3 --weight-type q4_1 "${heldout_text[@]}" --out "$out/wanda-ffn30-q41"
"$bin" prune --method dpruner --pattern ffn-channels --sparsity 0.3 --weight-type q4_1 "${heldout_text[@]}" \
    --domain-calibration "$pool" --domain-rows 128 --out "$out/dpruner-ffn30-q41"
pruned=$out/wanda-ffn30-q41/model.gguf

"$bin" select --budget 10% 20% --data "$pool" --dense "$dense" --pruned "$pruned" --seq-len 1024 --out "$out/paser"
"$bin" select --strategy random --budget 10% 20% --data "$pool" --out "$out/random"
# The same scores, each cluster's share split by action kind (seconds: no model runs).
"$bin" select --budget 10% 20% --stratify-actions --reuse-scores "$out/paser/budget-10%/selection.json" --data "$pool" --out "$out/paser-strat"

"$bin" experiment --arms base "${common[@]}" --out "$out/exp-dense"
"$bin" experiment --arms base --student "$pruned" "${common[@]}" --out "$out/exp-pruned"
"$bin" experiment --arms base --student "$out/dpruner-ffn30-q41/model.gguf" "${common[@]}" --out "$out/exp-dpruner"
for arm in paser10:paser/budget-10% paser20:paser/budget-20% random10:random/budget-10% random20:random/budget-20% \
           paserstrat10:paser-strat/budget-10% paserstrat20:paser-strat/budget-20% all:; do
    name=${arm%%:*}; sel=${arm#*:}
    data=$([ -n "$sel" ] && echo "$out/$sel/selected.jsonl" || echo "$pool")
    "$bin" experiment --arms nnetnav --data "$data" --student "$pruned" --train-steps 96 "${common[@]}" --out "$out/exp-$name"
done

# Each recovered arm against the unrecovered pruned model, step by step; held-out text perplexity of each model.
for name in paser10 paser20 random10 random20 paserstrat10 paserstrat20 all; do
    "$bin" eval --report-only "$out/exp-$name/nnetnav/eval-reference-steps" --compare "$out/exp-pruned/base/eval-reference-steps"
    "$bin" prune --model "$out/exp-$name/nnetnav/checkpoint/model.gguf" --method magnitude --sparsity 0 --skip-weights \
        "${heldout_text[@]}" --out "$out/ppl-$name"
done
"$bin" eval --report-only "$out/exp-pruned/base/eval-reference-steps" --compare "$out/exp-dense/base/eval-reference-steps"
"$bin" eval --report-only "$out/exp-dpruner/base/eval-reference-steps" --compare "$out/exp-pruned/base/eval-reference-steps"

# 50% of the FFN channels: unrecovered, and recovered on the same random selections.
"$bin" prune --method wanda --pattern ffn-channels --sparsity 0.5 --weight-type q4_1 "${heldout_text[@]}" --out "$out/wanda-ffn50-q41"
"$bin" experiment --arms base --student "$out/wanda-ffn50-q41/model.gguf" "${common[@]}" --out "$out/exp-pruned50"
for budget in 10 20; do
    "$bin" experiment --arms nnetnav --data "$out/random/budget-$budget%/selected.jsonl" --student "$out/wanda-ffn50-q41/model.gguf" \
        --train-steps 96 "${common[@]}" --out "$out/exp-random$budget-50"
    "$bin" eval --report-only "$out/exp-random$budget-50/nnetnav/eval-reference-steps" --compare "$out/exp-pruned50/base/eval-reference-steps"
done

# D-Pruner's mask recovered on the same random 20% (session 13), against its unrecovered self and Wanda + random 20%.
"$bin" experiment --arms nnetnav --data "$out/random/budget-20%/selected.jsonl" --student "$out/dpruner-ffn30-q41/model.gguf" \
    --train-steps 96 "${common[@]}" --out "$out/exp-dpruner-random20"
"$bin" eval --report-only "$out/exp-dpruner-random20/nnetnav/eval-reference-steps" --compare "$out/exp-dpruner/base/eval-reference-steps"
"$bin" eval --report-only "$out/exp-dpruner-random20/nnetnav/eval-reference-steps" --compare "$out/exp-random20/nnetnav/eval-reference-steps"
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
