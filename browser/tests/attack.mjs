// Attacks from the legitimate peer (issue 14): messages that pass the origin
// and source checks (posted by the Flex frame to its parent, or by the CRM
// page to its Flex iframe) and try to freeze, kill or fool the other end.
//
// - amplification: a message of a few KB whose objects share references
//   (256 keys pointing at one object of 256 keys pointing at one 64 K
//   string; the payload being the envelope itself; a ~68 KB deeper fan-out)
//   neither freezes nor kills the host bridge: it stays ready, its WASM
//   memory grows by less than a bound, dials and events still work; the same
//   shapes posted at the plugin as commands get SCHEMA_INVALID;
// - expired commands: a command whose `deadline` (ms since the epoch) has
//   passed is refused TIMEOUT and never runs, one too far in the future is
//   SCHEMA_INVALID; end to end, a dial the bridge settled TIMEOUT while the
//   Flex frame's main thread was busy never places a call once it is free;
// - odd values (non-string, getter-free structured-cloneable values) in every
//   envelope field, of this protocol version and others, at both ends: no
//   exception escapes, nothing runs, both ends work afterwards;
// - replay: the same command envelope after 600 other ids does not run again.
//
// Runs for the seed, in a browser context of its own (a test that kills a
// bridge must not take the shared host page with it).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { frameOf, newContext, waitForPair } from "../harness/browser.mjs";
import * as drive from "./drive.mjs";
import { dialCommand } from "./robustness.mjs";

/**
 * How much the bridge's WASM memory may grow while it refuses the amplified
 * messages. A refused message may cost the bridge memory in proportion to
 * the protocol's per-message budget, never to its expansion: the largest
 * message the seed's triggers allow is a few hundred KB as UTF-8 (its
 * longest strings are 65,536 units), and linear memory grows in 64 KiB
 * pages, with allocators doubling buffers. 16 MiB is dozens of times that,
 * and far below what today's conversion takes (a gigabyte, or the 4 GiB
 * ceiling and a trap).
 */
const MEMORY_BOUND = 16 * 1024 * 1024;
/** How long "nothing more happens" is watched for. */
const QUIET_MS = 1500;

let counter = 0;
/** A fresh message id of side `h` or `f` (unique for this run). */
const freshId = (side) =>
  `${side}-attack${Date.now().toString(36)}-${++counter}`;

/**
 * Builds one amplified message in the page (structured clone keeps shared
 * references and cycles, so it must be made where it is posted) and posts it
 * from this window: `to` "parent" (the Flex frame to the CRM page) or "flex"
 * (the CRM page to its Flex iframe), at `origin`. `base` is the envelope
 * without its payload; commands get their `deadline` here, from this page's
 * clock. Self-contained: playwright sends its source text to the page.
 */
function postAmplified({ variant, base, valid, timeoutMs, to, origin }) {
  const S = "x".repeat(65536);
  const fan = (n, child) => {
    const o = {};
    for (let i = 0; i < n; i++) o[`k${i}`] = child;
    return o;
  };
  const X = fan(256, S);
  const m = { ...base };
  if (m.kind === "command") m.deadline = Date.now() + timeoutMs;
  switch (variant) {
    case "payload":
      m.payload = fan(256, X);
      break;
    case "fields":
      m.payload = {};
      for (const key of Object.keys(valid)) m.payload[key] = X;
      break;
    case "cycle":
      m.payload = m;
      break;
    case "envelope keys":
      m.payload = { ...valid };
      for (let i = 0; i < 256; i++) m[`x${i}`] = X;
      break;
    case "re and error":
      delete m.type;
      delete m.payload;
      delete m.deadline;
      m.kind = "reply";
      m.re = X;
      m.ok = false;
      m.error = fan(256, X);
      break;
    case "deep": {
      // ~68 KB as sent: one 64 K string under three levels of 256 keys.
      const A = fan(256, fan(256, fan(256, S)));
      m.payload = A;
      for (let i = 0; i < 256; i++) m[`x${i}`] = A;
      break;
    }
    default:
      throw new Error(`no variant ${variant}`);
  }
  const target =
    to === "parent" ? window.parent : window.crm.iframe().contentWindow;
  target.postMessage(m, origin);
  return m.id;
}

