import { deepEqual } from "node:assert/strict";
import { test } from "node:test";

import { helloTargets } from "../src/hello_targets";

const HOSTS = ["https://crm.example", "https://crm2.example"];

function origins(...list: string[]): DOMStringList {
  return {
    length: list.length,
    item: (i: number) => list[i] ?? null,
    contains: (s: string) => list.includes(s),
  } as unknown as DOMStringList;
}

test("no ancestorOrigins (Firefox): every allowed origin", () => {
  deepEqual(helloTargets(undefined, HOSTS), HOSTS);
  deepEqual(helloTargets(origins(), HOSTS), HOSTS);
});

test('a parent the browser hides as "null": every allowed origin', () => {
  deepEqual(helloTargets(origins("null"), HOSTS), HOSTS);
});

test("an allowed parent: that origin only", () => {
  deepEqual(helloTargets(origins("https://crm2.example"), HOSTS), [
    "https://crm2.example",
  ]);
});

test("another parent: nobody", (t) => {
  const info = t.mock.method(console, "info", () => undefined);
  deepEqual(
    helloTargets(origins("https://evil.example", HOSTS[0] ?? ""), HOSTS),
    [],
  );
  deepEqual(info.mock.calls.length, 1);
});
