// The bridge's Rust API in Chromium, from a CRM page written in Rust on the
// seed's generated bridge (browser/rust-host, framed Flex from the seed's
// case; harness/build.mjs builds it). What a Rust front end relies on:
//
// - a command future dropped before the handshake withdraws the command:
//   it never reaches Flex; a clone of the bridge moved into a task of its
//   own dials from there (the future borrows nothing);
// - a subscription calls back while it is kept and stops when dropped;
// - a failure is a typed `BridgeError` whose `ErrorCode` a `match` reads;
// - the bridge is disposed when its last handle is dropped: it no longer
//   answers Flex.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { frameOf, newContext } from "../harness/browser.mjs";
import * as drive from "./drive.mjs";

export function rustApiSuite(config, getBrowser) {
  const { plan } = config;
  const dial = plan.triggers.find((t) => t.name.snake === "click_to_dial");
  const pop = plan.triggers.find((t) => t.name.snake === "screen_pop");
  assert.ok(
    dial && pop,
    "the Rust page is the seed's: click_to_dial, screen_pop",
  );
  const dialled = (flex) =>
    drive.invokedWith(flex, dial.invoke.action, "destination");
  const commandsAtFlex = (flex) =>
    flex.evaluate(
      () =>
        window.__flexgenProbe.received.filter(
          (r) => r.data && r.data.kind === "command",
        ).length,
    );

  describe("the bridge's Rust API, from a CRM page written in Rust", () => {
    let ctx;
    let page;
    let flex;
    before(async () => {
      ctx = await newContext(getBrowser());
      page = await ctx.newPage();
      await page.goto(`${config.hostUrl}rust/`);
      await page.waitForFunction(() => window.rustHost !== undefined, null, {
        timeout: 60000,
      });
      // Flex and its plugin run before the bridge is made: the commands
      // issued right after it are queued all the same, since the handshake
      // takes a round of messages the page cannot receive meanwhile.
      flex = await frameOf(page, config.flexUrl);
      await flex.waitForFunction(() => window.flexSim !== undefined, null, {
        timeout: 60000,
      });
      await flex.evaluate(() => window.flexSim.pluginStarted);
    });
    after(() => drive.closeClean(ctx));

    it("a dial future dropped before the handshake is withdrawn, and a clone of the bridge dials from a task of its own", async () => {
      const state = await page.evaluate(() => {
        const host = window.rustHost;
        host.make();
        host.made.dial_and_drop("+15550000001");
        host.made.dial_in_task("+15550000002");
        return host.made.state();
      });
      assert.equal(state, "connecting", "issued after the handshake");
      await drive.until(
        page,
        () => window.rustHost.made.outcomes().length > 0,
        null,
        "the spawned dial to settle",
        20000,
      );
      assert.deepEqual(
        await page.evaluate(() => window.rustHost.made.outcomes()),
        ["+15550000002: ok"],
      );
      await drive.sleep(300);
      assert.deepEqual(await dialled(flex), ["+15550000002"]);
      assert.equal(
        await commandsAtFlex(flex),
        1,
        "the dropped dial reached Flex",
      );
    });

    it("a subscription calls back while it is kept, and not once it is dropped", async () => {
      await flex.evaluate(() => window.flexSim.reset());
      await page.evaluate(() => window.rustHost.made.keep_pops());
      await drive.fire(flex, pop);
      await drive.until(
        page,
        () => window.rustHost.made.pops() === 1 || undefined,
        null,
        "the screen pop at the Rust page",
      );
      await page.evaluate(() => window.rustHost.made.drop_pops());
      await flex.evaluate(() => window.flexSim.reset());
      const { sid } = await drive.fire(flex, pop);
      await drive.assertFired(flex, pop, sid);
      await drive.sleep(700);
      assert.equal(
        await page.evaluate(() => window.rustHost.made.pops()),
        1,
        "a dropped subscription still called back",
      );
    });

    it("Flex's refusal is a typed BridgeError: a match on its ErrorCode reads FLEX_ACTION_FAILED", async () => {
      await flex.evaluate(() => {
        window.flexSim.reset();
        window.flexSim.setOnline(false);
      });
      try {
        const outcome = await page.evaluate(() =>
          window.rustHost.made.dial("+15550000003"),
        );
        assert.equal(outcome, "FLEX_ACTION_FAILED");
      } finally {
        await flex.evaluate(() => window.flexSim.setOnline(true));
      }
    });

    it("the bridge is disposed when its last handle is dropped: it no longer says hello when Flex reloads", async () => {
      const hellos = () =>
        page.evaluate(
          () =>
            window.__flexgenProbe.sent.filter((s) => s.kind === "hello").length,
        );
      // The spawned task's clone went with its task: the page's handle is
      // the last one.
      await page.evaluate(() => {
        window.rustHost.made.close();
        window.rustHost.made = null;
      });
      const before = await hellos();
      await flex.goto(flex.url());
      await flex.waitForFunction(() => window.flexSim !== undefined);
      await flex.evaluate(() => window.flexSim.pluginStarted);
      await drive.sleep(1000);
      assert.equal(await hellos(), before, "a disposed bridge said hello");
    });
  });
}
