#!/bin/bash
# Issue 22's resumability check: the NNetnav MiniWoB++ evaluation (16 tasks x SEEDS seeds) is killed with
# SIGKILL once half its episodes are journaled, then resumed by rerunning the same command. Prints where the
# kill landed, what the journal held afterwards (a torn last line must be gone) and the total time.
#   scripts/bench/miniwob_kill_resume.sh OUT [SEEDS] [POLICY]
set -u
cd "$(dirname "$0")/../.."
OUT=${1:?output folder}; SEEDS=${2:-5}; POLICY=${3:-local}
HALF=$(( 16 * SEEDS / 2 ))
BIN=.build/release/nnetnav
ARGS=(eval --policy "$POLICY" --miniwob nnetnav --seeds "$SEEDS" --out "$OUT")
start=$(date +%s)
# The binary itself in the background (not a shell function, whose $! would be a subshell that
# kill -9 removes while the evaluation goes on).
"$BIN" "${ARGS[@]}" > "$OUT.part1.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  n=$(cat "$OUT/episodes.jsonl" 2>/dev/null | wc -l)
  if [ "$n" -ge "$HALF" ]; then
    kill -9 "$pid"
    echo "killed -9 at $n of $(( 16 * SEEDS )) episodes after $(( $(date +%s) - start )) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
    break
  fi
  sleep 2
done
wait "$pid" 2>/dev/null
if pgrep -f -- "--out $OUT\$" > /dev/null; then echo "an evaluation on $OUT is still running after the kill"; exit 1; fi
echo "journal after the kill: $(wc -l < "$OUT/episodes.jsonl") lines"
resumed=$(date +%s)
"$BIN" "${ARGS[@]}" > "$OUT.part2.log" 2>&1
status=$?
echo "resumed run: exit $status after $(( $(date +%s) - resumed )) s; total $(( $(date +%s) - start )) s (load $(cut -d' ' -f1-3 /proc/loadavg)); journal $(wc -l < "$OUT/episodes.jsonl") lines"
tail -n 12 "$OUT.part2.log"
