// Development origins stay out of production: the plugin of a spec with
// `dev_host_origins`, generated from the spec as written (not pointed at
// the loopback servers), built the two ways. The production build is Twilio's
// real one (`flex-plugin build`, what `npm run build` and `npm run deploy`
// run: process.env.NODE_ENV "production", minified): it carries
// `host_origins` only, the development origins are not in its bundle at all.
// The development build is the harness's esbuild one (`flexgen preview`'s,
// as `flex-plugin start` serves: "development"): it carries both lists.
// The rest of the suite loads the real production build into the pages,
// which proves that it trusts `host_origins`; tests/walk.rs runs the same
// pages on a workspace's development build, which proves that one trusts
// `dev_host_origins`.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import {
  bundlePlugin,
  flexgenBin,
  generateFresh,
  realBuildPlugin,
} from "../harness/build.mjs";

const flexgen = (args) =>
  execFileSync(flexgenBin(), args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/** `caseName`'s spec `specPath` as written, in a folder of its own under `out`. */
export function buildModesSuite(caseName, specPath, out) {
  describe("build modes", () => {
    it("the real production build of the plugin leaves out dev_host_origins; a development build trusts both lists", async () => {
      const dir = path.join(out, "build-modes", caseName);
      const spec = path.join(dir, "triggers.yaml");
      generateFresh(
        flexgenBin(),
        fs.readFileSync(specPath, "utf8"),
        dir,
        path.join(out, "scratch", `build-modes-${caseName}`),
      );
      const { app } = JSON.parse(flexgen(["check", "--plan", spec]));
      const production = app.host_origins;
      const development = app.dev_host_origins ?? [];
      assert.ok(
        development.length > 0,
        `${caseName}: the spec has no dev_host_origins to leave out`,
      );
      const pluginDir = path.join(dir, "flex-plugin");
      const devFile = path.join(dir, "plugin-development.js");
      await bundlePlugin(pluginDir, devFile, app.name.kebab, []);
      const prodFile = path.join(dir, "plugin-production.js");
      realBuildPlugin(pluginDir, prodFile);
      const dev = fs.readFileSync(devFile, "utf8");
      const prod = fs.readFileSync(prodFile, "utf8");
      for (const origin of [...production, ...development])
        assert.ok(dev.includes(origin), `development build lacks ${origin}`);
      for (const origin of production)
        assert.ok(prod.includes(origin), `production build lacks ${origin}`);
      for (const origin of development)
        assert.ok(
          !prod.includes(origin),
          `the production build contains the development origin ${origin}`,
        );
    });
  });
}
