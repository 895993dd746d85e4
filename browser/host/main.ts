// The CRM host page: a small CRM that embeds Flex in an iframe and talks to it
// only through the generated WASM bridge. It is both a demo of the bridge and
// the tests' handle on the host side (window.crm), so every code path a user
// can take (call buttons, command forms) goes through the same functions the
// tests call.

import { byId, el, isolated } from "./dom";
import { display, jsonSafe } from "./json-safe";
import { type MessageLog, mountMessageLog, summarise } from "./messages";
import type {
  BridgeModule,
  BridgeState,
  Config,
  Contact,
  Crm,
  Field,
  FlexBridgeLike,
  Outcome,
  Trigger,
} from "./types";

declare global {
  interface Window {
    crm: Crm;
    // Set only if a hostile contact name ever ran as script.
    __pwned?: unknown;
  }
}

// The CRM's sample contacts, what a preview shows. A test run brings its own
// list in config.json instead (`contacts`, from browser/tests/contacts.mjs:
// names and companies with markup and quotes that must show as the exact
// text).
const SAMPLE_CONTACTS: readonly Contact[] = Object.freeze([
  {
    name: "Ada Lovelace",
    company: "Analytical Engines Ltd",
    phone: "+15551230001",
  },
  {
    name: "Katherine Johnson",
    company: "Orbital Mechanics Inc",
    phone: "+15551230002",
  },
  {
    name: "Alan Turing",
    company: "Bombe Works Ltd",
    phone: "+442071230003",
  },
  {
    name: "Emmy Noether",
    company: "Invariant Algebra GmbH",
    phone: "+4930123400004",
  },
  { name: "Grace Hopper", company: "COBOL Systems", phone: "+16175550105" },
]);

/** The contacts on show: the sample, or the list config.json brings. */
let contacts: readonly Contact[] = SAMPLE_CONTACTS;

function contactsOf(c: Config): readonly Contact[] {
  const given: unknown = c.contacts;
  if (given === undefined) return SAMPLE_CONTACTS;
  const isContact = (x: unknown): x is Contact =>
    typeof x === "object" &&
    x !== null &&
    ["name", "company", "phone"].every(
      (k) => typeof (x as Record<string, unknown>)[k] === "string",
    );
  if (!Array.isArray(given) || !given.every(isContact))
    throw new Error(
      "config.json: `contacts` must be a list of { name, company, phone } strings",
    );
  return Object.freeze(
    given.map((x) =>
      Object.freeze({ name: x.name, company: x.company, phone: x.phone }),
    ),
  );
}

const errors: string[] = [];
const states: string[] = [];
const events: Crm["events"] = [];
const results: Crm["results"] = [];
const lifecycle: Crm["lifecycle"] = [];

let config: Config | null = null;
let bridge: FlexBridgeLike | null = null;
let frame: HTMLIFrameElement | null = null;
let current: string | null = null;
const stateWaiters = new Set<() => void>();
let messageLog: MessageLog | null = null;

/** A line in the page's message log; never lets a logging bug escape. */
function logMessage(...args: Parameters<MessageLog["add"]>): void {
  try {
    messageLog ??= mountMessageLog(byId("message-log"));
    messageLog.add(...args);
  } catch (e) {
    note("message log", e);
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : display(e);
}

function note(where: string, e: unknown): void {
  const line = `${where}: ${describeError(e)}`;
  errors.push(line);
  console.error(`crm: ${line}`);
}

window.addEventListener("error", (ev) => {
  errors.push(`uncaught: ${describeError(ev.error ?? ev.message)}`);
});
window.addEventListener("unhandledrejection", (ev) => {
  errors.push(`unhandled rejection: ${describeError(ev.reason)}`);
});

// ---- bridge state -----------------------------------------------------------

/** A line of crm.lifecycle, with the time (for the robustness tests). */
function mark(what: string): void {
  lifecycle.push({ what, at: Date.now() });
}

function seeState(state: string): void {
  current = state;
  states.push(state);
  mark(`state ${state}`);
  logMessage("state", state);
  const badge = document.getElementById("bridge-state");
  if (badge) {
    badge.textContent = state;
    badge.className = `badge state-${state.replace(/[^a-z_]/g, "")}`;
  }
  for (const wake of [...stateWaiters]) wake();
}

function whenState(state: string, timeoutMs = 20000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (current === state) {
      resolve();
      return;
    }
    const check = (): void => {
      if (current !== state) return;
      stateWaiters.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stateWaiters.delete(check);
      const seen = states.length ? states.join(" -> ") : "none";
      reject(
        new Error(
          `bridge state "${state}" not reached within ${timeoutMs} ms (states seen: ${seen})`,
        ),
      );
    }, timeoutMs);
    stateWaiters.add(check);
  });
}

