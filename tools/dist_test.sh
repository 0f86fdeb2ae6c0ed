#!/usr/bin/env bash
# Multi-process testing with torchrun: bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args]
# A process that exits with an error makes torchrun stop the others (SIGTERM,
# SIGKILL 30 s later); one that hangs makes the others fail once a collective
# has waited env_cfg.dist_cfg.timeout seconds, so the job ends either way.
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
cd "$(dirname "$0")/.."
PYTHONPATH="$(pwd):${PYTHONPATH:-}" exec python -m torch.distributed.run \
    --nnodes=1 --nproc_per_node="$NPROC" --master_addr="$MASTER_ADDR" \
    --master_port="$PORT" tools/test.py "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
