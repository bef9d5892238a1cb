#!/usr/bin/env bash
# Second README command: the whole test suite. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
swift build --build-tests
swift test --skip-build