// ---- commands ---------------------------------------------------------------

function localFailure(code: string, message: string): Outcome {
  return { ok: false, code, message, name: "CrmError" };
}

function failure(e: unknown): Outcome {
  if (typeof e === "object" && e !== null) {
    const { code, message, name } = e as {
      code?: unknown;
      message?: unknown;
      name?: unknown;
    };
    return {
      ok: false,
      code: typeof code === "string" ? code : "THROWN",
      message: typeof message === "string" ? message : display(e),
      name: typeof name === "string" ? name : "Object",
    };
  }
  return { ok: false, code: "THROWN", message: display(e), name: typeof e };
}

function hostToFlex(snake: string): Trigger | undefined {
  return config?.plan.triggers.find(
    (t) => t.direction === "host_to_flex" && t.name.snake === snake,
  );
}

/** The page's `AbortController`s by name (`crm.run`'s `signal`). */
const controllers = new Map<string, AbortController>();

function controller(name: string): AbortController {
  let found = controllers.get(name);
  if (!found) {
    found = new AbortController();
    controllers.set(name, found);
  }
  return found;
}

async function run(
  triggerSnake: string,
  payload: unknown,
  signal?: string,
): Promise<Outcome> {
  // Copied before the call: the bridge must not be able to change what the
  // tests later read as "what was sent".
  const sent = jsonSafe(payload);
  let outcome: Outcome;
  logMessage("out", `command ${triggerSnake}`, sent, "command");
  try {
    await ready;
    const trigger = hostToFlex(triggerSnake);
    const method = trigger && bridge ? bridge[trigger.name.camel] : undefined;
    if (typeof method !== "function") {
      outcome = localFailure(
        "UNKNOWN_TRIGGER",
        `no host_to_flex trigger named ${triggerSnake}`,
      );
    } else {
      const options =
        signal === undefined
          ? undefined
          : { signal: controller(signal).signal };
      await (
        method as (p: unknown, o?: { signal: AbortSignal }) => Promise<unknown>
      ).call(bridge, payload, options);
      outcome = { ok: true };
    }
  } catch (e) {
    outcome = failure(e);
  }
  results.push({ trigger: triggerSnake, payload: sent, ...outcome });
  logMessage(
    "out",
    `command ${triggerSnake}: ${outcomeText(outcome)}`,
    undefined,
    "outcome",
  );
  return outcome;
}

function outcomeText(outcome: Outcome): string {
  return outcome.ok ? "ok" : `${outcome.code}: ${outcome.message}`;
}

/**
 * The "dial" command: the first host_to_flex trigger whose required payload
 * is exactly one e164 field (other, optional fields are left out).
 */
function dialTrigger(): { trigger: Trigger; field: Field } | null {
  for (const trigger of config?.plan.triggers ?? []) {
    if (trigger.direction !== "host_to_flex") continue;
    const required = trigger.payload.filter((f) => !f.optional);
    if (required.length === 1 && required[0].ty === "e164")
      return { trigger, field: required[0] };
  }
  return null;
}

