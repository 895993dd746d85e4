#!/usr/bin/env bash
# The benchmarks (issue 5): installs what they need on a fresh machine
# (scripts/setup.sh; fast when all is there), then runs browser/bench/run.mjs,
# which prints the results table and writes it into BENCHMARKS.md.
# Arguments go to run.mjs: --n N, --warmup N, --messages N, --out FILE.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/setup.sh
node browser/bench/run.mjs "$@"
