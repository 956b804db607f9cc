#!/usr/bin/env bash
# One command for a GPU machine, under 12 minutes: the GPU tests (library and a Studio-driven
# offscreen training of the default GPT-2 on the GPU), GPT-2 124M training throughput and
# MFU against the GPU's dense bf16 peak (goal >= 45% on H100/H200, compiled, bf16), and the
# default trial-scale run from the GPT-2 preset to below the corpus's unigram entropy, and a
# scaling sweep (olm sweep: five sizes of GPT-2 and of Llama 3, fitted, where they cross).
# Usage: benchmarks/gpu_check.sh   (exits 1 with a message where there is no CUDA device)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export QT_QPA_PLATFORM=offscreen

if ! $PY -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: no CUDA device found (torch.cuda.is_available() is False); run this on a GPU machine" >&2
    exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
status=0
start=$(date +%s)

echo "== GPU tests (library + Studio offscreen on CUDA)"
timeout 200 $PY -m pytest -q -x -p no:cacheprovider -m gpu tests/train/test_gpu.py \
    tests/studio_training/test_gpu_studio.py
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then echo "gpu_check: GPU tests failed (exit $rc)" >&2; status=$rc; fi

echo "== GPT-2 124M training throughput and MFU (bf16, compiled, fused AdamW)"
timeout 150 $PY benchmarks/gpu_benchmark.py --steps 20 --warmup 6 --only olm "$@" || status=$?

echo "== trial scale from the GPT-2 preset, default settings, on the GPU"
timeout 110 $PY benchmarks/trial_run.py --device cuda --budget 1m --threads 8 || status=$?

echo "== scaling sweep on the GPU: GPT-2 and Llama 3 at 5 sizes each, fit and crossing"
timeout 200 $PY -m olm sweep GPT2 Llama3_2_1B --sizes 5 --budget 3m --device cuda \
    --batch-size 32 --seq-len 256 --json "${TMPDIR:-/tmp}/olm-gpu-sweep.json" || status=$?

echo "gpu_check: done in $(( $(date +%s) - start )) s, exit $status"
exit "$status"
