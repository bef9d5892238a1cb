#!/usr/bin/env bash
# Second README command: the whole test suite. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
# The model tests skip (visibly) without the embedded model; CI must run them, so its absence fails here.
model=models/SmolLM2-135M-Instruct.Q4_1.gguf
if [ ! -s "$model" ]; then
    echo "error: $model is missing after scripts/prerequisites.sh; the model tests would be skipped" >&2
    exit 1
fi

# A throwaway PostgreSQL server for the shared-crawl-store tests, stopped when this script exits.
source scripts/start-test-postgres.sh

swift build --build-tests

# The suite in two processes side by side. The browser, PostgreSQL and site-serving tests mostly wait
# (on Chromium, sockets, a database), the rest mostly compute, so on CI's two cores the halves overlap
# instead of queueing. The two sets are a regular expression and its complement (--filter / --skip), so
# no test is left out or run twice. Both only read the built products (--skip-build); --ignore-lock stops
# SwiftPM's folder lock serialising them, but each still opens the build database while it plans, so
# the second starts once the first has launched the test binary.
browser='^(ChromiumBrowserTests|CrawlViewerTests|EnvironmentsTests|PostgresStoreTests|MainJobTests)\.|\.(ChromiumTaskSolutionTests|EvaluationReportPageTests|BundledSiteAgreementTests|PolicyEvaluationTests|MiniWoBEvaluationTests)/'
# `swift test ARGS...`, started again (up to 5 times) when SwiftPM could not open the build database
# because the other half or a just-finished build still held it: that attempt ran no test, so a
# retry loses nothing, and a real failure is still returned as it was.
run_half() {
    local log attempt rc
    log=$(mktemp)
    for attempt in 1 2 3 4 5; do
        set +e
        swift test --skip-build --ignore-lock "$@" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        set -e
        if [ "$rc" -ne 0 ] && grep -q "database is locked" "$log" && ! grep -q "Test Suite '" "$log"; then
            echo "build database busy (attempt $attempt); starting this half again" >&2
            sleep 3
            continue
        fi
        break
    done
    rm -f "$log"
    return "$rc"
}
( set -o pipefail; run_half --filter "$browser" | sed -u 's/^/[browser] /' ) &
browser_pid=$!
for _ in $(seq 240); do
    pgrep -f 'PackageTests\.xctest' > /dev/null && break
    kill -0 "$browser_pid" 2>/dev/null || break
    sleep 0.5
done
status=0
run_half --skip "$browser" || status=$?
wait "$browser_pid" || status=$?
exit "$status"
