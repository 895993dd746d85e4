// The user's path with a generated plugin, on Twilio's real tools:
//
//   node browser/tests/user-path.mjs FLEX_PLUGIN_DIR WORK_DIR
//
// 1. `npm install` of FLEX_PLUGIN_DIR/package.json as generated (plus only
//    the test-only `fs` override, harness/plugin-builder.mjs says why):
//    harness/plugin-builder.mjs installs it into the cache keyed by that
//    package.json, so a changed template is installed anew and an unchanged
//    one is not installed twice;
// 2. in a copy of the folder (WORK_DIR/flex-plugin, given that install's
//    node_modules), `npx flex-plugin build` must write
//    build/<package name>.js, a production bundle;
// 3. with the Twilio CLI and its Flex plugin (installed once into the same
//    cache), `npm run build` (`twilio flex:plugins:build`) must succeed and
//    write it again.
//
// Prints one `user path: ...` line per step done; exits 1 on the first
// failure, with the tool's output. tests/plugin_builder.rs runs it.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import {
  cliEnv,
  installBuilder,
  installTwilioCli,
  linkNodeModules,
  pluginName,
} from "../harness/plugin-builder.mjs";

const [from, work] = process.argv.slice(2);
if (!from || !work) {
  console.error(
    "usage: node browser/tests/user-path.mjs FLEX_PLUGIN_DIR WORK_DIR",
  );
  process.exit(2);
}
const log = (m) => console.error(`user path: ${m}`);

function sh(cmd, args, opts) {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
      ...opts,
    });
  } catch (e) {
    throw new Error(
      `\`${cmd} ${args.join(" ")}\` in ${opts.cwd} failed (exit ${e.status}):\n${e.stdout ?? ""}${e.stderr ?? ""}`,
    );
  }
}

const generated = fs.readFileSync(path.join(from, "package.json"), "utf8");
const scripts = JSON.parse(generated).scripts ?? {};
// A postinstall would run on every `npm install`; the generated one ran
// `flex-plugin pre-script-check`, which fails without the Twilio CLI.
assert.equal(
  scripts.postinstall,
  undefined,
  "the generated package.json has a postinstall script",
);
assert.equal(scripts.build, "twilio flex:plugins:build");

const builder = installBuilder(generated, { log });
const webpack = JSON.parse(
  fs.readFileSync(
    path.join(builder, "node_modules", "webpack", "package.json"),
    "utf8",
  ),
);
console.log(
  `user path: npm install of the generated package.json: ok (${builder}, webpack ${webpack.version} at the top)`,
);

const dir = path.join(work, "flex-plugin");
fs.rmSync(dir, { recursive: true, force: true });
fs.cpSync(from, dir, {
  recursive: true,
  filter: (src) => !["node_modules", "build"].includes(path.basename(src)),
});
linkNodeModules(dir, builder);
const name = pluginName(dir);
const bundle = path.join(dir, "build", `${name}.js`);

// `--no`: the installed flex-plugin, never one npx would download.
const npx = sh("npx", ["--no", "flex-plugin", "build"], { cwd: dir });
assert.ok(
  fs.existsSync(bundle),
  `npx flex-plugin build wrote no build/${name}.js:\n${npx}`,
);
const text = fs.readFileSync(bundle, "utf8");
// webpack's production mode minifies: the whole bundle is a few lines.
assert.ok(text.split("\n").length < 10, `build/${name}.js is not minified`);
assert.ok(
  /Twilio\.Flex\.Plugins\.init\(/.test(text),
  "the bundle never calls Twilio.Flex.Plugins.init",
);
console.log(
  `user path: npx flex-plugin build: ok (build/${name}.js, ${text.length} bytes)`,
);

const cli = installTwilioCli({ log });
fs.rmSync(path.join(dir, "build"), { recursive: true, force: true });
// The CLI needs a profile to start; a build makes no API call, so these
// made-up credentials (the shape of an account SID and token) do.
const env = cliEnv(cli, {
  TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
  TWILIO_AUTH_TOKEN: "0".repeat(32),
});
const out = sh("npm", ["run", "build"], { cwd: dir, env });
assert.ok(
  fs.existsSync(bundle),
  `npm run build wrote no build/${name}.js:\n${out}`,
);
assert.match(out, new RegExp(`Plugin ${name} was successfully compiled`), out);
console.log(
  `user path: npm run build through the Twilio CLI: ok (build/${name}.js, ${fs.statSync(bundle).size} bytes)`,
);
