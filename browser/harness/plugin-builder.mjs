// Twilio's real plugin builder, installed once and shared: the repository's
// browser cases (harness/build.mjs), the build-modes test and the user-path
// test (tests/plugin_builder.rs -> browser/tests/user-path.mjs) build the
// generated plugin with it, so the pages run the artifact `npm run deploy`
// would upload.
//
// What is installed, and where:
//
//   <cache>/plugin-builder-<hash>/   a plain `npm install` of the generated
//                                    flex-plugin/package.json (name fixed,
//                                    plus the test-only `fs` override below);
//                                    <hash> is that package.json's SHA-256,
//                                    so a changed template installs anew
//   <cache>/twilio-cli-<key>/npm/    `npm install twilio-cli` (the CLI)
//   <cache>/twilio-cli-<key>/home/   the HOME the CLI runs with: its
//                                    ~/.twilio-cli with the Flex plugin
//
// <cache> is $FLEXGEN_CACHE_DIR, else $XDG_CACHE_HOME/flexgen, else
// ~/.cache/flexgen: outside the clone, so a fresh clone of the repository
// on the same machine installs nothing again. Each folder is complete or
// absent: it is installed under a temporary name and renamed into place,
// and of two processes racing, the second rename fails and that process
// uses the winner's folder and deletes its own.
//
// Test-only: the npm registry this project's machines reach lacks
// `fs@0.0.1-security`, the empty placeholder package that
// @k88/typescript-compile-error-formatter 1.0.3 (a dependency of
// @twilio/flex-plugin-webpack 7.1.2; `npm ls fs` in an installed builder)
// depends on. The installs here point `fs` at an empty local package of that
// name and version (an npm `overrides` entry, a yarn `resolutions` entry for
// the CLI). A user's machine, with the public registry, needs nothing of the
// kind, and the generated package.json has no such entry.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** The folder every install here goes in (see the top of this file). */
export function cacheRoot() {
  const nonEmpty = (name) => {
    const v = process.env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  const explicit = nonEmpty("FLEXGEN_CACHE_DIR");
  if (explicit) return path.resolve(explicit);
  const xdg = nonEmpty("XDG_CACHE_HOME");
  if (xdg) return path.join(path.resolve(xdg), "flexgen");
  const home = nonEmpty("HOME");
  if (home) return path.join(home, ".cache", "flexgen");
  throw new Error(
    "no cache folder for the plugin builder: set FLEXGEN_CACHE_DIR (or HOME)",
  );
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
    const how =
      e.code === "ENOENT" ? `not found (${e.message})` : `exit ${e.status}`;
    throw new Error(
      `${cmd} ${args.join(" ")} (in ${opts.cwd ?? process.cwd()}) failed, ${how}:\n${e.stdout ?? ""}${e.stderr ?? ""}`,
    );
  }
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** The placeholder `fs` package of the test-only override, in `dir`. */
function writeFsPlaceholder(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    '{ "name": "fs", "version": "0.0.1-security" }\n',
  );
}
const FS_PLACEHOLDER = "fs-placeholder";

/**
 * Removes `<prefix>*.<pid>.tmp` folders in the cache whose process is gone
 * (an install that was killed half way): each is most of a gigabyte.
 */
