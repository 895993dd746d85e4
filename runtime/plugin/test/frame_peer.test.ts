import { deepEqual, equal } from "node:assert/strict";
import { type TestContext, test } from "node:test";

import { PluginEndpoint } from "../src/endpoint";
import { FramePeer } from "../src/frame_peer";
import { PROTOCOL_VERSION } from "../src/protocol_constants";

const CRM = "https://crm.example";
const SPEC = "0123456789abcdef";
const APP = "acme";

type Message = Record<string, unknown>;
type Posted = { message: Message; origin: string };

/** A frame's window: what is posted to it. */
class FakeFrameWindow {
  readonly posted: Posted[] = [];
  postMessage(message: Message, origin: string): void {
    this.posted.push({ message, origin });
  }
}

/** An iframe element as React hands it to the ref. */
function frame(): { contentWindow: FakeFrameWindow } {
  return { contentWindow: new FakeFrameWindow() };
}

/** Flex's window: the endpoint listens on it. */
class FakeFlexWindow {
  readonly parent = this;
  private readonly listeners: ((event: unknown) => void)[] = [];
  addEventListener(_: string, listener: (event: unknown) => void): void {
    this.listeners.push(listener);
  }
  removeEventListener(_: string, listener: (event: unknown) => void): void {
    this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  deliver(data: unknown, origin: string, source: unknown): void {
    for (const l of [...this.listeners]) l({ data, origin, source });
  }
}

let ids = 0;
function hostMessage(kind: string, rest: Message = {}): Message {
  ids += 1;
  return {
    ns: "flexgen",
    v: PROTOCOL_VERSION,
    app: APP,
    id: `h-${ids}`,
    kind,
    ...rest,
  };
}

function setup(t: TestContext, hostOrigins = [CRM]) {
  t.mock.method(console, "info", () => undefined);
  t.mock.method(console, "warn", () => undefined);
  const flexWin = new FakeFlexWindow();
  const peer = new FramePeer(CRM, hostOrigins);
  const runs: string[] = [];
  const endpoint = new PluginEndpoint(
    {
      app: APP,
      specHash: SPEC,
      hostOrigins,
      timeLimits: { start_call: 5_000 },
      onCommand: async (type) => {
        runs.push(type);
      },
      peer,
    },
    flexWin as unknown as Window,
  );
  const stop = endpoint.start();
  return { flexWin, peer, endpoint, runs, stop };
}

function mount(peer: FramePeer, f: { contentWindow: FakeFrameWindow }): void {
  peer.ref(f as unknown as HTMLIFrameElement);
  peer.onLoad({ currentTarget: f });
}

const settle = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 0));

test("the rendered frame is greeted at its load, at the CRM's origin only", (t) => {
  const s = setup(t);
  const f = frame();
  s.peer.ref(f as unknown as HTMLIFrameElement);
  deepEqual(f.contentWindow.posted, []);
  s.peer.onLoad({ currentTarget: f });
  equal(f.contentWindow.posted.length, 1);
  equal(f.contentWindow.posted[0]?.origin, CRM);
  equal(f.contentWindow.posted[0]?.message["kind"], "hello");
  // A load of a frame that is no longer ours greets no one.
  s.peer.onLoad({ currentTarget: frame() });
  equal(f.contentWindow.posted.length, 1);
  s.stop();
});

test("only the current frame's window is heard: not another frame of the CRM's origin, not a popup", async (t) => {
  const s = setup(t);
  const f = frame();
  mount(s.peer, f);
  f.contentWindow.posted.length = 0;
  const other = frame();
  const popup = new FakeFrameWindow();
  for (const source of [other.contentWindow, popup, s.flexWin, null]) {
    s.flexWin.deliver(
      hostMessage("hello", { spec: SPEC, role: "host" }),
      CRM,
      source,
    );
  }
  deepEqual(f.contentWindow.posted, []);
  deepEqual(other.contentWindow.posted, []);
  deepEqual(popup.posted, []);
  // The right window of another origin (the frame navigated away): refused.
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    "https://evil.example",
    f.contentWindow,
  );
  deepEqual(f.contentWindow.posted, []);
  // The frame itself, from the CRM's origin: answered.
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    CRM,
    f.contentWindow,
  );
  equal(f.contentWindow.posted.length, 1);
  await settle();
});

test("a new frame (another task) is a new peer: events wait for its handshake", (t) => {
  const s = setup(t);
  const first = frame();
  mount(s.peer, first);
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    CRM,
    first.contentWindow,
  );
  first.contentWindow.posted.length = 0;
  s.endpoint.sendEvent("screen_pop", { caller: "+15551234567" });
  equal(first.contentWindow.posted.length, 1);

  const second = frame();
  s.peer.ref(null);
  s.peer.ref(second as unknown as HTMLIFrameElement);
  s.endpoint.sendEvent("screen_pop", { caller: "+15557654321" });
  equal(first.contentWindow.posted.length, 1); // nothing more to the old frame
  deepEqual(second.contentWindow.posted, []); // queued until the handshake
  // The old frame's window is no longer heard.
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    CRM,
    first.contentWindow,
  );
  deepEqual(second.contentWindow.posted, []);
  s.peer.onLoad({ currentTarget: second });
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    CRM,
    second.contentWindow,
  );
  const kinds = second.contentWindow.posted.map((p) => p.message["kind"]);
  deepEqual(kinds, ["hello", "hello", "event"]);
  equal(
    (second.contentWindow.posted[2]?.message["payload"] as Message)["caller"],
    "+15557654321",
  );
});

test("a command's reply goes to the window that sent it, even after a task switch", async (t) => {
  const s = setup(t);
  const first = frame();
  mount(s.peer, first);
  s.flexWin.deliver(
    hostMessage("hello", { spec: SPEC, role: "host" }),
    CRM,
    first.contentWindow,
  );
  first.contentWindow.posted.length = 0;
  const cmd = hostMessage("command", {
    type: "start_call",
    payload: {},
    deadline: Date.now() + 5_000,
  });
  s.flexWin.deliver(cmd, CRM, first.contentWindow);
  const second = frame();
  s.peer.ref(second as unknown as HTMLIFrameElement);
  await settle();
  deepEqual(s.runs, ["start_call"]);
  equal(first.contentWindow.posted.length, 1);
  equal(first.contentWindow.posted[0]?.message["re"], cmd["id"]);
  deepEqual(second.contentWindow.posted, []);
});

test("a CRM origin this build does not trust is never greeted", (t) => {
  const s = setup(t, ["https://other.example"]);
  const f = frame();
  mount(s.peer, f);
  deepEqual(f.contentWindow.posted, []);
});
