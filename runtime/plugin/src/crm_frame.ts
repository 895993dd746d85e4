/**
 * The CRM page inside Flex (`app.embedding: host_in_flex`): a component for
 * Flex's CRM container that renders the CRM page for the selected task in
 * an iframe, keyed by the task's sid, so that switching task re-creates it
 * (a new window: the endpoint shakes hands with it anew, see frame_peer.ts).
 *
 * Rendered with Flex's own React 17 (`window.React`, which hosted Flex sets
 * before it loads plugins and which the plugin builder's `react` external
 * resolves to as well); the frame's `src` comes from crm_url.ts, never from
 * markup.
 */

import type * as Flex from "@twilio/flex-ui";

import { type CrmUrl, crmUrlFor, frameKey } from "./crm_url";
import type { FramePeer } from "./frame_peer";

/** What Flex's CRM container takes as content. */
type FlexElement = Parameters<
  (typeof Flex)["CRMContainer"]["Content"]["replace"]
>[0];

/** The part of React the frame uses (Flex's own React 17). */
export interface ReactApi {
  createElement(
    type: string | ((props: never) => unknown),
    props: Readonly<Record<string, unknown>>,
  ): FlexElement;
}

/** What Flex's CRM container passes its content (`CRMContainerChildrenProps`). */
export interface CrmFrameProps {
  readonly task?: unknown;
}

/**
 * A function component for `flex.CRMContainer.Content`: the CRM page for the
 * selected task, in an iframe that fills the container.
 */
export function crmFrame(
  react: ReactApi,
  url: CrmUrl,
  peer: FramePeer,
): (props: CrmFrameProps) => unknown {
  return function FlexgenCrmFrame(props: CrmFrameProps): unknown {
    const src = crmUrlFor(url, props.task);
    if (src === undefined) return null;
    return react.createElement("iframe", {
      key: frameKey(props.task),
      src,
      title: "CRM",
      // As Flex's own CRM frame (bundle CRMContainerImpl.renderCRMContainer).
      allow: "clipboard-read; clipboard-write",
      style: { width: "100%", height: "100%", border: 0 },
      ref: peer.ref,
      onLoad: peer.onLoad,
    });
  };
}

/** The key of our content in Flex's CRM container. */
export const CRM_FRAME_KEY = "flexgen-crm-frame";

/**
 * Replaces the content of Flex's CRM container with the CRM frame; returns
 * a function that removes it. `flex.CRMContainer` passes its content the
 * selected task as the `task` prop (`CRMContainerChildrenProps`).
 */
export function showCrmFrame(
  flex: typeof Flex,
  url: CrmUrl,
  peer: FramePeer,
  self: Window = window,
): () => void {
  const react = flexReact(self);
  if (react === undefined) {
    console.error(
      "flexgen: Flex's React is missing; the CRM page is not shown",
    );
    return () => undefined;
  }
  const frame = react.createElement(crmFrame(react, url, peer), {
    key: CRM_FRAME_KEY,
  });
  const undo = flex.CRMContainer.Content.replace(frame, { sortOrder: -1 });
  return () => void undo();
}

/**
 * Flex's own React: hosted Flex sets `window.React` before it loads plugins
 * (`@twilio/flex-ui` `Manager.create`, `setGlobalDependencies`; declared in
 * its `src/FlexGlobal.d.ts`). `undefined` when it is missing.
 */
export function flexReact(self: Window): ReactApi | undefined {
  const react: unknown = (self as unknown as { readonly React?: unknown })
    .React;
  const createElement: unknown =
    typeof react === "object" && react !== null
      ? (react as { readonly createElement?: unknown }).createElement
      : undefined;
  return typeof createElement === "function" ? (react as ReactApi) : undefined;
}
