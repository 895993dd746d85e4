// The benchmarks of the generated bridge (issue 5), in one headless Chromium
// run: round-trip latency against raw postMessage, throughput each way with
// zero loss, and the size of both runtimes as served. Prints a Markdown
// table and writes it into BENCHMARKS.md between its markers.
//
//   node browser/bench/run.mjs [--n 2000] [--warmup 300] [--messages 20000]
//                              [--out BENCHMARKS.md]
//
// (`bash scripts/bench.sh` first installs what this needs on a fresh
// machine.) Builds the benchmark's own spec (browser/bench/triggers.yaml) and
// the seed spec with the harness (wasm-opt -Oz included), serves them on the
// loopback origins, and drives browser/bench/host.ts (window.bench) and the
// Flex simulator (window.flexSim). Exits non-zero when a measurement could
// not be made: a command failed, an event was lost, a page threw. A missed
// goal is reported in the table, not an error.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

import {
  buildAll,
  bundleScript,
  outDir,
  repoDir,
  wasmOptBin,
} from "../harness/build.mjs";
import { launch, frameOf } from "../harness/browser.mjs";
import { startServers } from "../harness/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The goals of issue 5, item 6. */
export const GOALS = {
  latencyRatio: 1.3,
  messagesPerSecond: 10_000,
  pluginBytes: 4 * 1024,
  bridgeBytes: 30 * 1024,
};

/** The first cell of every row, in order: the smoke test checks them all. */
export const ROWS = [
  "Round trip, raw postMessage ping-pong",
  "Round trip, raw ping + the Flex action + pong",
  "Round trip, bridge command + ack",
  "Throughput host → Flex, raw ping-pong",
  "Throughput host → Flex, bridge commands",
  "Throughput Flex → host, raw events + acks",
  "Throughput Flex → host, bridge events",
  "Plugin runtime, seed spec",
  "Plugin runtime, bench spec",
  "Bridge, seed spec",
  "Bridge, bench spec",
];

const MARK_START = "<!-- bench:start (written by browser/bench/run.mjs) -->";
const MARK_END = "<!-- bench:end -->";

function parseArgs(argv) {
  const opts = {
    n: 2000,
    warmup: 300,
    messages: 20_000,
    out: path.join(repoDir, "BENCHMARKS.md"),
    profile: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    const num = () => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 1)
        throw new Error(`${key} needs a positive integer, got ${value}`);
      i++;
      return n;
    };
    if (key === "--n") opts.n = num();
    else if (key === "--warmup") opts.warmup = num();
    else if (key === "--messages") opts.messages = num();
    else if (key === "--no-profile") opts.profile = false;
    else if (key === "--out") {
      if (value === undefined) throw new Error("--out needs a file");
      opts.out = path.resolve(value);
      i++;
    } else
      throw new Error(
        `unknown argument ${key}: use --n N, --warmup N, --messages N, --out FILE, --no-profile`,
      );
  }
  return opts;
}

// ---- statistics and formatting ----------------------------------------------

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

const int = (n) => Math.round(n).toLocaleString("en-US");
const ms = (n) => `${n.toFixed(3)} ms`;
const pct = (n) => `${(n * 100).toFixed(0)}%`;

/** "met by X" or "missed by X" for a goal where smaller is better. */
function atMost(value, goal, unit) {
  const gap = goal - value;
  return gap >= 0
    ? `met, ${unit(gap)} under`
    : `**missed by ${unit(-gap)}** (${pct(value / goal - 1)} over)`;
}

function atLeast(value, goal, unit) {
  const gap = value - goal;
  return gap >= 0
    ? `met, ${unit(gap)} over`
    : `**missed by ${unit(-gap)}** (${pct(1 - value / goal)} short)`;
}

// ---- sizes --------------------------------------------------------------------

const gz = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;

