#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need (see
# scripts/setup.sh; fast when already installed), then runs the Rust test
# suite, which includes the golden tests and the checks that run the
# generated code through tsc, prettier, cargo (wasm32), wasm-bindgen, clippy
# and rustfmt.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/setup.sh
# Release: the toolchain tests build the generator once and run it often.
cargo test --release --locked "$@"
