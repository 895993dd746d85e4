// The benchmark's host page: the generated WASM bridge and the Flex iframe,
// nothing else. The demo CRM page (host/main.ts) draws every message into
// its log, which would be measured too; here the only work per message is
// the bridge's and a counter. window.bench is what browser/bench/run.mjs
// drives; every measurement runs inside this page, so no DevTools round
// trip is timed.
//
// The raw baseline: objects of the same shape as a command and its reply
// (or an event and its ack), posted between the same two windows and
// origins with plain postMessage; the Flex end is a responder that run.mjs
// installs in the Flex frame. Raw messages are taken here by a listener
// registered before the bridge's, which stops them: the baseline runs no
// flexgen code on this side. (In the Flex frame they also reach the
// simulator's message log and the plugin, which drops them at its `ns`
// check, as it drops any foreign message.)

import type { PageConfig } from "../shared/config";

interface Names {
  snake: string;
  camel: string;
  pascal: string;
}
interface Plan {
  app: { name: { original: string } };
  triggers: Array<{ name: Names; direction: string }>;
}
type Config = PageConfig<Plan>;

interface BridgeLike {
  readonly state: string;
  onStateChange(callback: (state: string) => void): () => void;
  [method: string]: unknown;
}
interface BridgeModule {
  default: () => Promise<unknown>;
  FlexBridge: new (iframe: HTMLIFrameElement) => BridgeLike;
}

/** Marks the raw baseline's messages; never flexgen's `ns`. */
export const RAW_NS = "bench-raw";

export interface Burst {
  /** From the first message posted to the last answer. */
  ms: number;
  ok: number;
  /** Codes of the commands that did not settle with `{ ok: true }`. */
  failed: string[];
}

export interface Arrivals {
  count: number;
  /** When the last one arrived (performance.timeOrigin + now, in ms). */
  lastAt: number;
  /** The first payload, to check that events carry their fields. */
  first: unknown;
}

/**
 * A round trip: a raw ping-pong; a raw ping whose answer waits for the same
 * Flex action the bridge's command runs (`action`); a command and its ack
 * through the bridge.
 */
export type Trip = "raw" | "action" | "bridge";

export interface Bench {
  ready: Promise<void>;
  /** Whether the page is cross-origin isolated (a 5 µs clock). */
  isolated: boolean;
  errors: string[];
  /**
   * `n` rounds of one round trip of each kind, the kinds' order turning
   * round by round (so that a slow spell hits all alike); ms each.
   */
  latency(n: number, kinds: readonly Trip[]): Promise<Record<Trip, number[]>>;
  /** `n` commands issued without waiting; resolves once all settled. */
  commandBurst(n: number): Promise<Burst>;
  /** `n` raw pings posted without waiting; resolves once all answered. */
  rawBurst(n: number): Promise<Burst>;
  /**
   * Resolves once `n` more events reached the bridge's subscriber (or,
   * `raw`, `n` more raw events this page acked), or at `timeoutMs`.
   */
  expect(
    kind: "events" | "raw",
    n: number,
    timeoutMs: number,
  ): Promise<Arrivals>;
  /** What arrived so far, of each kind. */
  count(kind: "events" | "raw"): number;
}

declare global {
  interface Window {
    bench: Bench;
  }
}

const errors: string[] = [];
const describe = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : String(e);
window.addEventListener("error", (ev) =>
  errors.push(`uncaught: ${describe(ev.error ?? ev.message)}`),
);
window.addEventListener("unhandledrejection", (ev) =>
  errors.push(`unhandled rejection: ${describe(ev.reason)}`),
);

const absNow = (): number => performance.timeOrigin + performance.now();

/** Counts arrivals of one kind and wakes whoever waits for a number of them. */
class Counter {
  count = 0;
  lastAt = 0;
  first: unknown = undefined;
  private waiter: { target: number; wake: () => void } | null = null;

  arrived(payload: unknown): void {
    this.count += 1;
    this.lastAt = absNow();
    if (this.first === undefined) this.first = payload;
    if (this.waiter && this.count >= this.waiter.target) this.waiter.wake();
  }

  expect(n: number, timeoutMs: number): Promise<Arrivals> {
    const target = this.count + n;
    return new Promise<Arrivals>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = null;
        resolve({ count: this.count, lastAt: this.lastAt, first: this.first });
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiter = { target, wake: done };
    });
  }
}

const counters = { events: new Counter(), raw: new Counter() };

let frame: HTMLIFrameElement | null = null;
let flexOrigin = "";
let appName = "";
/** Raw pings in flight, by id. */
const rawWaiters = new Map<string, () => void>();

