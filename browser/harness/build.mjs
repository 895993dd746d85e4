// Builds everything the browser pages need, for each spec (a "case"):
//
//   <out>/cases/<case>/      the spec with its origins pointed at the
//                            loopback servers, flexgen's output, plan.json
//   <out>/www/host/<case>/   the CRM host page + its WASM bridge (pkg/)
//   <out>/www/flex/<case>/   the Flex simulator page + the plugin bundle,
//                            and plugin-skew.js: the same plugin with another
//                            spec hash (version skew, `?skew=1`)
//   <out>/www/flex/_shared/  the Flex UI bundle (real Actions Framework)
//   <out>/www/attacker/      the third-origin page of the security tests
//                            (only when the servers run one: not in
//                            `flexgen preview`, which also gets no
//                            rogue.html, the tests' blank framing pages)
//   <out>/cargo/             the bridges' cargo target dir
//
// <out> is target/e2e for the repository's cases (the seed and examples/*),
// and DIR/.flexgen/build for a workspace (`--workspace DIR`, what `flexgen
// preview` runs): build outputs stay inside the folder they belong to, which
// `flexgen new` gitignores. The Flex UI bundle is cached across runs,
// workspaces and clones in the user's cache folder (cacheRoot() of
// harness/plugin-builder.mjs: $FLEXGEN_CACHE_DIR, else
// $XDG_CACHE_HOME/flexgen, else ~/.cache/flexgen, as `flexgen preview`
// picks it): it takes a minute to build and only changes with the lockfile.
//
// The repository's cases load the plugin that Twilio's real plugin builder
// makes: `flex-plugin build` (harness/plugin-builder.mjs installs it once,
// outside the clone), a production build, what `npm run deploy` uploads.
// A workspace (`flexgen preview`) gets a development build made with
// esbuild instead, as `npm start` (`flex-plugin start`) would serve it: no
// install of the builder in the user's workspace, seconds instead of a
// minute, and it trusts the spec's `dev_host_origins` like `npm start`.
// `realBuild` gives a workspace the real production build too (the
// new-user walk test, tests/walk.rs: `run.mjs --workspace DIR --real-build`).
//
// A workspace case runs the workspace's own code: its flex-plugin/ and
// bridge/ files (hooks.ts, the plugin class, lib.rs, anything else the user
// added) are copied into the case folder before flexgen generates there, and
// generate keeps existing user files.
//
// The origins are compiled into the generated code (exact origins are the
// point), so the servers' ports must be known before generating: callers
// start the servers first (harness/server.mjs) and pass their origins in.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

import {
  cacheRoot,
  installBuilder,
  realPluginBuild,
} from "./plugin-builder.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const browserDir = path.resolve(here, "..");
export const repoDir = path.resolve(browserDir, "..");
export const outDir = path.join(repoDir, "target", "e2e");

/** Where a workspace's build outputs go. */
export const workspaceOutDir = (dir) =>
  path.join(path.resolve(dir), ".flexgen", "build");
const nodeModules = path.join(browserDir, "node_modules");

/** The seed spec, then every example, as { name, spec } in a stable order. */
export function listCases() {
  const cases = [{ name: "seed", spec: path.join(repoDir, "triggers.yaml") }];
  const examples = path.join(repoDir, "examples");
  for (const dir of fs.readdirSync(examples).sort()) {
    const spec = path.join(examples, dir, "triggers.yaml");
    if (fs.existsSync(spec)) cases.push({ name: dir, spec });
  }
  // Hostile text in every free-text field (the hostile-* checks of tests/cases.rs have the rest).
  cases.push({
    name: "hostile",
    spec: path.join(repoDir, "tests/cases/hostile/browser/triggers.yaml"),
  });
  return cases;
}

/**
 * A second production host origin no page is served from (`.invalid` never
 * resolves): a plugin trusting two CRM origins must still say its first
 * hello to the one that embeds it only (the security suite's target-origin
 * test sees every post), not to each it trusts.
 */
