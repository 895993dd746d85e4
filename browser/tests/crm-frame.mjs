// The CRM page inside Flex (`app.embedding: host_in_flex`): the plugin
// frames it in Flex's CRM container (the simulator renders the real
// CRMContainer.Content, browser/simulator/crm.ts) and its FramePeer
// accepts messages from that frame's window only.
//
// - forged hellos and commands from a foreign-origin frame inside the Flex
//   page, from a second frame of the CRM origin, and from a popup the CRM
//   frame opens (its opener kept) reach the plugin (the probe sees them)
//   and are ignored: no answer, nothing runs;
// - selecting another task gives a new CRM window that shakes hands again
//   (the old one is gone), and commands from it run;
// - a reload of the CRM frame and a reload of the Flex page each end in a
//   new handshake, after which commands run;
// - a command posted twice (the same envelope) is answered once and runs
//   once.
//
// Each test has a browser context of its own (reloads, extra frames).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { newContext, openHost } from "../harness/browser.mjs";
import { TEST_CONTACTS } from "./contacts.mjs";
import * as drive from "./drive.mjs";
import { assertText, inkIn, keepScreenshot, textBox } from "./screenshots.mjs";

let ids = 0;

/** A raw command envelope of `trigger` from the host, with a live deadline. */
function commandEnvelope(plan, trigger, payload, side = "h") {
  return {
    ns: "flexgen",
    v: plan.protocol_version,
    app: plan.app.name.original,
    id: `${side}-crmframe-${++ids}`,
    kind: "command",
    type: trigger.name.snake,
    payload,
    deadline: Date.now() + trigger.invoke.timeout_ms,
  };
}

/** A host hello for `plan`, as a forger would send it. */
function helloEnvelope(plan) {
  return {
    ns: "flexgen",
    v: plan.protocol_version,
    app: plan.app.name.original,
    id: `h-crmframe-${++ids}`,
    kind: "hello",
    role: "host",
    spec: plan.spec_hash,
  };
}

/** Waits until the probe of Flex's page received the message `id`. */
const received = (flex, id, what) =>
  drive.until(
    flex,
    (i) =>
      window.__flexgenProbe.received.some(
        (m) => m.data !== null && typeof m.data === "object" && m.data.id === i,
      ),
    id,
    what,
  );

/** The replies the plugin posted to the message `id`. */
const repliesTo = (flex, id) =>
  flex.evaluate(
    (i) =>
      window.__flexgenProbe.sent.filter((m) => m.kind === "reply" && m.re === i)
        .length,
    id,
  );

/**
 * Sends `forged` (a hello, then a command) through `post` and checks that
 * the plugin got both and ignored both: a legitimate command posted after
 * them by the CRM frame is answered and is the only one Flex ran.
 */
async function expectIgnored(config, { page, flex }, post) {
  const { plan } = config;
  const [trigger] = drive.commands(plan);
  assert.ok(trigger, "the case has no host_to_flex trigger");
  await flex.evaluate(() => window.flexSim.reset());
  await page.settle();
  // Refused by Flex (offline): the command runs its action but selects no
  // task, so the CRM frame stays the same window.
  await flex.evaluate(() => window.flexSim.setOnline(false));
  const payload = await drive.commandPayload(flex, trigger);
  const hello = helloEnvelope(plan);
  const forged = commandEnvelope(plan, trigger, payload);
  await post(hello);
  await post(forged);
  await received(flex, hello.id, "the forged hello at Flex");
  await received(flex, forged.id, "the forged command at Flex");
  // The legitimate frame's command, posted after the forgeries arrived.
  const legit = commandEnvelope(plan, trigger, payload);
  assert.equal(
    await page.evaluate((m) => window.crm.postRawToFlex(m), legit),
    true,
  );
  await drive.until(
    flex,
    (i) =>
      window.__flexgenProbe.sent.some((m) => m.kind === "reply" && m.re === i),
    legit.id,
    "the plugin's answer to the CRM frame's command",
  );
  assert.equal(await repliesTo(flex, forged.id), 0, "the forgery was answered");
  const hellos = await flex.evaluate(
    (i) =>
      window.__flexgenProbe.sent.filter((m) => m.kind === "hello" && m.re === i)
        .length,
    hello.id,
  );
  assert.equal(hellos, 0, "the forged hello was answered");
  const ran = await flex.evaluate(() =>
    window.flexSim.invocations.map((i) => i.name),
  );
  assert.deepEqual(
    ran,
    [trigger.invoke.action],
    "Flex ran something for the forgery",
  );
  assert.equal(
    await page.evaluate(() => window.crm.bridge.state),
    "ready",
    "the CRM frame's bridge lost its handshake",
  );
}

