#!/usr/bin/env bash
# Fetches MiniWoB++'s task pages (Farama-Foundation/miniwob-plusplus, MIT) from the PyPI wheel
# `miniwob` and extracts its html/ folder into a cache that is never committed.
# Usage: scripts/miniwob.sh [DEST]   (default: $NNETNAV_CACHE/miniwob-html or runs/miniwob-html)
# Prints the folder holding miniwob/, core/ and common/ on its last line. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="1.1.0"
DEST="${1:-${NNETNAV_CACHE:-runs}/miniwob-html}"
HTML="$DEST/miniwob-$VERSION/html"
if [ ! -f "$HTML/miniwob/login-user.html" ]; then
  echo "==> fetching MiniWoB++ task pages (PyPI wheel miniwob $VERSION, ~1.9 MB)" >&2
  mkdir -p "$DEST"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --dest "$tmp" "miniwob==$VERSION" >&2
  python3 - "$tmp" "$DEST/miniwob-$VERSION.part" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "miniwob-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    members = [n for n in z.namelist() if n.startswith("miniwob/html/")]
    for name in members:
        target = os.path.join(sys.argv[2], name[len("miniwob/"):])
        if name.endswith("/"):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(z.read(name))
PY
  rm -rf "$DEST/miniwob-$VERSION"
  mv "$DEST/miniwob-$VERSION.part" "$DEST/miniwob-$VERSION"
fi
cd "$HTML" && pwd