async function dial(phone: string): Promise<Outcome> {
  try {
    await ready;
  } catch (e) {
    return failure(e);
  }
  const target = dialTrigger();
  if (!target)
    return localFailure("UNKNOWN_TRIGGER", "this spec has no dial command");
  const status = document.getElementById("dial-status");
  if (status)
    status.textContent = `Calling ${phone} via ${target.trigger.name.snake}…`;
  const outcome = await run(target.trigger.name.snake, {
    [target.field.name.original]: phone,
  });
  if (status) status.textContent = `${phone}: ${outcomeText(outcome)}`;
  return outcome;
}

// ---- events -----------------------------------------------------------------

function timeNow(): string {
  return new Date().toISOString().slice(11, 19);
}

function logActivity(trigger: Trigger, payload: unknown): void {
  const fields = el("ul", { cls: "fields" });
  if (
    typeof payload === "object" &&
    payload !== null &&
    !Array.isArray(payload)
  ) {
    for (const [key, value] of Object.entries(payload)) {
      fields.append(
        el(
          "li",
          {},
          el("span", { cls: "key", text: `${key}: ` }),
          isolated(display(value), "value"),
        ),
      );
    }
  } else {
    fields.append(el("li", {}, isolated(display(payload), "value")));
  }
  const entry = el(
    "li",
    { cls: "entry", attrs: { "data-trigger": trigger.name.snake } },
    el("time", { text: timeNow() }),
    el("strong", { cls: "trigger", text: trigger.name.snake }),
    fields,
  );
  byId("activity-log").prepend(entry);
}

function screenPop(trigger: Trigger, payload: unknown): void {
  if (typeof payload !== "object" || payload === null) return;
  const record = payload as Record<string, unknown>;
  const field = trigger.payload.find(
    (f) => f.ty === "e164" && typeof record[f.name.original] === "string",
  );
  if (!field) return;
  const number = record[field.name.original] as string;
  const contact = contacts.find((c) => c.phone === number) ?? null;
  crm.popped = {
    trigger: trigger.name.snake,
    number,
    contact: contact ? contact.name : null,
  };

  const body = byId("record-body");
  body.replaceChildren();
  if (contact) {
    body.append(
      el("p", { cls: "record-name" }, isolated(contact.name)),
      el("p", { cls: "record-company" }, isolated(contact.company)),
      el("p", { cls: "record-phone", text: contact.phone }),
    );
  } else {
    body.append(
      el(
        "p",
        { cls: "record-unknown" },
        document.createTextNode("Unknown caller "),
        isolated(number),
      ),
    );
  }
  body.append(
    el("p", {
      cls: "record-via",
      text: `via ${trigger.name.snake} at ${timeNow()}`,
    }),
  );
}

function onEvent(trigger: Trigger, payload: unknown): void {
  try {
    const copy = jsonSafe(payload);
    events.push({ type: trigger.name.snake, payload: copy });
    logMessage(
      "event",
      `on${trigger.name.pascal}(${trigger.name.snake})`,
      copy,
    );
    logActivity(trigger, copy);
    screenPop(trigger, copy);
  } catch (e) {
    // Never let a rendering bug travel back into the bridge's dispatch.
    note(`event ${trigger.name.snake}`, e);
  }
}

/**
 * Logs what the Flex frame posts to this page. Passive: the bridge has its
 * own listener and does all the work; this one only reads messages that pass
 * the same checks (exact Flex origin, the frame's own window) and never
 * answers, so forged messages from elsewhere are not even shown.
 */
function watchFlexMessages(flexOrigin: string): void {
  window.addEventListener("message", (ev: MessageEvent<unknown>) => {
    if (ev.origin !== flexOrigin || ev.source === null) return;
    if (ev.source !== flexWindow()) return;
    const { kind, summary } = summarise(ev.data);
    logMessage("in", summary, ev.data, kind);
  });
}

