import { deepEqual, equal, ok } from "node:assert/strict";
import { type TestContext, test } from "node:test";

import { type EndpointConfig, PluginEndpoint } from "../src/endpoint";
import { ProtocolError } from "../src/errors";
import {
  CLOCK_SLACK_MS,
  EVENT_QUEUE_LIMIT,
  EVENT_QUEUE_MS,
  PROTOCOL_VERSION,
} from "../src/protocol_constants";

const HOST = "https://crm.example";
const SPEC = "0123456789abcdef";
const APP = "acme";

type Message = Record<string, unknown>;

/** A window in a frame of `HOST`: what the endpoint posts, and a way in. */
class FakeWindow {
  readonly posted: { message: Message; origin: string }[] = [];
  readonly parent = {
    postMessage: (message: Message, origin: string): void => {
      this.posted.push({ message, origin });
    },
  };
  readonly document: { readyState: string };
  readonly location: { ancestorOrigins: DOMStringList | undefined };
  private readonly listeners = new Map<string, ((event: unknown) => void)[]>();

  constructor(ancestor: string | undefined = HOST, readyState = "complete") {
    this.document = { readyState };
    this.location = {
      ancestorOrigins:
        ancestor === undefined
          ? undefined
          : ({
              item: (i: number) => (i === 0 ? ancestor : null),
            } as DOMStringList),
    };
  }

  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  removeEventListener(type: string, listener: (event: unknown) => void): void {
    this.listeners.set(
      type,
      (this.listeners.get(type) ?? []).filter((l) => l !== listener),
    );
  }

