// The fuzz test: thousands of random and mutated messages at each end of the
// bridge, from the legitimate peer (so the origin and source checks pass and
// the envelope and payload checks are what is tested):
//
// - at the host bridge, posted from the Flex frame to its parent;
// - at the plugin, posted from the host page to the Flex iframe.
//
// Then: no uncaught error in either page; every Flex action the plugin
// invoked (flexSim.invocations: at the door, whether Flex then ran or
// refused it) is the mapping of a payload valid under its trigger's schema, and
// every event the host's subscribers got is valid (checked here, in node,
// against plan.json with a validator of its own, not the generated one); both
// ends still work. Hellos change state by design (another spec hash means
// version_mismatch), so the first runs leave them out and must leave the
// connection as it was; a last run mixes them in and is followed by a reload
// of the Flex iframe, after which both ends must work again.
//
// FLEXGEN_FUZZ_SEED (a 32-bit unsigned integer; random by default, always
// printed) and FLEXGEN_FUZZ_COUNT (messages per end, default 10000) change
// the run.

import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { describe, it } from "node:test";

import { waitForPair } from "../harness/browser.mjs";
import * as drive from "./drive.mjs";
import { fuzzBatch } from "./fuzz-messages.mjs";

function envInt(name, fallback, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > max)
    throw new Error(`${name}=${raw}: expected a whole number from 0 to ${max}`);
  return n;
}

export const SEED = envInt(
  "FLEXGEN_FUZZ_SEED",
  randomInt(0, 2 ** 32),
  2 ** 32 - 1,
);
export const COUNT = envInt("FLEXGEN_FUZZ_COUNT", 10_000, 10_000_000);
/** Messages posted per `evaluate`; the page yields between batches. */
const BATCH = 500;

// ---------------------------------------------------------------------------
// The plan's rules, checked independently of the generated validators
// (docs/protocol.md, "Validation on receipt"; docs/spec.md, payload types).

const E164 = /^\+[1-9][0-9]{1,14}$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;

/** Why `value` breaks field `f`'s rule, or undefined when it is valid. */
export function fieldProblem(f, value) {
  const max = f.max_length ?? Infinity;
  const ok = (() => {
    switch (f.ty) {
      case "string":
        return typeof value === "string" && value.length <= max;
      case "e164":
        return typeof value === "string" && E164.test(value);
      case "integer":
        return Number.isSafeInteger(value);
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "boolean":
        return typeof value === "boolean";
      case "datetime": {
        const m =
          typeof value === "string" &&
          value.length <= max &&
          DATETIME.exec(value);
        if (!m) return false;
        const [mo, d, h, mi, s] = m.slice(2, 7).map(Number);
        return (
          mo >= 1 &&
          mo <= 12 &&
          d >= 1 &&
          d <= 31 &&
          h <= 23 &&
          mi <= 59 &&
          s <= 59
        );
      }
      case "enum":
        return typeof value === "string" && f.values.includes(value);
      default:
        throw new Error(`the fuzz test does not know type ${f.ty}`);
    }
  })();
  return ok
    ? undefined
    : `${f.name.original}: ${show(value)} is not a valid ${f.ty}`;
}