/**
 * The Flex window: the simulator in this page's iframe, or, when Flex frames
 * this page (`app.embedding: host_in_flex`), the parent window.
 */
function flexWindow(): Window | null {
  if (inFlex()) return window.parent === window ? null : window.parent;
  return frame?.contentWindow ?? null;
}

/** Whether Flex frames this page (`app.embedding: host_in_flex`). */
function inFlex(): boolean {
  return config?.embedding === "host_in_flex";
}

// ---- rendering --------------------------------------------------------------

function renderContacts(): void {
  const target = dialTrigger();
  const rows = contacts.map((c) => {
    const phone = target
      ? el("button", {
          cls: "call",
          text: c.phone,
          attrs: {
            type: "button",
            "data-phone": c.phone,
            title: `Call with ${target.trigger.name.snake}`,
          },
        })
      : el("span", { cls: "phone", text: c.phone });
    if (phone instanceof HTMLButtonElement) {
      phone.addEventListener("click", () => {
        void dial(c.phone);
      });
    }
    return el(
      "tr",
      { attrs: { "data-phone": c.phone } },
      el("td", { cls: "name" }, isolated(c.name)),
      el("td", { cls: "company" }, isolated(c.company)),
      el("td", {}, phone),
    );
  });
  byId("contacts-body").replaceChildren(...rows);
  if (!target)
    byId("dial-status").textContent =
      "This spec has no dial command: numbers are not clickable.";
}

function fieldInput(
  trigger: Trigger,
  field: Field,
): HTMLInputElement | HTMLSelectElement {
  const id = `cmd-${trigger.name.snake}-${field.name.snake}`;
  const attrs: Record<string, string> = { id, name: field.name.original };
  switch (field.ty) {
    case "enum": {
      const select = el("select", { attrs });
      if (field.optional)
        select.append(
          el("option", { text: "(leave out)", attrs: { value: "" } }),
        );
      for (const v of field.values)
        select.append(el("option", { text: v, attrs: { value: v } }));
      return select;
    }
    case "boolean":
      return el("input", { attrs: { ...attrs, type: "checkbox" } });
    case "integer":
    case "number":
      return el("input", {
        attrs: {
          ...attrs,
          type: "number",
          step: field.ty === "integer" ? "1" : "any",
        },
      });
    default: {
      const hint: Partial<Record<Field["ty"], string>> = {
        e164: "+15551234567",
        datetime: "2026-01-01T09:00:00Z",
      };
      const input = el("input", {
        attrs: { ...attrs, type: "text", autocomplete: "off" },
      });
      const placeholder = hint[field.ty];
      if (placeholder) input.placeholder = placeholder;
      return input;
    }
  }
}

/** The payload a command form describes; blank optional fields are left out. */
function readForm(
  trigger: Trigger,
  form: HTMLFormElement,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of trigger.payload) {
    const input = form.elements.namedItem(field.name.original);
    if (
      !(input instanceof HTMLInputElement || input instanceof HTMLSelectElement)
    )
      continue;
    const key = field.name.original;
    if (field.ty === "boolean" && input instanceof HTMLInputElement) {
      // A checkbox has no "blank": unchecked leaves an optional field out.
      if (input.checked || !field.optional) payload[key] = input.checked;
      continue;
    }
    const raw = input.value;
    if (raw === "") {
      // Blank numbers are left out even when required: the bridge then names
      // the missing field, which says more than a made-up 0 would.
      if (field.optional || field.ty === "integer" || field.ty === "number")
        continue;
      payload[key] = raw;
    } else if (field.ty === "integer" || field.ty === "number") {
      payload[key] = Number(raw);
    } else {
      payload[key] = raw;
    }
  }
  return payload;
}