/** Adds an iframe at `src` to the Flex page; returns its playwright frame. */
async function addFrame(top, flex, src) {
  await flex.evaluate(
    (url) =>
      new Promise((resolve, reject) => {
        const f = document.createElement("iframe");
        f.src = url;
        f.className = "intruder";
        f.onload = resolve;
        f.onerror = reject;
        document.body.append(f);
      }),
    src,
  );
  const frame = top.frames().find((f) => f.url() === src);
  assert.ok(frame, `no frame at ${src}`);
  return frame;
}

/** The frame-independent part of the CRM frame: its document's marker. */
const mark = (page, value) =>
  page.evaluate((v) => (window.__crmFrameMark = v), value);
const marked = (page) => page.evaluate(() => window.__crmFrameMark ?? null);

/** Runs one command from the CRM frame and checks that Flex ran it once. */
async function commandRuns(config, { page, flex }) {
  const [trigger] = drive.commands(config.plan);
  await flex.evaluate(() => window.flexSim.reset());
  await page.settle();
  await flex.evaluate(() => window.flexSim.setOnline(false));
  const payload = await drive.commandPayload(flex, trigger);
  const outcome = await page.evaluate(
    ([t, p]) => window.crm.run(t, p),
    [trigger.name.snake, payload],
  );
  // Flex refused it (offline), which the page hears as FLEX_ACTION_FAILED:
  // the command crossed both ways.
  assert.equal(outcome.code, "FLEX_ACTION_FAILED", JSON.stringify(outcome));
  const ran = await flex.evaluate(() =>
    window.flexSim.invocations.map((i) => i.name),
  );
  assert.deepEqual(ran, [trigger.invoke.action]);
}

