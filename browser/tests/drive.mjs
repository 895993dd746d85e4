// Drives any spec's triggers from its resolved plan (flexgen check --plan):
// sample payloads by field type, the simulated Flex steps that make each
// Flex -> host trigger fire (or not), and the payload each must deliver.
// Nothing here knows the seed or the examples by name.

import assert from "node:assert/strict";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Host -> Flex triggers that run a Flex action (`invoke:`). */
export const commands = (plan) =>
  plan.triggers.filter((t) => t.direction === "host_to_flex" && t.invoke);
/** A command's time limit: `invoke.timeout_ms`, or its `show:`'s. */
export const timeoutOf = (t) => (t.invoke ?? t.show).timeout_ms;
/** Host -> Flex triggers whose data Flex shows for a task (`show:`). */
export const shows = (plan) =>
  plan.triggers.filter((t) => t.direction === "host_to_flex" && t.show);
export const events = (plan) =>
  plan.triggers.filter((t) => t.direction === "flex_to_host");

/** A valid value of a payload field. */
export function sample(field, i = 0) {
  switch (field.ty) {
    case "e164":
      return `+1555123${String(1000 + i).slice(-4)}`;
    case "integer":
      return 7 + i;
    case "number":
      return 1.5 + i;
    case "boolean":
      return true;
    case "datetime":
      return "2026-11-24T10:00:00.000Z";
    case "enum":
      return field.values[Math.min(1, field.values.length - 1)];
    default:
      return `sample ${field.name.snake} ${i}`.slice(0, field.max_length ?? 64);
  }
}

/** Which channel a trigger's task must be on, and its channel type. */
function channelOf(trigger) {
  return {
    channel: trigger.channel ?? "voice",
    channelType: trigger.channel_type ?? undefined,
  };
}

/**
 * Runs `steps` on a new simulated task; returns its reservation sid.
 * `task` describes it: { channel, channelType, attributes, queueName,
 * outbound, dialOutcome }. An outbound call is dialled (StartOutboundCall)
 * and ends as `dialOutcome` says (flexSim.setDialOutcome; "answer" unless
 * given): answered, still ringing ("ring"), or failed ("busy", ...).
 */
export async function driveTask(flex, task, steps, { tolerant = false } = {}) {
  let sid;
  if (task.outbound) {
    const dialed = await flex.evaluate(
      async ([to, outcome]) => {
        // Flex places no call while the agent is on one (a click to dial
        // earlier in the test answered): the agent hangs that up first.
        for (const t of window.flexSim.tasks())
          if (
            t.taskChannelUniqueName === "voice" &&
            (t.status === "accepted" || t.status === "pending")
          ) {
            const ended = await window.flexSim.hangup(t.sid);
            if (!ended.ok) return ended;
          }
        const set = window.flexSim.setDialOutcome(outcome);
        if (!set.ok) return set;
        try {
          return await window.flexSim.dial(to);
        } finally {
          window.flexSim.setDialOutcome("answer");
        }
      },
      [
        task.attributes?.outbound_to ?? "+15557654321",
        task.dialOutcome ?? "answer",
      ],
    );
    assert.ok(dialed.ok, `simulated outbound call failed: ${dialed.message}`);
    sid = dialed.sid;
  } else {
    sid = await flex.evaluate((opts) => window.flexSim.ringInbound(opts), {
      channel: task.channel,
      channelType: task.channelType,
      // E.164 on every channel, so that a trigger reading it as e164 gets a
      // valid value and only its filters can stop it.
      from: task.attributes?.from ?? "+15551230042",
      to: "+15550001000",
      attributes: task.attributes ?? {},
      queueName: task.queueName,
    });
  }
  for (const [i, step] of steps.entries()) {
    const outcome = await flex.evaluate(
      ([s, id]) =>
        typeof s === "string"
          ? window.flexSim[s](id)
          : window.flexSim.invoke(s.invoke, { sid: id, ...s.args }),
      [step, sid],
    );
    // A task made to miss a filter may be one the last action refuses
    // (HangupCall on a chat): its before-listeners ran all the same, which is
    // the point; the caller checks that the action was invoked.
    const last = i === steps.length - 1;
    if (outcome && outcome.ok === false && !(tolerant && last))
      throw new Error(
        `simulator step ${JSON.stringify(step)} failed: ${outcome.message}`,
      );
  }
  return sid;
}