/** Why `payload` is not a valid payload of `trigger`, or undefined. */
export function payloadProblem(trigger, payload) {
  if (
    payload === null ||
    typeof payload !== "object" ||
    Object.getPrototypeOf(payload) !== Object.prototype
  )
    return `payload ${show(payload)} is not a plain object`;
  const declared = new Map(trigger.payload.map((f) => [f.name.original, f]));
  for (const key of Reflect.ownKeys(payload))
    if (!declared.has(key)) return `undeclared key ${String(key)}`;
  for (const f of trigger.payload) {
    const key = f.name.original;
    const value = Object.hasOwn(payload, key) ? payload[key] : undefined;
    if (value === undefined) {
      if (!f.optional) return `${key} is missing`;
      continue;
    }
    const problem = fieldProblem(f, value);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Why the Flex action invocation `inv` ({ name, payload }, as the simulator
 * logged it at the door) is not the mapping of a valid payload of any
 * host_to_flex trigger invoking that action, or undefined.
 */
export function invocationProblem(plan, inv) {
  const triggers = drive
    .commands(plan)
    .filter((t) => t.invoke.action === inv.name);
  if (triggers.length === 0)
    return `${inv.name} is no host_to_flex trigger's action`;
  const problems = triggers.map((t) => {
    const fields = new Map(t.payload.map((f) => [f.name.snake, f]));
    const p = inv.payload ?? {};
    for (const arg of t.invoke.args) {
      const value = drive.argValue(p, arg);
      const key = drive.argPath(arg).join(".");
      if (arg.value.kind === "literal") {
        if (
          JSON.stringify(value) !== JSON.stringify(JSON.parse(arg.value.json))
        )
          return `${key} = ${show(value)}, not the literal ${arg.value.json}`;
        continue;
      }
      const f = fields.get(arg.value.field.snake);
      if (value === undefined) {
        if (!f.optional)
          return `${key} (from required ${f.name.original}) is missing`;
        continue;
      }
      const problem = fieldProblem(f, value);
      if (problem) return `${key}: ${problem}`;
    }
    return undefined;
  });
  return problems.includes(undefined)
    ? undefined
    : `${inv.name} ${show(inv.payload)}: ${problems.join("; ")}`;
}

function show(value) {
  let text;
  // Shared references are written once per path: stop early.
  let budget = 10_000;
  try {
    text = JSON.stringify(value, (_k, v) => {
      budget -= typeof v === "string" ? 1 + Math.min(v.length, 200) : 1;
      if (budget < 0) throw new Error("too long to show");
      return typeof v === "bigint" ? `${v}n` : v;
    });
  } catch {
    try {
      text = String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  text ??= String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `value` with every lone surrogate of its strings replaced by U+FFFD. */
function wellFormed(value) {
  if (typeof value === "string") return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, wellFormed(v)]),
  );
}

/** Non-printable and non-ASCII UTF-16 units as `\uXXXX`, for messages. */
const escaped = (text) =>
  text.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * Fails when delivered events differ from the valid ones sent only in their
 * strings' lone surrogates (checked last, so that the other checks ran),
 * naming the smallest such difference.
 */
function assertUnaltered(altered, where) {
  const diffs = altered.flatMap(({ sent, delivered }) =>
    Object.keys(delivered)
      .filter((k) => delivered[k] !== sent.payload[k])
      .map((k) => ({
        type: sent.type,
        key: k,
        sent: String(sent.payload[k]),
        delivered: String(delivered[k]),
      })),
  );
  diffs.sort((a, b) => a.sent.length - b.sent.length);
  const [d] = diffs;
  assert.ok(
    d === undefined,
    d &&
      `${where}: ${altered.length} valid events reached the subscribers with strings changed ` +
        `(lone UTF-16 surrogates turned into U+FFFD), e.g. ${d.type}.${d.key}: ` +
        `sent "${escaped(d.sent)}", delivered "${escaped(d.delivered)}"`,
  );
}

/** Plain data with sorted keys, `undefined` members left out: for equality. */
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => [k, canonical(value[k])]),
  );
}

/** The keys of a command envelope (docs/protocol.md), sorted. */
const COMMAND_KEYS = "app,deadline,id,kind,ns,payload,type,v";
/** The keys of an event envelope, sorted. */
const EVENT_KEYS = "app,id,kind,ns,payload,type,v";

/**
 * What a correct receiver may act on among `entries` ({ m, clock }: each
 * message, as it arrives: a structured clone, and the sender's clock when
 * it was made): the envelopes of `kind` whose keys are exactly the
 * protocol's, with this app, version and a string id, naming a trigger of
 * `direction`, and whose payload is valid; a command's `deadline` a safe
 * integer still ahead when it was made (it arrives later: an expired one is
 * refused TIMEOUT, never run). Ids are only required to be strings: their
 * format is the runtime's business, and the bounds drawn from this list (at
 * most one action or delivery per distinct id) hold either way.
 */
function actionable(plan, entries, kind, direction) {
  const triggers = new Map(
    plan.triggers
      .filter((t) => t.direction === direction)
      .map((t) => [t.name.snake, t]),
  );
  const out = [];
  for (const { m: original, clock } of entries) {
    let m;
    try {
      m = structuredClone(original);
    } catch {
      continue;
    }
    if (m === null || typeof m !== "object") continue;
    if (Object.getPrototypeOf(m) !== Object.prototype) continue;
    const keys = Object.keys(m).sort().join(",");
    if (keys !== (kind === "command" ? COMMAND_KEYS : EVENT_KEYS)) continue;
    if (
      kind === "command" &&
      !(Number.isSafeInteger(m.deadline) && m.deadline > clock)
    )
      continue;
    if (m.ns !== "flexgen" || m.v !== plan.protocol_version) continue;
    if (m.app !== plan.app.name.original || m.kind !== kind) continue;
    if (typeof m.id !== "string") continue;
    const t = triggers.get(m.type);
    if (t === undefined || payloadProblem(t, m.payload) !== undefined) continue;
    out.push({ id: m.id, type: m.type, payload: canonical(m.payload) });
  }
  return out;
}

