#!/usr/bin/env bash
# Measures the README's three-seed learning table ("Does the data teach?", sessions 17 and 18): the 40-episode
# crawl of the five bundled sites, then the learning experiment's nnetnav arm on seeds 0-2, unweighted and with
# stop rows weighted 0.25, all against one base arm (evaluated once, its journal copied into every run), then
# the pooled comparisons by task (`nnetnav compare`). About 80 minutes on 2 cores; rerunning resumes (the crawl
# store and every arm's journal are kept). Environment overrides, for a quick check of the script itself:
# EPISODES, TASKS_PER_SITE, TRAIN_STEPS, SITES.
# Usage: scripts/learning-seeds.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/learning-seeds}
bin=${NNETNAV_BIN:-.build/release/nnetnav}
sites=${SITES:-shop,forum,admin,wiki,code}
mkdir -p "$out"

"$bin" explore --sites "$sites" --episodes "${EPISODES:-40}" --max-actions 8 --concurrency 2 --store "$out/crawl.sqlite"
"$bin" export --store "$out/crawl.sqlite" --out "$out/dataset"

common=(--arms base,nnetnav --data "$out/dataset/sft_train.jsonl" --sites "$sites" --tasks-per-site "${TASKS_PER_SITE:-6}"
        --max-difficulty 3 --max-steps 6 --train-steps "${TRAIN_STEPS:-96}" --lora-rank 8 --learning-rate 1e-3
        --no-collapse-scrolls --decoding reasoned)
# One run: NAME SEED [extra flags]; the base arm is evaluated by the first and reused by the others.
run() {
  local name=$1 seed=$2; shift 2
  if [ "$name" != plain-s0 ] && [ ! -d "$out/$name/base" ]; then
    mkdir -p "$out/$name" && cp -r "$out/plain-s0/base" "$out/$name/base"
  fi
  "$bin" experiment "${common[@]}" --seed "$seed" "$@" --out "$out/$name" > "$out/$name.log"
}
run plain-s0 0
for seed in 0 1 2; do
  [ "$seed" = 0 ] || run "plain-s$seed" "$seed"
  run "w25-s$seed" "$seed" --action-weight stop=0.25
done

steps=nnetnav/eval-reference-steps
unweighted=() weighted=()
for seed in 0 1 2; do
  unweighted+=(--after "$out/plain-s$seed/$steps")
  weighted+=(--after "$out/w25-s$seed/$steps")
done
{
  echo "== stop=0.25 − unweighted, paired by seed"
  "$bin" compare "${unweighted[@]/--after/--before}" "${weighted[@]}"
  echo "== stop=0.25 − base"
  "$bin" compare --before "$out/plain-s0/base/eval-reference-steps" "${weighted[@]}"
  echo "== unweighted − base"
  "$bin" compare --before "$out/plain-s0/base/eval-reference-steps" "${unweighted[@]}"
} | tee "$out/pooled.txt"
