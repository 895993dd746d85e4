// A page on a third origin, for the security tests: it frames or opens the
// CRM host page and the Flex page and posts forged hellos, commands, events
// and replies at them. Neither end may act on anything it sends.

import { display, jsonSafe } from "../host/json-safe";

interface Attacker {
  frame(url: string): Promise<void>;
  frames(): HTMLIFrameElement[];
  open(url: string): boolean;
  popups(): Array<Window | null>;
  post(target: string, msg: unknown, origin: string): boolean;
  received: Array<{ origin: string; source: string; data: unknown }>;
}

declare global {
  interface Window {
    attacker: Attacker;
  }
}

const frames: HTMLIFrameElement[] = [];
const popups: Array<Window | null> = [];
const received: Attacker["received"] = [];

/** Which of our windows sent a message, as a `post` target name. */
function sourceName(source: MessageEventSource | null): string {
  if (source === null) return "none";
  for (let i = 0; i < frames.length; i++) {
    const win = frames[i].contentWindow;
    if (win === source) return `frame:${i}`;
    for (let j = 0; win && j < win.frames.length; j++)
      if (win.frames[j] === source) return `frame:${i}/child:${j}`;
  }
  for (let i = 0; i < popups.length; i++) {
    const win = popups[i];
    if (win === source) return `popup:${i}`;
    for (let j = 0; win && !win.closed && j < win.frames.length; j++) {
      if (win.frames[j] === source) return `popup:${i}/child:${j}`;
    }
  }
  return "other";
}

window.addEventListener("message", (ev: MessageEvent<unknown>) => {
  let source = "other";
  try {
    source = sourceName(ev.source);
  } catch {
    // A window that went away while we looked.
  }
  const entry = { origin: ev.origin, source, data: jsonSafe(ev.data) };
  received.push(entry);
  const line = document.createElement("li");
  line.textContent = `${entry.source} ${entry.origin}: ${display(entry.data)}`;
  document.getElementById("received")?.append(line);
});

function windowFor(target: string): Window | null {
  const m = /^(frame|popup):(\d+)(?:\/child:(\d+))?$/.exec(target);
  if (!m) return null;
  const index = Number(m[2]);
  const base =
    m[1] === "frame"
      ? (frames[index]?.contentWindow ?? null)
      : (popups[index] ?? null);
  if (!base || base.closed) return null;
  if (m[3] === undefined) return base;
  const child = Number(m[3]);
  return child < base.frames.length ? base.frames[child] : null;
}

window.attacker = {
  frame(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const iframe = document.createElement("iframe");
      iframe.width = "480";
      iframe.height = "320";
      iframe.addEventListener("load", () => resolve(), { once: true });
      iframe.addEventListener(
        "error",
        () => reject(new Error(`could not frame ${url}`)),
        { once: true },
      );
      iframe.src = url;
      frames.push(iframe);
      (document.getElementById("frames") ?? document.body).append(iframe);
    });
  },
  frames: () => [...frames],
  open(url: string): boolean {
    const win = window.open(url, "_blank");
    popups.push(win);
    return win !== null;
  },
  popups: () => [...popups],
  post(target: string, msg: unknown, origin: string): boolean {
    // Even a forger here uses exact origins: '*' delivers nothing an exact
    // origin would not, and no page of this project posts to '*'.
    if (origin === "*") return false;
    try {
      const win = windowFor(target);
      if (!win) return false;
      win.postMessage(msg, origin);
      return true;
    } catch {
      return false;
    }
  },
  received,
};