/**
 * The commands among `entries` that any correct plugin, ready and with this
 * host, must refuse TIMEOUT: an envelope of exactly the protocol's keys with
 * this namespace, app and version, the fuzzer's own fresh id (no earlier
 * message of the run carried it), a declared host_to_flex trigger, a plain
 * payload far inside any budget (at most 8 scalar members, strings of at most
 * 1,000 units), and a safe-integer `deadline` not after the moment the
 * message was made (so it had passed when it arrived). The deadline is
 * checked before the trigger's payload. Returns their ids.
 */
function certainlyExpired(plan, entries, prefix) {
  const names = new Set(drive.commands(plan).map((t) => t.name.snake));
  const seen = new Set();
  const out = [];
  for (const { m: original, clock, i } of entries) {
    let m;
    try {
      m = structuredClone(original);
    } catch {
      continue;
    }
    const id =
      m !== null && typeof m === "object" && typeof m.id === "string"
        ? m.id
        : undefined;
    const fresh = id !== undefined && !seen.has(id);
    if (id !== undefined) seen.add(id);
    if (!fresh || id !== `${prefix}-${1_000_000_000 + i}`) continue;
    if (Object.getPrototypeOf(m) !== Object.prototype) continue;
    if (Object.keys(m).sort().join(",") !== COMMAND_KEYS) continue;
    if (m.ns !== "flexgen" || m.v !== plan.protocol_version) continue;
    if (m.app !== plan.app.name.original || m.kind !== "command") continue;
    if (!names.has(m.type)) continue;
    const p = m.payload;
    if (
      p === null ||
      typeof p !== "object" ||
      Object.getPrototypeOf(p) !== Object.prototype
    )
      continue;
    const members = Reflect.ownKeys(p);
    if (
      members.length > 8 ||
      members.some((k) => typeof k !== "string") ||
      Object.values(p).some(
        (x) =>
          (x !== null && typeof x === "object") ||
          typeof x === "function" ||
          (typeof x === "string" && x.length > 1000),
      )
    )
      continue;
    if (Number.isSafeInteger(m.deadline) && m.deadline <= clock) out.push(id);
  }
  return out;
}

/** Replies `frame` received to each of `ids`, by id: a list of codes. */
const repliesById = (frame, ids) =>
  frame.evaluate((wanted) => {
    const set = new Set(wanted);
    const out = {};
    for (const { data } of window.__flexgenProbe.received) {
      if (data === null || typeof data !== "object" || data.kind !== "reply")
        continue;
      if (!set.has(data.re)) continue;
      (out[data.re] ??= []).push(data.ok ? "ok" : String(data.error?.code));
    }
    return out;
  }, ids);

// ---------------------------------------------------------------------------
// Driving the pages.

/** The newest `<side>-<16 hex>` instance whose hello `frame` received. */
async function instanceSeenBy(frame, side) {
  const id = await frame.evaluate((s) => {
    const pattern = new RegExp(`^${s}-[0-9a-f]{16}-[0-9]+$`);
    const hellos = window.__flexgenProbe.received.filter(
      (r) =>
        r.data !== null &&
        typeof r.data === "object" &&
        r.data.kind === "hello" &&
        typeof r.data.id === "string" &&
        pattern.test(r.data.id),
    );
    return hellos.at(-1)?.data.id;
  }, side);
  assert.ok(id, `no hello from the ${side === "f" ? "plugin" : "host"} seen`);
  return id.replace(/-[0-9]+$/, "");
}

/** What the in-page generator needs to know of the plan. */
function fuzzRules(plan, side, prefix, peerPrefix, allowHello) {
  return {
    app: plan.app.name.original,
    v: plan.protocol_version,
    spec: plan.spec_hash,
    side,
    prefix,
    peerPrefix,
    allowHello,
    triggers: plan.triggers.map((t) => ({
      name: t.name.snake,
      dir: t.direction,
      // A command's time limit: its deadlines are set from it.
      timeout: t.invoke?.timeout_ms,
      fields: t.payload.map((f) => ({
        key: f.name.original,
        ty: f.ty,
        optional: f.optional,
        max: f.max_length,
        values: f.values,
      })),
    })),
  };
}