  fire(type: string, event: unknown = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** A message from `origin`, sent by the parent unless told otherwise. */
  deliver(data: unknown, origin = HOST, source: unknown = this.parent): void {
    this.fire("message", { data, origin, source });
  }

  /** What was posted since the last call. */
  take(): { message: Message; origin: string }[] {
    return this.posted.splice(0);
  }
}

interface Setup {
  readonly win: FakeWindow;
  readonly endpoint: PluginEndpoint;
  readonly runs: [string, unknown, number][];
  readonly clock: { now: number };
  stop: () => void;
}

function setup(
  t: TestContext,
  onCommand?: EndpointConfig["onCommand"],
  win = new FakeWindow(),
): Setup {
  const clock = { now: 1_000_000 };
  t.mock.method(Date, "now", () => clock.now);
  for (const level of ["info", "warn", "error"]) {
    t.mock.method(console, level, () => undefined);
  }
  const runs: [string, unknown, number][] = [];
  const endpoint = new PluginEndpoint(
    {
      app: APP,
      specHash: SPEC,
      hostOrigins: [HOST],
      timeLimits: { start_call: 5_000 },
      onCommand:
        onCommand ??
        (async (type, payload, deadline) => {
          runs.push([type, payload, deadline]);
        }),
    },
    win as unknown as Window,
  );
  const stop = endpoint.start();
  return { win, endpoint, runs, clock, stop };
}

let hostIds = 0;
function envelope(kind: string, rest: Message = {}): Message {
  hostIds += 1;
  return {
    ns: "flexgen",
    v: PROTOCOL_VERSION,
    app: APP,
    id: `h-${hostIds}`,
    kind,
    ...rest,
  };
}

function hostHello(rest: Message = {}): Message {
  return envelope("hello", { spec: SPEC, role: "host", ...rest });
}

function command(clock: { now: number }, rest: Message = {}): Message {
  return envelope("command", {
    type: "start_call",
    payload: { phone: "+15551234567" },
    deadline: clock.now + 5_000,
    ...rest,
  });
}

/** Lets the endpoint's pending command handlers finish. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function handshake(s: Setup): void {
  s.win.take();
  s.win.deliver(hostHello());
  s.win.take();
}

test("start says hello once the page has loaded, to the parent's origin only", (t) => {
  const win = new FakeWindow(HOST, "loading");
  const s = setup(t, undefined, win);
  deepEqual(win.take(), []);
  win.fire("load");
  const posted = win.take();
  equal(posted.length, 1);
  equal(posted[0]?.origin, HOST);
  const hello = posted[0]?.message ?? {};
  equal(hello["kind"], "hello");
  equal(hello["role"], "flex");
  equal(hello["spec"], SPEC);
  equal(hello["v"], PROTOCOL_VERSION);
  equal(hello["app"], APP);
  equal(hello["re"], undefined);
  s.stop();
});

test("a page of another origin gets no hello, and nothing is ever posted to '*'", (t) => {
  const s = setup(t, undefined, new FakeWindow("https://evil.example"));
  deepEqual(s.win.take(), []);
  s.win.deliver(hostHello(), "https://evil.example");
  deepEqual(s.win.take(), []);
});

test("a window that is not embedded stays idle", (t) => {
  const win = new FakeWindow();
  Object.defineProperty(win, "parent", { value: win });
  setup(t, undefined, win);
  win.deliver(hostHello(), HOST, win);
  deepEqual(win.posted, []);
});

test("the host's hello is answered with its id; an answer is not answered", (t) => {
  const s = setup(t);
  s.win.take();
  const hello = hostHello();
  s.win.deliver(hello);
  const [answer, ...more] = s.win.take();
  deepEqual(more, []);
  equal(answer?.origin, HOST);
  equal(answer?.message["kind"], "hello");
  equal(answer?.message["re"], hello["id"]);
  s.win.deliver(hostHello({ re: "f-1" }));
  deepEqual(s.win.take(), []);
});

test("messages of another origin or source, or not ours, are dropped silently", (t) => {
  const s = setup(t);
  s.win.take();
  s.win.deliver(hostHello(), "https://evil.example");
  s.win.deliver(hostHello(), HOST, {});
  s.win.deliver(JSON.stringify(hostHello()));
  s.win.deliver({ ...hostHello(), ns: "other" });
  s.win.deliver({ ...hostHello(), app: "other-app" });
  deepEqual(s.win.take(), []);
});

test("a command before the handshake is refused NOT_READY and not run", async (t) => {
  const s = setup(t);
  s.win.take();
  const cmd = command(s.clock);
  s.win.deliver(cmd);
  await settle();
  const [reply] = s.win.take();
  equal(reply?.message["re"], cmd["id"]);
  equal(reply?.message["ok"], false);
  deepEqual(reply?.message["error"], {
    code: "NOT_READY",
    message: "no handshake with this host yet",
  });
  deepEqual(s.runs, []);
});

test("a command after the handshake runs once and is answered ok", async (t) => {
  const s = setup(t);
  handshake(s);
  const cmd = command(s.clock);
  s.win.deliver(cmd);
  // The same id again, even after a while: a duplicate, dropped unanswered.
  s.win.deliver(cmd);
  await settle();
  s.clock.now += 2_000;
  s.win.deliver(cmd);
  await settle();
  deepEqual(s.runs, [
    ["start_call", { phone: "+15551234567" }, cmd["deadline"]],
  ]);
  const replies = s.win.take();
  equal(replies.length, 1);
  equal(replies[0]?.message["kind"], "reply");
  equal(replies[0]?.message["re"], cmd["id"]);
  equal(replies[0]?.message["ok"], true);
  equal(replies[0]?.message["error"], undefined);
});

test("a command's failure becomes its typed reply", async (t) => {
  let failure: unknown = new ProtocolError("TIMEOUT", "too late");
  const s = setup(t, () => Promise.reject(failure));
  handshake(s);
  s.win.deliver(command(s.clock));
  await settle();
  deepEqual(s.win.take()[0]?.message["error"], {
    code: "TIMEOUT",
    message: "too late",
  });
  failure = new Error("Flex said no");
  s.win.deliver(command(s.clock));
  await settle();
  deepEqual(s.win.take()[0]?.message["error"], {
    code: "FLEX_ACTION_FAILED",
    message: "Flex said no",
  });
});

test("deadlines: a late command never runs, a too distant one is refused", async (t) => {
  const s = setup(t);
  handshake(s);
  s.win.deliver(command(s.clock, { deadline: s.clock.now }));
  s.win.deliver(
    command(s.clock, { deadline: s.clock.now + 5_000 + CLOCK_SLACK_MS + 1 }),
  );
  s.win.deliver(
    command(s.clock, { deadline: s.clock.now + 5_000 + CLOCK_SLACK_MS }),
  );
  await settle();
  const errors = s.win.take().map((p) => p.message["error"]);
  deepEqual(errors, [
    {
      code: "TIMEOUT",
      message: "the command arrived after its deadline; it did not run",
    },
    {
      code: "SCHEMA_INVALID",
      message: "deadline: later than start_call's time limit allows",
    },
    undefined,
  ]);
  equal(s.runs.length, 1);
});

test("an unknown command type, or a host event, is UNKNOWN_TRIGGER", async (t) => {
  const s = setup(t);
  handshake(s);
  s.win.deliver(command(s.clock, { type: "no_such" }));
  s.win.deliver(envelope("event", { type: "call_ended", payload: {} }));
  await settle();
  const codes = s.win
    .take()
    .map((p) => (p.message["error"] as Message)["code"]);
  deepEqual(codes.sort(), ["UNKNOWN_TRIGGER", "UNKNOWN_TRIGGER"]);
  deepEqual(s.runs, []);
});

test("a malformed message is answered SCHEMA_INVALID once; a malformed reply never", (t) => {
  const s = setup(t);
  handshake(s);
  const bad = command(s.clock, { extra: 1 });
  s.win.deliver(bad);
  s.win.deliver(bad);
  const replies = s.win.take();
  equal(replies.length, 1);
  equal(replies[0]?.message["re"], bad["id"]);
  deepEqual(replies[0]?.message["error"], {
    code: "SCHEMA_INVALID",
    message: '"extra": unknown key',
  });
  s.win.deliver(envelope("reply", { re: "f-1", ok: "yes" }));
  s.win.deliver(envelope("command", { id: "bad id" }));
  deepEqual(s.win.take(), []);
});

test("events wait for the handshake, in order, within the queue's bounds", (t) => {
  const s = setup(t);
  s.win.take();
  s.endpoint.sendEvent("old", {});
  s.clock.now += EVENT_QUEUE_MS + 1;
  for (let i = 0; i < EVENT_QUEUE_LIMIT + 1; i += 1) {
    s.endpoint.sendEvent(`e${i}`, { i });
  }
  deepEqual(s.win.take(), []);
  s.win.deliver(hostHello());
  const posted = s.win.take();
  equal(posted[0]?.message["kind"], "hello");
  const events = posted.slice(1).map((p) => p.message["type"]);
  // "old" expired; the one past the limit was dropped.
  equal(events.length, EVENT_QUEUE_LIMIT);
  equal(events[0], "e0");
  equal(events[EVENT_QUEUE_LIMIT - 1], `e${EVENT_QUEUE_LIMIT - 1}`);
  ok(posted.every((p) => p.origin === HOST));
  // Once ready, an event goes at once.
  s.endpoint.sendEvent("now", { x: 1 });
  const [now] = s.win.take();
  equal(now?.message["kind"], "event");
  deepEqual(now?.message["payload"], { x: 1 });
});

test("another spec or protocol version: reported, nothing sent or run", async (t) => {
  const s = setup(t);
  s.win.take();
  s.endpoint.sendEvent("queued", {});
  s.win.deliver(hostHello({ spec: "fedcba9876543210" }));
  const [answer, ...none] = s.win.take();
  equal(answer?.message["kind"], "hello");
  deepEqual(none, []);
  s.endpoint.sendEvent("later", {});
  s.win.deliver(command(s.clock));
  await settle();
  const replies = s.win.take();
  deepEqual(
    replies.map((p) => (p.message["error"] as Message)["code"]),
    ["VERSION_MISMATCH"],
  );
  deepEqual(s.runs, []);
});

test("a host of another protocol version gets a hello and VERSION_MISMATCH", async (t) => {
  const s = setup(t);
  s.win.take();
  const v = PROTOCOL_VERSION + 1;
  // Its envelope may differ: only what every version shares is read.
  s.win.deliver({ ...hostHello(), v, extra: "new in v+1" });
  const [answer] = s.win.take();
  equal(answer?.message["kind"], "hello");
  equal(answer?.message["v"], PROTOCOL_VERSION);
  const cmd: Message = { ...command(s.clock), v };
  s.win.deliver(cmd);
  await settle();
  const [reply] = s.win.take();
  equal(reply?.message["re"], cmd["id"]);
  equal((reply?.message["error"] as Message)["code"], "VERSION_MISMATCH");
  // The same id again is a duplicate.
  s.win.deliver(cmd);
  deepEqual(s.win.take(), []);
  deepEqual(s.runs, []);
});

test("a new hello after a mismatch makes the endpoint ready again", async (t) => {
  const s = setup(t);
  s.win.take();
  s.win.deliver(hostHello({ spec: "fedcba9876543210" }));
  s.win.deliver(hostHello());
  s.win.take();
  s.win.deliver(command(s.clock));
  await settle();
  equal(s.win.take()[0]?.message["ok"], true);
  equal(s.runs.length, 1);
});

test("stop removes the listener", (t) => {
  const s = setup(t);
  s.win.take();
  s.stop();
  s.win.deliver(hostHello());
  deepEqual(s.win.take(), []);
});