/** The task filters of a trigger (channel first, then its `when`). */
export const taskFilters = (trigger) =>
  trigger.listen.filters.filter((f) => f.source.root === "task");

/**
 * The task a Flex -> host trigger's filters ask for, or with `flip` = i, one
 * that misses its i-th task filter only.
 */
export function taskFor(trigger, { flip = undefined } = {}) {
  const task = { ...channelOf(trigger), attributes: {} };
  const filters = trigger.listen.filters;
  for (const f of filters) {
    const value = JSON.parse(f.equals_json);
    const [first, ...rest] = f.source.segments;
    if (f.source.root !== "task") continue;
    if (first === "taskChannelUniqueName") task.channel = value;
    else if (first === "channelType") task.channelType = value;
    else if (first === "attributes" && rest.length === 1)
      task.attributes[rest[0]] = value;
    else if (first === "queueName") task.queueName = value;
  }
  if (
    task.attributes.channelType === undefined &&
    task.channelType !== undefined
  ) {
    task.attributes.channelType = task.channelType;
  }
  if (flip !== undefined) {
    // Miss one filter only: another channel, or another value.
    const f = taskFilters(trigger)[flip];
    const [first, ...rest] = f.source.segments;
    const value = JSON.parse(f.equals_json);
    const other = (v) =>
      v === "inbound" ? "outbound" : v === "outbound" ? "inbound" : `not-${v}`;
    if (first === "taskChannelUniqueName") {
      task.channel = value === "voice" ? "chat" : "voice";
      if (task.channel === "voice") task.channelType = undefined;
    } else if (first === "channelType") {
      task.channelType = other(value);
      task.attributes.channelType = task.channelType;
    } else if (first === "attributes") task.attributes[rest[0]] = other(value);
    else if (first === "queueName") task.queueName = other(value);
  }
  // An outbound voice call comes from dialling, as in Flex.
  task.outbound =
    task.channel === "voice" && task.attributes.direction === "outbound";
  return task;
}

/**
 * How a dialled call must end for an event to come from it: a failed dial
 * is what cancels an outbound call (busy here); the reservation events of
 * a pending task need the call to keep ringing.
 */
const OUTBOUND_DIAL_OUTCOME = {
  taskCanceled: "busy",
  taskRejected: "ring",
  taskTimeout: "ring",
  taskRescinded: "ring",
};

const TASK_EVENT_STEPS = {
  taskReceived: [],
  taskAccepted: ["accept"],
  taskWrapup: ["accept", "wrapup"],
  taskCompleted: ["accept", "wrapup", "complete"],
  taskRejected: ["reject"],
  taskCanceled: ["cancel"],
  taskTimeout: ["timeout"],
  taskRescinded: ["rescind"],
  taskUpdated: [
    "accept",
    {
      invoke: "SetTaskAttributes",
      args: { attributes: { note: "updated" }, mergeExisting: true },
    },
  ],
};

const ACTION_STEPS = {
  AcceptTask: ["accept"],
  RejectTask: ["reject"],
  WrapupTask: ["accept", "wrapup"],
  HangupCall: ["accept", "hangup"],
  CompleteTask: ["accept", "wrapup", "complete"],
  SelectTask: ["accept", "select"],
  TransferTask: [
    "accept",
    {
      invoke: "TransferTask",
      args: { targetSid: "WQ00000000000000000000000000000001" },
    },
  ],
};

/**
 * Makes the simulated Flex fire what a Flex -> host trigger listens to.
 * Returns { sid } of the task involved (if any).
 */