export function crmFrameSuite(config, out, getBrowser) {
  describe("the CRM frame inside Flex", () => {
    const open = async () => {
      const ctx = await newContext(getBrowser());
      const opened = await openHost(ctx, config);
      return { ctx, ...opened };
    };
    const closeAll = async (ctx) => {
      const errors = [...ctx.pageErrors];
      await ctx.close();
      assert.deepEqual(errors, [], "uncaught errors in the pages");
    };

    it("a screenshot of Flex shows the CRM page in its CRM container, with the caller's record (pixels)", async () => {
      const { ctx, page, flex, top } = await open();
      const contact = TEST_CONTACTS[0];
      const sid = await flex.evaluate(
        (from) => window.flexSim.ringVoice({ from }),
        contact.phone,
      );
      // Selected, the task gets its CRM page; accepted, that page pops the
      // caller's record (the seed's screen pop).
      assert.deepEqual(
        await flex.evaluate((s) => window.flexSim.select(s), sid),
        { ok: true },
      );
      await page.settle();
      const accepted = await flex.evaluate(
        (s) => window.flexSim.accept(s),
        sid,
      );
      assert.notEqual(accepted?.ok, false, JSON.stringify(accepted));
      await page.waitForFunction(
        (n) => window.crm.popped?.contact === n,
        contact.name,
      );
      const crm = (await page.current()).locator("body");
      await crm.locator("#record-body .record-name").waitFor();
      // Flex's CRM container with the frame the plugin rendered in it.
      const shot = top.locator("#crm-container");
      const png = await shot.screenshot();
      keepScreenshot(out, `crm-frame-${config.case}`, png);
      const boxes = [
        await textBox(
          shot,
          crm.locator("#record h2"),
          "the CRM page's heading in Flex",
        ),
        await textBox(
          shot,
          crm.locator("#record-body .record-name"),
          `the caller's name "${contact.name}" in the CRM page`,
        ),
      ];
      assertText(await inkIn(ctx, png, boxes), config.case);
      await closeAll(ctx);
    });

    it("a frame of a foreign origin inside the Flex page cannot drive the plugin", async () => {
      const { ctx, page, flex, top } = await open();
      const foreign = await addFrame(
        top,
        flex,
        `${config.attackerOrigin}/?in-flex=1`,
      );
      await expectIgnored(config, { page, flex }, (m) =>
        foreign.evaluate(
          ([msg, origin]) => window.parent.postMessage(msg, origin),
          [m, config.flexOrigin],
        ),
      );
      await closeAll(ctx);
    });

    it("a second frame of the CRM origin inside the Flex page is not the CRM frame", async () => {
      const { ctx, page, flex, top } = await open();
      const rogue = await addFrame(top, flex, `${config.hostUrl}rogue.html`);
      assert.equal(
        await rogue.evaluate(() => location.origin),
        config.hostOrigin,
      );
      await expectIgnored(config, { page, flex }, (m) =>
        rogue.evaluate(
          ([msg, origin]) => window.parent.postMessage(msg, origin),
          [m, config.flexOrigin],
        ),
      );
      await closeAll(ctx);
    });

    it("a popup the CRM frame opens cannot drive the plugin through its opener", async () => {
      const { ctx, page, flex } = await open();
      const crm = await page.current();
      const [popup] = await Promise.all([
        ctx.waitForEvent("page"),
        crm.evaluate(() => void window.open("", "crm-popup")),
      ]);
      // Same origin as the CRM frame, and its opener is that frame: Flex is
      // its opener's parent.
      assert.equal(await popup.evaluate(() => origin), config.hostOrigin);
      assert.equal(
        await popup.evaluate(() => window.opener !== null),
        true,
        "the popup lost its opener: the test would prove nothing",
      );
      // Through `opener.top` (Flex's page), not `opener.parent`: the
      // probe (harness/probe.js) makes the CRM frame's `parent` a Proxy of
      // that frame's realm, whose postMessage would post as the CRM frame.
      await expectIgnored(config, { page, flex }, (m) =>
        popup.evaluate(
          ([msg, o]) => window.opener.top.postMessage(msg, o),
          [m, config.flexOrigin],
        ),
      );
      await closeAll(ctx);
    });

    it("selecting another task frames a new CRM window, which shakes hands anew; the old one is gone", async () => {
      const { ctx, page, flex } = await open();
      await flex.evaluate(() => window.flexSim.reset());
      await page.settle();
      const first = await page.current();
      await mark(page, "no task");
      const sid = await flex.evaluate(() =>
        window.flexSim.ringVoice({ from: "+15551230042" }),
      );
      const selected = await flex.evaluate(
        (s) => window.flexSim.select(s),
        sid,
      );
      assert.deepEqual(selected, { ok: true });
      await page.settle();
      const second = await page.current();
      assert.notEqual(second, first, "the CRM frame was not re-created");
      assert.ok(first.isDetached(), "the old CRM frame is still there");
      assert.equal(await marked(page), null, "the same CRM document");
      const taskSid = await flex.evaluate(
        (s) => window.flexSim.task(s).taskSid,
        sid,
      );
      assert.equal(
        new URL(await page.url()).searchParams.get("task"),
        taskSid,
        "the CRM frame is not the selected task's page",
      );
      // The new window's bridge shook hands and works.
      await commandRuns(config, { page, flex });
      await closeAll(ctx);
    });

    /** Starts the case's first command from the CRM frame and waits until Flex holds its action. */
    const holdACommand = async ({ page, flex }) => {
      const [trigger] = drive.commands(config.plan);
      await flex.evaluate(() => window.flexSim.reset());
      await page.settle();
      // Offline, Flex refuses the action once released: it selects no
      // task, so the CRM frame stays the same window.
      await flex.evaluate(() => {
        window.flexSim.setOnline(false);
        window.flexSim.hold(true);
      });
      const payload = await drive.commandPayload(flex, trigger);
      await page.evaluate(
        ([t, p]) => void window.crm.run(t, p),
        [trigger.name.snake, payload],
      );
      await drive.until(
        flex,
        (a) => window.flexSim.invocations.some((i) => i.name === a),
        trigger.invoke.action,
        `${trigger.invoke.action} invoked (and held)`,
      );
      return trigger;
    };

    it("a reload of the CRM frame with a command in flight: Flex runs it once, the new page settles nothing of it, and shakes hands again", async () => {
      const { ctx, page, flex } = await open();
      await holdACommand({ page, flex });
      await mark(page, "before reload");
      const crm = await page.current();
      await crm.evaluate(() => location.reload());
      await page.settle();
      assert.equal(await marked(page), null, "the CRM frame did not reload");
      assert.equal(await page.current(), crm, "the frame was re-created");
      await flex.evaluate(() => window.flexSim.hold(false));
      await drive.until(
        flex,
        () => window.__flexgenProbe.sent.some((m) => m.kind === "reply"),
        null,
        "the plugin's answer to the old page's command",
      );
      await drive.sleep(300);
      assert.deepEqual(
        await page.evaluate(() => window.crm.results),
        [],
        "the reloaded page settled the old page's command",
      );
      assert.equal(
        (await flex.evaluate(() => window.flexSim.invocations)).length,
        1,
        "the command ran more than once",
      );
      await commandRuns(config, { page, flex });
      await closeAll(ctx);
    });

    it("a reload of the Flex page with a command in flight: the new Flex never runs it, and the CRM frame it renders shakes hands again", async () => {
      const { ctx, page, flex: old, top } = await open();
      await holdACommand({ page, flex: old });
      await top.evaluate(() => (window.__flexMark = 1));
      await top.reload();
      const flex = top.mainFrame();
      assert.equal(await flex.evaluate(() => window.__flexMark ?? null), null);
      await flex.waitForFunction(() => window.flexSim !== undefined);
      await flex.evaluate(() => window.flexSim.pluginStarted);
      await page.settle();
      await drive.sleep(500);
      assert.deepEqual(
        await flex.evaluate(() => window.flexSim.invocations),
        [],
        "the new Flex ran the old page's command",
      );
      assert.deepEqual(await page.evaluate(() => window.crm.results), []);
      await commandRuns(config, { page, flex });
      await closeAll(ctx);
    });

    it("a command posted twice is answered once and runs once", async () => {
      const { ctx, page, flex } = await open();
      const [trigger] = drive.commands(config.plan);
      await flex.evaluate(() => window.flexSim.reset());
      await page.settle();
      await flex.evaluate(() => window.flexSim.setOnline(false));
      const payload = await drive.commandPayload(flex, trigger);
      const twice = commandEnvelope(config.plan, trigger, payload);
      const after = commandEnvelope(config.plan, trigger, payload);
      for (const m of [twice, twice, after])
        assert.equal(
          await page.evaluate((x) => window.crm.postRawToFlex(x), m),
          true,
        );
      // The last one answered: the plugin handled the two copies before it.
      await drive.until(
        flex,
        (i) =>
          window.__flexgenProbe.sent.some(
            (m) => m.kind === "reply" && m.re === i,
          ),
        after.id,
        "the answer to the last command",
      );
      assert.equal(await repliesTo(flex, twice.id), 1);
      const ran = await flex.evaluate(() =>
        window.flexSim.invocations.map((i) => i.name),
      );
      assert.deepEqual(ran, [trigger.invoke.action, trigger.invoke.action]);
      await closeAll(ctx);
    });
  });
}
