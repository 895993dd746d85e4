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
 *
 * For a host_in_flex case (`config.embedding`) the top page is the simulator
 * (`flex` is its main frame) and `page` is the CRM page that the plugin
 * frames in Flex's CRM container: a handle that follows that frame (see
 * crmFrame), since the plugin makes a new one whenever the selected task
 * changes. `top` is the playwright Page in both cases.
 */
export async function openHost(ctx, config, page = undefined) {
  page ??= await ctx.newPage();
  if (config.embedding === "host_in_flex") {
    await page.goto(config.flexUrl);
    const flex = page.mainFrame();
    const crm = crmFrame(page);
    await waitForPair(crm, flex);
    return { page: crm, flex, top: page };
  }
  await page.goto(config.hostUrl);
  const flex = await frameOf(page, config.flexUrl);
  await waitForPair(page, flex);
  return { page, flex, top: page };
}

/** The iframe the plugin renders in the simulator's CRM container. */
export const CRM_FRAME_SELECTOR = '#crm-container iframe[title="CRM"]';

/** Whether `e` says that a frame went away under a call. */
const detached = (e) =>
  /detached|Execution context was destroyed|Target closed|frame was removed|navigat/i.test(
    String(e?.message ?? e),
  );

/**
 * A handle on the CRM page inside Flex (host_in_flex): each call goes to the
 * frame of the iframe the plugin renders in the simulator's CRM container
 * now (`current()`), found by its place in the page, not by its URL (a
 * second frame of the CRM origin is not it). `waitForFunction` and
 * `waitForLoadState` (which only read) start again in the new frame when
 * the old one goes away under them; `evaluate` and `click` never run twice.
 * `settle()` waits until the current frame's bridge is ready.
 */
export function crmFrame(top, timeoutMs = 60000) {
  const current = async () => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const element = await top.$(CRM_FRAME_SELECTOR);
      const frame = element ? await element.contentFrame() : null;
      if (frame && !frame.isDetached() && frame.url() !== "about:blank") {
        // Its page started (config loaded): `window.crm` can be used.
        try {
          await frame.waitForFunction(
            () => window.crm !== undefined && window.crm.config !== null,
            null,
            { timeout: Math.max(1, end - Date.now()), polling: 50 },
          );
          return frame;
        } catch (e) {
          if (!detached(e) && !frame.isDetached()) throw e;
        }
      }
      if (Date.now() > end)
        throw new Error(`no CRM frame (${CRM_FRAME_SELECTOR}) in ${top.url()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const retried =
    (name) =>
    async (...args) => {
      for (;;) {
        const frame = await current();
        try {
          return await frame[name](...args);
        } catch (e) {
          if (!detached(e) || !frame.isDetached()) throw e;
        }
      }
    };
  const once =
    (name) =>
    async (...args) =>
      (await current())[name](...args);
  const handle = {
    current,
    /** The playwright Page whose CRM container holds the frame. */
    top,
    evaluate: once("evaluate"),
    click: once("click"),
    fill: once("fill"),
    $: once("$"),
    $$: once("$$"),
    waitForSelector: retried("waitForSelector"),
    waitForFunction: retried("waitForFunction"),
    waitForLoadState: retried("waitForLoadState"),
    url: async () => (await current()).url(),
    async settle() {
      await waitForCrm(handle);
      await retried("evaluate")(() => window.crm.whenState("ready", 30000));
    },
  };
  return handle;
}

/** Waits for the host page's `window.crm` and its start. */
async function waitForCrm(hostFrame) {
  await hostFrame.waitForFunction(
    () => document.readyState === "complete" && window.crm !== undefined,
    null,
    { timeout: 60000 },
  );
  await hostFrame.evaluate(() => window.crm.ready);
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
