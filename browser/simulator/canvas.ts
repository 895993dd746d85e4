// The task canvas tabs of the selected task, as Flex 2.17.1 renders what
// plugins add to them: the real `FlexUI.TaskCanvasTabs.Content` fragments,
// rendered with Flex's own React 17 inside Flex's `TaskContext`, wrapped in
// the root wrappers plugins registered (`setProviders` adds the Paste theme
// provider there). Flex's own tabs (Info, the call and chat canvases) are
// not simulated: only what a plugin adds is drawn, under a tab bar of its
// labels.
//
// Sources (@twilio/flex-ui 2.17.1):
// - DynamicContentStore.d.ts (internal-flex-commons): `fragments` are
//   ContentFragment elements whose props carry the added element as
//   `children` and the options (`if`, `sortOrder`); `if` gets the container's
//   props, which for TaskCanvasTabs include `task`
//   (TaskCanvasTabs.definitions.d.ts: TaskCanvasTabsChildrenProps extends
//   TaskCanvasChildrenProps, which has the task context).
// - flex-ui-core Tabs/Tab.d.ts: a `Tab`'s `label` is its header, its
//   `children` its content.
// - components/context/TaskContext.d.ts: `TaskContext` is the context
//   `withTaskContext` reads the selected task from.
// - bundle/twilio-flex.prod.js, `t.setProviders=function(e){...}`: adds a
//   wrapper to `RootContainer.Content` that renders
//   `<PasteThemeProvider baseTheme={theme.isLight ? "default" : "dark"}
//   theme={theme.tokens} style={{minWidth: "100%", height: "100%"}}>` around
//   the root, with Flex's theme as the `theme` prop. The simulator passes a
//   light theme without custom tokens: Paste's default, which is what Flex's
//   default light theme starts from.

import type { FlexModule } from "./flex";
import type { Simulator } from "./sim";

/** The part of React 17 the canvas uses (Flex's own copy). */
interface ReactLike {
  createElement(type: unknown, props: unknown, ...children: unknown[]): unknown;
}

interface ReactDomLike {
  render(element: unknown, container: Element): void;
}

interface ReactElementLike {
  readonly props: Readonly<Record<string, unknown>>;
}

interface ContentStore {
  readonly fragments: readonly ReactElementLike[];
  getAllWrappers?(): Array<(component: unknown) => unknown>;
}

/** The CSS id of the canvas's element (the tests read the tabs in it). */
export const CANVAS_ID = "task-canvas";

/**
 * Mounts the task canvas in `root`, re-rendered whenever the selected task
 * changes; returns false (and says why through `sim.error`) when Flex's
 * React or the stores are missing.
 */
export function mountCanvas(
  root: HTMLElement,
  flex: FlexModule,
  sim: Simulator,
): boolean {
  const deps = window.FlexUIDependencies;
  const react = deps?.React as ReactLike | undefined;
  const reactDom = deps?.ReactDOM as ReactDomLike | undefined;
  const store = flex.TaskCanvasTabs?.Content as ContentStore | undefined;
  const context = (flex.TaskContext as { Provider?: unknown } | undefined)
    ?.Provider;
  const rootStore = flex.RootContainer?.Content as ContentStore | undefined;
  if (
    typeof react?.createElement !== "function" ||
    typeof reactDom?.render !== "function" ||
    store === undefined ||
    context === undefined
  ) {
    sim.error(
      "the task canvas cannot be rendered: Flex's React, ReactDOM, TaskCanvasTabs.Content or TaskContext is missing",
    );
    return false;
  }
  const section = document.createElement("section");
  section.id = CANVAS_ID;
  section.setAttribute("aria-label", "Task canvas");
  const heading = document.createElement("h2");
  heading.textContent = "Task canvas";
  const slot = document.createElement("div");
  slot.className = "canvas-slot";
  section.append(heading, slot);
  root.prepend(section);

  const h = react.createElement.bind(react);
  let shown: unknown = Symbol("never");
  let open: string | undefined;
  const render = (force = false): void => {
    const task =
      sim.selected === undefined ? undefined : sim.task(sim.selected);
    // Re-rendered only when the selected task (or the open tab) changes:
    // the plugin's own components re-render themselves on new data.
    if (task === shown && !force) return;
    shown = task;
    section.dataset.task = task?.sid ?? "";
    if (task === undefined) {
      reactDom.render(
        h("p", { className: "canvas-empty" }, "No task selected"),
        slot,
      );
      return;
    }
    // What TaskCanvasTabs passes the `if` of a fragment: its children's
    // props, the task context among them.
    const childProps = { task };
    const tabs = [...store.fragments]
      .filter((f) => {
        const test = f.props["if"];
        return typeof test !== "function" || test(childProps) === true;
      })
      .sort(
        (a, b) =>
          Number(a.props["sortOrder"] ?? 0) - Number(b.props["sortOrder"] ?? 0),
      )
      .map((f) => f.props["children"] as ReactElementLike | null | undefined)
      .filter((tab): tab is ReactElementLike => tab != null);
    const labels = tabs.map((tab) => String(tab.props["label"] ?? ""));
    const current =
      open !== undefined && labels.includes(open) ? open : labels[0];
    const bar = h(
      "div",
      { className: "canvas-tabs", role: "tablist" },
      ...labels.map((label) =>
        h(
          "button",
          {
            key: label,
            type: "button",
            role: "tab",
            "aria-selected": label === current,
            "data-label": label,
            onClick: () => {
              open = label;
              render(true);
            },
          },
          label,
        ),
      ),
    );
    const panels = tabs
      .filter((_, i) => labels[i] === current)
      .map((tab) =>
        h(
          "div",
          {
            key: `${task.sid}:${String(current)}`,
            className: "canvas-tab",
            role: "tabpanel",
            "data-label": current,
          },
          tab.props["children"],
        ),
      );
    // The tabs in the task's context, inside the root wrappers plugins
    // registered (the Paste provider of setProviders among them), given a
    // light theme as Flex's default theme is.
    const Tabs = (): unknown => h(context, { value: { task } }, bar, ...panels);
    const wrappers = rootStore?.getAllWrappers?.() ?? [];
    const Root = wrappers.reduce<unknown>((c, wrap) => wrap(c), Tabs);
    reactDom.render(h(Root, { theme: { isLight: true } }), slot);
  };
  render();
  sim.watch(() => render());
  return true;
}
