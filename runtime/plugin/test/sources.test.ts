import { deepEqual, equal, ok } from "node:assert/strict";
import { test } from "node:test";

import { checks } from "../src/checks";
import type { SourceContext } from "../src/flex_reads";
import { optional, required } from "../src/schema";
import {
  buildPayload,
  firstOf,
  iso,
  jsonEquals,
  matches,
  read,
} from "../src/sources";

function context(task: unknown): SourceContext {
  return {
    task,
    worker: {
      identity: "alice",
      sid: "WK1",
      activityName: "Available",
      attributes: {},
    },
    action: undefined,
    timing: {
      eventAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      acceptedAt: undefined,
      talkSeconds: undefined,
    },
  };
}

test("jsonEquals compares JSON values deeply and exactly", () => {
  equal(jsonEquals("a", "a"), true);
  equal(jsonEquals(1, 1), true);
  equal(jsonEquals(null, null), true);
  equal(jsonEquals(undefined, null), false);
  equal(jsonEquals("1", 1), false);
  equal(jsonEquals([1, [2]], [1, [2]]), true);
  equal(jsonEquals([1, 2], [1]), false);
  equal(jsonEquals({ a: 1 }, [1]), false);
  equal(jsonEquals({ a: { b: true } }, { a: { b: true } }), true);
  equal(jsonEquals({ a: 1, b: 2 }, { a: 1 }), false);
  equal(jsonEquals({ a: 1 }, { a: 1, b: 2 }), false);
  equal(jsonEquals([1], { 0: 1 }), false);
  equal(jsonEquals(null, {}), false);
  // Inherited keys do not count.
  equal(jsonEquals(Object.create({ a: 1 }), { a: 1 }), false);
});

test("read, iso and firstOf describe where a field is read", () => {
  deepEqual(read("task.attributes.from"), {
    reads: [{ path: ["task", "attributes", "from"], convert: "none" }],
  });
  deepEqual(iso("timing.eventAt"), {
    reads: [{ path: ["timing", "eventAt"], convert: "iso" }],
  });
  deepEqual(firstOf(read("a.b"), iso("c")), {
    reads: [
      { path: ["a", "b"], convert: "none" },
      { path: ["c"], convert: "iso" },
    ],
  });
});

test("matches: every condition holds", () => {
  const ctx = context({ attributes: { direction: "inbound", rank: 2 } });
  equal(matches(ctx, {}), true);
  equal(matches(ctx, { "task.attributes.direction": "inbound" }), true);
  equal(
    matches(ctx, {
      "task.attributes.direction": "inbound",
      "task.attributes.rank": 3,
    }),
    false,
  );
  equal(matches(ctx, { "worker.identity": "alice" }), true);
  equal(matches(ctx, { "task.attributes.__proto__": null }), false);
});

const SCHEMA = {
  from: required(checks.e164()),
  at: required(checks.datetime(32)),
  note: optional(checks.string(5)),
};

test("buildPayload reads each field from the first source that fits", () => {
  const ctx = context({
    attributes: { from: "client:alice", caller: "+15551234567", note: "hi" },
  });
  const built = buildPayload(
    ctx,
    {
      from: firstOf(
        read("task.attributes.from"),
        read("task.attributes.caller"),
      ),
      at: iso("timing.eventAt"),
      note: read("task.attributes.note"),
    },
    SCHEMA,
  );
  ok(built.ok);
  deepEqual(built.value, {
    from: "+15551234567",
    at: "2024-01-02T03:04:05.000Z",
    note: "hi",
  });
});

test("buildPayload leaves out an optional misfit and reports a required one", () => {
  const ctx = context({
    attributes: { from: "client:alice", note: "far too long" },
  });
  const sources = {
    from: read("task.attributes.from"),
    at: iso("timing.eventAt"),
    note: read("task.attributes.note"),
  };
  const built = buildPayload(ctx, sources, SCHEMA);
  ok(!built.ok);
  equal(built.reason, "from: expected an E.164 phone number");
  const fine = buildPayload(
    context({ attributes: { from: "+15551234567", note: "far too long" } }),
    sources,
    SCHEMA,
  );
  ok(fine.ok);
  deepEqual(fine.value, {
    from: "+15551234567",
    at: "2024-01-02T03:04:05.000Z",
  });
  const absent = buildPayload(context({}), sources, SCHEMA);
  ok(!absent.ok);
  equal(absent.reason, "from: missing");
});

test("buildPayload: an invalid Date stays a Date and fails its check", () => {
  const ctx = { ...context({}), action: { when: new Date(NaN) } };
  const built = buildPayload(
    ctx,
    { at: iso("action.when") },
    { at: SCHEMA.at },
  );
  ok(!built.ok);
  equal(built.reason, "at: expected an ISO 8601 UTC datetime");
});
