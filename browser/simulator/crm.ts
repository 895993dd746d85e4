// Flex's CRM container (`app.embedding: host_in_flex`): the panel of the
// agent desktop where a plugin shows the CRM page for the selected task.
//
// Rendered with Flex's own React 17 and ReactDOM (window.FlexUIDependencies,
// the copies hosted Flex gives plugins), from the real content store
// `FlexUI.CRMContainer.Content` (a DynamicContentStore of @twilio/flex-ui
// 2.17.1) through the real `FlexUI.DynamicComponent`, as the real
// CRMContainerImpl does (bundle/twilio-flex.prod.js, module of
// CRMContainerImpl, grep `uriCallback?this.props.uriCallback(this.props.task)`:
// `render()` returns `DynamicComponent({ contentStore, childProps: {...props,
// uri}, name: "CRMContainer", vertical: true })`), with `childProps` the
// `CRMContainerChildrenProps` its `withTaskContext` wrapper would pass: the
// selected task as `task` (src/components/CRMContainer/CRMContainer.d.ts,
// `Connected = withTaskContext(...)`; src/components/context/TaskContext.d.ts).
// The whole `CRMContainer` component is not rendered: its styled parts read
// Flex's theme (`theme.tokens...`), which only a logged-in Flex's store
// provides. See FACTS.md section 7.
//
// The selected task is the one the last SelectTask named (actions.ts); the
// container re-renders on every simulator change, so a new selection gives
// the plugin's content a new `task`.

import type { FlexModule } from "./flex";
import type { Simulator } from "./sim";

/** The part of Flex's React 17 the container uses. */
interface ReactLike {
  createElement(type: unknown, props: unknown, ...children: unknown[]): unknown;
}

/** The part of Flex's ReactDOM 17 the container uses (legacy root API). */
interface ReactDomLike {
  render(element: unknown, container: Element): void;
}

/** The CSS id of the container's element (the tests find the frame in it). */
export const CRM_CONTAINER_ID = "crm-container";

/**
 * Mounts the CRM container in `root`; returns false (and says why through
 * `sim.error`) when Flex's React or the CRM container's store is missing.
 */
export function mountCrmContainer(
  root: HTMLElement,
  flex: FlexModule,
  sim: Simulator,
): boolean {
  const deps = window.FlexUIDependencies;
  const react = deps?.React as ReactLike | undefined;
  const reactDom = deps?.ReactDOM as ReactDomLike | undefined;
  const store = flex.CRMContainer?.Content;
  const dynamic = flex.DynamicComponent;
  if (
    typeof react?.createElement !== "function" ||
    typeof reactDom?.render !== "function" ||
    store === undefined ||
    dynamic === undefined
  ) {
    sim.error(
      "the CRM container cannot be rendered: Flex's React, ReactDOM, CRMContainer.Content or DynamicComponent is missing",
    );
    return false;
  }
  const section = document.createElement("section");
  section.id = CRM_CONTAINER_ID;
  section.setAttribute("aria-label", "CRM container");
  const heading = document.createElement("h2");
  heading.textContent = "CRM container";
  const slot = document.createElement("div");
  slot.className = "crm-slot";
  section.append(heading, slot);
  root.prepend(section);

  let shown: unknown = Symbol("never");
  const render = (): void => {
    const task =
      sim.selected === undefined ? undefined : sim.task(sim.selected);
    // Re-rendered only when the selected task changes (a panel redraw must
    // not make React re-run the plugin's component for nothing).
    if (task === shown) return;
    shown = task;
    section.dataset.task = task?.sid ?? "";
    reactDom.render(
      react.createElement(
        dynamic,
        {
          contentStore: store,
          childProps: { task },
          name: "CRMContainer",
          vertical: true,
        },
        // DynamicComponent takes exactly one child (React.Children.only)
        // whose children are the default content: in Flex a Container with
        // the placeholder (key "placeholder") or Flex's own iframe (key
        // "iframe"). Here a box with the placeholder, which a plugin's
        // `Content.replace` takes out.
        react.createElement(
          "div",
          { className: "crm-default" },
          react.createElement(
            "p",
            { key: "placeholder", className: "crm-placeholder" },
            "No CRM content",
          ),
        ),
      ),
      slot,
    );
  };
  render();
  sim.watch(render);
  return true;
}