export async function fire(flex, trigger, { flip = undefined } = {}) {
  const { kind, name, subject } = trigger.listen;
  if (subject === "task") {
    const task = taskFor(trigger, { flip });
    let steps;
    if (kind === "manager_event") steps = TASK_EVENT_STEPS[name];
    else steps = ACTION_STEPS[name] ?? ["accept", { invoke: name, args: {} }];
    assert.ok(steps, `the tests do not know how to fire ${name}`);
    // An outbound call is accepted by dialling already (the customer
    // answers), or canceled by a failed dial.
    if (task.outbound) {
      steps = steps.filter((s) => s !== "accept");
      if (kind === "manager_event" && OUTBOUND_DIAL_OUTCOME[name]) {
        task.dialOutcome = OUTBOUND_DIAL_OUTCOME[name];
        if (name === "taskCanceled") steps = [];
      }
    }
    const sid = await driveTask(flex, task, steps, {
      tolerant: flip !== undefined,
    });
    return { sid };
  }
  return fireOther(flex, name);
}

/**
 * Asserts that what a trigger listens to did happen (for `sid`): the manager
 * event was emitted, or the Flex action invoked. A "sends nothing" test is
 * only meaningful after it.
 */
export async function assertFired(flex, trigger, sid) {
  const { kind, name } = trigger.listen;
  if (kind === "manager_event") {
    const emitted = await flex.evaluate(() => window.flexSim.emitted);
    assert.ok(
      emitted.some(
        (e) => e.event === name && (sid === undefined || e.sid === sid),
      ),
      `${name} was not emitted for ${sid}: ${JSON.stringify(emitted)}`,
    );
  } else {
    const invoked = await flex.evaluate(() => window.flexSim.invocations);
    assert.ok(
      invoked.some((i) => i.name === name),
      `${name} was not invoked: ${JSON.stringify(invoked)}`,
    );
  }
}

async function fireOther(flex, name) {
  if (name === "workerActivityUpdated") {
    const r = await flex.evaluate(() => window.flexSim.setActivity("Break"));
    assert.ok(r.ok, r.message);
    return {};
  }
  await flex.evaluate((n) => window.flexSim.emit(n), name);
  return {};
}

/** What the plugin must read for each field, from the simulator's own state. */
export async function expectedPayload(flex, trigger, sid) {
  const task =
    sid === undefined
      ? undefined
      : await flex.evaluate((s) => window.flexSim.task(s), sid);
  const worker = await flex.evaluate(() => window.flexSim.worker());
  const expected = {};
  const loose = {};
  for (const f of trigger.payload) {
    // timing.* and action.*: checked by type below.
    if (f.sources.some((s) => s.root !== "task" && s.root !== "worker")) {
      loose[f.name.snake] = f;
      continue;
    }
    // The first source that holds a value (the plugin also skips values
    // that do not fit the field; the tasks here hold fitting ones).
    for (const { root, segments } of f.sources) {
      const value = segments.reduce(
        (v, k) => (v == null ? undefined : v[k]),
        root === "task" ? task : worker,
      );
      if (value !== undefined && value !== null) {
        expected[f.name.snake] = value;
        break;
      }
    }
  }
  return { expected, loose };
}

/** Asserts that a delivered payload has the right keys, values and types. */
export function assertPayload(trigger, payload, { expected, loose }) {
  const declared = new Set(trigger.payload.map((f) => f.name.snake));
  for (const key of Object.keys(payload))
    assert.ok(
      declared.has(key),
      `${trigger.name.snake}: undeclared key ${key}`,
    );
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(payload[key], value, `${trigger.name.snake}.${key}`);
  }
  for (const f of trigger.payload) {
    const key = f.name.snake;
    const value = payload[key];
    if (value === undefined) {
      assert.ok(
        f.optional,
        `${trigger.name.snake}.${key} is required but missing`,
      );
      assert.ok(
        !(key in expected),
        `${trigger.name.snake}.${key} was left out though Flex had a value`,
      );
      continue;
    }
    if (key in loose || !(key in expected)) assertType(trigger, f, value);
  }
}

