import { deepEqual, equal } from "node:assert/strict";
import { type TestContext, test } from "node:test";

import { ParentPeer } from "../src/peer";

const HOST = "https://crm.example";

function fakeWindow(readyState: string, ancestor: string | undefined) {
  const listeners: (() => void)[] = [];
  const win = {
    parent: {},
    document: { readyState },
    location: {
      ancestorOrigins:
        ancestor === undefined
          ? undefined
          : { item: (i: number) => (i === 0 ? ancestor : null) },
    },
    addEventListener: (_: string, l: () => void) => listeners.push(l),
    removeEventListener: (_: string, l: () => void) =>
      listeners.splice(listeners.indexOf(l), 1),
    load: () => listeners.splice(0).forEach((l) => l()),
    listeners,
  };
  return win;
}

function quiet(t: TestContext): void {
  t.mock.method(console, "info", () => undefined);
}

test("the parent is the peer, greeted once the document has loaded", (t) => {
  quiet(t);
  const win = fakeWindow("loading", HOST);
  const peer = new ParentPeer(win as unknown as Window, [HOST]);
  equal(peer.current(), win.parent);
  const greets: (readonly string[])[] = [];
  const stop = peer.start({ greet: (o) => greets.push(o), lost: () => {} });
  deepEqual(greets, []);
  win.load();
  deepEqual(greets, [[HOST]]);
  stop?.();
  equal(win.listeners.length, 0);
});

test("stopping before the load removes the listener", (t) => {
  quiet(t);
  const win = fakeWindow("loading", HOST);
  const peer = new ParentPeer(win as unknown as Window, [HOST]);
  const stop = peer.start({ greet: () => {}, lost: () => {} });
  equal(win.listeners.length, 1);
  stop?.();
  equal(win.listeners.length, 0);
});

test("a window that is not framed has no peer and never greets", (t) => {
  quiet(t);
  const win = fakeWindow("complete", undefined);
  win.parent = win;
  const peer = new ParentPeer(win as unknown as Window, [HOST]);
  equal(peer.current(), undefined);
  const greets: unknown[] = [];
  equal(
    peer.start({ greet: (o) => greets.push(o), lost: () => {} }),
    undefined,
  );
  deepEqual(greets, []);
});
