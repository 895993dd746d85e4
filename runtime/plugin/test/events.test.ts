import { deepEqual, equal } from "node:assert/strict";
import { test } from "node:test";

import { checks } from "../src/checks";
import { type EventSource, deliverEvent } from "../src/events";
import type { SourceContext } from "../src/flex_reads";
import { required } from "../src/schema";
import { read } from "../src/sources";

const SOURCE: EventSource = {
  type: "call_accepted",
  when: { "task.attributes.direction": "inbound" },
  sources: { task_sid: read("task.taskSid") },
  schema: { task_sid: required(checks.string(34)) },
};

function context(task: unknown): SourceContext {
  return {
    task,
    worker: {
      identity: "a",
      sid: undefined,
      activityName: undefined,
      attributes: undefined,
    },
    action: undefined,
    timing: {
      eventAt: new Date(0),
      acceptedAt: undefined,
      talkSeconds: undefined,
    },
  };
}

const INBOUND = { taskSid: "WT1", attributes: { direction: "inbound" } };

test("a matching event is built, shown to the hook and sent", async () => {
  const sent: [string, unknown][] = [];
  const hooked: unknown[] = [];
  await deliverEvent(
    SOURCE,
    (payload) => void hooked.push(payload),
    context(INBOUND),
    (type, payload) => sent.push([type, payload]),
  );
  deepEqual(hooked, [{ task_sid: "WT1" }]);
  deepEqual(sent, [["call_accepted", { task_sid: "WT1" }]]);
});

test("a filtered, suppressed or invalid event is not sent", async (t) => {
  const warn = t.mock.method(console, "warn", () => undefined);
  const sent: unknown[] = [];
  const send = (type: string) => void sent.push(type);
  const outbound = { ...INBOUND, attributes: { direction: "outbound" } };
  await deliverEvent(SOURCE, undefined, context(outbound), send);
  await deliverEvent(SOURCE, () => false, context(INBOUND), send);
  await deliverEvent(
    SOURCE,
    undefined,
    context({ ...INBOUND, taskSid: 5 }),
    send,
  );
  deepEqual(sent, []);
  equal(warn.mock.calls.length, 1);
  deepEqual(warn.mock.calls[0]?.arguments, [
    "flexgen: call_accepted not sent: task_sid: expected a string",
  ]);
});

test("a throwing hook is caught and logged, never thrown", async (t) => {
  const error = t.mock.method(console, "error", () => undefined);
  const sent: unknown[] = [];
  await deliverEvent(
    SOURCE,
    () => {
      throw new Error("hook broke");
    },
    context(INBOUND),
    (type) => void sent.push(type),
  );
  deepEqual(sent, []);
  equal(error.mock.calls.length, 1);
  equal(error.mock.calls[0]?.arguments[0], "flexgen: call_accepted failed");
});
