#!/usr/bin/env bash
# Runs one fuzz target for a number of seconds and reports crashes.
#
#   scripts/fuzz.sh TARGET SECONDS        TARGET: html | css | action | modules | gguf | safetensors
#
# Engine (NNETNAV_FUZZ_ENGINE): `libfuzzer` builds nnetnav-fuzz with `swift build --sanitize=fuzzer`
# (coverage-guided, corpus in fuzz/corpus/TARGET); `seeded` (the default when the libFuzzer build
# is absent) runs the structure-aware generator of an ordinary build, restarting with the next seed
# after a crash. Crash inputs land in fuzz/crashers/; each one becomes a regression test.
# fuzz/seeds/TARGET (committed) holds valid files that start libFuzzer past the file magic.
# Runs at the lowest CPU priority: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET SECONDS}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
case "$target" in html|css|action|modules|gguf|safetensors) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
engine="${NNETNAV_FUZZ_ENGINE:-}"
fuzz_build=.build/fuzz
mkdir -p fuzz/crashers "fuzz/corpus/$target" .build/fuzz-work
scratch="$(mktemp -d .build/fuzz-work/"$target".XXXX)"
trap 'rm -rf "$scratch"' EXIT

if [[ -z "$engine" ]]; then
    if [[ -x "$fuzz_build/release/nnetnav-fuzz-libfuzzer" ]]; then engine=libfuzzer; else engine=seeded; fi
fi

if [[ "$engine" == libfuzzer ]]; then
    if [[ ! -x "$fuzz_build/release/nnetnav-fuzz-libfuzzer" || -n "${NNETNAV_FUZZ_REBUILD:-}" ]]; then
        nice -n 19 swift build -c release -j 1 --sanitize=fuzzer -Xswiftc -DLIBFUZZER \
            --build-path "$fuzz_build" --product nnetnav-fuzz
        cp "$fuzz_build/release/nnetnav-fuzz" "$fuzz_build/release/nnetnav-fuzz-libfuzzer"
    fi
    start=$(date +%s)
    set +e
    NNETNAV_FUZZ_TARGET="$target" NNETNAV_FUZZ_SCRATCH="$scratch" nice -n 19 \
        "$fuzz_build/release/nnetnav-fuzz-libfuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=20 \
        -rss_limit_mb=4096 -artifact_prefix="fuzz/crashers/$target-" "fuzz/corpus/$target" \
        $( [[ -d "fuzz/seeds/$target" ]] && echo "fuzz/seeds/$target" ) 2>"$scratch/log"
    rc=$?
    set -e
    tail -n 5 "$scratch/log"
    echo "fuzz $target: libfuzzer ran $(( $(date +%s) - start )) s, exit $rc, crashers: $(ls fuzz/crashers | grep -c "^$target-" || true)"
    exit $rc
fi

binary=.build/debug/nnetnav-fuzz
if [[ ! -x "$binary" ]]; then nice -n 19 swift build -j 1 --product nnetnav-fuzz; fi
start=$(date +%s)
seed=1
crashes=0
while (( $(date +%s) - start < seconds )); do
    left=$(( seconds - ($(date +%s) - start) ))
    set +e
    NNETNAV_FUZZ_SCRATCH="$scratch" nice -n 19 "$binary" "$target" "$left" "$seed" --save-last "$scratch/last" >"$scratch/out" 2>"$scratch/err"
    rc=$?
    set -e
    if (( rc != 0 )); then
        crashes=$(( crashes + 1 ))
        saved="fuzz/crashers/$target-seed$seed-$(date +%s)"
        cp "$scratch/last" "$saved"
        echo "CRASH (exit $rc) with seed $seed; input saved to $saved"
        grep -m 3 -E "Fatal error|error:|Crash" "$scratch/err" || true
    else
        cat "$scratch/out"
    fi
    seed=$(( seed + 1 ))
done
echo "fuzz $target: seeded generator ran $(( $(date +%s) - start )) s, $crashes crash(es)"
(( crashes == 0 ))
