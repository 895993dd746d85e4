// The browser end-to-end and security tests, for the seed spec and every
// example: `node browser/tests/run.mjs [--case NAME]...` (tests/browser_e2e.rs
// runs it as part of `cargo test`), or for any workspace folder with its own
// code: `node browser/tests/run.mjs --workspace DIR` (built under
// DIR/.flexgen/build; add `--real-build` to build its plugin with Twilio's
// plugin builder instead of esbuild, as the repository's cases are). Builds the cases (harness/build.mjs), serves them on
// three loopback origins (harness/server.mjs) and drives headless Chromium.
// Exit status 0 only when every test passed.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  buildAll,
  listCases,
  outDir,
  workspaceOutDir,
} from "../harness/build.mjs";
import { launch, newContext, openHost } from "../harness/browser.mjs";
import { buildModesSuite } from "./build-modes.mjs";
import { externalsSuite } from "./externals.mjs";
import { startServers } from "../harness/server.mjs";
import * as drive from "./drive.mjs";
import { attackSuite } from "./attack.mjs";
import { dataTabSuite } from "./data-tab.mjs";
import { crmFrameSuite } from "./crm-frame.mjs";
import { TEST_CONTACTS } from "./contacts.mjs";
import { fuzzSuite } from "./fuzz.mjs";
import { robustnessSuite } from "./robustness.mjs";
import { rustApiSuite } from "./rust-api.mjs";
import { securitySuite } from "./security.mjs";
import { seedSuite } from "./seed.mjs";
import { shapesSuite } from "./shapes.mjs";

/** The host page's message log, newest first, as the page shows it. */
const messageLog = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("#message-log li")].map((li) => ({
      direction: li.dataset.direction,
      kind: li.dataset.kind,
      what: li.querySelector(".what")?.textContent,
    })),
  );

const only = process.argv.flatMap((a, i, all) =>
  a === "--case" ? [all[i + 1]] : [],
);

const wsAt = process.argv.indexOf("--workspace");
const workspace = wsAt >= 0 ? process.argv[wsAt + 1] : undefined;
const out = workspace ? workspaceOutDir(workspace) : outDir;
const realBuild = process.argv.includes("--real-build");

// The fuzz takes a minute a case: the seed and the first example get it
// (every case runs the same protocol runtimes; the validators differ).
const fuzzed = workspace ? [] : listCases().slice(0, 2);

const servers = await startServers(path.join(out, "www"));
let cases;
try {
  cases = await buildAll(servers, {
    only: only.length ? only : undefined,
    workspace,
    realBuild,
    out,
    contacts: TEST_CONTACTS,
    log: (m) => console.error(`build: ${m}`),
  });
} catch (e) {
  await servers.close();
  throw e;
}
assert.ok(cases.length > 0, `no case matches ${only.join(", ")}`);
const browser = await launch();
after(async () => {
  await browser.close();
  await servers.close();
});

