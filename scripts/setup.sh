#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, idempotently:
# each step checks first and does nothing when its tool is already there.
#   - Rust: the wasm32-unknown-unknown target, clippy and rustfmt (rustup)
#   - wasm-bindgen-cli at exactly the version generated bridges pin
#   - Node packages for the TypeScript checks (tests/toolchain/ts/install.sh)
#   - Chromium and the browser harness's packages (browser/install.sh)
#   - wasm-opt (Debian's binaryen), which shrinks the bridges' .wasm in the
#     browser harness and the benchmarks (browser/bench/run.mjs)
# Not here: Twilio's plugin builder and the Twilio CLI. The tests install
# them on first use into ~/.cache/flexgen (browser/harness/plugin-builder.mjs),
# because the builder is installed from the package.json that the flexgen
# under test generates, and a change to it must install anew.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The `wasm-bindgen = "=X"` pin of the bridge runtime crate, the one source
# of the version (the CLI refuses a .wasm built by another version of the library).
runtime_manifest="$repo/runtime/bridge/Cargo.toml"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9][0-9.]*\)"$/\1/p' "$runtime_manifest")"
if [[ -z "$WASM_BINDGEN_VERSION" ]]; then
  echo "setup: no wasm-bindgen = \"=X\" pin in $runtime_manifest" >&2
  exit 1
fi

need() {
  command -v "$1" >/dev/null || {
    echo "setup: '$1' is missing: $2" >&2
    exit 1
  }
}
need cargo "install Rust with rustup (https://rustup.rs)"
need rustup "install Rust with rustup (https://rustup.rs); flexgen needs it to add the wasm32 target"
need node "install Node.js 20 or later (with npm)"
need npm "install Node.js 20 or later (with npm)"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: wasm32-unknown-unknown target present"
else
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

for component in clippy rustfmt; do
  if rustup component list --installed | grep -q "^$component"; then
    echo "setup: $component present"
  else
    echo "setup: adding $component"
    rustup component add "$component"
  fi
done

if command -v wasm-bindgen >/dev/null && [[ "$(wasm-bindgen --version)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  echo "setup: wasm-bindgen $WASM_BINDGEN_VERSION present"
else
  # Without --locked: the CLI's own lockfile names a crate version the
  # registry no longer serves.
  echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if command -v wasm-opt >/dev/null; then
  echo "setup: wasm-opt present ($(wasm-opt --version))"
else
  echo "setup: installing binaryen for wasm-opt (apt-get)"
  if [[ "$(id -u)" == "0" ]]; then sudo=(); else sudo=(sudo -n); fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binaryen >/dev/null; then
    echo "setup: could not install binaryen; install it with 'apt-get install binaryen' (as root) so that wasm-opt is on PATH" >&2
    exit 1
  fi
fi

bash "$repo/tests/toolchain/ts/install.sh"
bash "$repo/browser/install.sh"
echo "setup: done"
