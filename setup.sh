#!/usr/bin/env bash
# Sets citebot up from a fresh clone: .venv, the CPU build of torch, the project with its dev tools,
# and the index over seeds/. Safe to run again (it refreshes the index, re-embedding only what changed).
#
# GPU users: set CITEBOT_TORCH to the CUDA build you want before running, e.g.
#   CITEBOT_TORCH="torch --index-url https://download.pytorch.org/whl/cu126" ./setup.sh
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
TORCH=${CITEBOT_TORCH:-torch==2.13.0}

if [ ! -x .venv/bin/python ]; then
    echo "citebot setup: creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# torch before sentence-transformers: otherwise pip resolves torch to a multi-GB CUDA build.
echo "citebot setup: installing $TORCH"
# shellcheck disable=SC2086  # CITEBOT_TORCH may carry pip options
.venv/bin/python -m pip install --quiet --disable-pip-version-check $TORCH
echo "citebot setup: installing citebot and its dependencies"
# setuptools warns on every editable install of a flat layout ("folders ... with the same name as your
# package may take precedence"): that is the point of an editable install here, so its banner is hidden.
PYTHONWARNINGS="ignore::Warning:setuptools.command.editable_wheel" \
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
echo "citebot setup: indexing seeds/"
HF_HUB_OFFLINE=1 .venv/bin/citebot index --quiet
