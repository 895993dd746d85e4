import { deepEqual, equal, ok } from "node:assert/strict";
import { test } from "node:test";

import type * as Flex from "@twilio/flex-ui";

import {
  CRM_FRAME_KEY,
  type ReactApi,
  crmFrame,
  flexReact,
  showCrmFrame,
} from "../src/crm_frame";
import type { CrmUrl } from "../src/crm_url";
import { FramePeer } from "../src/frame_peer";

const URL_TEMPLATE: CrmUrl = {
  origin: "https://crm.example",
  parts: ["/flex?task=", ["taskSid"]],
};

interface Element {
  type: unknown;
  props: Record<string, unknown>;
}

const react = {
  createElement: (type: unknown, props: Record<string, unknown>) => ({
    type,
    props,
  }),
} as unknown as ReactApi;

test("the frame shows the CRM page of the selected task, keyed by its sid", () => {
  const peer = new FramePeer(URL_TEMPLATE.origin, [URL_TEMPLATE.origin]);
  const component = crmFrame(react, URL_TEMPLATE, peer);
  const el = component({ task: { taskSid: "WT 1" } }) as Element;
  equal(el.type, "iframe");
  equal(el.props["key"], "task-WT 1");
  equal(el.props["src"], "https://crm.example/flex?task=WT%201");
  equal(el.props["ref"], peer.ref);
  equal(el.props["onLoad"], peer.onLoad);
  const none = component({}) as Element;
  equal(none.props["key"], "no-task");
  equal(none.props["src"], "https://crm.example/flex?task=");
  // Stable handlers: React calls the ref on mount and unmount only.
  equal((component({}) as Element).props["ref"], none.props["ref"]);
});

test("showCrmFrame replaces the CRM container's content, and undoes it", () => {
  const calls: unknown[] = [];
  let undone = 0;
  const flex = {
    CRMContainer: {
      Content: {
        replace: (element: unknown, options: unknown) => {
          calls.push(element, options);
          return () => {
            undone += 1;
          };
        },
      },
    },
  } as unknown as typeof Flex;
  const peer = new FramePeer(URL_TEMPLATE.origin, [URL_TEMPLATE.origin]);
  const win = { React: react } as unknown as Window;
  const stop = showCrmFrame(flex, URL_TEMPLATE, peer, win);
  const element = calls[0] as Element;
  equal(element.props["key"], CRM_FRAME_KEY);
  equal(typeof element.type, "function");
  deepEqual(calls[1], { sortOrder: -1 });
  stop();
  equal(undone, 1);
});

test("without Flex's React nothing is shown", (t) => {
  t.mock.method(console, "error", () => undefined);
  let replaced = 0;
  const flex = {
    CRMContainer: { Content: { replace: () => (replaced += 1) } },
  } as unknown as typeof Flex;
  const peer = new FramePeer(URL_TEMPLATE.origin, [URL_TEMPLATE.origin]);
  showCrmFrame(flex, URL_TEMPLATE, peer, {} as Window)();
  equal(replaced, 0);
});

test("flexReact is the window's React when it has createElement", () => {
  const react: unknown = { createElement: () => null };
  ok(flexReact({ React: react } as unknown as Window) === react);
  equal(flexReact({} as Window), undefined);
  equal(
    flexReact({ React: { createElement: 1 } } as unknown as Window),
    undefined,
  );
});
