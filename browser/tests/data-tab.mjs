// Data inside Flex (`show:` triggers): the CRM sends data for a task, the
// plugin keeps it for that task, and the task canvas of the simulator (the
// real TaskCanvasTabs.Content fragments under the Paste provider the plugin
// gave Flex's setProviders, simulator/canvas.ts) shows it as text.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { TEST_CONTACTS } from "./contacts.mjs";
import * as drive from "./drive.mjs";
import { assertText, inkIn, keepScreenshot, textBox } from "./screenshots.mjs";

/** Markup a CRM might send: it must show as these characters, never run. */
const MARKUP = '<img src=x onerror="globalThis.__flexgen_pwned=1">';

/** A task of the trigger's channel, accepted and selected; its snapshot. */
async function selectedTask(flex, trigger) {
  const sid = await flex.evaluate((opts) => window.flexSim.ringInbound(opts), {
    channel: trigger.channel ?? "voice",
    channelType: trigger.channel_type ?? undefined,
    from: trigger.channel === "chat" ? "whatsapp:+15551230001" : "+15551230001",
  });
  for (const step of ["accept", "select"]) {
    const done = await flex.evaluate(
      ([s, id]) => window.flexSim[s](id),
      [step, sid],
    );
    assert.notEqual(done?.ok, false, `${step}: ${JSON.stringify(done)}`);
  }
  return flex.evaluate((id) => window.flexSim.task(id), sid);
}

/** A payload for `trigger` naming `taskSid`, string fields set to `text`. */
function payloadFor(trigger, taskSid, text) {
  const payload = {};
  trigger.payload.forEach((field, i) => {
    payload[field.name.snake] =
      field.name.snake === trigger.show.task_field.snake
        ? taskSid
        : field.ty === "string"
          ? `${text} ${i}`
          : drive.sample(field, i);
  });
  return payload;
}

/**
 * A payload an agent would read: a name field gets a contact's name, an id
 * field a record id, other fields their samples.
 */
function readablePayload(trigger, taskSid) {
  const payload = payloadFor(trigger, taskSid, "");
  trigger.payload.forEach((field, i) => {
    const name = field.name.snake;
    if (field.ty !== "string" || name === trigger.show.task_field.snake) return;
    if (/name/.test(name)) payload[name] = TEST_CONTACTS[0].name;
    else if (/(^|_)id$/.test(name)) payload[name] = `CRM-${4217 + i}`;
  });
  return payload;
}

/** The canvas as the agent sees it: tab labels, and the open tab's text. */
const canvas = (flex) =>
  flex.evaluate(() => {
    const section = document.getElementById("task-canvas");
    return {
      task: section?.dataset.task,
      labels: [...(section?.querySelectorAll("[role=tab]") ?? [])].map(
        (b) => b.textContent,
      ),
      text: section?.querySelector("[role=tabpanel]")?.textContent ?? "",
      images: section?.querySelectorAll("img").length ?? -1,
    };
  });

const openTab = async (flex, label) => {
  await flex.evaluate((l) => {
    const tab = [...document.querySelectorAll("#task-canvas [role=tab]")].find(
      (b) => b.textContent === l,
    );
    tab?.click();
  }, label);
};

