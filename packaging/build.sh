#!/usr/bin/env bash
# Build the one-folder OLM Studio bundle into dist/olm-studio/ with PyInstaller.
#
#   packaging/build.sh            # CPU torch (whatever torch the current Python has)
#   packaging/build.sh --cuda     # see below: bundle a CUDA build of torch
#   PYTHON=/path/to/python packaging/build.sh
#
# The bundle is built from the current Python environment, so install the app and the
# bundler first:  pip install ".[studio,bundle]"  (CPU torch:  pip install torch
# --index-url https://download.pytorch.org/whl/cpu  before that keeps the bundle ~4x smaller).
# --cuda only checks that the environment's torch is a CUDA build and says so: install a CUDA
# wheel of torch (e.g. the default `pip install torch` on Linux) into a separate environment
# and run this script with its Python; the bundle then carries the CUDA libraries (~3-4 GB)
# and needs only the NVIDIA driver on the target machine.
#
# Prints the build time and the bundle's size; record them in packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
CUDA=0
for arg in "$@"; do
  case "$arg" in
    --cuda) CUDA=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg (use --cuda or --help)" >&2; exit 2 ;;
  esac
done

torch_cuda=$("$PYTHON" -c "import torch; print(torch.version.cuda or '')")
if [[ $CUDA == 1 && -z "$torch_cuda" ]]; then
  echo "build.sh: --cuda needs a CUDA build of torch in $PYTHON's environment (it has a CPU build)" >&2
  exit 2
fi
if [[ $CUDA == 0 && -n "$torch_cuda" ]]; then
  echo "build.sh: note: this torch is a CUDA $torch_cuda build; the bundle will carry CUDA libraries" >&2
fi
"$PYTHON" -c "import PyInstaller" 2>/dev/null || {
  echo "build.sh: PyInstaller is missing: pip install '.[bundle]'" >&2; exit 2; }

start=$(date +%s)
key=$("$PYTHON" packaging/source_hash.py)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/olm-studio.spec
# `olm ...` from the bundle: a shortcut for `olm-studio --olm ...`.
cat > dist/olm-studio/olm <<'SH'
#!/bin/sh
exec "$(dirname "$(readlink -f "$0")")/olm-studio" --olm "$@"
SH
chmod +x dist/olm-studio/olm
echo "$key" > dist/olm-studio/BUILD-KEY
end=$(date +%s)

size=$(du -sm dist/olm-studio | cut -f1)
echo "built dist/olm-studio in $((end - start)) s: ${size} MB ($(find dist/olm-studio -type f | wc -l) files)"
