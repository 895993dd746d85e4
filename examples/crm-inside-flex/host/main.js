// The example host page of crm-inside-flex, shown by Flex in its CRM
// panel (the plugin frames it for each task): connects the
// bridge generated from triggers.yaml, fires each CRM -> Flex
// trigger from a form and logs each Flex -> CRM event.
//
// flexgen created this file once and never overwrites it: it is yours. It is
// plain JavaScript (an ES module, no build step); build the bridge first
// (see the workspace README) so ../bridge/pkg/ exists. Everything that came
// from Flex is shown with textContent, never parsed as HTML.
import init, { FlexBridge } from "../bridge/pkg/crm_inside_flex_bridge.js";

/** CRM -> Flex triggers: one form each. */
const COMMANDS = [
  {
    trigger: "click_to_dial",
    method: "clickToDial",
    fields: [
      { name: "phone_number", type: "e164", optional: false },
      { name: "caller_id", type: "e164", optional: true },
      { name: "crm_record_id", type: "string", optional: true },
    ],
  },
];

/** Flex -> CRM triggers: one subscription each. */
const EVENTS = [
  { trigger: "dial_failed", method: "onDialFailed" },
  { trigger: "screen_pop", method: "onScreenPop" },
  { trigger: "interaction_logged", method: "onInteractionLogged" },
];

const byId = (id) => document.getElementById(id);

function log(kind, trigger, detail) {
  const item = document.createElement("li");
  const title = document.createElement("strong");
  title.textContent = `${new Date().toLocaleTimeString()} ${kind} ${trigger}`;
  const body = document.createElement("pre");
  body.textContent = detail;
  item.append(title, body);
  byId("log").prepend(item);
}

function input(field) {
  if (field.type === "enum") {
    const select = document.createElement("select");
    for (const value of field.optional ? ["", ...field.values] : field.values) {
      select.append(new Option(value, value));
    }
    return select;
  }
  const element = document.createElement("input");
  element.type =
    { boolean: "checkbox", integer: "number", number: "number" }[field.type] ??
    "text";
  if (field.type === "number") element.step = "any";
  if (field.type === "e164") element.placeholder = "+15551234567";
  if (field.type === "datetime")
    element.placeholder = "2026-01-31T09:00:00.000Z";
  return element;
}

// What the form holds, typed as the trigger declares; an empty field is left
// out (a required one, then, is refused by the bridge with SCHEMA_INVALID
// rather than sent as "" or 0).
function payloadOf(fields, inputs) {
  const payload = {};
  fields.forEach((field, i) => {
    const element = inputs[i];
    if (field.type === "boolean") {
      payload[field.name] = element.checked;
    } else if (element.value !== "") {
      const numeric = field.type === "integer" || field.type === "number";
      payload[field.name] = numeric ? Number(element.value) : element.value;
    }
  });
  return payload;
}

function commandForm(bridge, command) {
  const form = document.createElement("form");
  const title = document.createElement("strong");
  title.textContent = command.trigger;
  form.append(title);
  const inputs = command.fields.map((field) => {
    const label = document.createElement("label");
    const element = input(field);
    label.append(
      `${field.name}${field.optional ? " (optional)" : ""} `,
      element,
    );
    form.append(label);
    return element;
  });
  const send = document.createElement("button");
  send.textContent = command.method;
  form.append(send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const payload = payloadOf(command.fields, inputs);
    log("sent", command.trigger, JSON.stringify(payload, null, 2));
    bridge[command.method](payload).then(
      () => log("ok", command.trigger, "Flex ran the action"),
      (error) =>
        log(
          "failed",
          command.trigger,
          `${error.code ?? error.name}: ${error.message}`,
        ),
    );
  });
  return form;
}

await init();
const bridge = FlexBridge.inFlex();
byId("state").textContent = bridge.state;
bridge.onStateChange((state) => {
  byId("state").textContent = state;
});
for (const event of EVENTS) {
  bridge[event.method]((payload) =>
    log("event", event.trigger, JSON.stringify(payload, null, 2)),
  );
}
for (const command of COMMANDS) {
  byId("commands").append(commandForm(bridge, command));
}