const probeLength = (frame) =>
  frame.evaluate(() => window.__flexgenProbe.received.length);

/** Replies `frame` received (from index `from` on) to ids the fuzzer sent, by code. */
const replyCodes = (frame, from) =>
  frame.evaluate((start) => {
    const sent = window.__fuzzSent ?? new Set();
    const codes = {};
    for (const { data } of window.__flexgenProbe.received.slice(start)) {
      if (data === null || typeof data !== "object" || data.kind !== "reply")
        continue;
      if (!sent.has(data.re)) continue;
      const code = data.ok ? "ok" : String(data.error?.code);
      codes[code] = (codes[code] ?? 0) + 1;
    }
    return codes;
  }, from);

const total = (codes) => Object.values(codes).reduce((a, b) => a + b, 0);

/**
 * Posts messages `start` .. `start + count - 1` from `from` (through
 * `target`, to `origin`) at the peer frame `to`, in batches; returns what
 * the fuzzer saw: { posted, failed, codes } (codes: the replies, by code).
 */
async function fuzzEnd({ from, to, target, origin, rules, start, count }) {
  const replyFrom = await probeLength(from);
  const arrivedFrom = await probeLength(to);
  let posted = 0;
  const failed = [];
  // Each batch with the clock it was made at (its commands' deadlines).
  const batches = [];
  for (let s = start; s < start + count; s += BATCH) {
    const n = Math.min(BATCH, start + count - s);
    const r = await from.evaluate(fuzzBatch, {
      rules,
      seed: SEED,
      start: s,
      count: n,
      target,
      origin,
    });
    batches.push({ start: s, count: n, clock: r.clock });
    posted += r.posted;
    failed.push(...r.failed);
    // The batch has arrived before the next is sent: the receiver keeps up
    // and its replies flow meanwhile.
    await to.waitForFunction(
      (want) => window.__flexgenProbe.received.length >= want,
      arrivedFrom + posted,
      { polling: 20, timeout: 60_000 },
    );
  }
  // Until the replies stop coming.
  let codes = await replyCodes(from, replyFrom);
  for (;;) {
    await drive.sleep(300);
    const now = await replyCodes(from, replyFrom);
    if (total(now) === total(codes)) break;
    codes = now;
  }
  return { posted, failed, codes, batches };
}

/** Errors either page caught or let escape: none is the point. */
async function assertNoErrors(ctx, page, flex, when) {
  assert.deepEqual(ctx.pageErrors, [], `${when}: uncaught errors in the pages`);
  assert.deepEqual(
    await flex.evaluate(() => window.flexSim.errors),
    [],
    `${when}: errors caught by the simulator`,
  );
  assert.deepEqual(
    await page.evaluate(() => window.crm.errors),
    [],
    `${when}: errors caught by the host page`,
  );
}

/** A real command and a real event go through. */
async function assertWorks(page, flex, plan, when) {
  await flex.evaluate(() => window.flexSim.reset());
  const [command] = drive.commands(plan);
  if (command) {
    const payload = await drive.commandPayload(flex, command);
    const outcome = await page.evaluate(
      ([t, p]) => window.crm.run(t, p),
      [command.name.snake, payload],
    );
    assert.deepEqual(outcome, { ok: true }, `${when}: ${command.name.snake}`);
  }
  const [event] = drive.events(plan);
  if (event) {
    const before = await page.evaluate(() => window.crm.events.length);
    await drive.fire(flex, event);
    await drive.until(
      page,
      ([t, n]) => window.crm.events.slice(n).some((e) => e.type === t),
      [event.name.snake, before],
      `${when}: ${event.name.snake} at the host`,
    );
  }
}

/**
 * The "flexgen:" console lines of a run, taken out of `ctx.flexgenConsole`:
 * the plugin warns about every refused reply, quoting the fuzz's own text,
 * which the case's final "could not send an event" check must not read.
 */
function takeConsole(ctx, from) {
  return ctx.flexgenConsole.splice(from);
}

/**
 * Hides (or shows again) the host page's two logs. They are laid out again
 * with every message, and the activity log keeps every event: during the
 * fuzz that layout took more than half of the host end's time. Their code
 * still runs; only the rendering is skipped.
 */
const hideLogs = (page, hidden) =>
  page.evaluate((h) => {
    for (const id of ["message-log", "activity-log"]) {
      const list = document.getElementById(id);
      if (list) list.hidden = h;
    }
  }, hidden);

