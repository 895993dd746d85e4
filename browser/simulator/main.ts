// The Flex simulator: a stand-in for hosted Flex that runs the real Actions
// Framework of @twilio/flex-ui (window.FlexUI) with simulated action bodies,
// a simulated manager (no real token, no network) and simulated tasks, then
// starts the generated plugin through its real `init(flex, manager)`.
//
// Order matters and follows hosted Flex: the manager and the actions exist
// first, then the login (?login=<ms> delays it), and only then plugin.js
// (with ?skew=1, plugin-skew.js: a plugin of another spec).
// index.html runs this bundle before flex-ui.js (both deferred, so in order):
// the storage shim and window.flexSim must exist before Flex's bundle runs;
// start() waits for DOMContentLoaded, which comes after both.

import { installActions } from "./actions";
import { mountCanvas } from "./canvas";
import { mountCrmContainer } from "./crm";
import { type FlexSim, type SimConfig, makeApi } from "./api";
import {
  FLEX_GLOBAL_DEPENDENCIES,
  type FlexModule,
  type PluginClass,
  type Statics,
} from "./flex";
import { errorMessage, isRecord } from "./jsonsafe";
import { type Panel, mountPanel } from "./panel";
import { Simulator, describeError } from "./sim";
import { shimBlockedStorage } from "./storage";
import { eventTriggers } from "./triggers";
import type { SimTask } from "./tasks";

const sim = new Simulator();
let config: SimConfig | undefined;

const shimmed = shimBlockedStorage();
if (shimmed.length > 0)
  sim.log(`storage blocked in this frame: in-memory ${shimmed.join(" and ")}`);

// Every message this window gets goes into the panel's log, before the
// plugin listens. (The tests read the probe's record, harness/probe.js.)
window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const fromParent = window.parent !== window && event.source === window.parent;
  const data = event.data;
  const what = isRecord(data)
    ? [data.kind, data.type].filter((v) => typeof v === "string").join(" ")
    : typeof data;
  sim.log(
    `message from ${event.origin}${fromParent ? " (parent)" : ""}: ${what}`,
  );
});
window.addEventListener("error", (event) => {
  sim.error(`uncaught: ${event.message}`);
});
window.addEventListener("unhandledrejection", (event) => {
  sim.error(`unhandled rejection: ${errorMessage(event.reason)}`);
});

