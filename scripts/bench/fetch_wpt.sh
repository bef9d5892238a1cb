#!/usr/bin/env bash
# Fetches the web-platform-tests folders `nnetnav-bench conformance` reads, each reported with its
# own rate (accname, html-aam, core-aam, svg-aam, wai-aria, css/css-display/accessibility), into a
# folder outside this repository, with a sparse shallow clone of github.com/web-platform-tests/wpt.
# Needs network access to GitHub.
#   bash scripts/bench/fetch_wpt.sh /tmp/wpt && swift run -c release nnetnav-bench conformance --wpt /tmp/wpt
set -euo pipefail
DIR="${1:-${TMPDIR:-/tmp}/wpt}"
if [ ! -d "$DIR/.git" ]; then
  git clone --quiet --depth 1 --filter=blob:none --sparse https://github.com/web-platform-tests/wpt "$DIR"
fi
git -C "$DIR" sparse-checkout set accname html-aam core-aam svg-aam wai-aria css/css-display/accessibility
echo "$DIR"