// Registered before the bridge exists, so it runs first (see the top).
window.addEventListener("message", (ev: MessageEvent<unknown>) => {
  // The cheap test first: the bridge's messages pass by at once.
  const data = ev.data as Record<string, unknown> | null;
  if (typeof data !== "object" || data === null || data.ns !== RAW_NS) return;
  const target = frame?.contentWindow;
  if (ev.origin !== flexOrigin || !target || ev.source !== target) return;
  ev.stopImmediatePropagation();
  if (data.kind === "event") {
    // Acked like the bridge acks an event.
    counters.raw.arrived(data.payload);
    target.postMessage(
      { ...envelope("reply", `ack-${String(data.id)}`), re: data.id, ok: true },
      flexOrigin,
    );
    return;
  }
  const id = typeof data.re === "string" ? data.re : "";
  const resolve = rawWaiters.get(id);
  if (resolve) {
    rawWaiters.delete(id);
    resolve();
  }
});

/** The keys a flexgen message starts with, under the raw `ns`. */
function envelope(kind: string, id: string): Record<string, unknown> {
  return { ns: RAW_NS, v: 1, app: appName, id, kind };
}

async function start(): Promise<(payload: unknown) => Promise<unknown>> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Config;
  flexOrigin = config.flexOrigin;
  appName = config.plan.app.name.original;
  const command = config.plan.triggers.find(
    (t) => t.direction === "host_to_flex",
  );
  const event = config.plan.triggers.find(
    (t) => t.direction === "flex_to_host",
  );
  if (!command || !event)
    throw new Error("the bench spec needs one trigger each way");

  frame = document.createElement("iframe");
  // Flex without the simulator's control panel (see simulator/main.ts),
  // cross-origin isolated with this page when this page is (see
  // harness/server.mjs).
  const isolated = new URLSearchParams(location.search).get("isolated");
  frame.src = `${config.flexUrl}?panel=0${isolated === "1" ? "&isolated=1" : ""}`;
  frame.title = "Twilio Flex";
  document.getElementById("flex-pane")?.append(frame);

  const mod = (await import(
    new URL("./pkg/bridge.js", location.href).href
  )) as BridgeModule;
  await mod.default();
  const bridge = new mod.FlexBridge(frame);
  const subscribe = bridge[`on${event.name.pascal}`] as (
    cb: (p: unknown) => void,
  ) => () => void;
  subscribe.call(bridge, (payload) => counters.events.arrived(payload));
  const method = bridge[command.name.camel] as (p: unknown) => Promise<unknown>;
  await new Promise<void>((resolve) => {
    if (bridge.state === "ready") return resolve();
    const off = bridge.onStateChange((state) => {
      if (state !== "ready") return;
      off();
      resolve();
    });
  });
  const status = document.getElementById("status");
  if (status) status.textContent = "ready";
  return (payload) => method.call(bridge, payload);
}

const started = start();
started.catch((e: unknown) => errors.push(`start: ${describe(e)}`));

const PAYLOAD = Object.freeze({ view: "bench" });

let rawCounter = 0;
/** `action`: the responder runs the bridge command's Flex action first. */
function rawPing(action = false): Promise<void> {
  const target = frame?.contentWindow;
  if (!target) return Promise.reject(new Error("no Flex frame"));
  rawCounter += 1;
  // The same shape as the bridge's command envelope.
  const id = `h-0000000000000000-${rawCounter}`;
  return new Promise<void>((resolve) => {
    rawWaiters.set(id, resolve);
    target.postMessage(
      {
        ...envelope("command", id),
        type: action ? "bench_action" : "bench_ping",
        payload: PAYLOAD,
      },
      flexOrigin,
    );
  });
}

/** `n` of `once` issued without waiting; counts the `{ ok: true }` ones. */
async function burst(n: number, once: () => Promise<unknown>): Promise<Burst> {
  const t0 = performance.now();
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) pending.push(once());
  const settled = await Promise.allSettled(pending);
  const ms = performance.now() - t0;
  let ok = 0;
  const failed: string[] = [];
  for (const s of settled) {
    if (s.status === "fulfilled") {
      const value = s.value as { ok?: unknown } | undefined;
      if (value === undefined || value.ok === true) ok += 1;
      else failed.push("resolved without ok");
    } else {
      const code = (s.reason as { code?: unknown } | null)?.code;
      failed.push(typeof code === "string" ? code : describe(s.reason));
    }
  }
  return { ms, ok, failed };
}

window.bench = {
  ready: started.then(() => undefined),
  isolated: window.crossOriginIsolated,
  errors,
  async latency(n, kinds) {
    const command = await started;
    const trips: Record<Trip, () => Promise<unknown>> = {
      raw: () => rawPing(),
      action: () => rawPing(true),
      bridge: () => command(PAYLOAD),
    };
    const out: Record<Trip, number[]> = { raw: [], action: [], bridge: [] };
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(i + k) % kinds.length];
        const t0 = performance.now();
        await trips[kind]();
        out[kind].push(performance.now() - t0);
      }
    }
    return out;
  },
  async commandBurst(n) {
    const command = await started;
    return burst(n, () => command(PAYLOAD));
  },
  async rawBurst(n) {
    await started;
    return burst(n, () => rawPing());
  },
  expect: (kind, n, timeoutMs) => counters[kind].expect(n, timeoutMs),
  count: (kind) => counters[kind].count,
};