async function minify(entryContents, resolveDir, format) {
  const result = await esbuild.build({
    stdin: { contents: entryContents, resolveDir, loader: "ts" },
    bundle: true,
    minify: true,
    format,
    target: "es2020",
    write: false,
    logLevel: "error",
    legalComments: "none",
    // Type-only imports of @twilio/flex-ui vanish; anything else would be a bug.
    external: ["@twilio/flex-ui"],
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/**
 * The plugin shim's static runtime as generated (the runtime/ folder, through
 * its index), bundled and minified with every export kept: what any plugin
 * ships at most, whatever it uses.
 */
async function pluginRuntimeSize(caseDir) {
  const dir = path.join(caseDir, "flex-plugin", "src", "flexgen");
  const min = await minify(
    'export * from "./runtime";\n',
    dir,
    "esm",
  );
  return { min: min.length, gz: gz(min) };
}

/** The bridge as served: the .wasm gzipped, its JS glue minified and gzipped. */
async function bridgeSize(pkgDir) {
  const wasm = fs.readFileSync(path.join(pkgDir, "bridge_bg.wasm"));
  const glue = fs.readFileSync(path.join(pkgDir, "bridge.js"));
  const glueMin = await minify(glue.toString("utf8"), pkgDir, "esm");
  return {
    wasm: wasm.length,
    wasmGz: gz(wasm),
    glue: glue.length,
    glueMin: glueMin.length,
    glueMinGz: gz(glueMin),
    total: gz(wasm) + gz(glueMin),
  };
}

// ---- machine ------------------------------------------------------------------

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return "(not found)";
  }
}

function machine(browserVersion, loadBefore) {
  let cpu = os.cpus()[0]?.model ?? "unknown CPU";
  try {
    const line = fs
      .readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) cpu = line.split(":")[1].trim();
  } catch {
    // Not Linux: os.cpus() said it.
  }
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(
      fs.readFileSync("/etc/os-release", "utf8"),
    );
    if (pretty) osName = `${pretty[1]}, kernel ${os.release()}`;
  } catch {
    // Not Linux.
  }
  return {
    cpu: `${cpu}, ${os.cpus().length} cores`,
    os: osName,
    chromium: `Chromium ${browserVersion} (headless)`,
    node: `Node.js ${process.version}`,
    rustc: tryRun("rustc", ["--version"]),
    wasmBindgen: tryRun("wasm-bindgen", ["--version"]),
    wasmOpt: tryRun(wasmOptBin() ?? "wasm-opt", ["--version"]),
    date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    loadBefore,
    loadAfter: os.loadavg(),
  };
}

// ---- the browser part ---------------------------------------------------------

/** A context that never leaves loopback, without the tests' probe. */
async function benchContext(browser) {
  const ctx = await browser.newContext();
  await ctx.route(
    (url) => !/^(127\.0\.0\.1|localhost)$/.test(url.hostname),
    (route) => route.abort(),
  );
  ctx.pageErrors = [];
  ctx.on("page", (page) =>
    page.on("pageerror", (e) =>
      ctx.pageErrors.push(`${page.url()}: ${e.message}`),
    ),
  );
  return ctx;
}

/**
 * The raw baseline's other end, in the Flex frame: answers each raw command
 * from the parent with a reply-shaped object, after the same origin and
 * source checks any receiver must make (a `bench_action` one once the Flex
 * action of the bridge's command ran, through the same Actions Framework);
 * `__benchFlood(n)` posts `n` raw events shaped like the bridge's, without
 * waiting.
 */
function installResponder({ hostOrigin, ns, payload }) {
  window.addEventListener("message", async (ev) => {
    if (ev.origin !== hostOrigin || ev.source !== window.parent) return;
    const data = ev.data;
    if (typeof data !== "object" || data === null || data.ns !== ns) return;
    if (data.kind !== "command") return;
    if (data.type === "bench_action") {
      const done = await window.flexSim.invoke("NavigateToView", {
        viewName: data.payload.view,
      });
      if (!done.ok) throw new Error(done.message);
    }
    window.parent.postMessage(
      {
        ns,
        v: 1,
        app: data.app,
        id: `f-0000000000000000-${data.id}`,
        kind: "reply",
        re: data.id,
        ok: true,
      },
      hostOrigin,
    );
  });
  let sent = 0;
  window.__benchFlood = (n, app) => {
    const start = performance.timeOrigin + performance.now();
    for (let i = 0; i < n; i++) {
      sent += 1;
      window.parent.postMessage(
        {
          ns,
          v: 1,
          app,
          id: `f-0000000000000000-${sent}`,
          kind: "event",
          type: "bench_event",
          payload,
        },
        hostOrigin,
      );
    }
    return start;
  };
}

