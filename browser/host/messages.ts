// The live message log of the CRM page: what crossed the bridge, newest
// first, for a person clicking through `flexgen preview`. It shows every
// envelope the page receives from the Flex frame (read by a passive listener
// of its own, after the same origin and source checks the bridge makes; it
// never answers), every command the page sends and how it ended, every event
// the bridge delivered, and every change of the bridge's state.
//
// Text only, bounded: each line is cut to MAX_TEXT characters and the list
// to MAX_ENTRIES, so a chatty or hostile peer cannot flood the page.

import { el } from "./dom";
import { display } from "./json-safe";

const MAX_ENTRIES = 200;
const MAX_TEXT = 400;

/** Where a line came from: drawn as an arrow and a class. */
export type Direction = "in" | "out" | "event" | "state";

const ARROW: Record<Direction, string> = {
  in: "Flex → CRM",
  out: "CRM → Flex",
  event: "delivered",
  state: "state",
};

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function field(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === "string" ? value : undefined;
}

/** A one-line summary of an envelope: `event call_wrapped_up`, `reply ok`. */
export function summarise(data: unknown): { kind: string; summary: string } {
  if (typeof data !== "object" || data === null)
    return { kind: "other", summary: `not an envelope: ${typeof data}` };
  const env = data as Record<string, unknown>;
  const kind = field(env, "kind") ?? "other";
  const parts = [kind];
  const type = field(env, "type");
  if (type) parts.push(type);
  if (kind === "reply") {
    parts.push(env.ok === true ? "ok" : "failed");
    const error = env.error;
    if (typeof error === "object" && error !== null) {
      const code = (error as Record<string, unknown>).code;
      if (typeof code === "string") parts.push(code);
    }
    const re = field(env, "re");
    if (re) parts.push(`re ${re}`);
  }
  if (kind === "hello") {
    const role = field(env, "role");
    if (role) parts.push(`from ${role}`);
  }
  return { kind, summary: parts.join(" ") };
}

export interface MessageLog {
  /** Adds a line at the top; `detail` is shown as one-line JSON. */
  add(
    direction: Direction,
    summary: string,
    detail?: unknown,
    kind?: string,
  ): void;
}

export function mountMessageLog(list: HTMLElement): MessageLog {
  return {
    add(direction, summary, detail, kind) {
      const time = new Date().toISOString().slice(11, 23);
      const entry = el(
        "li",
        {
          cls: `msg msg-${direction}`,
          attrs: {
            "data-direction": direction,
            "data-kind": kind ?? direction,
          },
        },
        el("time", { text: time }),
        el("span", { cls: "dir", text: ARROW[direction] }),
        el("span", { cls: "what", text: clip(summary) }),
        detail === undefined
          ? null
          : el("code", { cls: "detail", text: clip(display(detail)) }),
      );
      list.prepend(entry);
      while (list.childElementCount > MAX_ENTRIES)
        list.lastElementChild?.remove();
    },
  };
}
