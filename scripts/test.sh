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
swift test --skip-build