/** How finely the page's clock steps: the smallest gap between samples. */
function tickOf(samples) {
  const gaps = [...samples]
    .sort((a, b) => a - b)
    .flatMap((v, i, all) => (i > 0 ? [v - all[i - 1]] : []))
    .filter((d) => d > 1e-6);
  return gaps.length ? Math.min(...gaps) : 0;
}

/**
 * Where the CPU time of the pages goes: a sampling profile of each frame
 * while `run` runs, as microseconds per round trip by script (the bridge's
 * .wasm and glue, the plugin, the Flex UI bundle, the simulator, this
 * bench's page) and by browser builtin (postMessage, timers, text decoding,
 * garbage collection). Idle time is left out, and so is what the profiler
 * files as "(program)": it reports it for the out-of-process Flex frame even
 * while that frame's thread is idle (its trace shows no task then).
 */
async function cpuPerTrip(ctx, frames, trips, run) {
  const sessions = [];
  for (const [name, frame] of Object.entries(frames)) {
    const session = await ctx.newCDPSession(frame);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 50 });
    await session.send("Profiler.start");
    sessions.push([name, session]);
  }
  await run();
  const out = {};
  for (const [name, session] of sessions) {
    const { profile } = await session.send("Profiler.stop");
    await session.detach();
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const spent = {};
    profile.samples.forEach((id, i) => {
      const { url, functionName } = byId.get(id).callFrame;
      const file = url.split("/").pop();
      const what = file || functionName || "(native)";
      if (what === "(idle)" || what === "(program)" || what === "(root)")
        return;
      spent[what] = (spent[what] ?? 0) + (profile.timeDeltas[i] ?? 0) / trips;
    });
    out[name] = spent;
  }
  return out;
}