function renderCommands(): void {
  const forms = config!.plan.triggers
    .filter((t) => t.direction === "host_to_flex")
    .map((trigger) => {
      const outcome = el("output", {
        cls: "outcome",
        attrs: { "data-outcome": "" },
      });
      const form = el(
        "form",
        { cls: "command", attrs: { "data-trigger": trigger.name.snake } },
        el("h3", { text: trigger.name.snake }),
        trigger.summary
          ? el("p", { cls: "summary", text: trigger.summary })
          : null,
      );
      for (const field of trigger.payload) {
        const label = el(
          "label",
          { attrs: { for: `cmd-${trigger.name.snake}-${field.name.snake}` } },
          el("span", { cls: "field-name", text: field.name.original }),
          el("span", {
            cls: "field-type",
            text: `${field.ty}${field.optional ? ", optional" : ""}`,
          }),
        );
        if (field.doc) label.title = field.doc;
        form.append(
          el("div", { cls: "field" }, label, fieldInput(trigger, field)),
        );
      }
      if (trigger.payload.length === 0)
        form.append(el("p", { cls: "no-payload", text: "No payload." }));
      form.append(
        el(
          "div",
          { cls: "actions" },
          el("button", { text: "Run", attrs: { type: "submit" } }),
          outcome,
        ),
      );
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        outcome.className = "outcome pending";
        outcome.textContent = "running…";
        void run(trigger.name.snake, readForm(trigger, form)).then((result) => {
          outcome.className = `outcome ${result.ok ? "ok" : "failed"}`;
          outcome.textContent = outcomeText(result);
        });
      });
      return form;
    });
  const panel = byId("command-forms");
  if (forms.length) panel.replaceChildren(...forms);
  else
    panel.replaceChildren(
      el("p", { text: "This spec has no host_to_flex triggers." }),
    );
}

function renderHeader(): void {
  const c = config!;
  byId("app-name").textContent = c.plan.app.name.original;
  byId("case-name").textContent = `case ${c.case} · spec ${c.plan.spec_hash}`;
  document.title = `${c.plan.app.name.original} CRM`;
}

// ---- startup ----------------------------------------------------------------

// Knobs of this page's URL, for the robustness tests and for people trying
// the bridge by hand:
//   ?bridge=<ms>     make the FlexBridge that late (Flex may start first);
//   ?bridge=manual   make it only when crm.startBridge() is called;
//   ?login=<ms>, ?skew=1  passed on to the Flex simulator's URL (a slow Flex
//                    login; a plugin built from another spec).
const knobs = new URLSearchParams(location.search);
const SIMULATOR_KNOBS = ["login", "skew"] as const;

/** The simulator's URL with this page's simulator knobs. */
function flexSrc(flexUrl: string): string {
  const url = new URL(flexUrl);
  for (const name of SIMULATOR_KNOBS) {
    const value = knobs.get(name);
    if (value !== null) url.searchParams.set(name, value);
  }
  return url.href;
}

