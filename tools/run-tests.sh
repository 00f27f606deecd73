#!/usr/bin/env bash
# The README's test command: a virtual environment (.venv) with the project and its test,
# openai and cluster (Ray) extras at the tested versions (constraints.txt), then the whole
# suite, in a random order (pytest-randomly: the seed is printed; --randomly-seed=N replays an order, -p
# no:randomly keeps the file order). Arguments go to pytest.
# torch 2.13.0 is the CPU build, a file in TORCH_WHEELS (default /opt/wheels, where this
# project's machines keep it; root's pip knows it, other users' pip may not): without it pip
# would take PyPI's CUDA build, several GB. openai-whisper is installed without its
# dependencies (its `triton` is 1 GB of GPU compiler, useless on CPU): the others come with
# the `openai` extra.
set -euo pipefail
cd "$(dirname "$0")/.."
"${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
wheels=()
if [ -d "${TORCH_WHEELS:-/opt/wheels}" ]; then
    wheels=(--find-links "${TORCH_WHEELS:-/opt/wheels}")
fi
python -m pip install -q -c constraints.txt "${wheels[@]}" torch==2.13.0
python -m pip install -q -c constraints.txt -e ".[test,openai,cluster]"
python -m pip install -q --no-deps "openai-whisper==20250625"
python -m pytest "$@"