function removeDeadPartials(root, prefix) {
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root)) {
    const m = /\.(\d+)\.tmp$/.exec(name);
    if (!name.startsWith(prefix) || !m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = e.code !== "ESRCH";
    }
    if (!alive)
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

/**
 * Fills `final` through `fill(tmp)` unless it exists: complete or absent,
 * safe when processes race (see the top of this file). Returns `final`.
 */
function installOnce(final, fill, log) {
  if (fs.existsSync(final)) return final;
  const root = path.dirname(final);
  fs.mkdirSync(root, { recursive: true });
  removeDeadPartials(root, path.basename(final));
  const tmp = `${final}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    fill(tmp);
    try {
      fs.renameSync(tmp, final);
    } catch (e) {
      // Another process renamed its own install into place first.
      if (!fs.existsSync(final)) throw e;
      log(`${final}: installed meanwhile by another process; using it`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return final;
}

/**
 * The package.json the builder is installed from: the generated one as it
 * is, but for its name (one install serves every spec: the template differs
 * only there) and the test-only `fs` override. `npm install` resolves the
 * same tree for any name.
 */
export function builderPackageJson(generatedText) {
  const pkg = JSON.parse(generatedText);
  pkg.name = "flexgen-plugin-builder";
  pkg.overrides = { ...pkg.overrides, fs: `file:./${FS_PLACEHOLDER}` };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Twilio's plugin builder, installed from the generated `flex-plugin/
 * package.json` text `generatedText` by a plain `npm install` (no flag that
 * changes what is installed: --no-audit and --no-fund only leave out two
 * reports). Returns the install's folder; its node_modules/ is what a
 * plugin folder gets.
 */
export function installBuilder(generatedText, { log = () => {} } = {}) {
  const text = builderPackageJson(generatedText);
  const dir = path.join(
    cacheRoot(),
    `plugin-builder-${sha256(text).slice(0, 32)}`,
  );
  if (fs.existsSync(dir)) return dir;
  log(
    `installing Twilio's plugin builder (npm install of the generated package.json; ` +
      `a few minutes, once) into ${dir}`,
  );
  return installOnce(
    dir,
    (tmp) => {
      fs.writeFileSync(path.join(tmp, "package.json"), text);
      writeFsPlaceholder(path.join(tmp, FS_PLACEHOLDER));
      run("npm", ["install", "--no-audit", "--no-fund"], { cwd: tmp });
      for (const needed of ["flex-plugin", "tsc"]) {
        if (!fs.existsSync(path.join(tmp, "node_modules", ".bin", needed)))
          throw new Error(
            `npm install in ${tmp} succeeded but installed no ${needed} command`,
          );
      }
    },
    log,
  );
}

/**
 * Gives `pluginDir` the builder's node_modules (a symbolic link, replaced
 * when it points elsewhere). A real node_modules folder is left alone: it
 * is the user's install, and an error says so.
 */
export function linkNodeModules(pluginDir, builderDir) {
  const link = path.join(pluginDir, "node_modules");
  const target = path.join(builderDir, "node_modules");
  let stat;
  try {
    stat = fs.lstatSync(link);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isSymbolicLink())
    throw new Error(
      `${link} is a folder of its own; the harness builds with the shared builder and links node_modules there`,
    );
  if (stat && fs.readlinkSync(link) === target) return;
  if (stat) fs.rmSync(link);
  fs.symlinkSync(target, link, "dir");
}

/** The `name` of the plugin folder's package.json: the bundle's file name. */
export function pluginName(pluginDir) {
  return JSON.parse(
    fs.readFileSync(path.join(pluginDir, "package.json"), "utf8"),
  ).name;
}

/**
 * `flex-plugin build` in `pluginDir`, with the builder's node_modules linked
 * there: what `npx flex-plugin build` runs. It is a production build: the
 * build script sets NODE_ENV to "production" and makes webpack's
 * production configuration (@twilio/flex-plugin-scripts 7.1.2,
 * dist/scripts/build.js), minified by terser
 * (@twilio/flex-plugin-webpack 7.1.2, dist/webpack/webpack.config.js).
 * Returns the bundle, build/<package name>.js, which the build writes
 * there (the same build.js prints the files it compiled).
 */
export function realPluginBuild(pluginDir, builderDir) {
  linkNodeModules(pluginDir, builderDir);
  const out = path.join(pluginDir, "build");
  fs.rmSync(out, { recursive: true, force: true });
  run(path.join(builderDir, "node_modules", ".bin", "flex-plugin"), ["build"], {
    cwd: pluginDir,
  });
  const bundle = path.join(out, `${pluginName(pluginDir)}.js`);
  if (!fs.existsSync(bundle))
    throw new Error(`flex-plugin build in ${pluginDir} wrote no ${bundle}`);
  return bundle;
}

// ---- the Twilio CLI ----------------------------------------------------------

/**
 * The CLI and its Flex plugin the user path runs `npm run build` through.
 * twilio-cli 6.2.4 is the current release; its engines field asks for node
 * 22 (npm warns EBADENGINE) but it runs on node 20. @twilio-labs/plugin-flex
 * is 7.0.0, not 7.1.2 (the version of the generated plugin's scripts): the
 * registry reached here lacks @twilio/flex-plugins-api-client 7.1.2, which
 * plugin-flex 7.1.2 depends on. The CLI warns that the two differ and builds.
 */
export const TWILIO_CLI = "twilio-cli@6.2.4";
export const FLEX_CLI_PLUGIN = "@twilio-labs/plugin-flex@7.0.0";

