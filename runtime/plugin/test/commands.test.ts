import { deepEqual, equal, throws } from "node:assert/strict";
import { test } from "node:test";

import { allowCommand, setIn } from "../src/commands";

test("setIn makes the objects on the way and keeps what is there", () => {
  const args: Record<string, unknown> = { attributes: { kept: 1 }, flat: "x" };
  setIn(args, ["attributes", "crm", "record_id"], "R1");
  setIn(args, ["flat", "now"], 2);
  setIn(args, ["top"], true);
  deepEqual(args, {
    attributes: { kept: 1, crm: { record_id: "R1" } },
    flat: { now: 2 },
    top: true,
  });
});

test("setIn refuses prototype keys and changes nothing", () => {
  for (const path of [
    ["__proto__", "polluted"],
    ["a", "constructor", "prototype"],
    ["prototype"],
  ] as const) {
    const args: Record<string, unknown> = {};
    throws(() => setIn(args, path, 1), /key not allowed/);
    deepEqual(args, {});
  }
  equal(({} as Record<string, unknown>)["polluted"], undefined);
});

test("allowCommand: no hook allows, a hook's false refuses", async () => {
  equal(await allowCommand(undefined, {}), true);
  equal(await allowCommand(() => undefined, {}), true);
  equal(await allowCommand(() => true, {}), true);
  equal(await allowCommand(() => false, {}), false);
  equal(await allowCommand(async () => false, {}), false);
  const seen: unknown[] = [];
  await allowCommand((p) => void seen.push(p), { a: 1 });
  deepEqual(seen, [{ a: 1 }]);
});