const VARIANTS = [
  [
    "payload",
    "a payload of 256 keys pointing at one object of 256 keys pointing at one 65,536-character string",
  ],
  ["fields", "every declared payload field pointing at that one object"],
  ["cycle", "a payload that is the envelope itself"],
  ["envelope keys", "256 unknown envelope keys pointing at that one object"],
  [
    "re and error",
    "a reply whose re is that object and whose error holds it under 256 keys",
  ],
  [
    "deep",
    "a ~68 KB message: three levels of 256 keys over one 64 K string, at the payload and 256 unknown keys",
  ],
];

/**
 * Builds and posts, from this window, one message per odd value for each
 * field of each envelope kind and protocol version (self-contained, for
 * frame.evaluate). Returns the ids posted.
 *
 * `rules`: { ns, app, v, spec, side, role, prefix, kinds: [{ kind, fields:
 * { name: valid }, payload, payloadFields, required }], versions,
 * timeoutMs, to, origin }.
 */
function postOdd(rules) {
  const odd = () => [
    ["{ toString: 1 }", { toString: 1 }],
    ["{ toString: 1, valueOf: 1 }", { toString: 1, valueOf: 1 }],
    ["[]", []],
    ["[1, 2]", [1, 2]],
    ["new Date(0)", new Date(0)],
    ["new Map([[1, 2]])", new Map([[1, 2]])],
    ["new Set([1])", new Set([1])],
    ["/x/", /x/],
    ["new ArrayBuffer(8)", new ArrayBuffer(8)],
    ["new Uint8Array(4)", new Uint8Array(4)],
    ["10n", 10n],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-0", -0],
    ["null", null],
    ["undefined", undefined],
    ["new Boolean(false)", new Boolean(false)],
    ['new String("flexgen")', new String("flexgen")],
    ["new Number(1)", new Number(1)],
    ["an Error", new TypeError("odd")],
    ["a nested object", { a: { b: { c: [1, { d: "e" }] } } }],
  ];
  const ENVELOPE = [
    "ns",
    "v",
    "app",
    "id",
    "kind",
    "type",
    "payload",
    "re",
    "ok",
    "error",
    "spec",
    "role",
    "deadline",
  ];
  const target =
    rules.to === "parent" ? window.parent : window.crm.iframe().contentWindow;
  const ids = [];
  let n = 0;
  for (const v of rules.versions) {
    for (const k of rules.kinds) {
      const fields = [
        ...ENVELOPE.map((f) => ["envelope", f]),
        ...k.payloadFields.map((f) => ["payload", f]),
      ];
      for (const [where, field] of fields) {
        for (const [, value] of odd()) {
          // `undefined` is "absent" where a key may be absent (an optional
          // field), which is no odd value there; and no key may be added
          // with it (some ends read an undefined member as absent).
          if (value === undefined && !k.required.includes(field)) continue;
          // -0 is a fine integer or number: no odd value for such a field.
          if (
            where === "payload" &&
            Object.is(value, -0) &&
            (k.numeric ?? []).includes(field)
          )
            continue;
          const m = { ...k.fields, ns: rules.ns, app: rules.app, v };
          m.id = `${rules.prefix}-odd-${++n}`;
          if (k.kind === "command") m.deadline = Date.now() + rules.timeoutMs;
          if (k.payload !== undefined) m.payload = { ...k.payload };
          if (where === "payload") m.payload[field] = value;
          else m[field] = value;
          try {
            target.postMessage(m, rules.origin);
            ids.push(m.id);
          } catch (e) {
            return { error: `${field} = ${String(e)}`, ids };
          }
        }
      }
    }
  }
  return { ids };
}

