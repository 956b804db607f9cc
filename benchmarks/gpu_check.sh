#!/usr/bin/env bash
# One short command for a GPU machine: the GPU tests, then the GPT-2 124M benchmark.
# Usage: benchmarks/gpu_check.sh   (a few minutes; exits 1 with a message where no CUDA)
set -uo pipefail
cd "$(dirname "$0")/.."

if ! python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: no CUDA device found (torch.cuda.is_available() is False); run this on a GPU machine" >&2
    exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true

echo "== GPU tests"
timeout 600 python -m pytest -q -m gpu tests
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then  # 5: no GPU tests collected
    echo "gpu_check: GPU tests failed (exit $status)" >&2
    exit "$status"
fi

echo "== GPU benchmark"
timeout 900 python benchmarks/gpu_benchmark.py --steps 30 "$@"
status=$?

echo "== forward+backward vs nanoGPT-style references (CUDA)"
timeout 600 python benchmarks/forward_backward.py --device cuda --repeats 20 || status=$?

echo "== greedy generation vs transformers (CUDA)"
timeout 600 python benchmarks/generation_speed.py --device cuda --repeats 7 || status=$?
exit "$status"
