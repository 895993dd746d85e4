// Runs the simulator and the CRM host page by hand:
//
//   node browser/harness/serve.mjs [--case seed] [--host-port 4310] [--flex-port 4311] [--attacker-port 4312]
//
// Builds every case (or the one named) for the three loopback origins, serves
// them and prints the URLs; Ctrl-C stops the servers.

import path from "node:path";
import { buildAll, outDir } from "./build.mjs";
import { startServers } from "./server.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const ports = {
  host: Number(opt("host-port", 4310)),
  flex: Number(opt("flex-port", 4311)),
  attacker: Number(opt("attacker-port", 4312)),
};
const only = opt("case", undefined);

const servers = await startServers(path.join(outDir, "www"), ports);
try {
  const cases = await buildAll(servers, {
    only: only ? [only] : undefined,
    log: (m) => console.error(`build: ${m}`),
  });
  console.log("\nServing (Ctrl-C stops):");
  for (const c of cases) {
    console.log(`  ${c.case.padEnd(18)} CRM host page  ${c.hostUrl}`);
    console.log(
      `  ${"".padEnd(18)} Flex simulator ${c.flexUrl} (inside the host page's iframe)`,
    );
  }
  console.log(`  attacker page      ${servers.attackerOrigin}/`);
} catch (e) {
  console.error(e.message);
  await servers.close();
  process.exit(1);
}
const stop = async () => {
  await servers.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