export function attackSuite(config, getBrowser) {
  const { plan } = config;
  const dial = dialCommand(plan);
  const [event] = drive.events(plan);
  assert.ok(
    dial && event,
    `case ${config.case}: the attack suite needs a host -> Flex trigger with one required e164 field and a Flex -> host trigger`,
  );
  const { trigger: command } = dial;
  const action = command.invoke.action;
  const timeoutMs = command.invoke.timeout_ms;
  const app = plan.app.name.original;
  const v = plan.protocol_version;

  const payload = (n) => ({
    [dial.field]: `+1555${String(n).padStart(7, "0")}`,
  });
  const numberOf = (n) => payload(n)[dial.field];
  const eventPayload = Object.fromEntries(
    event.payload.map((f, i) => [f.name.snake, drive.sample(f, i)]),
  );

  /** The numbers Flex was asked to dial, in order. */
  const dialled = (flex) => drive.invokedWith(flex, action, dial.arg);

  /** Replies `frame` received to `id` (the probe's record). */
  const repliesTo = (frame, id) =>
    frame.evaluate(
      (i) =>
        window.__flexgenProbe.received
          .map((r) => r.data)
          .filter(
            (d) =>
              d !== null &&
              typeof d === "object" &&
              d.kind === "reply" &&
              d.re === i,
          ),
      id,
    );

  const replyTo = (frame, id, what, timeout = 10000) =>
    drive.until(
      frame,
      (i) =>
        window.__flexgenProbe.received.find(
          (r) =>
            r.data !== null &&
            typeof r.data === "object" &&
            r.data.kind === "reply" &&
            r.data.re === i,
        )?.data,
      id,
      what,
      timeout,
    );

  /** Waits until `frame`'s probe recorded a message with this id. */
  const arrived = (frame, id, what, timeout = 120000) =>
    drive.until(
      frame,
      (i) =>
        window.__flexgenProbe.received.some(
          (r) =>
            r.data !== null && typeof r.data === "object" && r.data.id === i,
        ),
      id,
      what,
      timeout,
    );

  /** The bridge's state, or what reading it threw (a trapped bridge throws). */
  const stateOf = (page) =>
    page.evaluate(() => {
      try {
        return window.crm.bridge.state;
      } catch (e) {
        return `threw ${e && e.name}: ${e && e.message}`;
      }
    });

  /** A dial from the host page resolves and runs the action once. */
  const assertDialWorks = async ({ page, flex }, n, when) => {
    await flex.evaluate(() => window.flexSim.reset());
    const outcome = await page.evaluate(
      ([t, p]) => window.crm.run(t, p),
      [command.name.snake, payload(n)],
    );
    assert.deepEqual(outcome, { ok: true }, `${when}: the dial failed`);
    assert.deepEqual(await dialled(flex), [numberOf(n)], when);
  };

  /** An event fired in Flex reaches the host page's subscribers. */
  const assertEventArrives = async ({ page, flex }, when) => {
    const before = await page.evaluate(() => window.crm.events.length);
    await drive.fire(flex, event);
    await drive.until(
      page,
      ([t, n]) => window.crm.events.slice(n).some((e) => e.type === t),
      [event.name.snake, before],
      `${when}: ${event.name.snake} at the host`,
    );
  };

  /** A raw command envelope of the dial, without its deadline. */
  const commandEnvelope = (n, extra = {}) => ({
    ns: "flexgen",
    v,
    app,
    id: freshId("h"),
    kind: "command",
    type: command.name.snake,
    payload: payload(n),
    ...extra,
  });

  /**
   * Posts `message` from the host page to the Flex iframe, its `deadline`
   * set in the page first: `Date.now() + offset` (a number offset), or as
   * given (`{ value }`), or left as it is (undefined).
   */
  const postCommand = (page, message, deadline) =>
    page.evaluate(
      ([m, d]) => {
        if (typeof d === "number") m.deadline = Date.now() + d;
        else if (d !== null) m.deadline = d.value;
        window.crm.postRawToFlex(m);
        return m;
      },
      [message, deadline === undefined ? null : deadline],
    );

  describe("attacks from the legitimate peer (issue 14)", () => {
    let ctx;
    let main;

    const open = async (query = "") => {
      const page = await ctx.newPage();
      await page.goto(`${config.hostUrl}${query}`);
      const flex = await frameOf(page, config.flexUrl);
      await waitForPair(page, flex);
      return { page, flex };
    };

    /** Page-level error lists of a pair: none is the point. */
    const assertNoErrors = async ({ page, flex }, when) => {
      assert.deepEqual(ctx.pageErrors, [], `${when}: uncaught errors`);
      assert.deepEqual(
        await flex.evaluate(() => window.flexSim.errors),
        [],
        `${when}: errors caught by the simulator (uncaught errors, unhandled rejections)`,
      );
      assert.deepEqual(
        await page.evaluate(() => window.crm.errors),
        [],
        `${when}: errors caught by the host page (uncaught errors, unhandled rejections)`,
      );
    };

    before(async () => {
      ctx = await newContext(getBrowser());
      main = await open();
    });

    after(() => drive.closeClean(ctx));

    it(`expired commands: a ${command.name.snake} whose deadline has passed is refused TIMEOUT and never runs; one due too late, or without a valid deadline, is SCHEMA_INVALID`, async () => {
      const { page, flex } = main;
      await flex.evaluate(() => window.flexSim.reset());
      const cases = [
        // [what, envelope, deadline, expected code]
        ["deadline now - 1", commandEnvelope(1), -1, "TIMEOUT"],
        ["deadline 0", commandEnvelope(2), { value: 0 }, "TIMEOUT"],
        [
          "deadline now - 1 and an invalid payload (the deadline is checked first)",
          commandEnvelope(3, { payload: { [dial.field]: "not a number" } }),
          -1,
          "TIMEOUT",
        ],
        [
          "deadline now - 1 and an unknown trigger (the deadline is checked first)",
          commandEnvelope(4, { type: "no_such_trigger" }),
          -1,
          "TIMEOUT",
        ],
        [
          "deadline now + 10 minutes",
          commandEnvelope(5),
          10 * 60 * 1000,
          "SCHEMA_INVALID",
        ],
        ["no deadline", commandEnvelope(7), undefined, "SCHEMA_INVALID"],
        [
          "a deadline that is not a safe integer",
          commandEnvelope(8),
          { value: Number.MAX_SAFE_INTEGER + 2 },
          "SCHEMA_INVALID",
        ],
        [
          "a fractional deadline",
          commandEnvelope(9),
          { value: 1.5 },
          "SCHEMA_INVALID",
        ],
        [
          "a deadline as a string",
          commandEnvelope(10),
          { value: "99999999999999" },
          "SCHEMA_INVALID",
        ],
      ];
      for (const [what, message, deadline, code] of cases) {
        const sent = await postCommand(page, message, deadline);
        const reply = await replyTo(page, sent.id, `the reply to ${what}`);
        assert.equal(reply.ok, false, `${what}: ${JSON.stringify(reply)}`);
        assert.equal(
          reply.error?.code,
          code,
          `${what}: ${JSON.stringify(reply)}`,
        );
      }
      // The control: the same command with a live deadline runs.
      const live = await postCommand(page, commandEnvelope(11), timeoutMs);
      const reply = await replyTo(page, live.id, "the reply to a live command");
      assert.deepEqual(
        { ok: reply.ok, error: reply.error },
        { ok: true, error: undefined },
        `a command with deadline now + ${timeoutMs} ms did not run: ${JSON.stringify(reply)}`,
      );
      await drive.sleep(QUIET_MS);
      assert.deepEqual(
        await dialled(flex),
        [numberOf(11)],
        "only the live command may reach Flex",
      );
    });

    it(`a ${command.name.snake} whose deadline is more than its trigger's time limit (${timeoutMs} ms) plus a second ahead is refused SCHEMA_INVALID and never runs`, async () => {
      // The host sets the deadline at its own clock plus the trigger's
      // invoke.timeout_ms; a second covers the two windows reading the
      // clock at different moments. Anything later was not set by the host.
      const { page, flex } = main;
      await flex.evaluate(() => window.flexSim.reset());
      // The host's own deadline runs.
      const live = await postCommand(page, commandEnvelope(13), timeoutMs);
      const ok = await replyTo(page, live.id, "the reply to a live command");
      assert.equal(
        ok.ok,
        true,
        `a command with deadline now + ${timeoutMs} ms did not run: ${JSON.stringify(ok)}`,
      );
      await flex.evaluate(() => window.flexSim.reset());
      for (const ahead of [timeoutMs + 5000, timeoutMs + 60_000]) {
        const sent = await postCommand(page, commandEnvelope(12), ahead);
        const reply = await replyTo(
          page,
          sent.id,
          `the reply to a deadline ${ahead} ms ahead`,
        );
        assert.equal(
          reply.error?.code,
          "SCHEMA_INVALID",
          `deadline now + ${ahead} ms (the trigger's time limit is ${timeoutMs} ms): ${JSON.stringify(reply)}`,
        );
      }
      await drive.sleep(QUIET_MS);
      assert.deepEqual(await dialled(flex), [], "a command ran");
    });

    it(`replay: the same ${command.name.snake} envelope posted again after 600 other command ids does not run again`, async () => {
      const { page, flex } = main;
      await flex.evaluate(() => window.flexSim.reset());
      const first = await page.evaluate(
        ([m, t]) => {
          m.deadline = Date.now() + t;
          window.__replay = m;
          window.crm.postRawToFlex(m);
          return m;
        },
        [commandEnvelope(21), timeoutMs],
      );
      const reply = await replyTo(page, first.id, "the first delivery's reply");
      assert.equal(reply.ok, true, JSON.stringify(reply));
      assert.deepEqual(await dialled(flex), [numberOf(21)]);
      // 600 other ids: commands with a live deadline and an invalid payload,
      // refused SCHEMA_INVALID, running nothing.
      const others = Array.from({ length: 600 }, (_, i) =>
        commandEnvelope(1000 + i, {
          payload: { [dial.field]: `not a number ${i}` },
        }),
      );
      const ids = await page.evaluate(
        ([ms, t]) => {
          for (const m of ms) {
            m.deadline = Date.now() + t;
            window.crm.postRawToFlex(m);
          }
          return ms.map((m) => m.id);
        },
        [others, timeoutMs],
      );
      await drive.until(
        page,
        (want) => {
          const set = new Set(want);
          return (
            window.__flexgenProbe.received.filter(
              (r) => r.data && r.data.kind === "reply" && set.has(r.data.re),
            ).length >= want.length
          );
        },
        ids,
        "the replies to the 600 other commands",
        60000,
      );
      const codes = await page.evaluate((want) => {
        const set = new Set(want);
        const out = {};
        for (const r of window.__flexgenProbe.received) {
          if (!r.data || r.data.kind !== "reply" || !set.has(r.data.re))
            continue;
          const c = r.data.ok ? "ok" : String(r.data.error?.code);
          out[c] = (out[c] ?? 0) + 1;
        }
        return out;
      }, ids);
      assert.deepEqual(codes, { SCHEMA_INVALID: 600 });
      // The very same envelope again, while its deadline is still ahead.
      const replayedAt = await page.evaluate(() => {
        window.crm.postRawToFlex(window.__replay);
        return { now: Date.now(), deadline: window.__replay.deadline };
      });
      assert.ok(
        replayedAt.now < replayedAt.deadline,
        `the replay came ${replayedAt.now - replayedAt.deadline} ms after the command's deadline: the test proves nothing on this machine`,
      );
      // A later message as a marker: once it is answered, the replay was read.
      const marker = await postCommand(
        page,
        commandEnvelope(22, { payload: { [dial.field]: "marker" } }),
        timeoutMs,
      );
      await replyTo(page, marker.id, "the marker's reply");
      await drive.sleep(QUIET_MS);
      assert.deepEqual(
        await dialled(flex),
        [numberOf(21)],
        `${action} ran again for the replayed envelope`,
      );
      assert.equal(
        (await repliesTo(page, first.id)).length,
        1,
        "the replayed envelope was answered again",
      );
    });

    it(`a dial the bridge settled TIMEOUT while Flex's main thread was busy never places a call once Flex is free (${timeoutMs} ms)`, async () => {
      const { page, flex } = main;
      await flex.evaluate(() => window.flexSim.reset());
      // The Flex frame must run in a renderer process of its own (an
      // out-of-process iframe, its own CDP session), or its busy thread would
      // be the host page's too and the host could not time out meanwhile.
      const session = await ctx.newCDPSession(flex).catch((e) => e);
      assert.ok(
        !(session instanceof Error),
        `the Flex frame shares the host page's renderer process: ${session.message}`,
      );
      await session.detach();
      const before = await page.evaluate(
        () => window.__flexgenProbe.received.length,
      );
      // Busy for longer than the trigger's timeout. Chromium forwards a
      // postMessage to another process only once the current task ends, so
      // the marker goes first and the loop runs in a later task.
      await flex.evaluate(
        ([ms, origin]) => {
          window.__busy = null;
          window.parent.postMessage({ ns: "flexgen-test", busy: true }, origin);
          setTimeout(() => {
            const start = Date.now();
            while (Date.now() < start + ms) {
              // Flex's main thread: no task, no message, no timer runs.
            }
            window.__busy = { start, end: Date.now() };
          }, 50);
        },
        [timeoutMs + 4000, config.hostOrigin],
      );
      await drive.until(
        page,
        (n) =>
          window.__flexgenProbe.received
            .slice(n)
            .some((r) => r.data && r.data.ns === "flexgen-test"),
        before,
        "the Flex frame's busy marker",
      );
      // The loop starts 50 ms after the marker left (checked below).
      await drive.sleep(500);
      await page.evaluate(
        ([t, p]) => {
          window.__busyDial = null;
          void window.crm.run(t, p).then((outcome) => {
            window.__busyDial = { outcome, at: Date.now() };
          });
        },
        [command.name.snake, payload(31)],
      );
      const settled = await drive.until(
        page,
        () => window.__busyDial,
        null,
        "the dial to settle",
        timeoutMs + 20000,
      );
      const { start, end } = await drive.until(
        flex,
        () => window.__busy,
        null,
        "the Flex frame's busy loop to end",
        30000,
      );
      const sentAt = await page.evaluate(
        () =>
          window.__flexgenProbe.sent.filter((s) => s.kind === "command").at(-1)
            .at,
      );
      assert.ok(
        start < sentAt,
        `the command left at ${sentAt}, before Flex was busy (from ${start}): the test proves nothing`,
      );
      assert.equal(
        settled.outcome.code,
        "TIMEOUT",
        JSON.stringify(settled.outcome),
      );
      assert.ok(
        settled.at < end,
        `the dial settled at ${settled.at}, not while Flex was busy (${start} to ${end}): the test proves nothing`,
      );
      // Flex is free: the late command reaches the plugin now.
      const sent = await page.evaluate(
        () =>
          window.__flexgenProbe.sent.filter((s) => s.kind === "command").at(-1)
            .id,
      );
      await arrived(flex, sent, "the late command at the plugin", 30000);
      const late = await replyTo(
        page,
        sent,
        "the plugin's answer to the late command",
      );
      await drive.sleep(QUIET_MS);
      assert.deepEqual(await dialled(flex), [], "a late dial was placed");
      const calls = await flex.evaluate(() =>
        window.flexSim
          .tasks()
          .filter((t) => t.attributes.direction === "outbound"),
      );
      assert.deepEqual(calls, [], "an outbound call exists");
      // The two ends agree: the plugin refused it TIMEOUT too.
      assert.equal(late.error?.code, "TIMEOUT", JSON.stringify(late));
      await assertDialWorks(main, 32, "after the busy Flex");
    });

    it("odd values in every envelope field, of this protocol version and others, at both ends: no exception escapes, nothing runs, both ends work afterwards", async () => {
      const { page, flex } = main;
      await flex.evaluate(() => window.flexSim.reset());
      await page.evaluate(() => (window.crm.events.length = 0));
      const plugin = await flex.evaluate(() =>
        window.__flexgenProbe.sent
          .find((s) => s.kind === "hello")
          .id.replace(/-\d+$/, ""),
      );
      const host = await page.evaluate(() =>
        window.__flexgenProbe.sent
          .filter((s) => s.kind === "hello")
          .at(-1)
          .id.replace(/-\d+$/, ""),
      );
      const kindsFor = (side) => {
        const role = side === "h" ? "host" : "flex";
        const peer = side === "h" ? plugin : host;
        const dataFields = (t) => t.payload.map((f) => f.name.snake);
        const requiredFields = (t) =>
          t.payload.filter((f) => !f.optional).map((f) => f.name.snake);
        const numericFields = (t) =>
          t.payload
            .filter((f) => f.ty === "integer" || f.ty === "number")
            .map((f) => f.name.snake);
        return [
          {
            kind: "hello",
            fields: { kind: "hello", spec: plan.spec_hash, role },
            payloadFields: [],
            required: ["ns", "v", "app", "id", "kind", "spec", "role"],
          },
          {
            kind: "command",
            fields: { kind: "command", type: command.name.snake },
            payload: payload(41),
            payloadFields: dataFields(command),
            numeric: numericFields(command),
            required: [
              ...["ns", "v", "app", "id", "kind", "type", "payload"],
              ...["deadline", ...requiredFields(command)],
            ],
          },
          {
            kind: "event",
            fields: { kind: "event", type: event.name.snake },
            payload: eventPayload,
            payloadFields: dataFields(event),
            numeric: numericFields(event),
            required: [
              ...["ns", "v", "app", "id", "kind", "type", "payload"],
              ...requiredFields(event),
            ],
          },
          {
            kind: "reply",
            fields: { kind: "reply", re: `${peer}-1`, ok: true },
            payloadFields: [],
            required: ["ns", "v", "app", "id", "kind", "re", "ok"],
          },
        ];
      };
      const rulesFor = (side, versions) => ({
        ns: "flexgen",
        app,
        side,
        prefix: `${side}-odd${Date.now().toString(36)}`,
        kinds: kindsFor(side),
        versions,
        timeoutMs,
        to: side === "h" ? "flex" : "parent",
        origin: side === "h" ? config.flexOrigin : config.hostOrigin,
      });
      const send = async (side, versions) => {
        const from = side === "h" ? page : flex;
        const to = side === "h" ? flex : page;
        const arrivedBefore = await to.evaluate(
          () => window.__flexgenProbe.received.length,
        );
        const r = await from.evaluate(postOdd, rulesFor(side, versions));
        assert.equal(r.error, undefined, `posting failed: ${r.error}`);
        await to.waitForFunction(
          (want) => window.__flexgenProbe.received.length >= want,
          arrivedBefore + r.ids.length,
          { polling: 50, timeout: 60000 },
        );
        return r.ids.length;
      };
      // Commands, events and replies first (of other versions too: they
      // are answered or dropped, never change state): both ends still work
      // as they are.
      const withoutHellos = async (side, versions) => {
        const rules = rulesFor(side, versions);
        rules.kinds = rules.kinds.filter((k) => k.kind !== "hello");
        const from = side === "h" ? page : flex;
        const to = side === "h" ? flex : page;
        const arrivedBefore = await to.evaluate(
          () => window.__flexgenProbe.received.length,
        );
        const r = await from.evaluate(postOdd, rules);
        assert.equal(r.error, undefined, `posting failed: ${r.error}`);
        await to.waitForFunction(
          (want) => window.__flexgenProbe.received.length >= want,
          arrivedBefore + r.ids.length,
          { polling: 50, timeout: 60000 },
        );
        return r.ids.length;
      };
      /** After a batch: quiet, no error, no Flex action, no host event. */
      const assertNothingRan = async (when) => {
        await drive.sleep(QUIET_MS);
        await assertNoErrors(main, when);
        assert.deepEqual(
          await flex.evaluate(() => window.flexSim.invocations),
          [],
          `${when}: a Flex action ran`,
        );
        assert.deepEqual(
          await page.evaluate(() => window.crm.events),
          [],
          `${when}: a host subscriber was called`,
        );
      };
      const versions = [v, v + 1, v - 1];
      let posted = 0;
      posted += await withoutHellos("h", versions);
      posted += await withoutHellos("f", versions);
      await assertNothingRan("after odd commands, events and replies");
      assert.equal(await stateOf(page), "ready");
      await assertDialWorks(main, 42, "after odd commands, events and replies");
      await assertEventArrives(main, "after odd commands, events and replies");
      // Then everything, hellos included: a hello of another version puts
      // the receiver in version_mismatch by design, so Flex is reloaded
      // (a new plugin, whose hello lifts the host's mismatch) before the
      // ends are tried again.
      await flex.evaluate(() => window.flexSim.reset());
      await page.evaluate(() => (window.crm.events.length = 0));
      posted += await send("h", versions);
      posted += await send("f", versions);
      await assertNothingRan("after odd values with hellos");
      assert.ok(posted > 1000, `only ${posted} messages posted`);
      await flex.goto(config.flexUrl);
      await waitForPair(page, flex);
      await assertNoErrors(main, "after the reload");
      await assertDialWorks(main, 43, "after odd values and a reload of Flex");
      await assertEventArrives(main, "after odd values and a reload of Flex");
    });

    it("amplification: messages whose objects share references (or cycle) neither freeze nor kill the host bridge, nor grow its memory; the plugin refuses them as commands", async () => {
      // A pair of its own: today's bridge traps on the first one.
      const pair = await open();
      const { page, flex } = pair;
      try {
        const mem0 = await page.evaluate(() => window.crm.wasmMemoryBytes());
        assert.ok(
          Number.isSafeInteger(mem0) && mem0 > 0,
          `no WASM memory size from the host page: ${mem0}`,
        );
        let n = 50;
        for (const [variant, what] of VARIANTS) {
          const when = `after ${what}`;
          // At the host, from the Flex frame (the legitimate peer).
          const eventId = await flex.evaluate(postAmplified, {
            variant,
            base: {
              ns: "flexgen",
              v,
              app,
              id: freshId("f"),
              kind: "event",
              type: event.name.snake,
            },
            valid: eventPayload,
            timeoutMs,
            to: "parent",
            origin: config.hostOrigin,
          });
          await arrived(page, eventId, `${variant} at the host page`);
          // The bridge's listener ran in the same dispatch as the probe's:
          // by now it is done with the message, or still at it (and this
          // waits), or it trapped.
          assert.equal(await stateOf(page), "ready", when);
          const mem = await page.evaluate(() => window.crm.wasmMemoryBytes());
          assert.ok(
            mem - mem0 < MEMORY_BOUND,
            `${when}: the bridge's WASM memory grew by ${mem - mem0} bytes (from ${mem0} to ${mem}), over ${MEMORY_BOUND}`,
          );
          if (variant !== "re and error") {
            // A refused event with a usable id is answered SCHEMA_INVALID.
            const reply = await replyTo(
              flex,
              eventId,
              `the host's answer (${variant})`,
            );
            assert.equal(
              reply.error?.code,
              "SCHEMA_INVALID",
              `${when}: ${JSON.stringify(reply)}`,
            );
          }
          assert.deepEqual(
            await page.evaluate(() => window.crm.events),
            [],
            `${when}: a host subscriber was called`,
          );
          await assertDialWorks(pair, ++n, when);
          await assertEventArrives(pair, when);
          await page.evaluate(() => (window.crm.events.length = 0));

          // The mirror: at the plugin, from the host page.
          await flex.evaluate(() => window.flexSim.reset());
          const commandId = await page.evaluate(postAmplified, {
            variant,
            base: {
              ns: "flexgen",
              v,
              app,
              id: freshId("h"),
              kind: "command",
              type: command.name.snake,
            },
            valid: payload(++n),
            timeoutMs,
            to: "flex",
            origin: config.flexOrigin,
          });
          await arrived(flex, commandId, `${variant} at the Flex frame`);
          if (variant !== "re and error") {
            const reply = await replyTo(
              page,
              commandId,
              `the plugin's answer (${variant})`,
            );
            assert.equal(
              reply.error?.code,
              "SCHEMA_INVALID",
              `${when} (at the plugin): ${JSON.stringify(reply)}`,
            );
          }
          await drive.sleep(300);
          assert.deepEqual(
            await flex.evaluate(() => window.flexSim.invocations),
            [],
            `${when} (at the plugin): a Flex action ran`,
          );
          await assertDialWorks(pair, ++n, `${when} (at the plugin)`);
        }
        await assertNoErrors(pair, "after the amplified messages");
        const grown =
          (await page.evaluate(() => window.crm.wasmMemoryBytes())) - mem0;
        console.error(
          `attack ${config.case}: the bridge's WASM memory grew by ${grown} bytes over ${VARIANTS.length} amplified messages (bound ${MEMORY_BOUND})`,
        );
      } finally {
        await page.close();
      }
    });
  });
}
