#!/usr/bin/env bash
# Build (or reuse) the pinned MMagic 1.2.0 environment and install this repo into it.
#
#   bash tools/setup_mmagic_env.sh          # prints the environment's path last
#   "$(bash tools/setup_mmagic_env.sh | tail -n1)/bin/python" -c 'import mmagic'
#
# MMagic 1.2.0 only imports on an old stack (docs/mmagic.md): torch 2.1.2, a full
# mmcv 2.1.0 whose CPU ops are compiled here (about 12 of the 14 minutes on 2
# cores), numpy < 2 and a few pinned libraries (requirements/mmagic*.txt).
#
# The environment lives outside the clone, at
#   ${CYCLEGAN_MMAGIC_ENV:-$HOME/.cache/cyclegan_plugin/mmagic-<hash>}
# where <hash> covers requirements/mmagic*.txt and this script, so a change to the
# pins builds a new one. A build goes into a temporary folder that is renamed only
# once complete (marker file written last), so an interrupted build is never reused.
# Every call (re)installs this checkout editable, which is quick: CI clones anew.
#
# Environment variables:
#   CYCLEGAN_MMAGIC_ENV     where the environment lives (default above).
#   CYCLEGAN_MMAGIC_PYTHON  interpreter for the venv. Defaults to python3.11.
#   MAX_JOBS                parallel compile jobs for mmcv. Defaults to 2.
set -euo pipefail
# Only the environment's path goes to stdout (callers take its last line);
# everything else, pip's output included, to stderr.
exec 3>&1 1>&2

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="$REPO/tools/setup_mmagic_env.sh"
CONSTRAINTS="$REPO/requirements/mmagic-constraints.txt"
PYTHON="${CYCLEGAN_MMAGIC_PYTHON:-python3.11}"

HASH="$(cat "$SCRIPT" "$REPO"/requirements/mmagic*.txt | sha256sum | cut -c1-12)"
ENV_DIR="${CYCLEGAN_MMAGIC_ENV:-$HOME/.cache/cyclegan_plugin/mmagic-$HASH}"
MARKER="$ENV_DIR/.cyclegan_mmagic_complete"

log() { echo "[setup_mmagic_env $(date +%H:%M:%S)] $*" >&2; }

build_env() {
    local dest="$1"
    local pip=("$dest/bin/python" -m pip install --no-input)

    log "creating venv with $PYTHON in $dest"
    "$PYTHON" -m venv "$dest"

    # Step 1: build tools and the torch that mmcv compiles against.
    log 'step 1/3: torch 2.1.2, numpy < 2, build tools'
    "${pip[@]}" -c "$CONSTRAINTS" 'setuptools<70' wheel ninja 'numpy<2' \
        torch==2.1.2 torchvision==0.16.2

    # Step 2: mmcv's CPU ops compile against the torch just installed, hence no
    # build isolation. pip caches the built wheel, so a rebuild on the same machine
    # skips the compile.
    log 'step 2/3: mmcv 2.1.0 (compiles its CPU ops: about 12 minutes on 2 cores)'
    MAX_JOBS="${MAX_JOBS:-2}" FORCE_CUDA=0 \
        "${pip[@]}" -c "$CONSTRAINTS" --no-build-isolation mmcv==2.1.0

    # Step 3: MMagic and the libraries it imports, held to versions that import.
    log 'step 3/3: mmengine, mmagic and pinned libraries'
    "${pip[@]}" -c "$CONSTRAINTS" -r "$REPO/requirements/mmagic.txt"

    "$dest/bin/python" -c 'import mmcv.ops, mmagic.models; print("mmagic ok")'
}

if [[ -f "$MARKER" ]]; then
    log "reusing $ENV_DIR"
else
    mkdir -p "$(dirname "$ENV_DIR")"
    TMP_DIR="$ENV_DIR.tmp.$$"
    rm -rf "$TMP_DIR"
    trap 'rm -rf "$TMP_DIR"' EXIT
    SECONDS=0
    build_env "$TMP_DIR"
    # A venv runs from another folder through bin/python (its console scripts keep
    # the old path in their shebangs; nothing here uses them).
    rm -rf "$ENV_DIR"
    mv "$TMP_DIR" "$ENV_DIR"
    trap - EXIT
    date -u +%FT%TZ > "$MARKER"
    log "built $ENV_DIR in ${SECONDS}s"
fi

# This checkout, editable; CYCLEGAN_PLUGIN_MMCV=full keeps setup.py from asking
# for mmcv-lite beside the full mmcv.
log "installing $REPO (editable, with test and eval extras)"
CYCLEGAN_PLUGIN_MMCV=full "$ENV_DIR/bin/python" -m pip install --no-input -q \
    -c "$CONSTRAINTS" --no-build-isolation -e "$REPO[tests,eval]"

echo "$ENV_DIR" >&3
