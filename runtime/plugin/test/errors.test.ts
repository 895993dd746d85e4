import { equal, ok, throws } from "node:assert/strict";
import { test } from "node:test";

import {
  ProtocolError,
  beforeDeadline,
  errorText,
  unknownCommand,
  versionMismatch,
} from "../src/errors";
import { MAX_ERROR_MESSAGE } from "../src/protocol_constants";

test("ProtocolError carries its code", () => {
  const error = new ProtocolError("NOT_READY", "later");
  ok(error instanceof Error);
  equal(error.code, "NOT_READY");
  equal(error.message, "later");
  equal(error.name, "ProtocolError");
  equal(unknownCommand("x").code, "UNKNOWN_TRIGGER");
  equal(unknownCommand("x").message, "x is not a host-to-Flex trigger");
  equal(versionMismatch().code, "VERSION_MISMATCH");
});

test("beforeDeadline throws TIMEOUT from the deadline on", (t) => {
  t.mock.method(Date, "now", () => 1_000);
  beforeDeadline(1_001);
  throws(() => beforeDeadline(1_000), /deadline passed/);
  try {
    beforeDeadline(999);
  } catch (error) {
    ok(error instanceof ProtocolError);
    equal(error.code, "TIMEOUT");
  }
});

test("errorText shows any thrown value, cut, and never throws", () => {
  equal(errorText(new Error("boom")), "boom");
  equal(errorText("plain"), "plain");
  equal(errorText(42), "42");
  equal(errorText(new Error("x".repeat(5000))).length, MAX_ERROR_MESSAGE);
  equal(errorText(Object.create(null)), "(a value that cannot be shown)");
  equal(
    errorText({
      toString() {
        throw new Error("no");
      },
    }),
    "(a value that cannot be shown)",
  );
});
