// Development origins stay out of production: the plugin of a spec with
// `dev_host_origins`, generated from the spec as written (not pointed at
// the loopback servers), bundled the two ways the plugin builder builds it.
// A development build (`flex-plugin start`: process.env.NODE_ENV is
// "development") carries both origin lists; a production build
// (`flex-plugin build` and `deploy`: "production", minified) carries
// `host_origins` only: the development origins are not in its bundle at
// all. The rest of the suite runs the development build against the pages,
// which proves that the plugin trusts `dev_host_origins` there.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { bundlePlugin, flexgenBin } from "../harness/build.mjs";

const flexgen = (args) =>
  execFileSync(flexgenBin(), args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/** `caseName`'s spec `specPath` as written, in a folder of its own under `out`. */
export function buildModesSuite(caseName, specPath, out) {
  describe("build modes", () => {
    it("a production build of the plugin leaves out dev_host_origins; a development build trusts both lists", async () => {
      const dir = path.join(out, "build-modes", caseName);
      fs.mkdirSync(dir, { recursive: true });
      const spec = path.join(dir, "triggers.yaml");
      fs.copyFileSync(specPath, spec);
      flexgen(["generate", spec]);
      const { app } = JSON.parse(flexgen(["check", "--plan", spec]));
      const production = app.host_origins;
      const development = app.dev_host_origins ?? [];
      assert.ok(
        development.length > 0,
        `${caseName}: the spec has no dev_host_origins to leave out`,
      );
      const bundle = async (mode) => {
        const file = path.join(dir, `plugin-${mode}.js`);
        await bundlePlugin(
          path.join(dir, "flex-plugin"),
          file,
          app.name.kebab,
          [],
          mode,
        );
        return fs.readFileSync(file, "utf8");
      };
      const dev = await bundle("development");
      const prod = await bundle("production");
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
