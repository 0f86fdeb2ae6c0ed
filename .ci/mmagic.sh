#!/usr/bin/env bash
# Run the MMagic interop tests in the pinned MMagic 1.2.0 environment.
#
# The environment is cached outside the clone (tools/setup_mmagic_env.sh) and
# rebuilt when absent, about 14 minutes on 2 cores; with the cache, seconds.
# Fails if the mmagic tests are skipped there: in that environment a skip means
# the interop is broken, not that MMagic is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# albumentations (imported by mmagic.datasets) would look for updates online.
export NO_ALBUMENTATIONS_UPDATE=1

ENV_DIR="$(bash tools/setup_mmagic_env.sh | tail -n 1)"
PY="$ENV_DIR/bin/python"
echo "MMagic environment: $ENV_DIR"
"$PY" -c 'import torch, numpy, mmcv, mmengine, mmagic; print(
    "torch", torch.__version__, "numpy", numpy.__version__, "mmcv", mmcv.__version__,
    "mmengine", mmengine.__version__, "mmagic", mmagic.__version__)'

# Every test module of the plugin must at least import on the old stack
# (torch 2.1.2, numpy < 2).
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
"$PY" -m pytest tests -q --collect-only -p no:cacheprovider > "$LOG" \
    || { cat "$LOG"; echo 'tests do not import on the MMagic stack' >&2; exit 1; }
tail -n 1 "$LOG"

"$PY" -m pytest tests/test_mmagic -m mmagic -q -rs -p no:cacheprovider | tee "$LOG"
if grep -qE '[0-9]+ skipped' "$LOG"; then
    echo 'mmagic tests were skipped inside the MMagic environment' >&2
    exit 1
fi
