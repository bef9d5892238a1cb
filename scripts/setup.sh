#!/usr/bin/env bash
# First README command, part one: install prerequisites and build the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
echo "==> building (release)"
swift build -c release --product nnetnav