/**
 * The environment the CLI runs in, given its install folder: its own HOME
 * (the CLI keeps its plugins and profiles in ~/.twilio-cli), its bin on
 * PATH, and npm's cache where it was (npm
 * would otherwise make one under the new HOME).
 *
 * TWILIO_DISABLE_AUTOUPDATE and TWILIO_SKIP_NEW_VERSION_CHECK stop the
 * CLI's background self-update (`twilio update --autoupdate`, from
 * @oclif/plugin-update dist/hooks/init.js) and its new-version check
 * (@oclif/plugin-warn-if-update-available lib/hooks/init/check-update.js),
 * both network calls no build needs; oclif reads TWILIO_<NAME> for a CLI
 * whose bin is `twilio`.
 *
 * The HOME is NOT inside the CLI's npm folder: twilio-cli 6.2.4 brings
 * TypeScript 7 there (ts-node's peer), and with HOME below it the Flex
 * plugin's builder finds that TypeScript instead of the plugin's and its
 * type check fails ("typescript.createWatchCompilerHost is not a
 * function"), which the workspace README tells users too.
 */
export function cliEnv(cliDir, extra = {}) {
  const npmCache =
    process.env.npm_config_cache ??
    path.join(process.env.HOME ?? cliDir, ".npm");
  return {
    ...process.env,
    HOME: path.join(cliDir, "home"),
    PATH: `${path.join(cliDir, "npm", "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    npm_config_cache: npmCache,
    npm_config_update_notifier: "false",
    TWILIO_DISABLE_AUTOUPDATE: "true",
    TWILIO_SKIP_NEW_VERSION_CHECK: "true",
    ...extra,
  };
}

/**
 * Installs the Twilio CLI with its Flex plugin into the cache, once:
 * `npm install twilio-cli`, then `twilio plugins:install` of the Flex
 * plugin (through the CLI's own yarn) with the test-only `fs` resolution in
 * ~/.twilio-cli/package.json. Returns the folder for cliEnv.
 */
export function installTwilioCli({ log = () => {} } = {}) {
  const key = sha256(`${TWILIO_CLI}\n${FLEX_CLI_PLUGIN}\nfs-placeholder 1\n`);
  const dir = path.join(cacheRoot(), `twilio-cli-${key.slice(0, 32)}`);
  if (fs.existsSync(dir)) return dir;
  log(
    `installing ${TWILIO_CLI} and ${FLEX_CLI_PLUGIN} (a few minutes, once) into ${dir}`,
  );
  return installOnce(
    dir,
    (tmp) => {
      const npmDir = path.join(tmp, "npm");
      fs.mkdirSync(npmDir);
      const [name, version] = TWILIO_CLI.split("@");
      fs.writeFileSync(
        path.join(npmDir, "package.json"),
        `${JSON.stringify({ name: "flexgen-twilio-cli", private: true, dependencies: { [name]: version } }, null, 2)}\n`,
      );
      run("npm", ["install", "--no-audit", "--no-fund"], { cwd: npmDir });
      const env = cliEnv(tmp);
      // The CLI's data folder is $HOME/.twilio-cli (@twilio/cli-core
      // src/services/env.js sets TWILIO_DATA_DIR to it). `plugins:install`
      // starts from its package.json, writing this one when there is none
      // (@oclif/plugin-plugins 2.4.7 lib/plugins.js, initPJSON and
      // createPJSON): written here first, with the test-only resolution.
      const cliHome = path.join(env.HOME, ".twilio-cli");
      writeFsPlaceholder(path.join(cliHome, FS_PLACEHOLDER));
      fs.writeFileSync(
        path.join(cliHome, "package.json"),
        `${JSON.stringify(
          {
            private: true,
            oclif: { schema: 1, plugins: [] },
            dependencies: {},
            resolutions: { fs: `file:./${FS_PLACEHOLDER}` },
          },
          null,
          2,
        )}\n`,
      );
      run("twilio", ["plugins:install", FLEX_CLI_PLUGIN], {
        cwd: env.HOME,
        env,
      });
      const [plugin] = FLEX_CLI_PLUGIN.split(/(?<=.)@/);
      if (
        !fs.existsSync(
          path.join(cliHome, "node_modules", plugin, "package.json"),
        )
      )
        throw new Error(
          `twilio plugins:install ${FLEX_CLI_PLUGIN} installed nothing under ${cliHome}`,
        );
      // yarn's download cache (~400 MB): nothing reads it once installed.
      fs.rmSync(path.join(cliHome, "yarn"), { recursive: true, force: true });
    },
    log,
  );
}