export function dataTabSuite(config, out, get) {
  for (const trigger of drive.shows(config.plan)) {
    const name = trigger.name.snake;
    const label = trigger.show.label;
    describe(`${name}: the CRM's data in the task canvas tab "${label}"`, () => {
      it("data for a task the agent has resolves, and the tab shows every row, as text", async () => {
        const { page, flex, reset } = get();
        await reset();
        const task = await selectedTask(flex, trigger);
        // Before the CRM sent anything, the tab is there and says so.
        await openTab(flex, label);
        const before = await canvas(flex);
        assert.ok(before.labels.includes(label), JSON.stringify(before));
        assert.match(before.text, /Nothing from the CRM/);
        const payload = payloadFor(trigger, task.taskSid, MARKUP);
        const outcome = await page.evaluate(
          ([t, p]) => window.crm.run(t, p),
          [name, payload],
        );
        assert.deepEqual(outcome, { ok: true });
        const shown = await drive.until(
          flex,
          (l) => {
            const panel = document.querySelector(
              `#task-canvas [role=tabpanel][data-label="${l}"]`,
            );
            const text = panel?.textContent ?? "";
            return text.includes("Nothing from the CRM") ? undefined : text;
          },
          label,
          `${label} showing the data`,
        );
        for (const row of trigger.show.fields) {
          assert.ok(shown.includes(row.label), `row ${row.label}: ${shown}`);
          if ("payload" in row.value) {
            const value = payload[row.value.payload];
            const text =
              typeof value === "boolean"
                ? value
                  ? "yes"
                  : "no"
                : String(value);
            assert.ok(shown.includes(text), `${row.label} = ${text}: ${shown}`);
          }
        }
        const after = await canvas(flex);
        assert.equal(after.images, 0, "markup from the CRM became elements");
        assert.equal(
          await flex.evaluate(() => typeof globalThis.__flexgen_pwned),
          "undefined",
        );
      });

      it("a screenshot of the tab shows its label, a row's label and its value (pixels)", async () => {
        const { page, flex, reset } = get();
        await reset();
        const task = await selectedTask(flex, trigger);
        const payload = readablePayload(trigger, task.taskSid);
        const outcome = await page.evaluate(
          ([t, p]) => window.crm.run(t, p),
          [name, payload],
        );
        assert.deepEqual(outcome, { ok: true });
        await openTab(flex, label);
        // The first row that shows a payload value, and that value.
        const row = trigger.show.fields.find(
          (f) => "payload" in f.value && payload[f.value.payload] !== undefined,
        );
        assert.ok(row, `${name} shows no payload field`);
        const value = String(payload[row.value.payload]);
        const panel = flex.locator(
          `#task-canvas [role=tabpanel][data-label="${label}"]`,
        );
        await panel.locator("dd", { hasText: value }).waitFor();
        const shot = flex.locator("#task-canvas");
        const png = await shot.screenshot();
        keepScreenshot(out, `data-tab-${config.case}-${name}`, png);
        const boxes = [
          await textBox(
            shot,
            flex.locator("#task-canvas [role=tab]", { hasText: label }),
            `the tab label "${label}"`,
          ),
          await textBox(
            shot,
            panel.locator("dt", { hasText: row.label }).first(),
            `the row label "${row.label}"`,
          ),
          await textBox(
            shot,
            panel.locator("dd", { hasText: value }).first(),
            `the value "${value}"`,
          ),
        ];
        assertText(await inkIn(flex.page().context(), png, boxes), name);
      });

      it("a sid the agent has no task for fails FLEX_ACTION_FAILED, and Flex keeps nothing", async () => {
        const { page, flex, reset } = get();
        await reset();
        await selectedTask(flex, trigger);
        for (const sid of [
          "WT00000000000000000000000000000000",
          "WR00000000000000000000000000000000",
        ]) {
          const outcome = await page.evaluate(
            ([t, p]) => window.crm.run(t, p),
            [name, payloadFor(trigger, sid, "x")],
          );
          assert.equal(outcome.ok, false, JSON.stringify(outcome));
          assert.equal(outcome.code, "FLEX_ACTION_FAILED");
        }
        await openTab(flex, label);
        assert.match((await canvas(flex)).text, /Nothing from the CRM/);
      });

      it("by reservation sid too; the data goes when the task ends, and a task's data is its own", async () => {
        const { page, flex, reset } = get();
        await reset();
        const first = await selectedTask(flex, trigger);
        const outcome = await page.evaluate(
          ([t, p]) => window.crm.run(t, p),
          [name, payloadFor(trigger, first.sid, "first")],
        );
        assert.deepEqual(outcome, { ok: true });
        // A second task of the channel: its tab has nothing yet.
        const second = await selectedTask(flex, trigger);
        await openTab(flex, label);
        const other = await canvas(flex);
        assert.equal(other.task, second.sid);
        assert.match(other.text, /Nothing from the CRM/);
        // Back on the first: its data. Then it ends and its data is gone:
        // sending for it again is refused, the task being over.
        await flex.evaluate((s) => window.flexSim.select(s), first.sid);
        await openTab(flex, label);
        assert.match((await canvas(flex)).text, /first/);
        for (const step of ["wrapup", "complete"])
          await flex.evaluate(
            ([s, id]) => window.flexSim[s](id),
            [step, first.sid],
          );
        // The completed task stays selected: its tab now has nothing.
        await drive.until(
          flex,
          () =>
            /Nothing from the CRM/.test(
              document.querySelector("#task-canvas [role=tabpanel]")
                ?.textContent ?? "",
            ) || undefined,
          undefined,
          "the ended task's data dropped",
        );
        const late = await page.evaluate(
          ([t, p]) => window.crm.run(t, p),
          [name, payloadFor(trigger, first.taskSid, "late")],
        );
        assert.equal(late.code, "FLEX_ACTION_FAILED", JSON.stringify(late));
      });
    });
  }
}