/** A promise with its settle functions, for ready/pluginStarted. */
function deferred(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
} {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A test that never awaits it must not get an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const ready = deferred();
const pluginStarted = deferred();

/** Sets a static on a Flex class and checks that it took. */
function patch(
  target: Statics | undefined,
  name: string,
  value: unknown,
  required: boolean,
): void {
  if (target === undefined || (!required && typeof target[name] !== "function"))
    return;
  target[name] = value;
  if (target[name] !== value) sim.error(`could not patch ${name}`);
}

function patchFlex(flex: FlexModule): void {
  const { manager } = sim;
  // FlexUI.Manager is the package's ManagerForOutside, what plugins see; the
  // internal base class is left alone (its code paths expect a real session).
  patch(flex.Manager, "getInstance", () => manager, true);
  if ((flex.Manager.getInstance as () => unknown)() !== manager)
    sim.error("Manager.getInstance does not return the simulated manager");
  try {
    Object.defineProperty(flex.Manager, "events", {
      get: () => manager.events,
      configurable: true,
    });
  } catch (error) {
    sim.error(`could not patch Manager.events: ${describeError(error)}`);
  }
  // The real payload functions of task actions resolve `sid` through this,
  // so listeners and bodies get `task` exactly as in Flex.
  patch(
    flex.TaskHelper,
    "getTaskByTaskSid",
    (reservationSid: string): SimTask | undefined => sim.task(reservationSid),
    true,
  );
  patch(
    flex.TaskHelper,
    "getTaskFromConversationSid",
    (sid: string) => sim.byConversation(sid),
    false,
  );
  patch(
    flex.TaskHelper,
    "getTaskFromChannelSid",
    (sid: string) => sim.byConversation(sid),
    false,
  );
  patch(
    flex.TaskHelper,
    "getTaskbyChannelSid",
    (sid: string) => sim.byConversation(sid),
    false,
  );
  patch(
    flex.TaskHelper,
    "getTaskByTaskrouterTaskSid",
    (sid: string) => sim.byTaskSid(sid),
    false,
  );
  patch(
    flex.StateHelper,
    "getTaskByTaskrouterTaskSid",
    (sid: string) => sim.byTaskSid(sid),
    false,
  );
  patch(flex.StateHelper, "hasPendingCall", () => sim.hasPendingCall(), false);
}

/**
 * What hosted Flex sets up for plugins before it loads them, as
 * @twilio/flex-ui 2.17.1 does in Manager.create (bundle/twilio-flex.prod.js):
 * `setTwilioInWindow` makes window.Twilio.Flex the Flex module itself, and
 * `setGlobalDependencies` makes window.React, window.ReactDOM, window.Redux
 * and window.ReactRedux Flex's own copies (the package's src/FlexGlobal.d.ts
 * declares all five). A bundle of the real plugin builder needs them: its
 * webpack externals turn `react`, `react-dom`, `redux` and `react-redux`
 * into those four globals (@twilio/flex-plugin-webpack 7.1.2,
 * dist/webpack/webpack.config.js, EXTERNALS), and its `@twilio/flex-ui` is a
 * shim whose value is window.Twilio.Flex (@twilio/flex-plugin-scripts 7.1.2,
 * dev_assets/flex-shim.js), so a plugin that imports a value from Flex gets
 * this very module, patched as above.
 */
function installPluginGlobals(flex: FlexModule): boolean {
  const deps = window.FlexUIDependencies;
  if (deps === undefined) return false;
  for (const name of FLEX_GLOBAL_DEPENDENCIES) window[name] = deps[name];
  window.Twilio = { Flex: flex };
  return true;
}

/** What @twilio/flex-plugin's loadPlugin calls: hosted Flex's plugin loader. */
let pluginInitCalled = false;

/**
 * Replaces `init` of Flex's own plugin manager (Twilio.Flex.Plugins, which
 * @twilio/flex-plugin 7.1.2's loadPlugin calls, dist/lib/flex-plugin.js).
 * The real one finds its plugin by the `uuid` attribute of the script tag
 * that hosted Flex's plugin service added, and waits for the plugin phases
 * (PluginManager.init in bundle/twilio-flex.prod.js); the simulator loads
 * its one plugin itself and does what that ends in: a new plugin, then
 * `init(flex, manager)` with the Flex module.
 */
function installPluginLoader(flex: FlexModule): void {
  patch(
    flex.Plugins,
    "init",
    (Plugin: PluginClass) => {
      if (pluginInitCalled) {
        sim.error(
          "Twilio.Flex.Plugins.init called twice; the second plugin is ignored",
        );
        return;
      }
      pluginInitCalled = true;
      try {
        const plugin = new Plugin();
        // The plugin gets the real Flex module as `flex`.
        const done = plugin.init(flex, sim.manager);
        Promise.resolve(done).then(
          () => {
            sim.log("plugin started");
            pluginStarted.resolve();
          },
          (error: unknown) => pluginFailed(error),
        );
      } catch (error) {
        pluginFailed(error);
      }
    },
    true,
  );
}

function pluginFailed(error: unknown): void {
  const message = `plugin init failed: ${describeError(error)}`;
  sim.error(message);
  pluginStarted.reject(new Error(message));
}

/**
 * `?skew=1`: the plugin built from another spec (harness/build.mjs writes
 * plugin-skew.js, the same bundle with another spec hash), as when Flex runs
 * an older release of the plugin than the CRM's bridge expects.
 */
function pluginFile(): string {
  const skew = new URLSearchParams(window.location.search).get("skew");
  return skew === "1" ? "./plugin-skew.js" : "./plugin.js";
}

function loadPlugin(): void {
  const script = document.createElement("script");
  const file = pluginFile();
  script.src = file;
  script.addEventListener("load", () => {
    // loadPlugin runs as the bundle runs: by now init was called or never will be.
    if (!pluginInitCalled)
      pluginFailed(new Error(`${file} never called Twilio.Flex.Plugins.init`));
  });
  script.addEventListener("error", () =>
    pluginFailed(new Error(`${file} did not load`)),
  );
  document.body.append(script);
}

async function loadConfig(): Promise<SimConfig> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw: unknown = await response.json();
  const strings = [
    "case",
    "hostOrigin",
    "flexOrigin",
    "hostUrl",
    "flexUrl",
  ] as const;
  if (
    !isRecord(raw) ||
    strings.some((k) => typeof raw[k] !== "string") ||
    (raw["attackerOrigin"] !== null &&
      typeof raw["attackerOrigin"] !== "string")
  )
    throw new Error("config.json: unexpected shape");
  return raw as unknown as SimConfig;
}

