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

/**
 * Every forged message an attacker would try against `plan`: hellos (right
 * spec, wrong spec, another protocol version, as answers), a command or
 * event of every trigger with a valid payload, and acks.
 */
function forgeries(plan) {
  const out = [];
  const payloadOf = (t) =>
    Object.fromEntries(
      t.payload.map((f, i) => [f.name.snake, drive.sample(f, i)]),
    );
  for (const [side, role] of [
    ["h", "host"],
    ["f", "flex"],
  ]) {
    out.push(envelope(plan, side, "hello", { role, spec: plan.spec_hash }));
    // Accepting either of these would show as version_mismatch.
    out.push(envelope(plan, side, "hello", { role, spec: "0000000000000000" }));
    out.push({
      ...envelope(plan, side, "hello", { role, spec: plan.spec_hash }),
      v: plan.protocol_version + 1,
    });
    out.push(
      envelope(plan, side, "hello", {
        role,
        spec: plan.spec_hash,
        re: `${side === "h" ? "f" : "h"}-0000000000000000-1`,
      }),
    );
  }
  for (const t of plan.triggers) {
    const kind = t.direction === "host_to_flex" ? "command" : "event";
    out.push(
      envelope(plan, kind === "command" ? "h" : "f", kind, {
        type: t.name.snake,
        payload: payloadOf(t),
        // A live deadline (this process reads the pages' system clock):
        // the forgery is a perfect command but for where it comes from.
        ...(kind === "command"
          ? { deadline: Date.now() + drive.timeoutOf(t) }
          : {}),
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

/** Asserts that `frame`'s probe saw every message of `sent` arrive. */
async function assertArrived(frame, sent, where) {
  const got = new Set(
    await frame.evaluate(() =>
      window.__flexgenProbe.received.map((r) => r.data && r.data.id),
    ),
  );
  const missing = sent.filter((m) => !got.has(m.id)).map((m) => m.id);
  assert.deepEqual(missing, [], `forged messages that never reached ${where}`);
}

/** Asserts that no message `frame` received answers one of `sent`. */
async function assertUnanswered(frame, sent, where) {
  const ids = new Set(sent.map((m) => m.id));
  const answers = await frame.evaluate(() =>
    window.__flexgenProbe.received.map((r) => r.data),
  );
  const bad = answers.filter(
    (d) => d && typeof d === "object" && ids.has(d.re),
  );
  assert.deepEqual(bad, [], `${where} answered a forged message`);
}

/**
 * Posts each message from `frame`'s own realm (so the browser names that
 * frame as the source) to one of its relatives, by name: "parent", "top" or
 * "parent.frames[0]". No eval: the host's CSP forbids it.
 */
async function postAll(frame, messages, origin, relative) {
  for (const m of messages) {
    await frame.evaluate(
      ([msg, o, rel]) => {
        const to = {
          parent: () => window.parent,
          top: () => window.top,
          "parent.frames[0]": () => window.parent.frames[0],
        }[rel];
        to().postMessage(msg, o);
      },
      [m, origin, relative],
    );
  }
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
  // The attacks below that frame or open the host page, or add a wrong
  // window beside the Flex iframe, are about the host page framing Flex
  // (flex_in_host); their host_in_flex counterparts are crm-frame.mjs.
  const framesFlex = config.embedding !== "host_in_flex" ? it : () => {};
  describe("security", () => {
    let ctx;
    let page;
    let flex;
    before(() => {
      ({ ctx, page, flex } = get());
    });

    /** The attacker's page with its window.attacker helpers. */
    const attackerPage = async () => {
      const attacker = await ctx.newPage();
      await attacker.goto(`${config.attackerOrigin}/`);
      return attacker;
    };
    const post = async (attacker, target, messages, origin) => {
      for (const m of messages) {
        const ok = await attacker.evaluate(
          ([t, msg, o]) => window.attacker.post(t, msg, o),
          [target, m, origin],
        );
        assert.ok(ok, `the attacker could not post to ${target}`);
      }
    };

    framesFlex(
      "a third origin that frames or opens the Flex page cannot drive the plugin",
      async () => {
        const attacker = await attackerPage();
        const popupPromise = ctx.waitForEvent("page");
        await attacker.evaluate(
          (url) => window.attacker.open(url),
          config.flexUrl,
        );
        await attacker.evaluate(
          (url) => window.attacker.frame(url),
          config.flexUrl,
        );
        const popup = await popupPromise;
        const framed = await frameOf(attacker, config.flexUrl);
        const targets = [
          ["frame:0", framed],
          ["popup:0", popup.mainFrame()],
        ];
        for (const [, frame] of targets) {
          await frame.waitForFunction(
            () => window.flexSim !== undefined,
            null,
            {
              timeout: 60000,
            },
          );
          await frame.evaluate(() => window.flexSim.pluginStarted);
        }
        const sent = forgeries(plan);
        for (const [target] of targets)
          await post(attacker, target, sent, config.flexOrigin);
        await drive.sleep(800);
        for (const [target, frame] of targets) {
          await assertArrived(frame, sent, `the Flex page (${target})`);
          assert.deepEqual(
            await frame.evaluate(() => window.flexSim.invocations),
            [],
            `Flex actions ran (${target})`,
          );
        }
        // No answer, and the plugin's own hellos (to the host origins only)
        // never reached the attacker.
        assert.deepEqual(
          await attacker.evaluate(() => window.attacker.received),
          [],
        );
        await popup.close();
        await attacker.close();
      },
    );

    framesFlex(
      "a third origin cannot frame the host page (frame-ancestors), and a page it opens keeps no handle to it (COOP): nothing it posts arrives; the CRM's own popups keep their opener",
      async () => {
        const attacker = await attackerPage();
        await attacker.evaluate(
          (url) => window.attacker.frame(url),
          config.hostUrl,
        );
        await drive.sleep(500);
        for (const frame of attacker.frames().slice(1)) {
          const running = await frame
            .evaluate(() => typeof window.crm !== "undefined")
            .catch(() => false);
          assert.equal(
            running,
            false,
            `the host page ran inside the attacker's frame (${frame.url()})`,
          );
        }

        const popupPromise = ctx.waitForEvent("page");
        // `?idp=1`: this CRM's CSP also allows its SSO login page (played by
        // the attacker's origin) in frame-src, used at the end.
        await attacker.evaluate(
          (url) => window.attacker.open(url),
          `${config.hostUrl}?idp=1`,
        );
        const popup = await popupPromise;
        await popup.waitForURL(`${config.hostUrl}?idp=1`);
        const popupFlex = await frameOf(popup, config.flexUrl);
        await waitForPair(popup, popupFlex);
        const statesBefore = await popup.evaluate(() =>
          window.crm.states.slice(),
        );
        // Cross-Origin-Opener-Policy: the CRM page went into a browsing
        // context group of its own, and the attacker's handle to it is closed.
        await drive.until(
          attacker,
          () => {
            const [w] = window.attacker.popups();
            return w !== null && w !== undefined && w.closed === true;
          },
          null,
          "the attacker's handle to the CRM window to be closed (COOP)",
        );
        // Posting through it anyway, at the page and at its frames, delivers
        // nothing: no forgery, and no flood to slow the Flex frame down.
        const sent = forgeries(plan);
        const reach = await attacker.evaluate(
          ([msgs, hostOrigin, flexOrigin]) => {
            const [w] = window.attacker.popups();
            let frames = -1;
            try {
              frames = w.frames.length;
            } catch {
              // A severed handle may refuse even this.
            }
            for (const m of msgs) {
              try {
                w.postMessage(m, hostOrigin);
              } catch {
                // Nothing to post to.
              }
              try {
                w.frames[0]?.postMessage(m, flexOrigin);
              } catch {
                // Nothing to post to.
              }
            }
            return {
              frames,
              post: window.attacker.post("popup:0", msgs[0], hostOrigin),
            };
          },
          [sent, config.hostOrigin, config.flexOrigin],
        );
        assert.equal(
          reach.post,
          false,
          "the attacker's helper could still post to the CRM window",
        );
        assert.ok(
          reach.frames <= 0,
          `the attacker still sees ${reach.frames} frame(s) in the CRM window`,
        );
        await drive.sleep(800);
        const arrivedAt = async (frame) => {
          const ids = new Set(sent.map((m) => m.id));
          return (
            await frame.evaluate(() =>
              window.__flexgenProbe.received.map((r) => r.data && r.data.id),
            )
          ).filter((id) => ids.has(id));
        };
        assert.deepEqual(
          await arrivedAt(popup),
          [],
          "messages posted through the attacker's handle reached the CRM page",
        );
        assert.deepEqual(
          await arrivedAt(popupFlex),
          [],
          "messages posted through the attacker's handle reached the Flex frame",
        );
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

        // The right window with the wrong origin: Flex's iframe navigated away
        // (as to an SSO login page on another origin) is still the bridge's
        // iframe.contentWindow, so only the origin check can stop it.
        await popupFlex.goto(`${config.attackerOrigin}/`);
        await popup.evaluate(() => window.crm.whenState("connecting", 10000));
        const again = forgeries(plan);
        await postAll(popupFlex, again, config.hostOrigin, "parent");
        await drive.sleep(800);
        await assertArrived(popup, again, "the host page");
        assert.deepEqual(
          await popup.evaluate(() => window.crm.events),
          [],
          "host callbacks were called",
        );
        assert.equal(
          await popup.evaluate(() => window.crm.bridge.state),
          "connecting",
        );
        // The host's hello after the navigation went to the Flex origin only.
        const leaked = await popupFlex.evaluate(
          () => window.__flexgenProbe.received,
        );
        assert.deepEqual(
          leaked,
          [],
          "the host posted to a page of another origin",
        );
        await popup.close();
        await attacker.close();

        // The CRM's own popups keep their opener (`same-origin-allow-popups`,
        // not `same-origin`): a Flex-origin page the Flex iframe opens, as
        // Flex's SSO login does, can still answer it.
        const ssoPromise = ctx.waitForEvent("page");
        await flex.evaluate((url) => {
          window.__ssoPopup = window.open(url, "_blank");
        }, `${config.flexUrl}rogue.html`);
        const sso = await ssoPromise;
        await sso.waitForLoadState("load");
        assert.equal(
          await sso.evaluate(() => window.opener !== null),
          true,
          "the popup the Flex iframe opened lost its opener",
        );
        await sso.evaluate(
          (o) => window.opener.postMessage({ ns: "sso-test", id: "sso-1" }, o),
          config.flexOrigin,
        );
        await drive.until(
          flex,
          () =>
            window.__flexgenProbe.received.some(
              (r) => r.data && r.data.id === "sso-1",
            ),
          null,
          "the popup's message at the Flex frame that opened it",
        );
        assert.equal(
          await flex.evaluate(() => window.__ssoPopup.closed),
          false,
          "the Flex frame's handle to its popup is closed",
        );
        await sso.close();
      },
    );

    /** A blank page of the host origin and one of the Flex origin, framed
     * beside the peers: allowed origins, wrong windows. */
    const rogues = async () => {
      const addRogue = (frame) =>
        frame.evaluate(
          () =>
            new Promise((resolve) => {
              const f = document.createElement("iframe");
              f.src = "rogue.html";
              f.onload = resolve;
              document.body.append(f);
            }),
        );
      const find = (url) => page.frames().find((f) => f.url() === url);
      if (!find(`${config.hostUrl}rogue.html`)) await addRogue(page);
      if (!find(`${config.flexUrl}rogue.html`)) await addRogue(flex);
      return {
        rogueHost: find(`${config.hostUrl}rogue.html`),
        rogueFlex: find(`${config.flexUrl}rogue.html`),
      };
    };

    framesFlex(
      "a window of an allowed origin that is not the peer is ignored by both sides",
      async () => {
        await flex.evaluate(() => window.flexSim.reset());
        await page.evaluate(() => (window.crm.events.length = 0));
        const { rogueHost, rogueFlex } = await rogues();
        const sent = forgeries(plan);
        // Host origin, wrong window, at the Flex frame; Flex origin, wrong
        // window, at the host (`top`: the call must start in the rogue's realm).
        await postAll(rogueHost, sent, config.flexOrigin, "parent.frames[0]");
        await postAll(rogueFlex, sent, config.hostOrigin, "top");
        await drive.sleep(800);
        await assertArrived(flex, sent, "the Flex frame");
        await assertArrived(page, sent, "the host page");
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
        for (const [frame, where] of [
          [rogueHost, "the plugin"],
          [rogueFlex, "the host"],
          [page, "the host"],
          [flex, "the plugin"],
        ]) {
          await assertUnanswered(frame, sent, where);
        }
        assert.deepEqual(
          await rogueHost.evaluate(() => window.__flexgenProbe.received),
          [],
          "the plugin posted to a wrong window",
        );
        assert.deepEqual(
          await rogueFlex.evaluate(() => window.__flexgenProbe.received),
          [],
          "the host posted to a wrong window",
        );
        assert.equal(
          await page.evaluate(() => window.crm.bridge.state),
          "ready",
        );
      },
    );

    const [command] = drive.commands(plan);
    if (command) {
      framesFlex(
        `${command.name.snake}: forged acks from a wrong window do not settle a command in flight; Flex's answer does`,
        async () => {
          await flex.evaluate(() => window.flexSim.reset());
          // Earlier tests' results stay on the page: judge only new ones.
          await page.evaluate(() => (window.crm.results.length = 0));
          const payload = await drive.commandPayload(flex, command);
          const { rogueFlex } = await rogues();
          await flex.evaluate(() => window.flexSim.hold(true));
          try {
            await page.evaluate(
              ([t, p]) => void (window.__inFlight = window.crm.run(t, p)),
              [command.name.snake, payload],
            );
            const sent = await drive.until(
              flex,
              (t) =>
                window.__flexgenProbe.received.find(
                  (r) =>
                    r.data && r.data.kind === "command" && r.data.type === t,
                ),
              command.name.snake,
              "the command at the plugin",
            );
            const acks = [
              envelope(plan, "f", "reply", { re: sent.data.id, ok: true }),
              envelope(plan, "f", "reply", {
                re: sent.data.id,
                ok: false,
                error: { code: "FLEX_ACTION_FAILED", message: "forged" },
              }),
            ];
            await postAll(rogueFlex, acks, config.hostOrigin, "top");
            await drive.sleep(600);
            await assertArrived(page, acks, "the host page");
            const settled = await page.evaluate(
              (t) => window.crm.results.filter((r) => r.trigger === t),
              command.name.snake,
            );
            assert.deepEqual(settled, [], "a forged ack settled the command");
          } finally {
            await flex.evaluate(() => window.flexSim.hold(false));
          }
          assert.deepEqual(await page.evaluate(() => window.__inFlight), {
            ok: true,
          });
        },
      );
    }

    /**
     * Sends each malformed payload of `trigger` as a raw envelope from the
     * legitimate peer (`from`, through `send`) and expects a SCHEMA_INVALID
     * reply for each (seen by the probe of `from`).
     */
    const expectRefusals = async (trigger, kind, from, send) => {
      for (const [what, payload] of malformed(trigger)) {
        const side = kind === "command" ? "h" : "f";
        const message = envelope(plan, side, kind, {
          type: trigger.name.snake,
          payload,
          // A live deadline: the payload is what gets refused.
          ...(kind === "command"
            ? { deadline: Date.now() + drive.timeoutOf(trigger) }
            : {}),
        });
        // As JSON text: a structured copy by playwright would turn an own
        // `__proto__` key into a prototype.
        await from.evaluate(send, JSON.stringify(message));
        const reply = await drive.until(
          from,
          (i) =>
            window.__flexgenProbe.received.find(
              (r) => r.data && r.data.kind === "reply" && r.data.re === i,
            ),
          message.id,
          `a reply to a ${kind} with ${what}`,
        );
        assert.equal(reply.data.ok, false, what);
        assert.equal(
          reply.data.error.code,
          "SCHEMA_INVALID",
          `${what}: ${JSON.stringify(reply.data.error)}`,
        );
        // Refused for its payload, not for the envelope's deadline.
        assert.ok(
          !String(reply.data.error.message).startsWith("deadline"),
          `${what}: ${JSON.stringify(reply.data.error)}`,
        );
      }
    };

    for (const trigger of [...drive.commands(plan), ...drive.shows(plan)]) {
      it(`${trigger.name.snake}: malformed commands from the host get SCHEMA_INVALID and run nothing`, async () => {
        await flex.evaluate(() => window.flexSim.reset());
        // host_in_flex: the reset may have given the CRM a new frame.
        await page.settle?.();
        await expectRefusals(trigger, "command", page, (m) =>
          window.crm.postRawToFlex(JSON.parse(m)),
        );
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
        await expectRefusals(trigger, "event", flex, (m) =>
          window.flexSim.postToHost(JSON.parse(m)),
        );
        assert.deepEqual(
          await page.evaluate(() => window.crm.events),
          [],
          "a host callback was called",
        );
      });
    }

    it("every message either side posted named the peer's exact origin, never '*'", async () => {
      const sent = [];
      const collect = async () => {
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
      };
      // host_in_flex: the event below may make Flex select another task,
      // and the plugin frame a new CRM window: what the current one posted
      // is read first (entries read twice change no assertion below).
      if (page.settle) await collect();
      // Traffic of both kinds first, so the probe has something to see.
      const [first] = drive.events(plan);
      if (first) await drive.fire(flex, first);
      await page.settle?.();
      await collect();
      const fromHost = sent.filter((s) => s.from === config.hostOrigin);
      const fromFlex = sent.filter((s) => s.from === config.flexOrigin);
      // Every kind each side sends went past the probe.
      const hasCommands = drive.commands(plan).length > 0;
      const hasEvents = drive.events(plan).length > 0;
      for (const kind of [
        "hello",
        ...(hasCommands ? ["command"] : []),
        ...(hasEvents ? ["reply"] : []),
      ]) {
        assert.ok(
          fromHost.some((s) => s.kind === kind),
          `the probe saw no ${kind} from the host`,
        );
      }
      for (const kind of [
        "hello",
        ...(hasEvents ? ["event"] : []),
        ...(hasCommands ? ["reply"] : []),
      ]) {
        assert.ok(
          fromFlex.some((s) => s.kind === kind),
          `the probe saw no ${kind} from the plugin`,
        );
      }
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
