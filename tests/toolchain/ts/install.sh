#!/usr/bin/env bash
# Installs what tests/plugin_tsc.rs needs to type-check generated Flex plugins:
# typescript, prettier, @types/events, and what a generated data tab
# (tabs.tsx) imports: @twilio-paste/core and icons at Flex UI 2's versions,
# React 17 and its types (npm ci of the exact versions locked here), plus a "light install" of @twilio/flex-ui and @twilio/flex-plugin:
# their published tarballs unpacked into node_modules WITHOUT their
# dependencies. tsc with skipLibCheck needs only their .d.ts files; the full
# dependency tree is ~750 MB, this is ~22 MB.
#
# Idempotent: a stamp records what was installed; a second run with the same
# lockfile and pins does nothing. No global installs; needs node and npm.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# name@version and the registry's sha512 integrity of its tarball. Checked
# after download, so a tampered or substituted tarball stops the install.
light_packages=(
  "@twilio/flex-ui@2.17.1 sha512-cVJ1jKpyizay2HLYYV8ExTLcy8v61Lq9HBcXqkaUTbf/SIY9Q3gmKRVbQEgV2VwtLpliwPoKIDtMlixxwyWtZw=="
  "@twilio/flex-plugin@7.1.2 sha512-S4RH8flNrcberrBQNDy8bgNa3AeQiioFJ4rBvpvlB+CrnaSB3b/kNgTEoTjrijN+l3Q5xlc+aIUzLBHuQRj6sA=="
)

for tool in node npm tar openssl; do
  command -v "$tool" >/dev/null || {
    echo "install.sh: '$tool' is missing; install Node.js 20+ (with npm), tar and openssl" >&2
    exit 1
  }
done

stamp_file="node_modules/.flexgen-toolchain-stamp"
stamp="$( (cat package-lock.json; printf '%s\n' "${light_packages[@]}") | openssl dgst -sha256 -r | cut -d' ' -f1)"
if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" && -x node_modules/.bin/tsc ]]; then
  echo "tests/toolchain/ts: already installed"
  exit 0
fi

echo "tests/toolchain/ts: npm ci (typescript, prettier, @types/events)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for entry in "${light_packages[@]}"; do
  spec="${entry%% *}"
  want="${entry#* }"
  name="${spec%@*}"
  echo "tests/toolchain/ts: light install of $spec (no dependencies)"
  tarball="$(cd "$tmp" && npm pack "$spec" --silent --loglevel=error | tail -n 1)"
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | openssl base64 -A)"
  if [[ "$got" != "$want" ]]; then
    echo "install.sh: $spec integrity mismatch: expected $want, got $got" >&2
    exit 1
  fi
  dest="node_modules/$name"
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$tmp/$tarball" -C "$dest" --strip-components=1
done

echo "$stamp" >"$stamp_file"
echo "tests/toolchain/ts: installed ($(node_modules/.bin/tsc --version))"