export const STANDBY_ORIGIN = "https://crm-standby.flexgen.invalid";

/**
 * Rewrites the origins of a spec's text, keeping everything else byte for
 * byte: `app.flex_origin` becomes the simulator's, and the host page's
 * origin (a loopback one) becomes the one origin the plugin trusts. For a
 * production build (`production: true`, the real `flex-plugin build`) that
 * is `host_origins: [<host page>, STANDBY_ORIGIN]` with no `dev_host_origins`: a production
 * build trusts `host_origins` alone (`flexgen check` warns that a loopback
 * or http production origin is for tests only, and exits 0). For a
 * development build (esbuild, as `flex-plugin start`) it is
 * `dev_host_origins: [<host page>]` with `host_origins: []`, so the plugin
 * trusts exactly the host page through the same switch `npm start` uses.
 * Only for flexgen's own specs; the caller checks the result through
 * `flexgen check --plan` (pointedAsExpected).
 */
export function pointOrigins(
  text,
  { flexOrigin, hostOrigin, hostUrl, production },
) {
  const lines = text.split("\n");
  const out = [];
  // A block list's `- ...` items (and comments between them) after line i.
  const skipBlock = (i) => {
    while (i + 1 < lines.length && /^\s+(-|#)/.test(lines[i + 1])) i++;
    return i;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const flex = /^(\s+)flex_origin:/.exec(line);
    const hosts = /^(\s+)host_origins:(.*)$/.exec(line);
    const devs = /^(\s+)dev_host_origins:(.*)$/.exec(line);
    // `app.crm_url` (host_in_flex): the host page's URL, then the spec's
    // query and fragment (its task placeholders) as written.
    const crm = /^(\s+)crm_url:\s*(["']?)([^"'#]*)\2\s*$/.exec(line);
    if (crm && hostUrl !== undefined) {
      const tail = crm[3].search(/[?#]/);
      const url = hostUrl + (tail < 0 ? "" : crm[3].slice(tail));
      out.push(`${crm[1]}crm_url: ${JSON.stringify(url)}`);
    } else if (flex) {
      out.push(`${flex[1]}flex_origin: ${flexOrigin}`);
    } else if (hosts) {
      if (production) {
        out.push(`${hosts[1]}host_origins: [${hostOrigin}, ${STANDBY_ORIGIN}]`);
      } else {
        out.push(`${hosts[1]}host_origins: []`);
        out.push(`${hosts[1]}dev_host_origins: [${hostOrigin}]`);
      }
      if (hosts[2].trim() === "") i = skipBlock(i);
    } else if (devs) {
      // Dropped, or replaced by the line written after host_origins.
      if (devs[2].trim() === "") i = skipBlock(i);
    } else {
      out.push(line);
    }
  }
  return out.join("\n");
}

/** Whether `plan` trusts the origins pointOrigins meant it to. */
function pointedAsExpected(plan, { flexOrigin, hostOrigin, production }) {
  const hosts = plan.app.host_origins.join();
  const devs = (plan.app.dev_host_origins ?? []).join();
  return (
    plan.app.flex_origin === flexOrigin &&
    (plan.app.crm_url === undefined ||
      plan.app.crm_url.origin === hostOrigin) &&
    (production
      ? hosts === `${hostOrigin},${STANDBY_ORIGIN}` && devs === ""
      : hosts === "" && devs === hostOrigin)
  );
}

/**
 * A workspace folder (one holding triggers.yaml, or the spec `specFile`) as
 * a case named after the folder. The name becomes a URL path segment, so it
 * is reduced to [A-Za-z0-9._-] and kept clear of the pages' `_shared` folder.
 */
export function workspaceCase(dir, specFile = undefined) {
  const abs = path.resolve(dir);
  const spec = path.resolve(specFile ?? path.join(abs, "triggers.yaml"));
  if (!fs.existsSync(spec))
    throw new Error(
      `${spec} does not exist: pass a folder that holds a triggers.yaml (see \`flexgen new\`)`,
    );
  let name = path.basename(abs).replace(/[^A-Za-z0-9._-]/g, "-");
  if (name === "" || /^[._]/.test(name)) name = `ws-${name}`;
  return { name, spec, workspace: abs };
}

// Folders of a workspace that are build outputs or installed packages, not
// the user's code.
const NOT_SOURCE = new Set(["node_modules", "target", "pkg", "build", "dist"]);
// flexgen's own folders in a workspace: generate rewrites them in the case
// folder; removing and rewriting them would only cost rebuilds.
const GENERATED = [
  path.join("flex-plugin", "src", "flexgen"),
  path.join("bridge", "src", "generated"),
  path.join("bridge", "flexgen-runtime"),
];

/** Relative paths of the files under `root` (sources only), sorted. */
function sourceFiles(root, rel = "") {
  const dir = path.join(root, rel);
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || NOT_SOURCE.has(entry.name)) continue;
    const sub = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, sub));
    else if (entry.isFile()) out.push(sub);
  }
  return out.sort();
}

/**
 * Makes the source files of `to` those of `from` (sources only: see
 * sourceFiles), writing only what differs, so that cargo and the plugin
 * build's stamp see unchanged files as unchanged. Files `from` lacks go,
 * except the `keep` paths (files, or folders with all below; relative to
 * `to`).
 */
function mirrorSources(from, to, keep = []) {
  const mine = new Set(sourceFiles(from));
  for (const rel of mine)
    writeIfChanged(path.join(to, rel), fs.readFileSync(path.join(from, rel)));
  for (const rel of sourceFiles(to)) {
    if (
      mine.has(rel) ||
      keep.some((k) => rel === k || rel.startsWith(k + path.sep))
    )
      continue;
    fs.rmSync(path.join(to, rel));
  }
}

/**
 * Mirrors the workspace's flex-plugin/ and bridge/ into the case folder, so
 * that its own hooks, plugin class and lib.rs are what the pages run. Files
 * the workspace no longer has go too, except flexgen's generated folders
 * (generate brings those up to date itself).
 */
function copyWorkspaceCode(workspace, caseDir) {
  for (const part of ["flex-plugin", "bridge"]) {
    const keep = GENERATED.flatMap((g) =>
      g.startsWith(part + path.sep) ? [path.relative(part, g)] : [],
    );
    mirrorSources(path.join(workspace, part), path.join(caseDir, part), keep);
  }
}

/**
 * `flexgen generate` (the binary `flexgen`) of a repository case's spec
 * `specText` into the case folder, as a fresh generate would write it: into an empty scratch folder
 * first, then mirrored. Generating in place would keep the files flexgen
 * writes once and then leaves to the user (package.json, hooks.ts, lib.rs)
 * from whatever flexgen made them in an earlier run, and the pages would run
 * a stale plugin.
 */
export function generateFresh(flexgen, specText, caseDir, scratch) {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, "triggers.yaml"), specText);
  run(flexgen, ["generate", path.join(scratch, "triggers.yaml")]);
  // Kept: what the build steps below make in the case folder.
  mirrorSources(scratch, caseDir, [
    "wasm-opt",
    path.join("bridge", "Cargo.lock"),
  ]);
  fs.rmSync(scratch, { recursive: true, force: true });
}

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
      ...opts,
    });
  } catch (e) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (exit ${e.status}):\n${e.stdout ?? ""}${e.stderr ?? ""}`,
    );
  }
}

function writeIfChanged(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(content)))
    return;
  fs.writeFileSync(file, content);
}

function copyInto(dir, files) {
  for (const [name, from] of Object.entries(files)) {
    writeIfChanged(path.join(dir, name), fs.readFileSync(from));
  }
}

/**
 * `cargo build --release` of the crate in `crateDir` for wasm32 into
 * `cargoTarget`; with `opt` ({ bin, out }) the .wasm then goes through
 * `wasm-opt -Oz` into `opt.out`. Returns the .wasm to hand to wasm-bindgen.
 */
function buildWasm(crateDir, lib, cargoTarget, opt) {
  run(
    "cargo",
    [
      "build",
      "--release",
      "--target",
      "wasm32-unknown-unknown",
      "--manifest-path",
      path.join(crateDir, "Cargo.toml"),
    ],
    { env: { ...process.env, CARGO_TARGET_DIR: cargoTarget } },
  );
  const wasm = path.join(
    cargoTarget,
    "wasm32-unknown-unknown",
    "release",
    `${lib}.wasm`,
  );
  if (!opt) return wasm;
  optimizeWasm(wasm, opt.out, opt.bin);
  return opt.out;
}

/** The seed case's folder that browser/rust-host/Cargo.toml depends on. */
const rustHostBridgeCase = path.join(repoDir, "target", "e2e", "cases", "seed");

/**
 * Builds browser/rust-host (the seed's CRM logic in Rust) for wasm32 as a
 * bridge is built, and writes its page into `dir`: index.html and its
 * loader (browser/rust-host/page/, kept out of what `flexgen preview`
 * embeds) and the wasm-bindgen output under pkg/.
 */
function buildRustHost(dir, cargoTarget, wasmOpt) {
  const crateDir = path.join(browserDir, "rust-host");
  const wasm = buildWasm(
    crateDir,
    "flexgen_rust_host",
    cargoTarget,
    wasmOpt && {
      bin: wasmOpt,
      out: path.join(cargoTarget, "rust-host-opt", "host.wasm"),
    },
  );
  run("wasm-bindgen", [
    "--target",
    "web",
    "--out-name",
    "flexgen_rust_host",
    "--out-dir",
    path.join(dir, "pkg"),
    wasm,
  ]);
  copyInto(dir, {
    "index.html": path.join(crateDir, "page", "index.html"),
    "rust.js": path.join(crateDir, "page", "rust.js"),
  });
}

/** The flexgen binary: $FLEXGEN_BIN, else a release build of this repo. */
export function flexgenBin() {
  if (process.env.FLEXGEN_BIN) return process.env.FLEXGEN_BIN;
  run("cargo", ["build", "--release", "--locked", "--bin", "flexgen"], {
    cwd: repoDir,
  });
  return path.join(repoDir, "target", "release", "flexgen");
}

const NODE_STUBS = {
  path: path.join(here, "stubs", "path.js"),
  util: path.join(here, "stubs", "util.js"),
};

/**
 * The Flex UI package bundled for the browser: its Actions Framework, helpers
 * and classes are the real ones. ~18 MB; rebuilt only when the lockfile (that
 * is, the Flex version) or the stubs change.
 */
async function buildFlexBundle(sharedDir, cacheDir) {
  const stamp = createHash("sha256")
    .update(fs.readFileSync(path.join(browserDir, "package-lock.json")))
    .update(fs.readFileSync(path.join(here, "flex-entry.js")))
    .update(fs.readFileSync(NODE_STUBS.path))
    .update(fs.readFileSync(NODE_STUBS.util))
    .update(fs.readFileSync(path.join(here, "stubs", "process.js")))
    .digest("hex");
  const out = path.join(sharedDir, "flex-ui.js");
  const stampFile = `${out}.stamp`;
  if (
    fs.existsSync(out) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8") === stamp
  ) {
    return;
  }
  // Named by its stamp: a cached bundle is complete or absent, never stale.
  const cached = path.join(cacheDir, `flex-ui-${stamp.slice(0, 32)}.js`);
  if (!fs.existsSync(cached)) {
    const partial = `${cached}.${process.pid}.tmp`;
    await buildFlexBundleInto(partial);
    fs.renameSync(partial, cached);
  }
  fs.mkdirSync(sharedDir, { recursive: true });
  fs.copyFileSync(cached, out);
  fs.writeFileSync(stampFile, stamp);
}

async function buildFlexBundleInto(out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const entry = path.join(here, "flex-entry.js");
  await esbuild.build({
    // Compiled as if it sat in the @twilio/flex-ui folder, so that its
    // imports resolve as Flex's own `require`s do (see flex-entry.js).
    stdin: {
      contents: fs.readFileSync(entry, "utf8"),
      resolveDir: path.join(nodeModules, "@twilio", "flex-ui"),
      sourcefile: entry,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "iife",
    outfile: out,
    nodePaths: [nodeModules],
    define: { "process.env.NODE_ENV": '"production"', global: "window" },
    alias: NODE_STUBS,
    inject: [path.join(here, "stubs", "process.js")],
    logLevel: "error",
    legalComments: "none",
  });
}

/** A page script (simulator, host, attacker): TypeScript, one IIFE. */
export async function bundleScript(entry, outfile, extra = {}) {
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    target: "es2020",
    outfile,
    nodePaths: [nodeModules],
    logLevel: "error",
    sourcemap: "inline",
    ...extra,
  });
}

/**
 * The generated plugin as a development build, bundled with esbuild from its
 * own `src/index.ts` the way `flex-plugin start` would serve it: what
 * `flexgen preview` runs (the repository's cases use the real builder,
 * harness/plugin-builder.mjs). `@twilio/flex-plugin` is the real package,
 * and its build-time globals (`__FPB_*`) are defined as the builder's
 * DefinePlugin defines them (@twilio/flex-plugin-webpack 7.1.2,
 * dist/webpack/webpack.config.js). `process.env.NODE_ENV` is "development",
 * webpack's `mode` for `flex-plugin start` (the same file), so the plugin
 * trusts the spec's `dev_host_origins` too. Unlike the real build, React,
 * ReactDOM, Redux and ReactRedux are not made externals: a workspace's
 * hooks that import them get their own copies.
 */
export async function bundlePlugin(
  pluginDir,
  outfile,
  appName,
  extraNodePaths,
) {
  const str = (s) => JSON.stringify(s);
  await bundleScript(path.join(pluginDir, "src", "index.ts"), outfile, {
    // The harness's packages first, then the user's (a workspace's own
    // flex-plugin/node_modules, for packages its hooks import).
    nodePaths: [nodeModules, ...extraNodePaths],
    define: {
      "process.env.NODE_ENV": str("development"),
      __FPB_PLUGIN_UNIQUE_NAME: str(`plugin-${appName}`),
      __FPB_PLUGIN_VERSION: str("0.0.0-e2e"),
      __FPB_FLEX_PLUGIN_SCRIPTS_VERSION: str("7.1.2"),
      __FPB_FLEX_PLUGIN_VERSION: str("7.1.2"),
      __FPB_FLEX_UI_VERSION: str("2.17.1"),
      __FPB_REACT_VERSION: str("17.0.2"),
      __FPB_REACT_DOM_VERSION: str("17.0.2"),
    },
  });
}

/**
 * The generated plugin folder `pluginDir` built by Twilio's real plugin
 * builder (`flex-plugin build`, production), its bundle copied to
 * `outfile`. The builder is installed once from the folder's package.json
 * (harness/plugin-builder.mjs); the build is skipped when neither the
 * builder nor a source file of the folder changed since the bundle in
 * `outfile` was made (its stamp beside it).
 */
export function realBuildPlugin(pluginDir, outfile, log) {
  const builder = installBuilder(
    fs.readFileSync(path.join(pluginDir, "package.json"), "utf8"),
    { log },
  );
  const stamp = createHash("sha256").update(builder);
  for (const rel of sourceFiles(pluginDir))
    stamp
      .update(`\0${rel}\0`)
      .update(fs.readFileSync(path.join(pluginDir, rel)));
  const digest = stamp.digest("hex");
  const stampFile = `${outfile}.stamp`;
  if (
    fs.existsSync(outfile) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8") === digest
  )
    return;
  const bundle = realPluginBuild(pluginDir, builder);
  fs.rmSync(stampFile, { force: true });
  writeIfChanged(outfile, fs.readFileSync(bundle));
  fs.writeFileSync(stampFile, digest);
}

/**
 * The hash a plugin of another spec would carry: every hex digit of `hash`
 * moved on by one, so it never equals it.
 */
export function skewedHash(hash) {
  return hash.replace(/[0-9a-f]/g, (d) =>
    ((parseInt(d, 16) + 1) % 16).toString(16),
  );
}

/**
 * Writes plugin-skew.js beside `pluginJs`: the same bundle with its spec
 * hash replaced, so that it speaks the protocol perfectly but for another
 * spec. Cheaper and truer than generating a second spec: only the hash
 * differs, which is exactly what the handshake must catch.
 */
function writeSkewedPlugin(pluginJs, hash, { strict, log }) {
  const text = fs.readFileSync(pluginJs, "utf8");
  const literal = JSON.stringify(hash);
  const count = text.split(literal).length - 1;
  if (count !== 1) {
    const why =
      `${pluginJs}: expected the spec hash ${literal} once, found it ${count} times; ` +
      "the skewed plugin (plugin-skew.js) cannot be made";
    // The robustness tests need it; a workspace's preview only offers it.
    if (strict) throw new Error(why);
    log(why);
    return;
  }
  writeIfChanged(
    path.join(path.dirname(pluginJs), "plugin-skew.js"),
    text.replace(literal, JSON.stringify(skewedHash(hash))),
  );
}

/**
 * The wasm-opt of Debian's binaryen package, or `undefined` when it is not
 * installed (`apt-get install -y binaryen`; scripts/setup.sh installs it).
 */
export function wasmOptBin() {
  const bin = process.env.FLEXGEN_WASM_OPT ?? "wasm-opt";
  try {
    execFileSync(bin, ["--version"], { stdio: "ignore" });
    return bin;
  } catch {
    return undefined;
  }
}

/**
 * `wasm-opt -Oz` of rustc's .wasm into `out`, as the generated
 * bridge/Cargo.toml documents for production builds. It runs before
 * wasm-bindgen, not after: binaryen 108 (Debian 12's) mixes up the two
 * tables of wasm-bindgen's output (it exports the function table as the
 * externref table, and the page fails at init), while the input has one.
 */
export function optimizeWasm(input, out, bin) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  run(bin, ["-Oz", input, "-o", out]);
}

/**
 * Builds every case for the given origins. Returns the cases with their
 * plans and URLs. `only` limits it to the named cases; `workspace` builds
 * that folder (its triggers.yaml, or `spec`) as the one case instead, under
 * its own .flexgen/build (`out` must then be workspaceOutDir(workspace),
 * where the servers serve); `cases` ([{ name, spec }]) builds those specs
 * instead of the repository's (the benchmark's own spec).
 *
 * The bridge's .wasm goes through `wasm-opt -Oz` when binaryen is installed,
 * so the pages run what production would serve; `requireWasmOpt` makes a
 * missing wasm-opt an error (the benchmark measures its output).
 * `realBuild` builds a workspace's plugin with the real plugin builder
 * (production) instead of esbuild (development); the repository's cases
 * always get the real build. `contacts` ([{ name, company, phone }]) goes
 * into config.json for the host page to show instead of its sample contacts
 * (the tests' hostile names, browser/tests/contacts.mjs).
 *
 * The security tests' pages (the attacker page, rogue.html) are built only
 * when there is an attacker origin to serve them: `flexgen preview` has none.
 */
export async function buildAll(
  { hostOrigin, flexOrigin, attackerOrigin },
  {
    only,
    workspace,
    spec,
    cases: given,
    requireWasmOpt = false,
    realBuild = false,
    contacts,
    out = outDir,
    log = () => {},
  } = {},
) {
  const testPages = Boolean(attackerOrigin);
  const wasmOpt = wasmOptBin();
  if (wasmOpt === undefined && requireWasmOpt)
    throw new Error(
      "wasm-opt is missing: install binaryen (`apt-get install -y binaryen`, " +
        "or `bash scripts/setup.sh`), or point FLEXGEN_WASM_OPT at a wasm-opt",
    );
  const flexgen = flexgenBin();
  const www = path.join(out, "www");
  const hostRoot = path.join(www, "host");
  const flexRoot = path.join(www, "flex");
  const attackerRoot = path.join(www, "attacker");

  log("bundling @twilio/flex-ui for the browser (once)");
  await buildFlexBundle(path.join(flexRoot, "_shared"), cacheRoot());
  log(
    testPages
      ? "bundling the simulator, the host page and the attacker page"
      : "bundling the simulator and the host page",
  );
  await bundleScript(
    path.join(browserDir, "simulator", "main.ts"),
    path.join(flexRoot, "_shared", "simulator.js"),
  );
  await bundleScript(
    path.join(browserDir, "host", "main.ts"),
    path.join(hostRoot, "_shared", "crm.js"),
  );
  copyInto(path.join(hostRoot, "_shared"), {
    "crm.css": path.join(browserDir, "host", "crm.css"),
  });
  copyInto(path.join(flexRoot, "_shared"), {
    "simulator.css": path.join(browserDir, "simulator", "simulator.css"),
  });
  if (!testPages) {
    // A folder built with them before (by a test run) keeps none of them.
    fs.rmSync(attackerRoot, { recursive: true, force: true });
  } else {
    await bundleScript(
      path.join(browserDir, "attacker", "main.ts"),
      path.join(attackerRoot, "attacker.js"),
    );
    copyInto(attackerRoot, {
      "index.html": path.join(browserDir, "attacker", "index.html"),
    });
  }

  const built = [];
  const cases = workspace
    ? [workspaceCase(workspace, spec)]
    : (given ?? listCases());
  for (const c of cases) {
    if (only && !only.includes(c.name)) continue;
    log(`case ${c.name}: generate`);
    const caseDir = path.join(out, "cases", c.name);
    const spec = path.join(caseDir, "triggers.yaml");
    if (c.workspace) copyWorkspaceCode(c.workspace, caseDir);
    // The repository's cases run the real production build; a workspace a
    // development build unless asked (see the top of this file).
    const production = !c.workspace || realBuild;
    const hostUrl = `${hostOrigin}/${c.name}/`;
    const origins = { flexOrigin, hostOrigin, hostUrl, production };
    const specText = pointOrigins(fs.readFileSync(c.spec, "utf8"), origins);
    if (c.workspace) {
      writeIfChanged(spec, specText);
      run(flexgen, ["generate", spec]);
    } else {
      generateFresh(
        flexgen,
        specText,
        caseDir,
        path.join(out, "scratch", c.name),
      );
    }
    const plan = JSON.parse(run(flexgen, ["check", "--plan", spec]));
    if (!pointedAsExpected(plan, origins)) {
      throw new Error(
        `case ${c.name}: could not point the spec's origins at the loopback servers; ` +
          "write `flex_origin:`, `host_origins:` and `dev_host_origins:` as block keys, " +
          "one per line, under `app:` (and `crm_url:` on one line)",
      );
    }

    log(`case ${c.name}: bridge for wasm32`);
    const crate = `${plan.app.name.snake}_bridge`;
    // A target dir of its own: bridges of the same name from another folder
    // (tests/bridge_toolchain.rs builds the same specs) would share cargo's
    // fingerprint and one could be taken for the other.
    // FLEXGEN_WASM_TARGET_DIR lets tests that build fresh workspaces (each a
    // new path, so never mistaken) share the compiled dependencies.
    const cargoTarget =
      process.env.FLEXGEN_WASM_TARGET_DIR ?? path.join(out, "cargo");
    if (wasmOpt !== undefined) log(`case ${c.name}: then wasm-opt -Oz`);
    const wasm = buildWasm(
      path.join(caseDir, "bridge"),
      crate,
      cargoTarget,
      wasmOpt && {
        bin: wasmOpt,
        out: path.join(caseDir, "wasm-opt", `${crate}.wasm`),
      },
    );
    const hostDir = path.join(hostRoot, c.name);
    // The flags bridge/Cargo.toml documents for production.
    run("wasm-bindgen", [
      "--target",
      "web",
      "--remove-name-section",
      "--remove-producers-section",
      "--encode-into",
      "always",
      "--out-name",
      "bridge",
      "--out-dir",
      path.join(hostDir, "pkg"),
      wasm,
    ]);

    // The seed's CRM logic written in Rust on this bridge's Rust API
    // (browser/rust-host, whose Cargo.toml names this case's bridge).
    if (c.name === "seed" && !c.workspace && caseDir === rustHostBridgeCase) {
      log(`case ${c.name}: the CRM page in Rust (browser/rust-host)`);
      buildRustHost(path.join(hostDir, "rust"), cargoTarget, wasmOpt);
    }

    const flexDir = path.join(flexRoot, c.name);
    const pluginDir = path.join(caseDir, "flex-plugin");
    if (production) {
      log(`case ${c.name}: flex-plugin build (Twilio's plugin builder)`);
      realBuildPlugin(pluginDir, path.join(flexDir, "plugin.js"), log);
    } else {
      log(`case ${c.name}: plugin bundle (esbuild, development)`);
      await bundlePlugin(
        pluginDir,
        path.join(flexDir, "plugin.js"),
        plan.app.name.kebab,
        [path.join(c.workspace, "flex-plugin", "node_modules")],
      );
    }

    writeSkewedPlugin(path.join(flexDir, "plugin.js"), plan.spec_hash, {
      strict: !c.workspace,
      log,
    });

    const config = {
      case: c.name,
      // How plugin.js was made: "flex-plugin build" (production) or
      // "esbuild development".
      pluginBuild: production ? "flex-plugin build" : "esbuild development",
      // Which page frames which (`app.embedding`): "flex_in_host", the CRM
      // page frames the simulator; "host_in_flex", the simulator is the top
      // page and the plugin frames the CRM page in Flex's CRM container.
      embedding: plan.app.embedding ?? "flex_in_host",
      hostOrigin,
      flexOrigin,
      attackerOrigin: attackerOrigin ?? null,
      hostUrl,
      flexUrl: `${flexOrigin}/${c.name}/`,
      ...(contacts ? { contacts } : {}),
      plan,
    };
    const json = JSON.stringify(config, null, 2);
    writeIfChanged(path.join(hostDir, "config.json"), json);
    writeIfChanged(path.join(flexDir, "config.json"), json);
    if (!testPages)
      for (const dir of [hostDir, flexDir])
        fs.rmSync(path.join(dir, "rogue.html"), { force: true });
    copyInto(hostDir, {
      "index.html": path.join(browserDir, "host", "index.html"),
      ...(testPages && {
        "rogue.html": path.join(browserDir, "host", "rogue.html"),
      }),
    });
    copyInto(flexDir, {
      "index.html": path.join(browserDir, "simulator", "index.html"),
      ...(testPages && {
        "rogue.html": path.join(browserDir, "simulator", "rogue.html"),
      }),
    });
    built.push(config);
  }
  return built;
}