export function fuzzSuite(config, get) {
  const { plan } = config;
  describe(`fuzz (seed ${SEED}; rerun with FLEXGEN_FUZZ_SEED=${SEED})`, () => {
    let next = 0;
    /** Indices of a run: every message of the whole suite has its own id. */
    const indices = (count) => {
      const start = next;
      next += count;
      return start;
    };

    /**
     * Fuzzes the host bridge (`at: "host"`) or the plugin (`"plugin"`) and
     * checks what was acted on; returns the run's figures.
     */
    const run = async (at, count, allowHello) => {
      const { ctx, page, flex } = get();
      const hostSide = at === "host";
      const plugin = await instanceSeenBy(page, "f");
      const host = await instanceSeenBy(flex, "h");
      const rules = hostSide
        ? fuzzRules(plan, "f", plugin, host, allowHello)
        : fuzzRules(plan, "h", host, plugin, allowHello);
      const start = indices(count);
      const invocationsFrom = await flex.evaluate(
        () => window.flexSim.invocations.length,
      );
      const eventsFrom = await page.evaluate(() => window.crm.events.length);
      const consoleFrom = ctx.flexgenConsole.length;
      const began = Date.now();
      await hideLogs(page, true);
      const figures = await fuzzEnd({
        from: hostSide ? flex : page,
        to: hostSide ? page : flex,
        target: hostSide ? "parent" : "flex",
        origin: hostSide ? config.hostOrigin : config.flexOrigin,
        rules,
        start,
        count,
      }).finally(() => hideLogs(page, false));
      figures.ms = Date.now() - began;
      figures.altered = [];
      figures.console = takeConsole(ctx, consoleFrom);
      const where = `${at} end, seed ${SEED}`;
      console.error(
        `fuzz ${config.case} ${at}${allowHello ? " (hellos)" : ""}: ${figures.posted}/${count} posted in ${figures.ms} ms, replies ${JSON.stringify(figures.codes)}, ${figures.console.length} console lines`,
      );
      if (process.env.FLEXGEN_FUZZ_DEBUG) {
        const shapes = {};
        for (const line of figures.console) {
          const shape = line.split(" ").slice(0, 3).join(" ");
          shapes[shape] = (shapes[shape] ?? 0) + 1;
        }
        console.error(JSON.stringify(shapes, null, 1));
      }
      if (!allowHello) {
        // Real events (an action the fuzz ran may cause one) still go out.
        const notSent = figures.console.filter(
          (m) => !m.includes("refused") && /not sent|dropped/.test(m),
        );
        assert.deepEqual(
          notSent,
          [],
          `${where}: the plugin could not send an event`,
        );
      }
      assert.ok(
        figures.posted >= count * 0.99,
        `${where}: only ${figures.posted} of ${count} messages could be posted: ${JSON.stringify(figures.failed.slice(0, 5))}`,
      );
      await assertNoErrors(ctx, page, flex, where);

      // The messages again, made here in node (each batch at the clock the
      // page made it at), to judge what was acted on.
      const entries = figures.batches.flatMap((b) =>
        fuzzBatch({
          rules,
          seed: SEED,
          start: b.start,
          count: b.count,
          clock: b.clock,
        }).map((m, k) => ({ m, clock: b.clock, i: b.start + k })),
      );

      const invocations = await flex.evaluate(
        (n) => window.flexSim.invocations.slice(n),
        invocationsFrom,
      );
      const badActions = invocations
        .map((inv) => invocationProblem(plan, inv))
        .filter((p) => p !== undefined);
      assert.deepEqual(
        badActions,
        [],
        `${where}: Flex actions run on invalid payloads`,
      );
      figures.invocations = invocations.length;

      const events = await page.evaluate(
        (n) => window.crm.events.slice(n),
        eventsFrom,
      );
      const badEvents = events
        .map((e) => {
          const t = drive.events(plan).find((t) => t.name.snake === e.type);
          if (!t) return `${e.type} is no flex_to_host trigger`;
          const problem = payloadProblem(t, e.payload);
          return problem && `${e.type}: ${problem}`;
        })
        .filter((p) => p !== undefined);
      assert.deepEqual(
        badEvents,
        [],
        `${where}: invalid events reached the host's subscribers`,
      );
      figures.events = events.length;

      const schemaInvalid = figures.codes.SCHEMA_INVALID ?? 0;
      assert.ok(
        schemaInvalid >= count / 10,
        `${where}: only ${schemaInvalid} SCHEMA_INVALID replies to ${count} messages: ${JSON.stringify(figures.codes)}`,
      );

      if (hostSide) {
        // Each delivered event is one the fuzzer sent, valid; none twice.
        const valid = actionable(plan, entries, "event", "flex_to_host");
        const exact = new Map();
        const loose = new Map();
        for (const v of valid) {
          exact.set(JSON.stringify([v.type, v.payload]), v);
          loose.set(JSON.stringify([v.type, wellFormed(v.payload)]), v);
        }
        const unknown = [];
        for (const e of events) {
          const delivered = canonical(e.payload);
          if (exact.has(JSON.stringify([e.type, delivered]))) continue;
          const near = loose.get(
            JSON.stringify([e.type, wellFormed(delivered)]),
          );
          if (near) figures.altered.push({ sent: near, delivered });
          else unknown.push(e);
        }
        assert.deepEqual(
          unknown.slice(0, 3),
          [],
          `${where}: ${unknown.length} delivered events are no valid event the fuzzer sent`,
        );
        const ids = new Set(valid.map((v) => v.id)).size;
        assert.ok(
          events.length <= ids,
          `${where}: ${events.length} events delivered from ${ids} valid ones with distinct ids`,
        );
        if (drive.events(plan).length > 0 && !allowHello)
          assert.ok(
            events.length > 0,
            `${where}: no valid event was delivered`,
          );
      } else {
        const valid = actionable(plan, entries, "command", "host_to_flex");
        const ids = new Set(valid.map((v) => v.id)).size;
        assert.ok(
          invocations.length <= ids,
          `${where}: ${invocations.length} Flex actions from ${ids} valid commands with distinct ids`,
        );
        if (drive.commands(plan).length > 0 && !allowHello)
          assert.ok(invocations.length > 0, `${where}: no valid command ran`);
        if (!allowHello) {
          // Expired commands are refused TIMEOUT (the plugin is ready with
          // this host throughout a run without hellos).
          const expired = certainlyExpired(plan, entries, rules.prefix);
          const replies = await repliesById(page, expired);
          const wrong = expired
            .filter(
              (id) =>
                (replies[id] ?? []).length !== 1 ||
                replies[id][0] !== "TIMEOUT",
            )
            .map((id) => `${id}: ${JSON.stringify(replies[id] ?? [])}`);
          assert.deepEqual(
            wrong.slice(0, 5),
            [],
            `${where}: ${wrong.length} of ${expired.length} expired commands were not refused TIMEOUT once`,
          );
          if (drive.commands(plan).length > 0)
            assert.ok(
              expired.length > 0,
              `${where}: the fuzz sent no expired command to check`,
            );
          figures.expired = expired.length;
        }
      }
      console.error(
        `fuzz ${config.case} ${at}: acted on ${invocations.length} Flex action invocations, ${events.length} host deliveries; all valid${figures.expired === undefined ? "" : `; ${figures.expired} certainly expired commands each refused TIMEOUT once`}`,
      );
      return figures;
    };

    it(`the host bridge: ${COUNT} random and mutated messages from the Flex frame (no hellos); nothing invalid reaches a subscriber; the connection holds`, async () => {
      const { page, flex } = get();
      const figures = await run("host", COUNT, false);
      assert.equal(await page.evaluate(() => window.crm.bridge.state), "ready");
      await assertWorks(page, flex, plan, "after the fuzz at the host");
      assertUnaltered(figures.altered, `host end, seed ${SEED}`);
    });

    it(`the plugin: ${COUNT} random and mutated messages from the host page (no hellos); no Flex action on an invalid payload; the connection holds`, async () => {
      const { page, flex } = get();
      await run("plugin", COUNT, false);
      assert.equal(await page.evaluate(() => window.crm.bridge.state), "ready");
      await assertWorks(page, flex, plan, "after the fuzz at the plugin");
    });

    const mixed = Math.max(1, Math.round(COUNT / 10));
    it(`both ends: ${mixed} messages each with hellos mixed in; nothing invalid acted on; after a reload of Flex both ends work`, async () => {
      const { ctx, page, flex } = get();
      const figures = await run("host", mixed, true);
      await run("plugin", mixed, true);
      // The plugin page goes away with the reload: its errors first.
      await assertNoErrors(ctx, page, flex, "after the hellos");
      await flex.goto(config.flexUrl);
      await waitForPair(page, flex);
      await assertWorks(
        page,
        flex,
        plan,
        "after the hellos and a reload of Flex",
      );
      await assertNoErrors(ctx, page, flex, "after the reload");
      assertUnaltered(figures.altered, `host end with hellos, seed ${SEED}`);
    });
  });
}
