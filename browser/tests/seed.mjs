// The three use cases of the seed spec, as a CRM user lives them: click to
// dial (and Flex refusing it), screen pop on an accepted inbound call and
// none on an outbound one, and the activity record after wrap-up.

import assert from "node:assert/strict";
import { it } from "node:test";

import * as drive from "./drive.mjs";

/**
 * host_in_flex: Flex selects the call it placed, and the plugin frames that
 * task's CRM page instead of the one that dialled (FACTS.md section 7).
 * Waits for that and checks that the CRM frame is the new call's page.
 */
async function dialledTaskShown(page, flex, number) {
  const call = await drive.until(
    flex,
    (n) => {
      const t = window.flexSim
        .tasks()
        .find((x) => x.attributes.outbound_to === n);
      return t && window.flexSim.selected === t.sid ? t : undefined;
    },
    number,
    "Flex selecting the dialled call",
  );
  await page.settle();
  assert.equal(
    new URL(await page.url()).searchParams.get("task"),
    call.taskSid,
    "the CRM frame is not the dialled call's page",
  );
}

export function seedSuite(get) {
  it("Flex's own CRM panel is hidden when Flex is embedded, kept when it holds the CRM: AgentDesktopView's showPanel2 after the plugin's init (app.hide_crm_panel, on by default for flex_in_host only)", async () => {
    const { flex, reset, hostInFlex } = get();
    await reset();
    // The real @twilio/flex-ui module (window.FlexUI): AgentDesktopViewImpl
    // renders panel 1 alone when showPanel2 is false (bundle
    // AgentDesktopViewImpl.renderContents).
    const shown = await flex.evaluate(
      () => window.FlexUI.AgentDesktopView.defaultProps.showPanel2,
    );
    if (hostInFlex) assert.notEqual(shown, false);
    else assert.equal(shown, false);
  });

  it("click to dial: clicking a contact's number runs StartOutboundCall with it; the promise resolves", async () => {
    const { page, flex, reset, hostInFlex } = get();
    await reset();
    const number = await page.evaluate(() => window.crm.contacts[0].phone);
    // The contact's call button, as the agent clicks it.
    await page.click(`button.call[data-phone="${number}"]`);
    // host_in_flex: the page that dialled is replaced by the call's page.
    if (hostInFlex) {
      // Its promise may not settle there: the call's page is checked instead.
      await dialledTaskShown(page, flex, number);
    } else {
      const outcome = await drive.until(
        page,
        () => window.crm.results.find((r) => r.trigger === "click_to_dial"),
        null,
        "the dial's outcome",
      );
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
      assert.deepEqual(outcome.payload, { phone_number: number });
    }
    const ran = await flex.evaluate(() =>
      window.flexSim.ran.filter((r) => r.name === "StartOutboundCall"),
    );
    assert.equal(ran.length, 1);
    assert.equal(ran[0].payload.destination, number);
    assert.ok(
      !("callerId" in ran[0].payload),
      "an absent caller_id must not become callerId",
    );
    const calls = await flex.evaluate(() =>
      window.flexSim
        .tasks()
        .filter((t) => t.attributes.direction === "outbound"),
    );
    assert.equal(calls.length, 1);
    assert.equal(calls[0].attributes.outbound_to, number);
  });

  for (const [what, setup, text] of [
    [
      "the agent is offline",
      (flex) => flex.evaluate(() => window.flexSim.setOnline(false)),
      "cannot do outbound calls when offline",
    ],
    [
      "a call is already live",
      (flex) =>
        drive.driveTask(
          flex,
          { channel: "voice", attributes: { direction: "inbound" } },
          ["accept"],
        ),
      "live call task already exists",
    ],
    [
      "an inbound call is ringing",
      (flex) =>
        drive.driveTask(
          flex,
          { channel: "voice", attributes: { direction: "inbound" } },
          [],
        ),
      "cannot do outbound calls with a pending inbound call",
    ],
  ]) {
    it(`click to dial: when ${what}, the host promise rejects with FLEX_ACTION_FAILED and Flex's message`, async () => {
      const { page, flex, reset } = get();
      await reset();
      await setup(flex);
      const outcome = await page.evaluate(() =>
        window.crm.run("click_to_dial", { phone_number: "+15551239999" }),
      );
      assert.equal(outcome.ok, false);
      assert.equal(outcome.code, "FLEX_ACTION_FAILED");
      assert.equal(outcome.name, "FlexBridgeError");
      assert.ok(
        outcome.message.includes(text),
        `message ${JSON.stringify(outcome.message)} lacks ${JSON.stringify(text)}`,
      );
      const dialled = await flex.evaluate(
        () =>
          window.flexSim.ran.filter((r) => r.name === "StartOutboundCall")
            .length,
      );
      assert.equal(dialled, 0);
    });
  }

  it("screen pop: an accepted inbound call from a contact shows that contact's record", async () => {
    const { page, flex, reset } = get();
    await reset();
    const contact = await page.evaluate(() => window.crm.contacts[1]);
    await drive.driveTask(
      flex,
      {
        channel: "voice",
        attributes: { direction: "inbound", from: contact.phone },
      },
      ["accept"],
    );
    const popped = await drive.until(
      page,
      (n) => window.crm.popped?.number === n && window.crm.popped,
      contact.phone,
      "the screen pop",
    );
    assert.deepEqual(popped, {
      trigger: "screen_pop",
      number: contact.phone,
      contact: contact.name,
    });
    const shown = await page.evaluate(
      () => document.querySelector("#record-body")?.textContent ?? "",
    );
    assert.ok(
      shown.includes(contact.name),
      `record view shows ${JSON.stringify(shown)}`,
    );
  });

  it("screen pop: a ringing call that is not accepted pops nothing; an outbound call pops nothing", async () => {
    const { page, flex, reset } = get();
    await reset();
    await page.evaluate(() => (window.crm.popped = null));
    await drive.driveTask(
      flex,
      { channel: "voice", attributes: { direction: "inbound" } },
      [],
    );
    const outcome = await page.evaluate(() => window.crm.dial("+15551230077"));
    // Dialling needs no ringing call: reject that one first.
    assert.equal(outcome.ok, false);
    await flex.evaluate(() => window.flexSim.reset());
    if (get().hostInFlex) {
      // The dialling page is replaced by the call's page (see above),
      // which is then the one that must get no screen pop.
      await page.settle();
      await page.evaluate(() => void window.crm.dial("+15551230077"));
      await dialledTaskShown(page, flex, "+15551230077");
    } else {
      assert.deepEqual(
        await page.evaluate(() => window.crm.dial("+15551230077")),
        { ok: true },
      );
    }
    await drive.sleep(700);
    assert.equal(await page.evaluate(() => window.crm.popped), null);
    const pops = await page.evaluate(() =>
      window.crm.events.filter((e) => e.type === "screen_pop"),
    );
    assert.deepEqual(pops, []);
  });

  it("activity history: wrap-up of an inbound call logs a record with the declared fields", async () => {
    const { page, flex, reset } = get();
    await reset();
    const sid = await drive.driveTask(
      flex,
      {
        channel: "voice",
        attributes: { direction: "inbound", from: "+15551230042" },
      },
      ["accept"],
    );
    await drive.sleep(1100); // a talk time of at least a second
    const r = await flex.evaluate((s) => window.flexSim.wrapup(s), sid);
    assert.ok(r.ok, r.message);
    const got = await drive.until(
      page,
      () => window.crm.events.find((e) => e.type === "interaction_logged"),
      null,
      "the activity record",
    );
    const task = await flex.evaluate((s) => window.flexSim.task(s), sid);
    const p = got.payload;
    // The customer of an inbound call: who reached us.
    assert.equal(p.customer, "+15551230042");
    assert.ok(!("crm_record_id" in p), JSON.stringify(p));
    assert.equal(p.direction, "inbound");
    assert.equal(p.channel, "voice");
    assert.equal(p.task_sid, task.taskSid);
    assert.equal(p.agent, "alice@example.com");
    assert.equal(p.created_at, task.dateCreated);
    assert.ok(Date.parse(p.accepted_at) <= Date.parse(p.ended_at));
    assert.ok(
      p.talk_seconds >= 1 && p.talk_seconds < 60,
      `talk_seconds ${p.talk_seconds}`,
    );
    const log = await page.evaluate(
      () => document.querySelector("#activity-log")?.textContent ?? "",
    );
    assert.ok(log.includes(task.taskSid), "the activity log shows the record");
  });

  it("activity history: a customer hang-up (no Flex action) is logged too", async () => {
    const { page, flex, reset } = get();
    await reset();
    const sid = await drive.driveTask(
      flex,
      { channel: "voice", attributes: { direction: "inbound" } },
      ["accept", "customerHangup"],
    );
    const task = await flex.evaluate((s) => window.flexSim.task(s), sid);
    const got = await drive.until(
      page,
      () => window.crm.events.find((e) => e.type === "interaction_logged"),
      null,
      "the activity record",
    );
    assert.equal(got.payload.task_sid, task.taskSid);
  });

  it("contact names and companies are rendered as text: no markup becomes elements", async () => {
    const { page } = get();
    const shown = await page.evaluate(() =>
      window.crm.contacts.map((c) => [c.name, c.company]).flat(),
    );
    const text = await page.evaluate(() => document.body.textContent);
    for (const value of shown)
      assert.ok(
        text.includes(value),
        `${JSON.stringify(value)} not shown as text`,
      );
    assert.ok(
      shown.some((n) => n.includes("<img")),
      "the sample contacts include markup",
    );
    assert.ok(
      shown.some((n) => n.includes("<b>")),
      "the sample companies include markup",
    );
    // The CSP would stop an inline handler from running, so what proves the
    // text stayed text is that no element was made from it.
    const made = await page.evaluate(
      () =>
        document.querySelectorAll("#contacts-body img, #contacts-body b")
          .length,
    );
    assert.equal(made, 0, "markup in contact data became elements");
  });
}
