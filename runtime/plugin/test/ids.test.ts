import { equal, match, notEqual } from "node:assert/strict";
import { test } from "node:test";

import { IdSource, LiveIds, RecentIds } from "../src/ids";

test("IdSource: prefix, 64 random bits, a counter", () => {
  const ids = new IdSource("f");
  const first = ids.next();
  match(first, /^f-[0-9a-f]{16}-1$/);
  const second = ids.next();
  equal(second, first.replace(/-1$/, "-2"));
  // Two sources do not share their random part.
  notEqual(new IdSource("f").next(), first);
});

test("LiveIds: an id is live until its deadline, and room is bounded", () => {
  const live = new LiveIds(2);
  equal(live.has("a"), false);
  equal(live.add("a", 100, 0), true);
  equal(live.has("a"), true);
  equal(live.add("b", 100, 0), true);
  // Full: refused, and nothing is forgotten to make room.
  equal(live.add("c", 100, 0), false);
  equal(live.has("a"), true);
  equal(live.has("c"), false);
});

test("LiveIds: expired ids are swept once the map is large", () => {
  const live = new LiveIds(5000);
  for (let i = 0; i < 1024; i += 1) equal(live.add(`old-${i}`, 10, 0), true);
  equal(live.has("old-0"), true);
  // At 1024 entries the next add sweeps those whose deadline has passed.
  equal(live.add("new", 1_000, 50), true);
  equal(live.has("old-0"), false);
  equal(live.has("old-1023"), false);
  equal(live.has("new"), true);
  // Nothing expired yet: a sweep keeps live ids.
  const kept = new LiveIds(5000);
  for (let i = 0; i < 1024; i += 1) kept.add(`id-${i}`, 1_000, 0);
  kept.add("more", 1_000, 50);
  equal(kept.has("id-0"), true);
});

test("RecentIds: a repeat is refused, the oldest is forgotten past the limit", () => {
  const recent = new RecentIds(2);
  equal(recent.add("a"), true);
  equal(recent.add("a"), false);
  equal(recent.add("b"), true);
  equal(recent.add("c"), true);
  // "a" fell out: seen again, it counts as new; "b" and "c" are still known.
  equal(recent.add("c"), false);
  equal(recent.add("a"), true);
  equal(recent.add("b"), true);
});
