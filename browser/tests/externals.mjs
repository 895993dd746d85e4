// What the simulator gives a plugin is what hosted Flex gives it. A bundle
// of Twilio's real plugin builder does not contain React, ReactDOM, Redux,
// ReactRedux or Flex: its webpack externals read window.React and the
// others, and its `@twilio/flex-ui` is a shim whose value is
// window.Twilio.Flex (@twilio/flex-plugin-webpack 7.1.2,
// dist/webpack/webpack.config.js; @twilio/flex-plugin-scripts 7.1.2,
// dev_assets/flex-shim.js). The generated plugin imports only types from
// those packages, so its bundle reads none of them: this suite builds, with
// the real builder, the case's plugin plus a probe that imports React and
// values of @twilio/flex-ui, loads it into the Flex page in place of
// plugin.js, and checks that it got Flex's own.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { realBuildPlugin } from "../harness/build.mjs";
import { newContext } from "../harness/browser.mjs";
import * as drive from "./drive.mjs";

// Appended to the plugin's src/index.ts (imports are hoisted, so they load
// before anything in the file runs).
const PROBE = `
// The externals probe of browser/tests/externals.mjs.
import * as ProbeReact from "react";
import * as ProbeReactDOM from "react-dom";
import { Actions as ProbeActions, Manager as ProbeManager } from "@twilio/flex-ui";

const probeWindow = window as unknown as Record<string, unknown> & {
  Twilio: { Flex: { Actions: unknown; Manager: unknown } };
  React: unknown;
};
probeWindow.__externalsProbe = {
  react: ProbeReact.version,
  reactIsFlexs: ProbeReact.createElement === (probeWindow.React as typeof ProbeReact).createElement,
  reactDom: ProbeReactDOM.version,
  actionsAreFlexs: ProbeActions === probeWindow.Twilio.Flex.Actions,
  managerIsFlexs: ProbeManager === probeWindow.Twilio.Flex.Manager,
  invokeAction: typeof ProbeActions.invokeAction,
};
`;

/**
 * For `config` (a repository case, built under `out`): the probe plugin,
 * loaded as `plugin.js` in a context of its own.
 */
export function externalsSuite(config, out, getBrowser) {
  describe("externals", () => {
    let ctx;
    let bundle;
    before(() => {
      const from = path.join(out, "cases", config.case, "flex-plugin");
      const dir = path.join(out, "externals", config.case, "flex-plugin");
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(from, dir, {
        recursive: true,
        filter: (src) =>
          !["node_modules", "build"].includes(path.basename(src)),
      });
      const index = path.join(dir, "src", "index.ts");
      fs.appendFileSync(index, PROBE);
      const file = path.join(out, "externals", config.case, "plugin.js");
      realBuildPlugin(dir, file);
      bundle = fs.readFileSync(file, "utf8");
    });
    after(() => (ctx ? drive.closeClean(ctx) : undefined));

    it("a plugin that imports React and values of @twilio/flex-ui gets Flex's own, as in hosted Flex", async () => {
      // The probe is in the bundle, and React is not (React 17's own code
      // names this export).
      assert.ok(bundle.includes("__externalsProbe"));
      assert.ok(
        !bundle.includes("__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED"),
      );
      ctx = await newContext(getBrowser());
      const page = await ctx.newPage();
      await page.route(`${config.flexUrl}plugin.js`, (route) =>
        route.fulfill({ body: bundle, contentType: "text/javascript" }),
      );
      await page.goto(config.flexUrl);
      await page.evaluate(() => window.flexSim.pluginStarted);
      const probe = await page.evaluate(() => window.__externalsProbe);
      assert.deepEqual(probe, {
        react: "17.0.2",
        reactIsFlexs: true,
        reactDom: "17.0.2",
        actionsAreFlexs: true,
        managerIsFlexs: true,
        invokeAction: "function",
      });
    });
  });
}
