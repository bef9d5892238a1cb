#!/usr/bin/env bash
# Measures the README's recovery comparison (issue #21) at one FFN-channel sparsity: SmolLM2-135M pruned by
# Wanda, then recovered with LoRA (96 steps every arm) on rows chosen by PASER (plain and --stratify-actions),
# at random, or on the whole pool, at 10% and 20% budgets. Every model goes through the learning experiment's
# harness on the 27 held-out tasks; each recovered arm is paired with the unrecovered pruned model and each PASER
# arm with random selection at the same budget; held-out text perplexity of each. PASER's scoring (dense vs
# pruned JSD over the 521 pool rows at 1,024 tokens) is about 30 minutes of it; the whole run about 1.5 h on 2
# cores. Rerunning resumes: finished selections are kept, and every experiment arm resumes from its journal.
# Usage: scripts/recovery-at-sparsity.sh SPARSITY [OUT_DIR]     (e.g. 0.5 runs/recovery)
set -euo pipefail
cd "$(dirname "$0")/.."
sparsity=${1:?usage: scripts/recovery-at-sparsity.sh SPARSITY [OUT_DIR]}
out=${2:-runs/recovery}
tag=$(python3 -c "print(round(float('$sparsity') * 100))")
source scripts/recovery-settings.sh
mkdir -p "$out"

pool=$out/pool/oracle/sft_scroll_runs_collapsed.jsonl
[ -f "$pool" ] || "$bin" experiment --arms oracle "${common[@]}" --collapse-scrolls --oracle-data-only --out "$out/pool"

model_dir=$out/wanda-ffn$tag-q41
pruned=$model_dir/model.gguf
[ -f "$pruned" ] || "$bin" prune --method wanda --pattern ffn-channels --sparsity "$sparsity" --weight-type q4_1 \
    "${heldout_text[@]}" --out "$model_dir"

paser=$out/paser-$tag
[ -f "$paser/budget-20%/selected.jsonl" ] || "$bin" select --budget 10% 20% --data "$pool" --dense "$dense" \
    --pruned "$pruned" --seq-len 1024 --out "$paser"
[ -f "$out/paser-strat-$tag/budget-20%/selected.jsonl" ] || "$bin" select --budget 10% 20% --stratify-actions \
    --reuse-scores "$paser/budget-10%/selection.json" --data "$pool" --out "$out/paser-strat-$tag"
# Random selections do not depend on the model: the same rows at every sparsity.
[ -f "$out/random/budget-20%/selected.jsonl" ] || "$bin" select --strategy random --budget 10% 20% --data "$pool" --out "$out/random"

"$bin" experiment --arms base --student "$pruned" "${common[@]}" --out "$out/exp-pruned$tag"
arms=(paser10:paser-$tag/budget-10% paserstrat10:paser-strat-$tag/budget-10% random10:random/budget-10% all:
      paser20:paser-$tag/budget-20% paserstrat20:paser-strat-$tag/budget-20% random20:random/budget-20%)
for arm in "${arms[@]}"; do
    name=${arm%%:*}; sel=${arm#*:}
    data=$([ -n "$sel" ] && echo "$out/$sel/selected.jsonl" || echo "$pool")
    "$bin" experiment --arms nnetnav --data "$data" --student "$pruned" --train-steps 96 "${common[@]}" \
        --out "$out/exp-$name-$tag"
done

steps=nnetnav/eval-reference-steps
{
    for arm in "${arms[@]}"; do
        name=${arm%%:*}
        echo "== $name at $tag% vs the unrecovered pruned model"
        "$bin" eval --report-only "$out/exp-$name-$tag/$steps" --compare "$out/exp-pruned$tag/base/eval-reference-steps"
    done
    for pair in paser10:random10 paserstrat10:random10 all:random10 paser20:random20 paserstrat20:random20; do
        name=${pair%%:*} random=${pair#*:}
        echo "== $name at $tag% vs $random"
        "$bin" eval --report-only "$out/exp-$name-$tag/$steps" --compare "$out/exp-$random-$tag/$steps"
    done
} 2>&1 | tee "$out/compare-$tag.txt"
for arm in "${arms[@]}"; do
    name=${arm%%:*}
    [ -f "$out/ppl-$name-$tag/prune.json" ] || "$bin" prune --model "$out/exp-$name-$tag/nnetnav/checkpoint/model.gguf" \
        --method magnitude --sparsity 0 --skip-weights "${heldout_text[@]}" --out "$out/ppl-$name-$tag"
done
