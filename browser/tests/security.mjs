// Security tests: every forged, misdirected or malformed message is refused
// and nothing is acted on: no Flex action invoked, no host callback called.
//
// - a third origin (the attacker page) frames the Flex page and opens the
//   host page, then posts forged hellos, commands, events and replies;
// - a page of an ALLOWED origin but the wrong window posts at both sides;
// - the legitimate peer sends malformed payloads: a typed SCHEMA_INVALID
//   reply comes back and nothing runs;
// - the probe (harness/probe.js) sees the target origin of every message
//   the two sides post: never '*', always the peer's exact origin;
// - no message carries the simulated user's token.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { frameOf, waitForPair } from "../harness/browser.mjs";
import * as drive from "./drive.mjs";

let ids = 0;
const id = (side) => `${side}-forged-${++ids}`;

function envelope(plan, side, kind, extra) {
  return {
    ns: "flexgen",
    v: plan.protocol_version,
    app: plan.app.name.original,
    id: id(side),
    kind,
    ...extra,
  };
}

/** Every forged message an attacker would try against `plan`. */
function forgeries(plan) {
  const out = [];
  const payloadOf = (t) =>
    Object.fromEntries(
      t.payload.map((f, i) => [f.name.snake, drive.sample(f, i)]),
    );
  out.push(
    envelope(plan, "h", "hello", { role: "host", spec: plan.spec_hash }),
  );
  out.push(
    envelope(plan, "f", "hello", { role: "flex", spec: plan.spec_hash }),
  );
  out.push(
    envelope(plan, "f", "hello", {
      role: "flex",
      spec: plan.spec_hash,
      re: "h-0000000000000000-1",
    }),
  );
  for (const t of plan.triggers) {
    const kind = t.direction === "host_to_flex" ? "command" : "event";
    out.push(
      envelope(plan, kind === "command" ? "h" : "f", kind, {
        type: t.name.snake,
        payload: payloadOf(t),
      }),
    );
  }
  for (let n = 1; n <= 3; n++) {
    out.push(
      envelope(plan, "f", "reply", { re: `h-0000000000000000-${n}`, ok: true }),
    );
    out.push(
      envelope(plan, "h", "reply", { re: `f-0000000000000000-${n}`, ok: true }),
    );
  }
  return out;
}

/** Malformed payloads for a trigger, each with what is wrong with it. */
function malformed(trigger) {
  const good = Object.fromEntries(
    trigger.payload.map((f, i) => [f.name.snake, drive.sample(f, i)]),
  );
  const cases = [
    ["not an object", "a string"],
    ["null", null],
    ["an array", [good]],
    ["an extra field", { ...good, injected: "x" }],
    [
      "a __proto__ key",
      JSON.parse(
        `{"__proto__": {"polluted": true}, ${JSON.stringify(good).slice(1, -1) || '"x": 1'}}`.replace(
          ", }",
          "}",
        ),
      ),
    ],
    ["a constructor key", { ...good, constructor: "x" }],
  ];
  const required = trigger.payload.filter((f) => !f.optional);
  if (required.length > 0) {
    const { [required[0].name.snake]: _, ...missing } = good;
    cases.push([`missing ${required[0].name.snake}`, missing]);
  }
  for (const f of trigger.payload) {
    const key = f.name.snake;
    const wrongType =
      f.ty === "integer" || f.ty === "number"
        ? "7"
        : f.ty === "boolean"
          ? "true"
          : 7;
    cases.push([`${key} of the wrong type`, { ...good, [key]: wrongType }]);
    if (f.ty === "e164")
      cases.push([`${key} not E.164`, { ...good, [key]: "555-0100" }]);
    if (f.max_length !== null && f.max_length !== undefined) {
      cases.push([
        `${key} over ${f.max_length} characters`,
        { ...good, [key]: "x".repeat(f.max_length + 1) },
      ]);
    }
    if (f.ty === "integer")
      cases.push([`${key} not whole`, { ...good, [key]: 1.5 }]);
    if (f.ty === "enum")
      cases.push([
        `${key} not one of its values`,
        { ...good, [key]: "NotAValue" },
      ]);
    if (f.ty === "datetime")
      cases.push([`${key} not a datetime`, { ...good, [key]: "yesterday" }]);
  }
  return cases;
}

