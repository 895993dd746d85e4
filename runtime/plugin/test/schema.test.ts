import { deepEqual, equal, ok } from "node:assert/strict";
import { test } from "node:test";

import { checks } from "../src/checks";
import { MAX_REASON } from "../src/protocol_constants";
import {
  type PayloadSchema,
  optional,
  required,
  validatePayload,
} from "../src/schema";

const SCHEMA: PayloadSchema = {
  phone: required(checks.e164()),
  note: optional(checks.string(10)),
};

function reason(value: unknown): string {
  const checked = validatePayload(SCHEMA, value);
  return checked.ok ? "(valid)" : checked.reason;
}

test("a valid payload comes back frozen, with its declared keys only", () => {
  const checked = validatePayload<{ phone: string; note?: string }>(SCHEMA, {
    phone: "+15551234567",
    note: undefined,
  });
  ok(checked.ok);
  deepEqual(checked.value, { phone: "+15551234567" });
  equal(Object.isFrozen(checked.value), true);
  const full = validatePayload(SCHEMA, { phone: "+15551234567", note: "hi" });
  ok(full.ok);
  deepEqual(full.value, { phone: "+15551234567", note: "hi" });
});

test("a missing required field, or a field failing its check, is named", () => {
  equal(reason({}), "phone: missing");
  equal(reason({ phone: "555" }), "phone: expected an E.164 phone number");
  equal(
    reason({ phone: "+15551234567", note: "far too long" }),
    "note: longer than 10",
  );
  // Optional means absent or undefined, never null.
  equal(
    reason({ phone: "+15551234567", note: null }),
    "note: expected a string",
  );
});

test("only plain objects are payloads", () => {
  for (const bad of [null, [], "x", 1, new Date()]) {
    equal(reason(bad), "payload: expected a plain object");
  }
});

test("unknown keys are refused, quoted and cut", () => {
  equal(reason({ phone: "+15551234567", extra: 1 }), '"extra": unknown key');
  const long = "k".repeat(100);
  equal(
    reason({ [long]: 1 }),
    `${JSON.stringify("k".repeat(64))}: unknown key`,
  );
});

test("__proto__, constructor and prototype are refused as keys", () => {
  const proto = JSON.parse('{"phone":"+15551234567","__proto__":{"x":1}}');
  equal(reason(proto), "__proto__: key not allowed");
  equal(reason({ constructor: 1 }), "constructor: key not allowed");
  equal(reason({ prototype: 1 }), "prototype: key not allowed");
  // Refused even when the schema would declare them.
  const declared = { constructor: required(checks.integer()) };
  const checked = validatePayload(declared, { constructor: 1 });
  equal(checked.ok, false);
});

test("a symbol key is refused", () => {
  equal(
    reason({ phone: "+15551234567", [Symbol("s")]: 1 }),
    "payload: symbol key",
  );
});

test("a reason is cut to MAX_REASON", () => {
  const schema = { f: required(checks.oneOf(["x".repeat(500)])) };
  const checked = validatePayload(schema, { f: "y" });
  ok(!checked.ok);
  equal(checked.reason.length, MAX_REASON);
});
