#!/usr/bin/env bash
# What each spec's generated plugin code weighs as a plugin ships it
# (BENCHMARKS.md, "Sizes before and after a change", its last table):
# flex-plugin/src/flexgen/
# wiring.ts bundled with everything it imports (runtime, triggers, tabs and
# the Paste components they use) by esbuild, minified (ES2020), with what
# Flex gives a plugin left out (@twilio/flex-ui, React, ReactDOM), then
# gzip -9; and for a spec with `show:` tabs, tabs.tsx alone the same way:
# what its tabs add, Paste included.
#
#   bash scripts/plugin-size.sh [SPEC]...   # default: the seed and every example
#   (needs a release build of flexgen, browser/node_modules and
#   tests/toolchain/ts/node_modules: scripts/setup.sh)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
esbuild="$repo/browser/node_modules/.bin/esbuild"
flexgen="${FLEXGEN_BIN:-$repo/target/release/flexgen}"
modules="$repo/tests/toolchain/ts/node_modules"
for need in "$esbuild" "$flexgen" "$modules/@twilio-paste/core"; do
  [[ -e "$need" ]] || { echo "plugin-size: no $need: run scripts/setup.sh and cargo build --release" >&2; exit 1; }
done
if (($# == 0)); then
  set -- "$repo/triggers.yaml" "$repo"/examples/*/triggers.yaml
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

gz() { gzip -9c "$1" | wc -c | tr -d ' '; }
bytes() { wc -c <"$1" | tr -d ' '; }
bundle() {
  NODE_PATH="$modules" "$esbuild" "$1" --bundle --minify --format=esm \
    --target=es2020 --log-level=error --outfile="$2" \
    --external:@twilio/flex-ui --external:react --external:react-dom
}

printf '| spec | wiring bundle min | min+gz | tabs.tsx with Paste, min | min+gz |\n|---|---:|---:|---:|---:|\n'
for spec in "$@"; do
  name="$(basename "$(dirname "$(realpath "$spec")")")"
  [[ "$(realpath "$spec")" == "$repo/triggers.yaml" ]] && name="seed"
  out="$work/$name"
  "$flexgen" generate "$spec" --out "$out" >"$work/generate.log" 2>&1 || {
    cat "$work/generate.log" >&2
    echo "plugin-size: flexgen generate $spec failed" >&2
    exit 1
  }
  src="$out/flex-plugin/src/flexgen"
  bundle "$src/wiring.ts" "$work/$name.wiring.js"
  tabs_min="—"
  tabs_gz="—"
  if [[ -f "$src/tabs.tsx" ]]; then
    bundle "$src/tabs.tsx" "$work/$name.tabs.js"
    tabs_min="$(bytes "$work/$name.tabs.js") B"
    tabs_gz="$(gz "$work/$name.tabs.js") B"
  fi
  printf '| %s | %s B | %s B | %s | %s |\n' "$name" \
    "$(bytes "$work/$name.wiring.js")" "$(gz "$work/$name.wiring.js")" "$tabs_min" "$tabs_gz"
done
