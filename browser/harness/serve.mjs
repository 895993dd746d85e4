// Runs the simulator and the CRM host page by hand:
//
//   node browser/harness/serve.mjs [--case seed] [--host-port 4310] [--flex-port 4311] [--attacker-port 4312]
//   node browser/harness/serve.mjs --workspace DIR [--spec FILE] [--host-port 0] ...
//
// Builds every case (or the one named, or the workspace DIR's spec with its
// own code) for the three loopback origins, serves them and prints the URLs;
// Ctrl-C (or SIGTERM) stops the servers. Port 0 picks a free port.
//
// `--ready-json` (what `flexgen preview` passes) prints, once serving, one
// line of JSON on stdout, {"hostUrl","flexUrl"} of the first case, and
// nothing else there; build logs go to stderr.
//
// The attacker page (the security tests' third origin) is served for the
// repository's cases; for a workspace only when `--attacker-port` is given:
// `flexgen preview` serves a user's pages and nothing of the tests.

import path from "node:path";
import { buildAll, outDir, workspaceOutDir } from "./build.mjs";
import { startServers } from "./server.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const workspace = opt("workspace", undefined);
const readyJson = args.includes("--ready-json");
const port = (name, fallback) => {
  const raw = opt(name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`--${name} ${raw}: not a port (0-65535; 0 picks a free one)`);
    process.exit(2);
  }
  return n;
};
const ports = {
  host: port("host-port", workspace ? 0 : 4310),
  flex: port("flex-port", workspace ? 0 : 4311),
  attacker:
    workspace && !args.includes("--attacker-port")
      ? null
      : port("attacker-port", workspace ? 0 : 4312),
};
const only = opt("case", undefined);
const out = workspace ? workspaceOutDir(workspace) : outDir;

let servers;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (servers) await servers.close();
  process.exit(0);
};
// Registered before the build: a Ctrl-C while cargo or esbuild runs stops
// cleanly too (they get the signal from the terminal or from flexgen).
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  servers = await startServers(path.join(out, "www"), ports);
} catch (e) {
  console.error(`cannot listen on loopback: ${e.message}`);
  process.exit(1);
}
try {
  const cases = await buildAll(servers, {
    only: only ? [only] : undefined,
    workspace,
    spec: opt("spec", undefined),
    out,
    log: (m) => console.error(`build: ${m}`),
  });
  if (cases.length === 0) throw new Error(`no case named ${only}`);
  if (readyJson) {
    const { hostUrl, flexUrl } = cases[0];
    console.log(JSON.stringify({ hostUrl, flexUrl }));
  } else {
    console.log("\nServing (Ctrl-C stops):");
    for (const c of cases) {
      console.log(`  ${c.case.padEnd(18)} CRM host page  ${c.hostUrl}`);
      console.log(
        `  ${"".padEnd(18)} Flex simulator ${c.flexUrl} (inside the host page's iframe)`,
      );
    }
    if (servers.attackerOrigin)
      console.log(`  attacker page      ${servers.attackerOrigin}/`);
  }
} catch (e) {
  // A Ctrl-C during a build step kills that step too: give the signal's
  // handler a moment, so a stop is not reported as a failed build.
  await new Promise((r) => setTimeout(r, 100));
  if (stopping) process.exit(0);
  console.error(e.message);
  await servers.close();
  process.exit(1);
}
