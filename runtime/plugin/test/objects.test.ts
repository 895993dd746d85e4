import { equal } from "node:assert/strict";
import { test } from "node:test";

import { FORBIDDEN_KEYS, hasOwn, isPlainObject } from "../src/objects";

test("isPlainObject: literals and null-prototype objects only", () => {
  equal(isPlainObject({ a: 1 }), true);
  equal(isPlainObject(Object.create(null)), true);
  equal(isPlainObject(JSON.parse('{"__proto__":{}}')), true);
  equal(isPlainObject([]), false);
  equal(isPlainObject(null), false);
  equal(isPlainObject(new Map()), false);
  equal(isPlainObject(Object.create({})), false);
});

test("hasOwn: own keys only, even without a prototype", () => {
  equal(hasOwn({ a: undefined }, "a"), true);
  equal(hasOwn({}, "toString"), false);
  equal(hasOwn(Object.create({ a: 1 }), "a"), false);
  const bare = Object.create(null);
  bare.k = 1;
  equal(hasOwn(bare, "k"), true);
  equal(hasOwn({ hasOwnProperty: () => true }, "x"), false);
});

test("the forbidden keys", () => {
  equal(
    [...FORBIDDEN_KEYS].sort().join(","),
    "__proto__,constructor,prototype",
  );
});