export function securitySuite(config, get) {
  const { plan } = config;
  describe("security", () => {
    let ctx;
    let page;
    let flex;
    before(() => {
      ({ ctx, page, flex } = get());
    });

    it("a third origin that frames the Flex page cannot drive the plugin", async () => {
      const attacker = await ctx.newPage();
      await attacker.goto(`${config.attackerOrigin}/`);
      await attacker.evaluate(
        (url) => window.attacker.frame(url),
        config.flexUrl,
      );
      const framed = await frameOf(attacker, config.flexUrl);
      await framed.waitForFunction(() => window.flexSim !== undefined, null, {
        timeout: 60000,
      });
      await framed.evaluate(() => window.flexSim.pluginStarted);
      for (const message of forgeries(plan)) {
        await attacker.evaluate(
          ([m, o]) => window.attacker.post("frame:0", m, o),
          [message, config.flexOrigin],
        );
      }
      await drive.sleep(800);
      assert.deepEqual(
        await framed.evaluate(() => window.flexSim.invocations),
        [],
        "Flex actions were invoked",
      );
      // The plugin answered nothing and its own hellos (to the host origins
      // only) never reached the attacker.
      assert.deepEqual(
        await attacker.evaluate(() => window.attacker.received),
        [],
      );
      const got = await framed.evaluate(() => window.flexSim.received.length);
      assert.ok(
        got >= forgeries(plan).length,
        `the forged messages did arrive (${got})`,
      );
      await attacker.close();
    });

    it("a third origin that opens the host page cannot feed it events, hellos or replies", async () => {
      const attacker = await ctx.newPage();
      await attacker.goto(`${config.attackerOrigin}/`);
      const popupPromise = ctx.waitForEvent("page");
      await attacker.evaluate(
        (url) => window.attacker.open(url),
        config.hostUrl,
      );
      const popup = await popupPromise;
      await popup.waitForLoadState();
      const popupFlex = await frameOf(popup, config.flexUrl);
      await waitForPair(popup, popupFlex);
      const statesBefore = await popup.evaluate(() =>
        window.crm.states.slice(),
      );
      for (const message of forgeries(plan)) {
        await attacker.evaluate(
          ([m, o]) => window.attacker.post("popup:0", m, o),
          [message, config.hostOrigin],
        );
        // ... and at the Flex frame inside it.
        await attacker.evaluate(
          ([m, o]) => window.attacker.post("popup:0/child:0", m, o),
          [message, config.flexOrigin],
        );
      }
      await drive.sleep(800);
      assert.deepEqual(
        await popup.evaluate(() => window.crm.events),
        [],
        "host callbacks were called",
      );
      assert.deepEqual(
        await popup.evaluate(() => window.crm.states),
        statesBefore,
        "the bridge changed state",
      );
      assert.deepEqual(
        await popupFlex.evaluate(() => window.flexSim.invocations),
        [],
        "Flex actions were invoked",
      );
      assert.deepEqual(
        await attacker.evaluate(() => window.attacker.received),
        [],
      );
      await popup.close();
      await attacker.close();
    });

    it("a window of an allowed origin that is not the peer is ignored by both sides", async () => {
      await flex.evaluate(() => window.flexSim.reset());
      await page.evaluate(() => (window.crm.events.length = 0));
      // Host origin, wrong window: a second frame of the host page posts at the Flex frame.
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const f = document.createElement("iframe");
            f.src = "rogue.html";
            f.onload = resolve;
            document.body.append(f);
          }),
      );
      const rogueHost = await frameOf(page, `${config.hostUrl}rogue.html`);
      // Flex origin, wrong window: a frame inside the Flex page posts at the host.
      await flex.evaluate(
        () =>
          new Promise((resolve) => {
            const f = document.createElement("iframe");
            f.src = "rogue.html";
            f.onload = resolve;
            document.body.append(f);
          }),
      );
      const rogueFlex = await frameOf(page, `${config.flexUrl}rogue.html`);
      for (const message of forgeries(plan)) {
        await rogueHost.evaluate(
          ([m, o]) => window.parent.frames[0].postMessage(m, o),
          [message, config.flexOrigin],
        );
        // `top`, not `parent.parent`: the call must start in this frame's own realm.
        await rogueFlex.evaluate(
          ([m, o]) => window.top.postMessage(m, o),
          [message, config.hostOrigin],
        );
      }
      await drive.sleep(800);
      assert.deepEqual(
        await flex.evaluate(() => window.flexSim.invocations),
        [],
        "Flex actions were invoked",
      );
      assert.deepEqual(
        await page.evaluate(() => window.crm.events),
        [],
        "host callbacks were called",
      );
      assert.deepEqual(
        await rogueHost.evaluate(() => window.__flexgenProbe.received),
        [],
        "the plugin answered a wrong window",
      );
      assert.deepEqual(
        await rogueFlex.evaluate(() => window.__flexgenProbe.received),
        [],
        "the host answered a wrong window",
      );
      assert.equal(await page.evaluate(() => window.crm.bridge.state), "ready");
    });

    for (const trigger of drive.commands(plan)) {
      it(`${trigger.name.snake}: malformed commands from the host get SCHEMA_INVALID and run nothing`, async () => {
        await flex.evaluate(() => window.flexSim.reset());
        for (const [what, payload] of malformed(trigger)) {
          const message = envelope(plan, "h", "command", {
            type: trigger.name.snake,
            payload,
          });
          // As JSON text: a structured copy by playwright would turn an own
          // `__proto__` key into a prototype.
          await page.evaluate(
            (m) => window.crm.postRawToFlex(JSON.parse(m)),
            JSON.stringify(message),
          );
          const reply = await drive.until(
            page,
            (i) =>
              window.crm.received.find(
                (r) => r.data && r.data.kind === "reply" && r.data.re === i,
              ),
            message.id,
            `a reply to a command with ${what}`,
          );
          assert.equal(reply.data.ok, false, what);
          assert.equal(
            reply.data.error.code,
            "SCHEMA_INVALID",
            `${what}: ${JSON.stringify(reply.data.error)}`,
          );
        }
        // Through the typed API too: the bridge refuses before sending.
        const bad = malformed(trigger).find(
          ([w]) => w.startsWith("missing") || w.includes("wrong type"),
        );
        if (bad) {
          const outcome = await page.evaluate(
            ([t, p]) => window.crm.run(t, p),
            [trigger.name.snake, bad[1]],
          );
          assert.equal(outcome.ok, false);
          assert.equal(outcome.code, "SCHEMA_INVALID", JSON.stringify(outcome));
        }
        assert.deepEqual(
          await flex.evaluate(() => window.flexSim.invocations),
          [],
          "a Flex action was invoked",
        );
      });
    }

    for (const trigger of drive.events(plan)) {
      it(`${trigger.name.snake}: malformed events from Flex get SCHEMA_INVALID and reach no callback`, async () => {
        await page.evaluate(() => (window.crm.events.length = 0));
        for (const [what, payload] of malformed(trigger)) {
          const message = envelope(plan, "f", "event", {
            type: trigger.name.snake,
            payload,
          });
          await flex.evaluate(
            (m) => window.flexSim.postToHost(JSON.parse(m)),
            JSON.stringify(message),
          );
          const reply = await drive.until(
            flex,
            (i) =>
              window.flexSim.received.find(
                (r) => r.data && r.data.kind === "reply" && r.data.re === i,
              ),
            message.id,
            `a reply to an event with ${what}`,
          );
          assert.equal(reply.data.ok, false, what);
          assert.equal(
            reply.data.error.code,
            "SCHEMA_INVALID",
            `${what}: ${JSON.stringify(reply.data.error)}`,
          );
        }
        assert.deepEqual(
          await page.evaluate(() => window.crm.events),
          [],
          "a host callback was called",
        );
      });
    }

    it("every message either side posted named the peer's exact origin, never '*'", async () => {
      // Traffic of both kinds first, so the probe has something to see.
      const [first] = drive.events(plan);
      if (first) await drive.fire(flex, first);
      const sent = [];
      for (const p of ctx.pages()) {
        for (const frame of p.frames()) {
          const url = frame.url();
          if (
            url.includes("rogue.html") ||
            url.startsWith(config.attackerOrigin)
          )
            continue;
          if (
            !url.startsWith(config.hostOrigin) &&
            !url.startsWith(config.flexOrigin)
          )
            continue;
          const log = await frame.evaluate(() =>
            window.__flexgenProbe.sent.slice(),
          );
          sent.push(...log.map((entry) => ({ ...entry, url })));
        }
      }
      const fromHost = sent.filter((s) => s.from === config.hostOrigin);
      const fromFlex = sent.filter((s) => s.from === config.flexOrigin);
      assert.ok(
        fromHost.some((s) => s.kind === "hello"),
        "the probe saw no hello from the host",
      );
      assert.ok(
        fromFlex.some((s) => s.kind === "hello"),
        "the probe saw no hello from the plugin",
      );
      for (const s of fromHost)
        assert.equal(s.targetOrigin, config.flexOrigin, JSON.stringify(s));
      for (const s of fromFlex)
        assert.equal(s.targetOrigin, config.hostOrigin, JSON.stringify(s));
    });

    it("no message carries the user's token", async () => {
      const seen = [];
      for (const p of ctx.pages()) {
        for (const frame of p.frames()) {
          seen.push(
            ...(await frame.evaluate(
              () => window.__flexgenProbe?.received ?? [],
            )),
          );
        }
      }
      assert.ok(seen.length > 0);
      assert.ok(
        !JSON.stringify(seen).includes("SIMULATED-TOKEN"),
        "a token crossed the bridge",
      );
    });
  });
}
