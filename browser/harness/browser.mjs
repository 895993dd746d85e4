// Chromium for the tests and for people: launch options that work on this
// project's machines, a context that never leaves loopback and carries the
// postMessage probe, and the steps to open a case's host page.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));

export const CHROMIUM = process.env.FLEXGEN_CHROMIUM ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps dialling
    // Google's hosts, which this machine's closed network refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A fresh context: only loopback requests leave the page (the Flex bundle
 * asks for fonts and sounds on the internet), and every frame gets the
 * probe. Uncaught page errors are collected in `ctx.pageErrors`.
 */
export async function newContext(browser) {
  const ctx = await browser.newContext();
  await ctx.route(
    (url) => !/^(127\.0\.0\.1|localhost)$/.test(url.hostname),
    (route) => route.abort(),
  );
  await ctx.addInitScript({ path: path.join(here, "probe.js") });
  ctx.pageErrors = [];
  // What the generated plugin and bridge log about themselves ("flexgen: ...").
  ctx.flexgenConsole = [];
  const watch = (page) => {
    page.on("console", (m) => {
      if (m.text().startsWith("flexgen:")) ctx.flexgenConsole.push(m.text());
    });
    page.on("pageerror", (e) =>
      ctx.pageErrors.push(`${page.url()}: ${e.message}`),
    );
    if (process.env.FLEXGEN_E2E_CONSOLE) {
      page.on("console", (m) =>
        console.error(`[console ${m.type()}] ${m.text()}`),
      );
    }
  };
  ctx.on("page", watch);
  return ctx;
}

/** The frame of `page` whose URL starts with `prefix`, waiting for it. */
export async function frameOf(page, prefix, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frames().find((f) => f.url().startsWith(prefix));
    if (frame) return frame;
    if (Date.now() > end)
      throw new Error(`no frame at ${prefix} in ${page.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Opens the CRM host page of a case and waits until the bridge and the
 * plugin have shaken hands. Returns { page, flex } (flex: the simulator frame).
 */
export async function openHost(ctx, config, page = undefined) {
  page ??= await ctx.newPage();
  await page.goto(config.hostUrl);
  const flex = await frameOf(page, config.flexUrl);
  await waitForPair(page, flex);
  return { page, flex };
}

/** Waits for a host page (or frame) and its simulator frame to be ready. */
export async function waitForPair(hostFrame, flexFrame) {
  // After the iframe's `load` event: the bridge takes `load` for a new Flex
  // document and shakes hands again, so "ready" before it may not last.
  // (The host page adds the iframe late, so the page's own `load` does not
  // wait for it: the Flex frame's is waited for below.)
  await hostFrame.waitForFunction(
    () => document.readyState === "complete" && window.crm !== undefined,
    null,
    { timeout: 60000 },
  );
  await hostFrame.evaluate(() => window.crm.ready);
  await flexFrame.waitForLoadState("load");
  await flexFrame.waitForFunction(() => window.flexSim !== undefined, null, {
    timeout: 60000,
  });
  await flexFrame.evaluate(() => window.flexSim.pluginStarted);
  await hostFrame.evaluate(() => window.crm.whenState("ready", 30000));
}