function bridgeDelay(): number | "manual" {
  const raw = knobs.get("bridge");
  if (raw === "manual") return "manual";
  const ms = raw === null ? 0 : Number(raw);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

let bridgeModule: BridgeModule | null = null;
/** The bridge's linear memory, once its module is initialised. */
let wasmMemory: WebAssembly.Memory | null = null;

/** Makes a FlexBridge on the page's iframe and subscribes every trigger. */
function makeBridge(): FlexBridgeLike {
  if (!bridgeModule || !config || (!frame && !inFlex()))
    throw new Error("makeBridge: the page has not started");
  let made: FlexBridgeLike;
  if (inFlex()) {
    const inFlexBridge = bridgeModule.FlexBridge.inFlex;
    if (typeof inFlexBridge !== "function")
      throw new Error("makeBridge: this bridge has no FlexBridge.inFlex()");
    made = inFlexBridge.call(bridgeModule.FlexBridge);
  } else {
    made = new bridgeModule.FlexBridge(frame!);
  }
  bridge = made;
  crm.bridge = made;
  mark("bridge made");
  seeState(made.state);
  // A disposed bridge reports `closed` while it is still the current one;
  // after that only the current bridge speaks for the page.
  made.onStateChange((state: BridgeState) => {
    if (bridge === made) seeState(state);
  });

  for (const trigger of config.plan.triggers) {
    if (trigger.direction !== "flex_to_host") continue;
    const subscribe = made[`on${trigger.name.pascal}`];
    if (typeof subscribe !== "function") {
      note(
        "subscribe",
        new Error(`the bridge has no on${trigger.name.pascal}`),
      );
      continue;
    }
    (subscribe as (cb: (payload: unknown) => void) => () => void).call(
      made,
      (payload: unknown) => onEvent(trigger, payload),
    );
  }
  return made;
}

let bridgeWanted: (() => void) | null = null;

async function start(): Promise<void> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  config = (await response.json()) as Config;
  crm.config = config;
  contacts = contactsOf(config);
  crm.contacts = contacts;

  renderHeader();
  renderContacts();
  renderCommands();
  watchFlexMessages(config.flexOrigin);

  if (inFlex()) {
    // Flex frames this page (its CRM container): nothing to frame here.
    byId("flex-pane").remove();
    document.body.classList.add("in-flex");
  } else {
    frame = el("iframe", {
      attrs: {
        src: flexSrc(config.flexUrl),
        allow: "microphone; autoplay",
        title: "Twilio Flex",
      },
    });
    frame.addEventListener("load", () => mark("iframe load"));
    byId("flex-pane").append(frame);
  }

  const mod = (await import(
    new URL("./pkg/bridge.js", location.href).href
  )) as BridgeModule;
  // wasm-bindgen's init resolves to the module's exports, its memory among
  // them: the tests read its size (crm.wasmMemoryBytes) to bound what one
  // message may cost the bridge.
  const exports = await mod.default();
  const memory = (exports as { memory?: unknown } | null)?.memory;
  if (memory instanceof WebAssembly.Memory) wasmMemory = memory;
  bridgeModule = mod;
  const delay = bridgeDelay();
  if (delay === "manual") {
    await new Promise<void>((resolve) => (bridgeWanted = resolve));
  } else if (delay > 0) {
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  // Made at once (unless a knob says otherwise), whatever the iframe is
  // doing: the bridge says hello again when the iframe fires `load`.
  makeBridge();
}

const crm: Crm = {
  config: null,
  // Replaced below, once start() runs (it needs crm to exist).
  ready: new Promise<void>(() => undefined),
  bridge: null,
  contacts: SAMPLE_CONTACTS,
  states,
  whenState,
  events,
  run,
  abort(signal: string): void {
    controller(signal).abort();
  },
  results,
  popped: null,
  dial,
  postRawToFlex(raw: unknown): boolean {
    const target = flexWindow();
    if (!config || !target) return false;
    target.postMessage(raw, config.flexOrigin);
    return true;
  },
  iframe: () => frame,
  wasmMemoryBytes: () => wasmMemory?.buffer.byteLength ?? null,
  errors,
  lifecycle,
  startBridge() {
    if (!bridgeWanted) return false;
    bridgeWanted();
    bridgeWanted = null;
    return true;
  },
  recreateBridge() {
    // What an SPA does on a route change: the old FlexBridge is disposed,
    // a new one made on the same iframe (which keeps its Flex session), or
    // on the same parent when Flex frames this page.
    if (!bridge) return false;
    bridge.dispose();
    mark("bridge disposed");
    makeBridge();
    return true;
  },
};
window.crm = crm;

const ready = start();
crm.ready = ready;
// Handled here so a failed start is reported once, through errors[], not as
// an unhandled rejection; callers awaiting crm.ready still see it reject.
ready.catch((e: unknown) => {
  note("start", e);
  const badge = document.getElementById("bridge-state");
  if (badge) {
    badge.textContent = "failed";
    badge.className = "badge state-failed";
  }
});
