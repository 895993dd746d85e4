import { deepEqual, equal, ok } from "node:assert/strict";
import { test } from "node:test";

import { messageId, validateEnvelope } from "../src/envelopes";
import { MAX_ERROR_MESSAGE, PROTOCOL_VERSION } from "../src/protocol_constants";

const BASE = { ns: "flexgen", v: PROTOCOL_VERSION, app: "acme", id: "h-1" };
const HELLO = {
  ...BASE,
  kind: "hello",
  spec: "0123456789abcdef",
  role: "host",
};
const COMMAND = {
  ...BASE,
  kind: "command",
  type: "start_call",
  payload: { phone: "+15551234567" },
  deadline: 1_000,
};

function reason(data: Record<string, unknown>): string {
  const checked = validateEnvelope(data);
  return checked.ok ? "(valid)" : checked.reason;
}

test("each kind's exact envelope is accepted", () => {
  for (const data of [
    HELLO,
    { ...HELLO, re: "f-1" },
    COMMAND,
    { ...BASE, kind: "event", type: "call_ended", payload: {} },
    { ...BASE, kind: "reply", re: "f-1", ok: true },
    {
      ...BASE,
      kind: "reply",
      re: "f-1",
      ok: false,
      error: { code: "TIMEOUT", message: "late" },
    },
  ]) {
    const checked = validateEnvelope(data);
    ok(checked.ok, JSON.stringify(data));
    deepEqual(checked.value, data);
  }
});

test("an unknown kind, or none, is refused", () => {
  const expected = "kind: expected hello, command, event or reply";
  equal(reason({ ...BASE, kind: "goodbye" }), expected);
  equal(reason({ ...BASE }), expected);
  equal(reason({ ...BASE, kind: "toString" }), expected);
  equal(reason({ ...BASE, kind: "__proto__" }), expected);
});

test("every envelope key is checked", () => {
  equal(reason({ ...HELLO, ns: "other" }), 'ns: expected "flexgen"');
  equal(reason({ ...HELLO, v: 1.5 }), "v: expected a safe integer");
  equal(reason({ ...HELLO, app: "a".repeat(65) }), "app: longer than 64");
  equal(reason({ ...HELLO, id: "has space" }), "id: expected a message id");
  equal(reason({ ...HELLO, id: "x".repeat(129) }), "id: expected a message id");
  equal(reason({ ...HELLO, spec: "0123" }), "spec: expected a spec hash");
  equal(
    reason({ ...HELLO, role: "guest" }),
    "role: expected one of host, flex",
  );
  equal(
    reason({ ...COMMAND, type: "StartCall" }),
    "type: expected a trigger name",
  );
  equal(
    reason({ ...COMMAND, payload: [] }),
    "payload: expected a plain object",
  );
  equal(
    reason({ ...COMMAND, deadline: "soon" }),
    "deadline: expected a safe integer",
  );
  const { deadline: _, ...noDeadline } = COMMAND;
  equal(reason(noDeadline), "deadline: missing");
});

test("an undeclared or forbidden envelope key is refused", () => {
  equal(reason({ ...HELLO, extra: 1 }), '"extra": unknown key');
  equal(reason({ ...COMMAND, re: "f-1" }), '"re": unknown key');
  const proto = JSON.parse(
    JSON.stringify(HELLO).replace("{", '{"__proto__":1,'),
  );
  equal(reason(proto), "__proto__: key not allowed");
});

test("a payload or error that is the envelope itself is refused", () => {
  const cyclic: Record<string, unknown> = { ...COMMAND };
  cyclic["payload"] = cyclic;
  equal(reason(cyclic), "payload: a shared or cyclic reference");
  const reply: Record<string, unknown> = {
    ...BASE,
    kind: "reply",
    re: "f-1",
    ok: false,
  };
  reply["error"] = reply;
  equal(reason(reply), "error: a shared or cyclic reference");
});

test("a reply has an error exactly when it is not ok", () => {
  const reply = { ...BASE, kind: "reply", re: "f-1" };
  const error = { code: "TIMEOUT", message: "late" };
  equal(
    reason({ ...reply, ok: false }),
    "error: required exactly when ok is false",
  );
  equal(
    reason({ ...reply, ok: true, error }),
    "error: required exactly when ok is false",
  );
  equal(
    reason({ ...reply, ok: false, error: { code: "lower", message: "x" } }),
    "error: error.code: expected an error code",
  );
  equal(
    reason({
      ...reply,
      ok: false,
      error: { ...error, message: "m".repeat(MAX_ERROR_MESSAGE + 1) },
    }),
    `error: error.message: longer than ${MAX_ERROR_MESSAGE}`,
  );
});

test("messageId", () => {
  equal(messageId("f-0123abcd-1"), undefined);
  equal(messageId("a.b:c_d-E"), undefined);
  equal(messageId(""), "expected a message id");
  equal(messageId("a/b"), "expected a message id");
  equal(messageId(1), "expected a message id");
});