async function measure(config, opts, log) {
  const browser = await launch();
  try {
    const ctx = await benchContext(browser);
    const page = await ctx.newPage();
    // Cross-origin isolated: the page's clock steps by 5 µs, not 100.
    await page.goto(
      `${config.hostOrigin}/${config.case}/bench.html?isolated=1`,
    );
    const flex = await frameOf(page, config.flexUrl);
    await flex.waitForFunction(() => window.flexSim !== undefined, null, {
      timeout: 60000,
    });
    await flex.evaluate(() => window.flexSim.pluginStarted);
    await page.waitForFunction(() => window.bench !== undefined);
    await page.evaluate(() => window.bench.ready);
    if (!(await page.evaluate(() => window.bench.isolated)))
      throw new Error(
        "the bench page is not cross-origin isolated (COOP/COEP from harness/server.mjs)",
      );
    // One task with a screen pop's fields: the events fire on it.
    const sid = await flex.evaluate(() =>
      window.flexSim.ringInbound({ channel: "voice", from: "+15551230001" }),
    );
    const task = await flex.evaluate((id) => window.flexSim.task(id), sid);
    await flex.evaluate(installResponder, {
      hostOrigin: config.hostOrigin,
      ns: "bench-raw",
      // The payload the bridge's events carry, for the raw events.
      payload: {
        caller: "+15551230001",
        task_sid: task.taskSid,
        reservation_sid: sid,
        queue: task.queueName,
      },
    });
    const check = async (what) => {
      const hostErrors = await page.evaluate(() => window.bench.errors);
      const simErrors = await flex.evaluate(() => window.flexSim.errors);
      const all = [...ctx.pageErrors, ...hostErrors, ...simErrors];
      if (all.length)
        throw new Error(`${what}: errors in the pages:\n${all.join("\n")}`);
    };
    const settle = () =>
      page.evaluate(() => new Promise((r) => setTimeout(r, 200)));

    const kinds = ["raw", "action", "bridge"];
    log(`warm-up: ${opts.warmup} round trips each`);
    await page.evaluate(
      ([n, k]) => window.bench.latency(n, k),
      [opts.warmup, kinds],
    );
    log(`latency: ${opts.n} round trips each, taking turns`);
    const latency = await page.evaluate(
      ([n, k]) => window.bench.latency(n, k),
      [opts.n, kinds],
    );
    // The simulator keeps a record of every action it ran.
    await flex.evaluate(() => window.flexSim.ran.splice(0));
    await check("latency");

    let cpu;
    if (opts.profile) {
      const trips = Math.min(opts.n, 1000);
      log(`CPU profile: ${trips} round trips each, raw then bridge`);
      const frames = { host: page, flex };
      cpu = {
        raw: await cpuPerTrip(ctx, frames, trips, () =>
          page.evaluate((n) => window.bench.latency(n, ["raw"]), trips),
        ),
        bridge: await cpuPerTrip(ctx, frames, trips, () =>
          page.evaluate((n) => window.bench.latency(n, ["bridge"]), trips),
        ),
      };
      await flex.evaluate(() => window.flexSim.ran.splice(0));
    }

    log(
      `throughput host → Flex: ${opts.messages} raw pings, then commands, at once`,
    );
    await settle();
    const rawBurst = await page.evaluate(
      (n) => window.bench.rawBurst(n),
      opts.messages,
    );
    await settle();
    const burst = await page.evaluate(
      (n) => window.bench.commandBurst(n),
      opts.messages,
    );
    const ran = await flex.evaluate(
      () =>
        window.flexSim.ran.splice(0).filter((r) => r.name === "NavigateToView")
          .length,
    );
    if (burst.ok !== opts.messages || ran !== opts.messages) {
      const codes = [...new Set(burst.failed)].join(", ");
      throw new Error(
        `throughput host → Flex: ${burst.ok} of ${opts.messages} commands acked ok ` +
          `(failures: ${codes || "none"}), Flex ran ${ran} actions`,
      );
    }
    await check("throughput host → Flex");

    log(
      `throughput Flex → host: ${opts.messages} raw events, then events, at once`,
    );
    const flood = async (kind, fire) => {
      await settle();
      const before = await page.evaluate((k) => window.bench.count(k), kind);
      const arrived = page.evaluate(
        ([k, n]) => window.bench.expect(k, n, 120000),
        [kind, opts.messages],
      );
      // Let the page arm its waiter before the first one can arrive.
      await settle();
      const firedAt = await fire();
      const got = await arrived;
      // Anything late (a duplicate) would show up now.
      await settle();
      const total =
        (await page.evaluate((k) => window.bench.count(k), kind)) - before;
      if (total !== opts.messages) {
        throw new Error(
          `throughput Flex → host: ${total} of ${opts.messages} ${kind} arrived`,
        );
      }
      return { got, ms: got.lastAt - firedAt };
    };
    const rawEvents = await flood("raw", () =>
      flex.evaluate(
        ([n, app]) => window.__benchFlood(n, app),
        [opts.messages, config.plan.app.name.original],
      ),
    );
    const events = await flood("events", () =>
      flex.evaluate(
        ([n, id]) => {
          const start = performance.timeOrigin + performance.now();
          for (let i = 0; i < n; i++) {
            // The real manager event, through the plugin's real listener.
            const r = window.flexSim.emitTask("taskUpdated", id);
            if (!r.ok) throw new Error(r.message);
          }
          return start;
        },
        [opts.messages, sid],
      ),
    );
    const first = events.got.first;
    if (
      typeof first !== "object" ||
      first === null ||
      first.caller !== "+15551230001" ||
      first.reservation_sid !== sid
    ) {
      throw new Error(
        `throughput Flex → host: unexpected payload ${JSON.stringify(first)}`,
      );
    }
    await check("throughput Flex → host");
    return {
      raw: summary(latency.raw),
      action: summary(latency.action),
      bridge: summary(latency.bridge),
      tick: tickOf([...latency.raw, ...latency.bridge]),
      rawCommands: { n: opts.messages, ms: rawBurst.ms },
      commands: { n: opts.messages, ms: burst.ms },
      rawEvents: { n: opts.messages, ms: rawEvents.ms },
      events: { n: opts.messages, ms: events.ms },
      cpu,
      browserVersion: browser.version(),
    };
  } finally {
    await browser.close();
  }
}

