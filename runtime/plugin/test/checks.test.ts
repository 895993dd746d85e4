import { equal, match } from "node:assert/strict";
import { test } from "node:test";

import { checks } from "../src/checks";

test("string: a string within its length, well-formed", () => {
  const check = checks.string(5);
  equal(check("hello"), undefined);
  equal(check(""), undefined);
  equal(check("hello!"), "longer than 5");
  equal(check(5), "expected a string");
  equal(check(null), "expected a string");
  // Length counts UTF-16 units: an astral character is two.
  equal(checks.string(2)("😀"), undefined);
  equal(checks.string(1)("😀"), "longer than 1");
});

test("string: a lone surrogate is refused, a pair is not", () => {
  const check = checks.string(10);
  const lone = "not well-formed UTF-16 (a lone surrogate)";
  equal(check("a\uD800"), lone);
  equal(check("\uDC00b"), lone);
  equal(check("\uDC00\uD800"), lone);
  equal(check("\uD83D\uDE00"), undefined);
});

test("e164: + then 2 to 15 digits, the first not 0", () => {
  const check = checks.e164();
  for (const ok of ["+12", "+15551234567", "+123456789012345"]) {
    equal(check(ok), undefined);
  }
  for (const bad of [
    "+1",
    "+0123",
    "15551234567",
    "+1234567890123456",
    "+1 555 123",
    "+1555123456a",
    15551234567,
  ]) {
    equal(check(bad), "expected an E.164 phone number");
  }
});

test("integer and number", () => {
  const integer = checks.integer();
  equal(integer(0), undefined);
  equal(integer(-7), undefined);
  equal(integer(Number.MAX_SAFE_INTEGER), undefined);
  for (const bad of [1.5, Number.MAX_SAFE_INTEGER + 1, NaN, "1", null]) {
    equal(integer(bad), "expected a safe integer");
  }
  const number = checks.number();
  equal(number(1.5), undefined);
  equal(number(-0), undefined);
  for (const bad of [NaN, Infinity, -Infinity, "1", undefined]) {
    equal(number(bad), "expected a finite number");
  }
});

test("boolean", () => {
  const check = checks.boolean();
  equal(check(true), undefined);
  equal(check(false), undefined);
  equal(check(0), "expected a boolean");
  equal(check("true"), "expected a boolean");
});

test("datetime: ISO 8601 UTC as toISOString writes it, within its length", () => {
  const check = checks.datetime(32);
  equal(check("2024-02-29T23:59:59Z"), undefined);
  equal(check("2024-02-29T23:59:59.123Z"), undefined);
  equal(check(new Date(0).toISOString()), undefined);
  for (const bad of [
    "2024-13-01T00:00:00Z",
    "2024-01-32T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:60:00Z",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00+01:00",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00.1Z",
    new Date(0),
  ]) {
    equal(check(bad), "expected an ISO 8601 UTC datetime");
  }
  // The length bound applies before the pattern.
  equal(
    checks.datetime(10)("2024-01-01T00:00:00Z"),
    "expected an ISO 8601 UTC datetime",
  );
});

test("oneOf and literal", () => {
  const check = checks.oneOf(["inbound", "outbound"]);
  equal(check("inbound"), undefined);
  equal(check("Inbound"), "expected one of inbound, outbound");
  equal(check(["inbound"]), "expected one of inbound, outbound");
  equal(checks.literal("flexgen")("flexgen"), undefined);
  equal(checks.literal(2)(2), undefined);
  equal(checks.literal(2)("2"), "expected 2");
  equal(checks.literal("flexgen")("x"), 'expected "flexgen"');
});

test("plainObject: object literals and null-prototype objects only", () => {
  const check = checks.plainObject();
  equal(check({}), undefined);
  equal(check(Object.create(null)), undefined);
  for (const bad of [[], new Date(), null, "x", new (class A {})()]) {
    match(check(bad) ?? "", /expected a plain object/);
  }
});
