import { equal } from "node:assert/strict";
import { test } from "node:test";

import { type CrmUrl, crmUrlFor, frameKey } from "../src/crm_url";

const URL_TEMPLATE: CrmUrl = {
  origin: "https://crm.example",
  parts: ["/flex?task=", ["taskSid"], "&id=", ["attributes", "crm_id"]],
};

test("task values are filled in, percent-encoded", () => {
  const task = {
    taskSid: "WT1",
    attributes: { crm_id: 'a&b=c#d/"><script>x</script>' },
  };
  equal(
    crmUrlFor(URL_TEMPLATE, task),
    "https://crm.example/flex?task=WT1&id=a%26b%3Dc%23d%2F%22%3E%3Cscript%3Ex%3C%2Fscript%3E",
  );
});

test("numbers are written, anything else is empty; no task leaves each value empty", () => {
  equal(
    crmUrlFor(URL_TEMPLATE, { taskSid: 7, attributes: { crm_id: { x: 1 } } }),
    "https://crm.example/flex?task=7&id=",
  );
  equal(
    crmUrlFor(URL_TEMPLATE, { taskSid: Number.NaN, attributes: null }),
    "https://crm.example/flex?task=&id=",
  );
  equal(
    crmUrlFor(URL_TEMPLATE, undefined),
    "https://crm.example/flex?task=&id=",
  );
});

test("a URL that would leave the spec's origin is not built", () => {
  // The generator never emits such text; the runtime checks anyway.
  equal(
    crmUrlFor({ origin: "https://crm.example", parts: [".evil.test/"] }, {}),
    undefined,
  );
  equal(
    crmUrlFor({ origin: "https://crm.example", parts: ["@evil.test/"] }, {}),
    undefined,
  );
  equal(crmUrlFor({ origin: "not a url", parts: [] }, {}), undefined);
  equal(
    crmUrlFor({ origin: "https://crm.example", parts: [] }, {}),
    "https://crm.example/",
  );
});

test("the frame is keyed by the task's sid", () => {
  equal(frameKey({ taskSid: "WT1" }), "task-WT1");
  equal(frameKey({ taskSid: 1 }), "no-task");
  equal(frameKey(undefined), "no-task");
});

test("a path segment is one URL component: its slashes are encoded too", () => {
  equal(
    crmUrlFor(
      { origin: "https://crm.example", parts: ["/", ["taskSid"]] },
      { taskSid: "WT/1?x#y" },
    ),
    "https://crm.example/WT%2F1%3Fx%23y",
  );
});
