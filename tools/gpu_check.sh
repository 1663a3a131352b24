#!/usr/bin/env bash
# The GPU check of issue 14, for when a machine with an NVIDIA GPU is at hand: the scale
# bench's 3M case (60,000 users, 30,000 items) through the default `evaluate` with torch on
# CUDA (the transformer trains and scores there, the text encoder encodes there), timed
# against its 8-minute target. The CPU figures in bench/results/scale_fusion.md are the
# ones the README quotes; this writes the GPU run beside them (its row says the machine).
#
#     tools/gpu_check.sh            # from the repository root, in the project's venv
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" - <<'PY'
import sys
import torch
if not torch.cuda.is_available():
    sys.exit("no CUDA device visible to torch: this check needs a GPU (and a CUDA build "
             "of torch: pip install torch --index-url https://download.pytorch.org/whl/cu124)")
print("GPU:", torch.cuda.get_device_name(0))
PY
nvidia-smi --query-gpu=name,memory.total,utilization.gpu --format=csv || true
start=$(date +%s)
HF_HUB_OFFLINE=1 "$PYTHON" bench/scale_fusion.py --sizes 3M --device cuda
seconds=$(( $(date +%s) - start ))
echo "3M on the GPU: ${seconds} s in all (target: the evaluate under 480 s; see the table)"