function assertType(trigger, f, value) {
  const where = `${trigger.name.snake}.${f.name.snake} = ${JSON.stringify(value)}`;
  switch (f.ty) {
    case "integer":
      assert.ok(Number.isSafeInteger(value) && value >= 0, where);
      break;
    case "number":
      assert.ok(Number.isFinite(value), where);
      break;
    case "boolean":
      assert.equal(typeof value, "boolean", where);
      break;
    case "datetime":
      assert.match(
        value,
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/,
        where,
      );
      assert.ok(
        Math.abs(Date.parse(value) - Date.now()) < 10 * 60 * 1000,
        `${where}: not a time of this run`,
      );
      break;
    case "e164":
      assert.match(value, /^\+[1-9][0-9]{1,14}$/, where);
      break;
    case "enum":
      assert.ok(f.values.includes(value), where);
      break;
    default:
      assert.equal(typeof value, "string", where);
  }
}

/**
 * A valid payload for a host -> Flex trigger, with the simulated tasks its
 * action needs (a task for `sid`, a conversation for `conversationSid`).
 */
export async function commandPayload(flex, trigger) {
  const payload = {};
  trigger.payload.forEach((f, i) => (payload[f.name.snake] = sample(f, i)));
  for (const arg of trigger.invoke.args) {
    if (arg.value.kind !== "payload") continue;
    const field = arg.value.field.snake;
    if (
      arg.key === "sid" ||
      arg.key === "task" ||
      arg.key === "conversationSid"
    ) {
      const { channel, channelType } = channelOf(trigger);
      const sid = await driveTask(
        flex,
        {
          channel,
          channelType,
          attributes: channelType ? { channelType } : {},
        },
        ["accept"],
      );
      if (arg.key === "conversationSid") {
        const task = await flex.evaluate((s) => window.flexSim.task(s), sid);
        payload[field] = task.attributes.conversationSid;
      } else {
        payload[field] = sid;
      }
    }
  }
  return payload;
}

/** An arg's place in an action payload: its key, then keys inside it. */
export const argPath = (arg) => [arg.key, ...(arg.nested ?? [])];

/** The value at an arg's place in an action payload (undefined if none). */
export function argValue(actionPayload, arg) {
  return argPath(arg).reduce(
    (v, k) =>
      v !== null && typeof v === "object" && Object.hasOwn(v, k)
        ? v[k]
        : undefined,
    actionPayload,
  );
}

/**
 * The Flex action payload a command must produce, per the spec's args: a
 * value set inside an object argument (`taskAttributes.crm_record_id`) goes
 * below its key; an absent optional field leaves its place out.
 */
export function expectedAction(trigger, payload) {
  const out = {};
  for (const arg of trigger.invoke.args) {
    const value =
      arg.value.kind === "payload"
        ? payload[arg.value.field.snake]
        : JSON.parse(arg.value.json);
    const path = argPath(arg);
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (value === undefined) break;
      node[key] ??= {};
      node = node[key];
    }
    if (value !== undefined || path.length === 1) node[path.at(-1)] = value;
  }
  return out;
}

/** Waits in a frame until `fn(arg)` is truthy; returns that value. */
export async function until(frame, fn, arg, what, timeoutMs = 10000) {
  try {
    const handle = await frame.waitForFunction(fn, arg, {
      timeout: timeoutMs,
      polling: 50,
    });
    return await handle.jsonValue();
  } catch (e) {
    throw new Error(`waiting for ${what} failed: ${e.message}`);
  }
}

/**
 * Closes a browser context, then fails on any error its pages let escape or
 * caught themselves (`crm.errors`, `flexSim.errors`, in every frame).
 */
export async function closeClean(ctx) {
  const errors = [];
  for (const p of ctx.pages()) {
    for (const frame of p.frames()) {
      errors.push(
        ...(await frame
          .evaluate(() => [
            ...(window.crm?.errors ?? []),
            ...(window.flexSim?.errors ?? []),
          ])
          .catch(() => [])),
      );
    }
  }
  await ctx.close();
  assert.deepEqual(ctx.pageErrors, [], "uncaught errors in the pages");
  assert.deepEqual(errors, [], "errors caught by the pages");
}

/** The `arg` of each invocation of the Flex action `action`, in order. */
export const invokedWith = (flex, action, arg) =>
  flex.evaluate(
    ([a, k]) =>
      window.flexSim.invocations
        .filter((i) => i.name === a)
        .map((i) => i.payload[k]),
    [action, arg],
  );