for (const config of cases) {
  const { plan } = config;
  // One browser context and host page per case, for both suites: each
  // start of the Flex UI bundle costs seconds.
  let ctx;
  let page;
  let flex;
  let top;
  // `app.embedding: host_in_flex`: the simulator is the top page and `page`
  // is the CRM frame the plugin renders in its CRM container (openHost).
  const hostInFlex = config.embedding === "host_in_flex";
  describe(config.case, () => {
    before(async () => {
      ctx = await newContext(browser);
      ({ page, flex, top } = await openHost(ctx, config));
    });
    after(async () => {
      // Errors the pages caught themselves count too: a plugin listener that
      // throws (caught by the simulated manager) or an event the plugin could
      // not build would otherwise pass every "sends nothing" test.
      const simErrors = await flex.evaluate(() => window.flexSim.errors);
      const crmErrors = await page.evaluate(() => window.crm.errors);
      const notSent = ctx.flexgenConsole.filter((m) =>
        /not sent|failed|dropped/.test(m),
      );
      await ctx.close();
      assert.deepEqual(ctx.pageErrors, [], "uncaught errors in the pages");
      assert.deepEqual(simErrors, [], "errors caught by the simulator");
      assert.deepEqual(crmErrors, [], "errors caught by the host page");
      assert.deepEqual(notSent, [], "the plugin could not send an event");
    });

    describe("every trigger, both directions", () => {
      const reset = async () => {
        await flex.evaluate(() => window.flexSim.reset());
        // A reset clears the selected task: the plugin's CRM frame may be a
        // new one, which must be ready before the test starts.
        if (hostInFlex) await page.settle();
        await page.evaluate(() => {
          window.crm.events.length = 0;
          window.crm.results.length = 0;
          window.crm.popped = null;
        });
      };

      for (const trigger of drive.commands(plan)) {
        it(`${trigger.name.snake}: the host's command runs ${trigger.invoke.action} with the mapped payload`, async () => {
          await reset();
          const payload = await drive.commandPayload(flex, trigger);
          const before = await flex.evaluate(() => window.flexSim.ran.length);
          const replies = () =>
            flex.evaluate(
              () =>
                window.__flexgenProbe.sent.filter((m) => m.kind === "reply")
                  .length,
            );
          const repliesBefore = await replies();
          let outcome;
          let replaced = false;
          try {
            outcome = await page.evaluate(
              ([t, p]) => window.crm.run(t, p),
              [trigger.name.snake, payload],
            );
          } catch (e) {
            // host_in_flex: when the action makes Flex select another task
            // (a placed call: Flex selects it, FACTS.md), the plugin frames
            // that task's CRM page instead, and the page that sent the
            // command is gone, maybe before its promise settled there.
            if (!hostInFlex || !/detached|destroyed/i.test(String(e))) throw e;
            replaced = true;
          }
          if (replaced) {
            const selected = await flex.evaluate(() =>
              window.flexSim.selfInvocations.filter(
                (i) => i.name === "SelectTask",
              ),
            );
            assert.ok(
              selected.length > 0,
              "the CRM frame went away though Flex selected no task",
            );
            // The plugin answered the command once all the same.
            await drive.until(
              flex,
              (n) =>
                window.__flexgenProbe.sent.filter((m) => m.kind === "reply")
                  .length > n,
              repliesBefore,
              "the plugin's reply",
            );
            assert.equal((await replies()) - repliesBefore, 1);
            await page.settle();
          } else {
            assert.deepEqual(
              outcome,
              { ok: true },
              `${trigger.name.snake} did not resolve`,
            );
          }
          const ran = (await flex.evaluate(() => window.flexSim.ran)).slice(
            before,
          );
          const mine = ran.filter((r) => r.name === trigger.invoke.action);
          assert.equal(
            mine.length,
            1,
            `${trigger.invoke.action} ran ${mine.length} times: ${JSON.stringify(ran)}`,
          );
          // The page's message log shows the command and how it ended.
          const logged = replaced ? [] : await messageLog(page);
          assert.ok(
            replaced ||
              logged.some(
                (m) =>
                  m.kind === "outcome" &&
                  m.what === `command ${trigger.name.snake}: ok`,
              ),
            `no outcome of ${trigger.name.snake} in the message log: ${JSON.stringify(logged.slice(0, 5))}`,
          );
          const want = drive.expectedAction(trigger, payload);
          for (const [key, value] of Object.entries(want)) {
            assert.deepEqual(
              mine[0].payload[key],
              value,
              `${trigger.invoke.action} payload.${key}`,
            );
          }
        });
      }

      for (const trigger of drive.events(plan)) {
        it(`${trigger.name.snake}: ${trigger.listen.listener} in Flex reaches the host with the declared fields`, async () => {
          await reset();
          const { sid } = await drive.fire(flex, trigger);
          const got = await drive.until(
            page,
            (t) => window.crm.events.find((e) => e.type === t),
            trigger.name.snake,
            `${trigger.name.snake} at the host`,
          );
          const expected = await drive.expectedPayload(flex, trigger, sid);
          drive.assertPayload(trigger, got.payload, expected);
          await drive.sleep(300);
          const all = await page.evaluate(
            (t) => window.crm.events.filter((e) => e.type === t).length,
            trigger.name.snake,
          );
          assert.equal(all, 1, `${trigger.name.snake} delivered ${all} times`);
          // The page's message log shows the envelope from Flex.
          const logged = await messageLog(page);
          assert.ok(
            logged.some(
              (m) =>
                m.direction === "in" &&
                m.kind === "event" &&
                m.what === `event ${trigger.name.snake}`,
            ),
            `no event ${trigger.name.snake} in the message log: ${JSON.stringify(logged.slice(0, 5))}`,
          );
        });

        it(`${trigger.name.snake}: the simulator panel's fire button delivers it`, async () => {
          await reset();
          await flex.click(`button.fire[data-trigger="${trigger.name.snake}"]`);
          await drive.until(
            page,
            (t) => window.crm.events.find((e) => e.type === t),
            trigger.name.snake,
            `${trigger.name.snake} at the host after the fire button`,
          );
        });

        if (trigger.listen.subject === "task") {
          drive.taskFilters(trigger).forEach((filter, i) => {
            it(`${trigger.name.snake}: a task with ${filter.source.path} other than ${filter.equals_json} sends nothing`, async () => {
              await reset();
              const { sid } = await drive.fire(flex, trigger, { flip: i });
              await drive.assertFired(flex, trigger, sid);
              await drive.sleep(700);
              const got = await page.evaluate(
                (t) => window.crm.events.filter((e) => e.type === t),
                trigger.name.snake,
              );
              assert.deepEqual(got, []);
            });
          });
        }
      }

      // The seed's scenarios; the crm-inside-flex example has the seed's
      // triggers with the CRM page inside Flex.
      if (
        (config.case === "seed" || config.case === "crm-inside-flex") &&
        !workspace
      )
        seedSuite(() => ({ page, flex, config, reset, hostInFlex }));

      // Data the CRM sends into Flex (`show:` triggers), in the task canvas.
      if (drive.shows(plan).length > 0)
        dataTabSuite(config, out, () => ({ page, flex, reset }));

      // Task shapes as real Flex and TaskRouter make them (issue 15).
      if (config.case === "seed" && !workspace)
        shapesSuite(() => ({ page, flex, config, reset }));

      // After every flow above has carried the hostile texts through both
      // ends: none of them ran, and the host page shows them as text.
      if (config.case === "hostile" && !workspace)
        it("hostile text never runs as code, and the host page shows it as written", async () => {
          const pwned = (frame) =>
            frame.evaluate(() => typeof globalThis.__flexgen_pwned);
          assert.equal(
            await pwned(page),
            "undefined",
            "code ran in the host page",
          );
          assert.equal(
            await pwned(flex),
            "undefined",
            "code ran in the Flex frame",
          );
          const commands = drive.commands(plan);
          assert.ok(commands.length > 0);
          for (const trigger of commands) {
            const shown = await page.evaluate(
              (name) =>
                document.querySelector(`form[data-trigger="${name}"] p.summary`)
                  ?.textContent,
              trigger.name.snake,
            );
            assert.equal(
              shown,
              trigger.summary,
              `${trigger.name.snake}'s summary`,
            );
          }
        });
    });

    // The repository's cases (and a workspace with --real-build) run the
    // deployable artifact: Twilio's real production build, loaded as hosted
    // Flex loads a plugin.
    if (!workspace || realBuild)
      it("plugin.js is flex-plugin build's production bundle, loaded with the globals Flex provides", async () => {
        assert.equal(config.pluginBuild, "flex-plugin build");
        const seen = await flex.evaluate(async () => {
          const text = await (await fetch("./plugin.js")).text();
          const w = window;
          return {
            // webpack's bootstrap names its require function so, and its
            // production mode minifies the bundle into a few lines.
            webpack: text.includes("__webpack_require__"),
            // Minified: long lines (bundled packages such as Paste keep
            // some line breaks inside their template literals).
            minified: text.length / text.split("\n").length > 400,
            flexIsTheModule: w.Twilio?.Flex === w.FlexUI,
            pluginsInit: typeof w.Twilio?.Flex?.Plugins?.init,
            react: w.React?.version,
            reactDom: w.ReactDOM?.version,
            // Redux 4 (Flex's own; the harness also has a redux 3) exports it.
            redux4: typeof w.Redux?.__DO_NOT_USE__ActionTypes,
            reactRedux: typeof w.ReactRedux?.Provider,
          };
        });
        assert.deepEqual(seen, {
          webpack: true,
          minified: true,
          flexIsTheModule: true,
          pluginsInit: "function",
          react: "17.0.2",
          reactDom: "17.0.2",
          redux4: "object",
          reactRedux: "function",
        });
      });

    // Forged and malformed messages: the hostile case adds nothing there.
    if (config.case !== "hostile")
      securitySuite(config, () => ({ ctx, page, flex }));

    // The CRM page inside Flex: wrong windows, task switches, reloads.
    if (hostInFlex && !workspace) crmFrameSuite(config, out, () => browser);
    if (fuzzed.some((c) => c.name === config.case))
      fuzzSuite(config, () => ({ ctx, page, flex }));

    // Pages of its own (reloads, slow logins, a skewed plugin), about a
    // minute and a half: the seed, and the cases with the CRM page inside
    // Flex (what applies to that embedding, see robustness.mjs).
    if ((config.case === "seed" || hostInFlex) && !workspace)
      robustnessSuite(config, () => browser);

    // Attacks from the legitimate peer (issue 14), in a context of their
    // own (one may kill a bridge): the seed only.
    if (config.case === "seed" && !workspace)
      attackSuite(config, () => browser);

    // The bridge's Rust API, from the seed's CRM page written in Rust
    // (browser/rust-host), in a context of its own.
    if (config.case === "seed" && !workspace)
      rustApiSuite(config, () => browser);

    // What a real build's bundle reads from Flex's window, in a context of
    // its own: the seed only.
    if (config.case === "seed" && !workspace)
      externalsSuite(config, out, () => browser);

    // The seed's own origins, development and production builds.
    if (config.case === "seed" && !workspace)
      buildModesSuite(
        config.case,
        listCases().find((c) => c.name === "seed").spec,
        out,
      );
  });
}