// ---- the table ----------------------------------------------------------------

function table(results, sizes, env, opts) {
  const { raw, bridge, action } = results;
  const ratio = bridge.median / raw.median;
  const goalMs = raw.median * GOALS.latencyRatio;
  const rate = ({ n, ms: t }) => (n / t) * 1000;
  const perSec = (n) => `${int(n)} msg/s`;
  const bytes = (n) => `${int(n)} B`;
  const lat = (s) =>
    `median ${ms(s.median)}, p90 ${ms(s.p90)}, p99 ${ms(s.p99)} (N = ${int(s.n)})`;
  const flow = (r, what) =>
    `${perSec(rate(r))}: ${int(r.n)} ${what} in ${ms(r.ms)}`;
  const throughput = (r, what) => [
    `${flow(r, what)}, none lost`,
    `≥ ${perSec(GOALS.messagesPerSecond)}, zero loss`,
    atLeast(rate(r), GOALS.messagesPerSecond, perSec),
  ];
  const rows = [
    [ROWS[0], lat(raw), "baseline", "—"],
    [ROWS[1], lat(action), "baseline", "—"],
    [
      ROWS[2],
      `${lat(bridge)}; **${ratio.toFixed(2)}×** raw, ${(bridge.median / action.median).toFixed(2)}× raw + action`,
      `median ≤ ${GOALS.latencyRatio}× raw (${ms(goalMs)})`,
      atMost(bridge.median, goalMs, ms),
    ],
    [ROWS[3], flow(results.rawCommands, "pings answered"), "baseline", "—"],
    [
      ROWS[4],
      ...throughput(results.commands, "commands issued at once, all acked ok"),
    ],
    [ROWS[5], flow(results.rawEvents, "posted and acked"), "baseline", "—"],
    [
      ROWS[6],
      ...throughput(results.events, "fired at once, each delivered once"),
    ],
    ...["seed", "bench"].map((name, i) => {
      const s = sizes[name].plugin;
      return [
        ROWS[7 + i],
        `**${bytes(s.gz)}** min+gz (${bytes(s.min)} min)`,
        `≤ ${bytes(GOALS.pluginBytes)} min+gz`,
        atMost(s.gz, GOALS.pluginBytes, bytes),
      ];
    }),
    ...["seed", "bench"].map((name, i) => {
      const s = sizes[name].bridge;
      return [
        ROWS[9 + i],
        `**${bytes(s.total)}**: .wasm ${bytes(s.wasmGz)} gz (${bytes(s.wasm)} raw) + glue ${bytes(s.glueMinGz)} min+gz (${bytes(s.glue)} raw, ${bytes(s.glueMin)} min)`,
        `≤ ${bytes(GOALS.bridgeBytes)} (.wasm gz + glue min+gz)`,
        atMost(s.total, GOALS.bridgeBytes, bytes),
      ];
    }),
  ];
  const cell = (s) => String(s).replaceAll("|", "\\|");
  const load = (l) => l.map((x) => x.toFixed(2)).join(", ");
  const lines = [
    `Measured ${env.date} with \`node browser/bench/run.mjs${opts.argsText}\`.`,
    "",
    `- Machine: ${env.cpu}; ${env.os}; load average ${load(env.loadBefore)} before, ${load(env.loadAfter)} after`,
    `- Browser and tools: ${env.chromium}; ${env.node}; ${env.rustc}; ${env.wasmBindgen}; ${env.wasmOpt}`,
    `- Clock: the page is cross-origin isolated, so its \`performance.now()\` steps by ${ms(results.tick)} (100 µs without isolation)`,
    "",
    "| Measure | Result | Goal | Verdict |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
  if (results.cpu) lines.push("", ...cpuTable(results.cpu));
  return lines.join("\n");
}

/** The CPU profile as a table: µs per round trip, by frame and code. */
function cpuTable(cpu) {
  const us = (n) => (n >= 0.05 ? n.toFixed(1) : "—");
  const lines = [
    "CPU time per round trip, sampled (µs; idle time left out):",
    "",
    "| Frame | Code | Raw ping-pong | Bridge command + ack |",
    "|---|---|---:|---:|",
  ];
  for (const frame of ["host", "flex"]) {
    const names = new Set([
      ...Object.keys(cpu.raw[frame]),
      ...Object.keys(cpu.bridge[frame]),
    ]);
    const rows = [...names]
      .map((name) => [
        name,
        cpu.raw[frame][name] ?? 0,
        cpu.bridge[frame][name] ?? 0,
      ])
      .filter(([, r, b]) => r >= 0.5 || b >= 0.5)
      .sort((a, b) => b[2] - a[2] || b[1] - a[1]);
    const total = (i) =>
      Object.values(i === 1 ? cpu.raw[frame] : cpu.bridge[frame]).reduce(
        (a, b) => a + b,
        0,
      );
    const label = frame === "host" ? "CRM page" : "Flex frame";
    for (const [name, r, b] of rows)
      lines.push(`| ${label} | ${name} | ${us(r)} | ${us(b)} |`);
    lines.push(
      `| ${label} | **all** | **${us(total(1))}** | **${us(total(2))}** |`,
    );
  }
  return lines;
}

/** Replaces the text between the markers of `file`, or starts the file. */
function writeInto(file, block) {
  const generated = `${MARK_START}\n${block}\n${MARK_END}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  if (start >= 0 && end > start) {
    text = text.slice(0, start) + generated + text.slice(end + MARK_END.length);
  } else {
    text = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}\n# Benchmarks\n\n${generated}\n`;
  }
  fs.writeFileSync(file, text);
}

