#!/usr/bin/env bash
# Fetches the real-world page corpus `nnetnav-bench agreement` reads: the ~130 saved pages of
# mozilla/readability's test suite (test/test-pages/<name>/source.html, Apache-2.0), into a folder
# outside this repository, with a sparse shallow clone. Needs network access to GitHub.
#   bash scripts/bench/fetch_pages.sh /tmp/pages && swift run -c release nnetnav-bench agreement --pages /tmp/pages/test/test-pages
set -euo pipefail
DIR="${1:-${TMPDIR:-/tmp}/pages}"
if [ ! -d "$DIR/.git" ]; then
  git clone --quiet --depth 1 --filter=blob:none --sparse https://github.com/mozilla/readability "$DIR"
fi
# Only the saved sources: the expected outputs beside them are readability's, not ours.
git -C "$DIR" sparse-checkout set --no-cone '/test/test-pages/*/source.html' '/LICENSE.md'
echo "$DIR/test/test-pages"
