#!/usr/bin/env bash
# Sizes of the seed's generated runtimes at a git revision and in the working
# tree, built the same way in one run (BENCHMARKS.md, "Sizes before and
# after a change"): the plugin runtime bundled with every export kept,
# minified by esbuild (ES2020) and gzip -9; the bridge's .wasm built as
# bridge/Cargo.toml says (cargo --release, wasm-opt -Oz, wasm-bindgen
# without names), gzip -9.
#
#   bash scripts/size-compare.sh 936a304      # needs scripts/setup.sh and browser/node_modules
set -euo pipefail

rev="${1:?usage: scripts/size-compare.sh <git revision to compare with>}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
esbuild="$repo/browser/node_modules/.bin/esbuild"
[[ -x "$esbuild" ]] || { echo "size-compare: no $esbuild: run npm ci in browser/" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The seed's generated tree at `rev` and now (tests/cases/seed/expected).
mkdir -p "$work/before" "$work/after"
git -C "$repo" archive "$rev" tests/cases/seed/expected | tar -x -C "$work/before"
cp -r "$repo/tests/cases/seed/expected" "$work/after/"
mkdir -p "$work/after/tests/cases/seed"
mv "$work/after/expected" "$work/after/tests/cases/seed/"

gz() { gzip -9c "$1" | wc -c | tr -d ' '; }
bytes() { wc -c <"$1" | tr -d ' '; }

printf '| tree | plugin runtime min | min+gz | bridge .wasm | gz |\n|---|---:|---:|---:|---:|\n'
for side in before after; do
  tree="$work/$side/tests/cases/seed/expected"
  flexgen="$tree/flex-plugin/src/flexgen"
  # Whatever the layout of that revision: the runtime folder's index, or the
  # two single-file runtimes of older revisions.
  if [[ -f "$flexgen/runtime/index.ts" ]]; then
    printf 'export * from "./runtime";\n' >"$flexgen/entry.ts"
  else
    printf 'export * from "./protocol";\nexport * from "./runtime";\n' >"$flexgen/entry.ts"
  fi
  "$esbuild" "$flexgen/entry.ts" --bundle --minify --format=esm --target=es2020 \
    --external:@twilio/flex-ui --log-level=warning --outfile="$work/$side.js"
  crate="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$tree/bridge/Cargo.toml" | head -1)"
  (cd "$tree/bridge" && CARGO_TARGET_DIR="$work/target-$side" \
    cargo build --quiet --release --target wasm32-unknown-unknown)
  wasm-opt -Oz -o "$work/$side.opt.wasm" \
    "$work/target-$side/wasm32-unknown-unknown/release/$crate.wasm"
  wasm-bindgen --target web --remove-name-section --remove-producers-section \
    --encode-into always --out-name bridge --out-dir "$work/pkg-$side" "$work/$side.opt.wasm"
  wasm="$work/pkg-$side/bridge_bg.wasm"
  label="$rev"
  [[ "$side" == after ]] && label="working tree"
  printf '| %s | %s B | %s B | %s B | %s B |\n' "$label" \
    "$(bytes "$work/$side.js")" "$(gz "$work/$side.js")" "$(bytes "$wasm")" "$(gz "$wasm")"
done