// ---- main ---------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const opts = parseArgs(args);
  opts.argsText = args.length ? ` ${args.join(" ")}` : "";
  const log = (m) => console.error(`bench: ${m}`);

  const servers = await startServers(path.join(outDir, "www"));
  try {
    const cases = await buildAll(servers, {
      cases: [
        { name: "bench", spec: path.join(here, "triggers.yaml") },
        { name: "seed", spec: path.join(repoDir, "triggers.yaml") },
      ],
      requireWasmOpt: true,
      log: (m) => log(`build: ${m}`),
    });
    const hostBench = path.join(outDir, "www", "host", "bench");
    await bundleScript(
      path.join(here, "host.ts"),
      path.join(hostBench, "bench.js"),
      // The page's own script stays out of the measured work's way.
      { sourcemap: false, minify: true },
    );
    fs.copyFileSync(
      path.join(here, "host.html"),
      path.join(hostBench, "bench.html"),
    );

    const sizes = {};
    for (const c of cases) {
      sizes[c.case] = {
        plugin: await pluginRuntimeSize(path.join(outDir, "cases", c.case)),
        bridge: await bridgeSize(
          path.join(outDir, "www", "host", c.case, "pkg"),
        ),
      };
    }
    const benchCase = cases.find((c) => c.case === "bench");
    const loadBefore = os.loadavg();
    const results = await measure(benchCase, opts, log);
    const env = machine(results.browserVersion, loadBefore);
    const block = table(results, sizes, env, opts);
    console.log(block);
    writeInto(opts.out, block);
    log(`written into ${path.relative(process.cwd(), opts.out) || opts.out}`);
  } finally {
    await servers.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`bench: ${e.stack ?? e}`);
    process.exit(1);
  });
}
