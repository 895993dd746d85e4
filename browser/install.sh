#!/usr/bin/env bash
# Installs what the browser tests (tests/browser_e2e.rs -> browser/tests/run.mjs)
# need, idempotently:
#   - Chromium from Debian's packages, only when /usr/bin/chromium is missing
#     (playwright-core drives it; never `npx playwright install`, which
#     downloads a browser)
#   - the npm packages locked in browser/package-lock.json (npm ci): the full
#     @twilio/flex-ui 2.17.1 with its dependencies (bundled for the simulator),
#     @twilio/flex-plugin, react 17, esbuild and playwright-core
# A stamp of the lockfile skips npm ci when nothing changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [[ -x /usr/bin/chromium ]]; then
  echo "browser: chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
else
  echo "browser: installing chromium (apt-get, about a minute)"
  if [[ "$(id -u)" == "0" ]]; then sudo=(); else sudo=(sudo -n); fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "browser: could not install chromium; install it with 'apt-get install chromium' (as root) so that /usr/bin/chromium exists" >&2
    exit 1
  fi
fi

for tool in node npm openssl; do
  command -v "$tool" >/dev/null || {
    echo "browser/install.sh: '$tool' is missing; install Node.js 20+ (with npm) and openssl" >&2
    exit 1
  }
done

stamp_file="node_modules/.flexgen-browser-stamp"
stamp="$(openssl dgst -sha256 -r package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" && -d node_modules/@twilio/flex-ui ]]; then
  echo "browser: npm packages already installed"
  exit 0
fi
echo "browser: npm ci (@twilio/flex-ui with its dependencies, playwright-core, esbuild; a few minutes, once)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "$stamp" >"$stamp_file"
echo "browser: installed"