/**
 * `?panel=0` runs Flex without the control panel: the benchmark's page
 * (browser/bench) would otherwise time the panel redrawing its log and task
 * list after every message, which is the simulator's work, not Flex's.
 */
function withPanel(): boolean {
  return new URLSearchParams(window.location.search).get("panel") !== "0";
}

/** The panel's status line alone, for `?panel=0`. */
function headless(root: HTMLElement): Panel {
  const line = document.createElement("p");
  line.className = "status";
  root.replaceChildren(line);
  return {
    status(text) {
      line.textContent = text;
    },
    showTriggers() {},
  };
}

function loginDelayMs(): number {
  const raw = new URLSearchParams(window.location.search).get("login");
  const ms = raw === null ? 0 : Number(raw);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

// Defined before Flex loads, so tests can wait on flexSim.ready at once.
let flexModule: FlexModule | undefined;
const api: FlexSim = makeApi({
  flex: () => flexModule,
  sim,
  ready: ready.promise,
  pluginStarted: pluginStarted.promise,
  config: () => config,
});
window.flexSim = api;

async function start(): Promise<void> {
  const flex = window.FlexUI;
  const root = document.getElementById("app") ?? document.body;
  const panel = withPanel()
    ? mountPanel(root, sim, api, caseFromPath())
    : headless(root);
  const fatal = (message: string): void => {
    sim.error(message);
    panel.status(message, "error");
    ready.reject(new Error(message));
    pluginStarted.reject(new Error(message));
  };
  if (
    flex === undefined ||
    typeof flex.Actions?.invokeAction !== "function" ||
    typeof flex.Plugins?.init !== "function"
  ) {
    fatal("window.FlexUI is missing: /_shared/flex-ui.js did not load");
    return;
  }
  patchFlex(flex);
  installActions(flex, sim);
  flexModule = flex;
  installPluginLoader(flex);
  if (!installPluginGlobals(flex)) {
    fatal("window.FlexUIDependencies is missing: /_shared/flex-ui.js is stale");
    return;
  }
  try {
    config = await loadConfig();
  } catch (error) {
    fatal(`cannot start: ${errorMessage(error)}`);
    return;
  }
  panel.showTriggers(eventTriggers(config.plan));
  ready.resolve();
  // Hosted Flex logs in after its page has loaded (the login takes network
  // round trips), so plugins start after the iframe's `load` event.
  if (document.readyState !== "complete") {
    await new Promise((resolve) =>
      window.addEventListener("load", resolve, { once: true }),
    );
  }
  const delay = loginDelayMs();
  panel.status(delay > 0 ? `logging in (${delay} ms)` : "logging in");
  await new Promise((resolve) => setTimeout(resolve, delay));
  sim.log(`logged in as ${sim.manager.user.identity}`);
  panel.status("logged in; loading plugin");
  loadPlugin();
  pluginStarted.promise.then(
    () =>
      panel.status(`plugin started · host ${config?.hostOrigin ?? "?"}`, "ok"),
    (error: unknown) => panel.status(errorMessage(error), "error"),
  );
  // Hosted Flex renders its agent desktop, the CRM container among it, once
  // its plugins' init ran (see crm.ts).
  await pluginStarted.promise.catch(() => undefined);
  mountCrmContainer(root, flex, sim);
  // The task canvas with the tabs plugins added (see canvas.ts).
  mountCanvas(root, flex, sim);
}

function caseFromPath(): string {
  return window.location.pathname.split("/").filter((s) => s !== "")[0] ?? "?";
}

// A deferred script runs while readyState is already "interactive", before
// the deferred flex-ui.js: wait for DOMContentLoaded (or load, whichever
// comes first, should this bundle ever be loaded late).
let started = false;
const startOnce = (): void => {
  if (started) return;
  started = true;
  void start();
};
if (document.readyState === "complete") {
  startOnce();
} else {
  document.addEventListener("DOMContentLoaded", startOnce, { once: true });
  window.addEventListener("load", startOnce, { once: true });
}
