#!/usr/bin/env bash
# The README's test command: a virtual environment with the test extras, then the whole suite.
# torch is pinned to 2.13.0 (the CPU build); openai-whisper is installed without its `triton`
# dependency (1 GB of GPU compiler, useless on CPU); its other dependencies come with the
# `openai` extra.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q torch==2.13.0
python -m pip install -q -e ".[test,openai]"
python -m pip install -q --no-deps "openai-whisper>=20240930"
python -m pytest "$@"
