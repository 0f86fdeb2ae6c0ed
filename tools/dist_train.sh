#!/usr/bin/env bash
# Multi-process training with torchrun: bash tools/dist_train.sh CONFIG NPROC [train.py args]
# Without CUDA the processes use gloo on the CPU (same code path as on GPUs).
# A process that exits with an error makes torchrun stop the others (SIGTERM,
# SIGKILL 30 s later); one that hangs makes the others fail once a collective
# has waited env_cfg.dist_cfg.timeout seconds, so the job ends either way.
set -euo pipefail
CONFIG=$1
NPROC=$2
shift 2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
cd "$(dirname "$0")/.."
PYTHONPATH="$(pwd):${PYTHONPATH:-}" exec python -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    tools/train.py "$CONFIG" --launcher pytorch "$@"
