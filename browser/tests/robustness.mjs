// Robustness tests: the protocol in the conditions real embeddings meet.
//
// - the handshake in either order (host first, Flex first, Flex logging in
//   seconds late), with a bounded number of hellos: no polling;
// - version skew: a plugin built from another spec (plugin-skew.js, the same
//   bundle with another spec hash): both sides report it, nothing runs;
// - commands issued before the handshake: queued and delivered in order, or
//   failed with NOT_READY once their trigger's queue time is up (and then
//   never run); the queue's bound;
// - exactly once: one answer per command, a duplicate delivery runs the
//   Flex action once, TIMEOUT when Flex never answers;
// - reloads: the Flex iframe or the host page reloaded mid-session, and the
//   FlexBridge re-created on the same page (an SPA route change).
//
// Each scenario opens its own host page (with the page's knobs: ?bridge=,
// ?login=, ?skew=) in a context of its own, or reuses the page the first
// test opened (host first). Waits are bounded and polled (drive.until), never fixed sleeps but
// for the short quiet windows that prove something did NOT happen.
//
// `app.embedding: host_in_flex` (the CRM page inside Flex, e.g. the
// crm-inside-flex example): the top page is the simulator (its knobs
// ?login=, ?skew= in its own URL), `flex` its main frame and `page` the CRM
// frame the plugin renders (harness/browser.mjs crmFrame, which follows the
// frame as the plugin re-creates it). There the plugin always exists before
// the frame it renders, so only what has a meaning in that order runs: the
// hello bound (the plugin greets the frame once at its load, the frame's
// bridge once when made), commands issued while a re-created FlexBridge is
// connecting (queued, then delivered in order), version skew, exactly once
// and the FlexBridge re-created in the same frame. Not registered there,
// each said why where it is: host first / Flex first / Flex's late login,
// the commands that wait for a late Flex (and the queue's time and bound),
// and the two reloads (crm-frame.mjs reloads the CRM frame and the Flex
// page). Flex is set offline before each dial there, so that it refuses the
// call (FLEX_ACTION_FAILED) instead of placing it: a placed call makes Flex
// select the call's task, and the plugin then frames another CRM page,
// which would take the page under test away mid-test.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  crmFrame,
  frameOf,
  newContext,
  waitForPair,
} from "../harness/browser.mjs";
import * as drive from "./drive.mjs";

/** The host bridge's command queue bound (docs/protocol.md). */
const QUEUE_LIMIT = 64;
/** How long "nothing more happens" is watched for. */
const QUIET_MS = 1500;
/** A counter no real sender reaches in a test: ids made with it are fresh. */
let forgedCounter = 900000;

/** `<prefix>-<16 hex>` of a message id `<prefix>-<16 hex>-<n>`: one instance of a side. */
function instanceOf(id) {
  const m = /^([hf]-[0-9a-f]{16})-\d+$/.exec(id ?? "");
  assert.ok(m, `not a message id of the form <h|f>-<16 hex>-<n>: ${id}`);
  return m[1];
}

/** The hellos a frame posted (the probe's record), in order. */
const hellosOf = (frame) =>
  frame.evaluate(() =>
    window.__flexgenProbe.sent.filter((s) => s.kind === "hello"),
  );

/** What a frame received from its peer, by kind, in order. */
const receivedOf = (frame, kind) =>
  frame.evaluate(
    (k) =>
      window.__flexgenProbe.received
        .map((r) => r.data)
        .filter((d) => d && typeof d === "object" && d.kind === k),
    kind,
  );

/** The host page's lifecycle: iframe loads, bridges made, states, with times. */
const lifecycleOf = (page) => page.evaluate(() => window.crm.lifecycle.slice());

/**
 * The command the suite drives: the first host -> Flex trigger with a
 * required e164 field (a dial), as the host page's call buttons pick it.
 * Numbering that field tells the commands apart in Flex's log.
 */
export function dialCommand(plan) {
  for (const trigger of drive.commands(plan)) {
    const field = trigger.payload.find((f) => f.ty === "e164" && !f.optional);
    const arg = trigger.invoke.args.find(
      (a) =>
        a.value.kind === "payload" && a.value.field.snake === field?.name.snake,
    );
    const others = trigger.payload.filter((f) => f !== field && !f.optional);
    if (field && arg && others.length === 0)
      return { trigger, field: field.name.snake, arg: arg.key };
  }
  return undefined;
}

export function robustnessSuite(config, getBrowser) {
  const { plan } = config;
  // The CRM page inside Flex (see the header): other pages, other tests.
  const hostInFlex = config.embedding === "host_in_flex";
  const dial = dialCommand(plan);
  const [event] = drive.events(plan);
  assert.ok(
    dial && event,
    `case ${config.case}: the robustness suite needs a host -> Flex trigger with one required e164 field and a Flex -> host trigger`,
  );
  const { trigger: command } = dial;
  const action = command.invoke.action;
  const timeoutMs = command.invoke.timeout_ms;
  const queueMs = command.invoke.queue_for_ms;

  /** A payload of the dial command whose number is `+1555` and `n`. */
  const payload = (n) => ({
    [dial.field]: `+1555${String(n).padStart(7, "0")}`,
  });
  const numberOf = (n) => payload(n)[dial.field];

  /** The numbers Flex was asked to dial, in order. */
  const dialled = (flex) => drive.invokedWith(flex, action, dial.arg);

  /**
   * How many actions ran in Flex since the last reset: the bodies that ran,
   * or with the CRM page inside Flex (where Flex is offline and refuses
   * every dial, see the header) the actions invoked.
   */
  const actionRuns = (flex) =>
    flex.evaluate(
      (counted) => window.flexSim[counted].length,
      hostInFlex ? "invocations" : "ran",
    );

  /** What a dial Flex answered settles as: Flex offline refuses it. */
  const answered = hostInFlex
    ? (o) => o.ok === false && o.code === "FLEX_ACTION_FAILED"
    : (o) => o.ok === true;

  /** The settled outcomes of the dials of `number` at the host page. */
  const outcomesFor = (page, number) =>
    page.evaluate(
      ([t, f, n]) =>
        window.crm.results.filter(
          (r) => r.trigger === t && r.payload && r.payload[f] === n,
        ),
      [command.name.snake, dial.field, number],
    );

  /** The first outcome of dial `n` at the host page, waiting for it. */
  const dialOutcome = async (page, n, what, timeout) =>
    (
      await drive.until(
        page,
        ([t, f, number]) => {
          const r = window.crm.results.filter(
            (x) => x.trigger === t && x.payload[f] === number,
          );
          return r.length > 0 && r;
        },
        [command.name.snake, dial.field, numberOf(n)],
        what,
        timeout,
      )
    )[0];

  /** Starts a dial without waiting for it; it lands in crm.results. */
  const startDial = (page, n) =>
    page.evaluate(
      ([t, p]) => void window.crm.run(t, p),
      [command.name.snake, payload(n)],
    );

  /**
   * A command envelope as the host's bridge would send it, for raw posts:
   * its deadline the trigger's time limit from now (this process reads the
   * same system clock as the pages).
   */
  const commandEnvelope = (instance, n) => ({
    ns: "flexgen",
    v: plan.protocol_version,
    app: plan.app.name.original,
    id: `${instance}-${++forgedCounter}`,
    kind: "command",
    type: command.name.snake,
    payload: payload(n),
    deadline: Date.now() + timeoutMs,
  });

  /** The host instance that last said hello (the current FlexBridge). */
  const hostInstance = async (page) => {
    const hellos = await hellosOf(page);
    assert.ok(hellos.length > 0, "the host posted no hello");
    return instanceOf(hellos.at(-1).id);
  };

  /** Replies the host page received to the message `id`. */
  const repliesTo = async (page, id) =>
    (await receivedOf(page, "reply")).filter((r) => r.re === id);

  describe("robustness", () => {
    let ctx;
    // Every console line of the context, with where it came from.
    const consoleLines = [];
    // The host-first page, shared by the tests that need a ready pair.
    let main;

    before(async () => {
      ctx = await newContext(getBrowser());
      ctx.on("page", (p) =>
        p.on("console", (m) =>
          consoleLines.push({
            type: m.type(),
            text: m.text(),
            url: m.location().url ?? "",
          }),
        ),
      );
    });

    after(() => drive.closeClean(ctx));

    /**
     * Opens the host page with `query` (its knobs); `ready`: wait for the
     * handshake, else only for the page to have started (crm.ready) when
     * `started`, or for nothing. With the CRM page inside Flex the top page
     * is the simulator, opened with `query` (its own knobs), and `page` the
     * CRM frame (crmFrame). `top`: the playwright Page.
     */
    const open = async (query, { ready = true, started = true } = {}) => {
      const top = await ctx.newPage();
      let page;
      let flex;
      if (hostInFlex) {
        await top.goto(`${config.flexUrl}${query}`);
        flex = top.mainFrame();
        page = crmFrame(top);
      } else {
        await top.goto(`${config.hostUrl}${query}`);
        page = top;
        flex = await frameOf(page, config.flexUrl);
      }
      if (ready) await waitForPair(page, flex);
      else if (started) {
        await page.waitForFunction(() => window.crm !== undefined);
        await page.evaluate(() => window.crm.ready);
      }
      return { page, flex, top };
    };

    /** Checks a pair's page-level error lists, then closes the top page. */
    const closePair = async ({ page, flex, top }) => {
      const simErrors = await flex.evaluate(() => window.flexSim.errors);
      const crmErrors = await page.evaluate(() => window.crm.errors);
      await top.close();
      assert.deepEqual(simErrors, [], "errors caught by the simulator");
      assert.deepEqual(crmErrors, [], "errors caught by the host page");
    };

    const resetPair = async ({ page, flex }) => {
      await flex.evaluate(() => window.flexSim.reset());
      if (hostInFlex) {
        // A reset clears the selected task: the plugin may frame a new CRM
        // page, which must be ready first. Offline: Flex refuses the dials
        // (see the header).
        await page.settle();
        await flex.evaluate(() => window.flexSim.setOnline(false));
      }
      await page.evaluate(() => {
        window.crm.events.length = 0;
        window.crm.results.length = 0;
      });
    };

    /**
     * The hellos the plugin posted to the page: all of them, or with the CRM
     * page inside Flex (the plugin greets each frame it renders) those since
     * the current CRM document started.
     */
    const pluginHellos = async ({ page, flex }) => {
      const all = await hellosOf(flex);
      if (!hostInFlex) return all;
      const since = await page.evaluate(() => performance.timeOrigin);
      return all.filter((h) => h.at >= since);
    };

    /**
     * The hello bound: the host says hello once when its bridge is made and
     * once per iframe load after that, and answers each plugin hello that is
     * not itself an answer; the plugin says hello at most once and answers
     * at most once. Then nothing more for QUIET_MS: no timer re-sends.
     *
     * The CRM page inside Flex has no iframe (its lifecycle has no "iframe
     * load"): its bridge says hello once; the plugin says hello exactly once
     * to the frame, at the frame's load (lost when the page's bridge is not
     * made yet, then answered by the bridge otherwise), and answers at most
     * once.
     */
    const assertFewHellos = async (pair, label) => {
      const { page } = pair;
      const host = await hellosOf(page);
      const plugin = await pluginHellos(pair);
      const life = await lifecycleOf(page);
      const made = life.findIndex((e) => e.what === "bridge made");
      assert.ok(made >= 0, "no bridge was made");
      const loads = life
        .slice(made)
        .filter((e) => e.what === "iframe load").length;
      const summary = () =>
        `${label}: host hellos ${JSON.stringify(host)}, plugin hellos ${JSON.stringify(plugin)}, ${loads} iframe load(s) after the bridge was made`;
      const hostOwn = host.filter((h) => h.re === undefined).length;
      const hostAnswers = host.length - hostOwn;
      const pluginOwn = plugin.filter((h) => h.re === undefined).length;
      assert.ok(hostOwn >= 1, summary());
      assert.ok(hostOwn <= 1 + loads, `too many host hellos: ${summary()}`);
      assert.ok(
        hostAnswers <= pluginOwn,
        `the host answered more hellos than the plugin sent: ${summary()}`,
      );
      assert.ok(
        plugin.length >= 1 && plugin.length <= 2,
        `the plugin should post 1 or 2 hellos: ${summary()}`,
      );
      if (hostInFlex)
        assert.equal(
          pluginOwn,
          1,
          `the plugin should greet the CRM frame once, at its load: ${summary()}`,
        );
      await drive.sleep(QUIET_MS);
      const laterHost = (await hellosOf(page)).length;
      const laterPlugin = (await pluginHellos(pair)).length;
      assert.equal(
        laterHost,
        host.length,
        `the host kept saying hello once ready (polling): ${summary()}`,
      );
      assert.equal(
        laterPlugin,
        plugin.length,
        `the plugin kept saying hello once ready (polling): ${summary()}`,
      );
      return { host, plugin, life };
    };

    /** When the bridge was made and when it was first ready, from the lifecycle. */
    const timesOf = (life) => ({
      made: life.find((e) => e.what === "bridge made")?.at,
      ready: life.find((e) => e.what === "state ready")?.at,
    });

    /**
     * An event fired in Flex reaches the host page's subscribers, once. With
     * the CRM page inside Flex, Flex goes online first (the suite's event
     * may come from a dial), and firing it may make Flex select a task, so
     * that the plugin frames a new CRM page, which is the one to get it
     * (`page` follows the frame).
     */
    const assertEventArrives = async ({ page, flex }) => {
      if (hostInFlex) await flex.evaluate(() => window.flexSim.setOnline(true));
      await page.evaluate(() => (window.crm.events.length = 0));
      await drive.fire(flex, event);
      await drive.until(
        page,
        (t) => window.crm.events.find((e) => e.type === t),
        event.name.snake,
        `${event.name.snake} at the host`,
      );
      await drive.sleep(300);
      const got = await page.evaluate(
        (t) => window.crm.events.filter((e) => e.type === t).length,
        event.name.snake,
      );
      assert.equal(got, 1, `${event.name.snake} delivered ${got} times`);
    };

    /**
     * A dial from the host page succeeds (Flex refuses it, offline, with
     * the CRM page inside Flex: the command crossed both ways) and runs the
     * action once.
     */
    const assertDialWorks = async (pair, n) => {
      const { page, flex } = pair;
      await resetPair(pair);
      const outcome = await page.evaluate(
        ([t, p]) => window.crm.run(t, p),
        [command.name.snake, payload(n)],
      );
      if (hostInFlex) assert.ok(answered(outcome), JSON.stringify(outcome));
      else assert.deepEqual(outcome, { ok: true }, JSON.stringify(outcome));
      assert.deepEqual(await dialled(flex), [numberOf(n)]);
    };

    describe("handshake in either order, no polling", () => {
      if (hostInFlex)
        it("the CRM frame inside Flex: the plugin greets the frame it renders at its load, the frame's bridge says hello when made; few hellos, then silence", async () => {
          main = await open("");
          const { plugin, life } = await assertFewHellos(main, "CRM frame");
          const { made, ready } = timesOf(life);
          // Made once, in this document: the frame's bridge started once.
          assert.equal(
            life.filter((e) => e.what === "bridge made").length,
            1,
            JSON.stringify(life),
          );
          assert.ok(ready >= made && ready >= plugin[0].at);
        });
      else
        it("host first: the bridge says hello before Flex exists, the plugin's hello completes it; few hellos, then silence", async () => {
          main = await open("");
          const { plugin, life } = await assertFewHellos(main, "host first");
          const { made, ready } = timesOf(life);
          assert.ok(
            made < plugin[0].at,
            `the bridge (${made}) was not made before the plugin's first hello (${plugin[0].at}): not a host-first start`,
          );
          assert.ok(ready >= plugin[0].at);
        });

      // Not with the CRM page inside Flex: the page exists only once the
      // plugin rendered its frame, so the plugin is always first (the test
      // above), and the page's ?bridge= knob cannot be set (the plugin makes
      // the frame's URL from app.crm_url). A slow login (?login=) delays the
      // plugin and the frame it renders alike: no end waits for the other.
      if (!hostInFlex) {
        it("Flex first: the plugin started and said hello before the FlexBridge existed; the bridge's hello completes it", async () => {
          // crm.ready waits for the bridge, which waits for the test.
          const pair = await open("?bridge=manual", {
            ready: false,
            started: false,
          });
          await pair.flex.waitForFunction(() => window.flexSim !== undefined);
          await pair.flex.evaluate(() => window.flexSim.pluginStarted);
          await drive.until(
            pair.flex,
            () => window.__flexgenProbe.sent.some((s) => s.kind === "hello"),
            null,
            "the plugin's hello",
          );
          await pair.page.waitForFunction(() => window.crm !== undefined);
          assert.equal(
            await pair.page.evaluate(() => window.crm.startBridge()),
            true,
            "the page was not waiting for crm.startBridge() (?bridge=manual)",
          );
          await pair.page.evaluate(() => window.crm.whenState("ready", 10000));
          const { plugin, life } = await assertFewHellos(pair, "Flex first");
          assert.ok(
            plugin[0].at < timesOf(life).made,
            "the plugin's hello came after the bridge was made: not a Flex-first start",
          );
          await assertEventArrives(pair);
          await closePair(pair);
        });

        it("Flex logs in 3 s after the host loaded: the bridge waits without re-sending, then is ready", async () => {
          const login = 3000;
          const pair = await open(`?login=${login}`);
          const { life } = await assertFewHellos(pair, `login ${login} ms`);
          const { made, ready } = timesOf(life);
          assert.ok(
            ready - made >= login - 500,
            `ready ${ready - made} ms after the bridge was made: the login delay (${login} ms) did not hold Flex back`,
          );
          await assertDialWorks(pair, 1);
          await closePair(pair);
        });
      }
    });

    describe("version skew", () => {
      let pair;
      before(async () => {
        pair = await open("?skew=1", { ready: false });
        await pair.flex.waitForFunction(() => window.flexSim !== undefined);
        await pair.flex.evaluate(() => window.flexSim.pluginStarted);
        await pair.page.evaluate(() =>
          window.crm.whenState("version_mismatch", 10000),
        );
      });
      after(() => closePair(pair));

      it("both sides report version_mismatch: the host's state, the plugin's console warning naming both spec hashes", async () => {
        const { page } = pair;
        const states = await page.evaluate(() => window.crm.states.slice());
        assert.ok(
          !states.includes("ready"),
          `the host was ready with a plugin of another spec: ${states}`,
        );
        assert.equal(
          await page.evaluate(() => window.crm.bridge.state),
          "version_mismatch",
        );
        const warned = () =>
          consoleLines.filter(
            (l) =>
              l.type === "warning" &&
              l.url.startsWith(config.flexOrigin) &&
              l.text.startsWith("flexgen:") &&
              l.text.includes(plan.spec_hash),
          );
        const end = Date.now() + 5000;
        while (warned().length === 0 && Date.now() < end) await drive.sleep(50);
        assert.ok(
          warned().length > 0,
          `no flexgen warning from the plugin naming the host's spec ${plan.spec_hash}: ${JSON.stringify(consoleLines.filter((l) => l.text.startsWith("flexgen:")))}`,
        );
      });

      it(`a command is refused with VERSION_MISMATCH by the bridge and by the plugin; ${action} never runs`, async () => {
        const { page, flex } = pair;
        const outcome = await page.evaluate(
          ([t, p]) => window.crm.run(t, p),
          [command.name.snake, payload(2)],
        );
        assert.equal(outcome.ok, false);
        assert.equal(outcome.code, "VERSION_MISMATCH", JSON.stringify(outcome));
        // Past the bridge: the plugin refuses it too.
        const raw = commandEnvelope(await hostInstance(page), 3);
        await page.evaluate((m) => window.crm.postRawToFlex(m), raw);
        const [reply] = await drive.until(
          page,
          (id) => {
            const r = window.__flexgenProbe.received
              .map((x) => x.data)
              .filter((d) => d && d.kind === "reply" && d.re === id);
            return r.length > 0 && r;
          },
          raw.id,
          "the plugin's answer to a raw command",
        );
        assert.equal(reply.ok, false);
        assert.equal(reply.error.code, "VERSION_MISMATCH");
        await drive.sleep(300);
        assert.deepEqual(await dialled(flex), [], `${action} was invoked`);
      });

      it(`${event.name.snake} fired in Flex reaches no host subscriber`, async () => {
        const { page, flex } = pair;
        const { sid } = await drive.fire(flex, event);
        await drive.assertFired(flex, event, sid);
        await drive.sleep(700);
        assert.deepEqual(await page.evaluate(() => window.crm.events), []);
        assert.deepEqual(
          await receivedOf(page, "event"),
          [],
          "the plugin sent an event to a host of another spec",
        );
        // Whichever window it might have gone to: with the CRM page inside
        // Flex, firing it may make Flex select a task and the plugin frame
        // a new CRM page, so `page` above may be another document than the
        // one the test began with.
        assert.deepEqual(
          await flex.evaluate(() =>
            window.__flexgenProbe.sent.filter((m) => m.kind === "event"),
          ),
          [],
          "the plugin posted an event",
        );
      });
    });

    // Not with the CRM page inside Flex: the plugin exists before the frame
    // it renders and answers the frame bridge's hello at once, and no knob
    // of the CRM page (whose URL the plugin makes) holds the plugin back, so
    // Flex never logs in after the page and the queue time cannot run out.
    // That embedding has its own test of the queue (the `else` below).
    if (!hostInFlex)
      describe("commands before the handshake", () => {
        it("wait in the queue and are delivered in the order issued once Flex is ready", async () => {
          const pair = await open("?login=2000", { ready: false });
          const { page, flex } = pair;
          const issued = [11, 12, 13];
          const state = await page.evaluate(
            ([t, ps]) => {
              const state = window.crm.bridge.state;
              for (const p of ps) void window.crm.run(t, p);
              return state;
            },
            [command.name.snake, issued.map(payload)],
          );
          assert.equal(state, "connecting", "issued after the handshake");
          await drive.until(
            page,
            (n) => window.crm.results.length >= n,
            issued.length,
            "every queued command to settle",
            10000 + queueMs,
          );
          assert.deepEqual(await dialled(flex), issued.map(numberOf));
          for (const n of issued)
            assert.equal((await outcomesFor(page, numberOf(n))).length, 1);
          await closePair(pair);
        });

        it("a command whose AbortSignal aborts while it waits in the queue is never sent, and its promise rejects with the signal's reason; one aborted before it was issued is refused at once", async () => {
          const pair = await open("?login=2000", { ready: false });
          const { page, flex } = pair;
          const state = await page.evaluate(
            async ([t, ps]) => {
              const state = window.crm.bridge.state;
              window.crm.abort("early");
              void window.crm.run(t, ps[0], "kept");
              void window.crm.run(t, ps[1], "dropped");
              void window.crm.run(t, ps[2]);
              void window.crm.run(t, ps[3], "early");
              // The bridge has them all (queued, or the last refused).
              await new Promise((r) => setTimeout(r, 200));
              window.crm.abort("dropped");
              return state;
            },
            [command.name.snake, [91, 92, 93, 94].map(payload)],
          );
          assert.equal(state, "connecting", "issued after the handshake");
          await drive.until(
            page,
            (n) => window.crm.results.length >= n,
            4,
            "every command to settle",
            10000 + queueMs,
          );
          assert.deepEqual(await dialled(flex), [91, 93].map(numberOf));
          for (const n of [92, 94]) {
            const [outcome] = await outcomesFor(page, numberOf(n));
            assert.equal(outcome.ok, false, JSON.stringify(outcome));
            assert.equal(outcome.name, "AbortError", JSON.stringify(outcome));
          }
          // Each settled once (Flex may refuse the second dial: a live call).
          for (const n of [91, 93])
            assert.equal((await outcomesFor(page, numberOf(n))).length, 1);
          assert.equal(
            (await receivedOf(flex, "command")).length,
            2,
            "an aborted command reached Flex",
          );
          await closePair(pair);
        });

        it("a command aborted after it was sent still runs once; its promise rejects with the signal's reason at once and the outcome goes to the console", async () => {
          await resetPair(main);
          const { page, flex } = main;
          await flex.evaluate(() => window.flexSim.hold(true));
          try {
            await page.evaluate(
              ([t, p]) => void window.crm.run(t, p, "sent"),
              [command.name.snake, payload(95)],
            );
            await drive.until(
              flex,
              ([a]) => window.flexSim.invocations.some((i) => i.name === a),
              [action],
              `${action} invoked (and held)`,
            );
            await page.evaluate(() => window.crm.abort("sent"));
            const outcome = await dialOutcome(
              page,
              95,
              "the aborted command's rejection",
              // At once: long before Flex answers or the time limit.
              Math.min(5000, timeoutMs - 1000),
            );
            assert.equal(outcome.name, "AbortError", JSON.stringify(outcome));
          } finally {
            await flex.evaluate(() => window.flexSim.hold(false));
          }
          const logged = () =>
            consoleLines.filter(
              (l) =>
                l.text.startsWith(
                  `flexgen: ${command.name.snake} was sent before its caller stopped waiting; Flex answered ok`,
                ) && l.url.startsWith(config.hostOrigin),
            );
          const end = Date.now() + 5000;
          while (logged().length === 0 && Date.now() < end)
            await drive.sleep(50);
          assert.equal(logged().length, 1, "Flex's answer was not logged once");
          assert.deepEqual(await dialled(flex), [numberOf(95)]);
          assert.equal(
            await actionRuns(flex),
            1,
            `${action} ran more than once`,
          );
          assert.equal((await outcomesFor(page, numberOf(95))).length, 1);
        });

        describe(`Flex logs in after the queue time (${queueMs} ms)`, () => {
          let pair;
          let issuedAt;
          const login = queueMs + 2500;
          const numbers = Array.from({ length: QUEUE_LIMIT + 1 }, (_, i) =>
            numberOf(100 + i),
          );
          before(async () => {
            pair = await open(`?login=${login}`, { ready: false });
          });
          after(() => closePair(pair));

          it(`the queue holds ${QUEUE_LIMIT} commands: the ${QUEUE_LIMIT + 1}th fails NOT_READY at once`, async () => {
            const { page } = pair;
            const first = await page.evaluate(
              async ([t, f, ns]) => {
                const state = window.crm.bridge.state;
                const at = Date.now();
                for (const n of ns) void window.crm.run(t, { [f]: n });
                // Long enough for a refusal at once, far below the queue time.
                await new Promise((r) => setTimeout(r, 200));
                return { state, at, results: window.crm.results.slice() };
              },
              [command.name.snake, dial.field, numbers],
            );
            issuedAt = first.at;
            assert.equal(
              first.state,
              "connecting",
              "issued after the handshake",
            );
            assert.equal(
              first.results.length,
              1,
              `settled at once: ${JSON.stringify(first.results)}`,
            );
            assert.equal(first.results[0].payload[dial.field], numbers.at(-1));
            assert.equal(first.results[0].code, "NOT_READY");
          });

          it(`the queued commands fail NOT_READY after ${queueMs} ms and never run, not even once Flex is ready`, async () => {
            const { page, flex } = pair;
            assert.ok(issuedAt, "the queue test did not issue the commands");
            // Still waiting shortly before their time is up...
            const now = await page.evaluate(() => Date.now());
            await drive.sleep(Math.max(0, issuedAt + queueMs - 400 - now));
            // Count and clock read in one go: a slow machine may be past the
            // deadline by now, which is no failure; a settled command before
            // it is.
            const early = await page.evaluate(() => ({
              n: window.crm.results.length,
              at: Date.now(),
            }));
            assert.ok(
              early.n === 1 || early.at >= issuedAt + queueMs,
              `queued commands failed ${issuedAt + queueMs - early.at} ms before their time`,
            );
            // ...and failed once it is.
            await drive.until(
              page,
              (n) => window.crm.results.length >= n,
              numbers.length,
              "the queued commands to fail",
              5000,
            );
            const results = await page.evaluate(() =>
              window.crm.results.slice(),
            );
            assert.deepEqual(
              results.map((r) => r.code),
              numbers.map(() => "NOT_READY"),
            );
            assert.equal(
              await page.evaluate(() => window.crm.bridge.state),
              "connecting",
              `Flex was ready before the queue time was up (login ${login} ms): the test proves nothing`,
            );
            await page.evaluate(() => window.crm.whenState("ready", 15000));
            await drive.sleep(700);
            assert.deepEqual(await dialled(flex), [], "a late dial was placed");
            assert.deepEqual(
              await receivedOf(flex, "command"),
              [],
              "an expired command was sent to Flex",
            );
            const again = await page.evaluate(() => window.crm.results.length);
            assert.equal(again, numbers.length, "a command settled twice");
          });
        });
      });
    // With the CRM page inside Flex a command meets a handshake under way
    // when the page re-creates its FlexBridge (an SPA route change) and
    // issues it at once: the plugin is still ready with the old bridge, so a
    // command sent before the new handshake would run; it must wait.
    else
      describe("commands before the handshake", () => {
        it("issued while a re-created FlexBridge is connecting: they wait in its queue and are delivered in the order issued once the plugin answered", async () => {
          await resetPair(main);
          const { page, flex } = main;
          const issued = [11, 12, 13];
          const state = await page.evaluate(
            ([t, ps]) => {
              if (!window.crm.recreateBridge()) return "no bridge";
              const state = window.crm.bridge.state;
              for (const p of ps) void window.crm.run(t, p);
              return state;
            },
            [command.name.snake, issued.map(payload)],
          );
          assert.equal(state, "connecting", "issued after the handshake");
          await drive.until(
            page,
            (n) => window.crm.results.length >= n,
            issued.length,
            "every queued command to settle",
          );
          assert.deepEqual(await dialled(flex), issued.map(numberOf));
          for (const n of issued) {
            const outcomes = await outcomesFor(page, numberOf(n));
            assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
            assert.ok(answered(outcomes[0]), JSON.stringify(outcomes));
          }
          // Posted once the new bridge was ready, not before.
          const { sent, life } = await page.evaluate(() => ({
            sent: window.__flexgenProbe.sent.filter(
              (s) => s.kind === "command",
            ),
            life: window.crm.lifecycle.slice(),
          }));
          const readyAt = life.findLast((e) => e.what === "state ready")?.at;
          const mine = sent.slice(-issued.length);
          assert.equal(mine.length, issued.length, JSON.stringify(sent));
          for (const s of mine)
            assert.ok(
              readyAt !== undefined && s.at >= readyAt,
              `a command was posted before the new bridge was ready: ${JSON.stringify({ sent, life })}`,
            );
        });
      });

    describe("exactly once", () => {
      it("every command is answered once and runs its action once", async () => {
        await resetPair(main);
        const { page, flex } = main;
        const issued = [21, 22, 23];
        const before = (await receivedOf(page, "reply")).length;
        await page.evaluate(
          ([t, ps]) => Promise.all(ps.map((p) => window.crm.run(t, p))),
          [command.name.snake, issued.map(payload)],
        );
        const sent = await page.evaluate(() =>
          window.__flexgenProbe.sent
            .filter((s) => s.kind === "command")
            .map((s) => s.id),
        );
        const mine = sent.slice(-issued.length);
        await drive.sleep(300);
        const replies = (await receivedOf(page, "reply")).slice(before);
        for (const id of mine)
          assert.equal(
            replies.filter((r) => r.re === id).length,
            1,
            `answers to ${id}: ${JSON.stringify(replies)}`,
          );
        for (const n of issued)
          assert.equal((await outcomesFor(page, numberOf(n))).length, 1);
        assert.deepEqual(
          (await dialled(flex)).sort(),
          issued.map(numberOf).sort(),
        );
      });

      it(`the same command envelope delivered twice runs ${action} once and is answered once`, async () => {
        await resetPair(main);
        const { page, flex } = main;
        const raw = commandEnvelope(await hostInstance(page), 31);
        await page.evaluate((m) => {
          window.crm.postRawToFlex(m);
          window.crm.postRawToFlex(m);
        }, raw);
        await drive.until(
          page,
          (id) =>
            window.__flexgenProbe.received.some(
              (r) => r.data && r.data.kind === "reply" && r.data.re === id,
            ),
          raw.id,
          "the plugin's answer",
        );
        await drive.sleep(500);
        const replies = await repliesTo(page, raw.id);
        assert.equal(replies.length, 1, JSON.stringify(replies));
        // With the CRM page inside Flex, Flex (offline) refuses it: the
        // action was invoked, once, and answered.
        assert.ok(
          answered({ ...replies[0], code: replies[0].error?.code }),
          JSON.stringify(replies[0]),
        );
        assert.deepEqual(await dialled(flex), [numberOf(31)]);
        assert.equal(await actionRuns(flex), 1, `${action} ran more than once`);
      });

      it(`a command Flex does not answer fails TIMEOUT after ${timeoutMs} ms, once; the late answer is ignored`, async () => {
        await resetPair(main);
        const { page, flex } = main;
        await flex.evaluate(() => window.flexSim.hold(true));
        try {
          const at = await page.evaluate(() => Date.now());
          await startDial(page, 41);
          await drive.until(
            flex,
            ([a]) => window.flexSim.invocations.some((i) => i.name === a),
            [action],
            `${action} invoked (and held)`,
          );
          const outcome = await dialOutcome(
            page,
            41,
            "the TIMEOUT",
            timeoutMs + 5000,
          );
          const took = (await page.evaluate(() => Date.now())) - at;
          assert.equal(outcome.code, "TIMEOUT", JSON.stringify(outcome));
          assert.ok(
            took >= timeoutMs - 100,
            `TIMEOUT after ${took} ms, before the trigger's ${timeoutMs} ms`,
          );
        } finally {
          await flex.evaluate(() => window.flexSim.hold(false));
        }
        // The held action now finishes and Flex answers, too late.
        const cmd = await page.evaluate(
          () =>
            window.__flexgenProbe.sent
              .filter((s) => s.kind === "command")
              .at(-1).id,
        );
        await drive.until(
          page,
          (id) =>
            window.__flexgenProbe.received.some(
              (r) => r.data && r.data.kind === "reply" && r.data.re === id,
            ),
          cmd,
          "Flex's late answer",
        );
        await drive.sleep(200);
        const outcomes = await outcomesFor(page, numberOf(41));
        assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
        assert.equal(outcomes[0].code, "TIMEOUT");
      });
    });

    describe("reloads", () => {
      // Not with the CRM page inside Flex: there is no Flex iframe, and the
      // host page is the CRM frame, whose reload (and the Flex page's) the
      // CRM frame suite runs (crm-frame.mjs). The FlexBridge re-created in
      // the same document (below) does apply.
      if (!hostInFlex) {
        it(`the Flex iframe reloaded with a command in flight: it settles once with PEER_RELOADED, never runs in the new Flex, and the bridge is ready again by itself`, async () => {
          await resetPair(main);
          const { page, flex } = main;
          await flex.evaluate(() => window.flexSim.hold(true));
          await startDial(page, 51);
          await drive.until(
            flex,
            ([a]) => window.flexSim.invocations.some((i) => i.name === a),
            [action],
            `${action} invoked (and held)`,
          );
          const seen = await page.evaluate(() => window.crm.states.length);
          const at = Date.now();
          await flex.goto(flex.url());
          const outcome = await dialOutcome(
            page,
            51,
            "the in-flight command to settle after the reload",
            // Well below the trigger's timeout: not a TIMEOUT in disguise.
            Math.min(8000, timeoutMs - 1000),
          );
          assert.equal(outcome.code, "PEER_RELOADED", JSON.stringify(outcome));
          assert.ok(Date.now() - at < timeoutMs);
          await waitForPair(page, flex);
          assert.deepEqual(
            await page.evaluate((n) => window.crm.states.slice(n), seen),
            ["connecting", "ready"],
          );
          await drive.sleep(500);
          assert.deepEqual(
            await dialled(flex),
            [],
            "the new Flex ran the command",
          );
          assert.equal((await outcomesFor(page, numberOf(51))).length, 1);
          await assertEventArrives(main);
          await assertDialWorks(main, 52);
        });

        it("the host page reloaded with a command in flight: a new handshake, events arrive, the command ran at most once", async () => {
          await resetPair(main);
          const { page, flex } = main;
          await flex.evaluate(() => window.flexSim.hold(true));
          await startDial(page, 61);
          await drive.until(
            flex,
            ([a]) => window.flexSim.invocations.some((i) => i.name === a),
            [action],
            `${action} invoked (and held)`,
          );
          const ranBefore = await flex.evaluate(
            () => window.flexSim.ran.length,
          );
          const oldHost = await hostInstance(page);
          await page.reload();
          const newFlex = await frameOf(page, config.flexUrl);
          await waitForPair(page, newFlex);
          main = { page, flex: newFlex };
          assert.notEqual(
            await hostInstance(page),
            oldHost,
            "the reloaded page kept its bridge instance",
          );
          await assertEventArrives(main);
          await drive.sleep(300);
          const ranAfter = await dialled(newFlex);
          assert.ok(
            ranBefore + ranAfter.filter((d) => d === numberOf(61)).length <= 1,
            `the dial ran ${ranBefore} time(s) before the reload and again after: ${ranAfter}`,
          );
          await assertDialWorks(main, 62);
        });
      }

      it("the FlexBridge disposed and re-created on the same page, a command in flight: the plugin answers the new bridge; the old command settles once and runs once; commands and events work, nothing twice", async () => {
        await resetPair(main);
        const { page, flex } = main;
        const oldHost = await hostInstance(page);
        const seen = await page.evaluate(() => window.crm.states.length);
        await flex.evaluate(() => window.flexSim.hold(true));
        try {
          await startDial(page, 71);
          await drive.until(
            flex,
            ([a]) => window.flexSim.invocations.some((i) => i.name === a),
            [action],
            `${action} invoked (and held)`,
          );
          assert.equal(
            await page.evaluate(() => window.crm.recreateBridge()),
            true,
          );
          await page.evaluate(() => window.crm.whenState("ready", 10000));
        } finally {
          await flex.evaluate(() => window.flexSim.hold(false));
        }
        const newHost = await hostInstance(page);
        assert.notEqual(newHost, oldHost, "no hello from a new bridge");
        const states = await page.evaluate(
          (n) => window.crm.states.slice(n),
          seen,
        );
        assert.deepEqual(states, ["closed", "connecting", "ready"]);
        // The plugin answered the new instance's hello.
        const newHellos = (await hellosOf(page))
          .filter((h) => h.id.startsWith(`${newHost}-`))
          .map((h) => h.id);
        await drive.until(
          flex,
          (ids) =>
            window.__flexgenProbe.sent.some(
              (s) => s.kind === "hello" && ids.includes(s.re),
            ),
          newHellos,
          "the plugin's answer to the new bridge's hello",
        );
        // The old bridge's command: failed by dispose, once; released, the
        // Flex action runs once, and its late answer settles nothing more.
        const cmd = await page.evaluate(
          () =>
            window.__flexgenProbe.sent
              .filter((s) => s.kind === "command")
              .at(-1).id,
        );
        await drive.until(
          page,
          (id) =>
            window.__flexgenProbe.received.some(
              (r) => r.data && r.data.kind === "reply" && r.data.re === id,
            ),
          cmd,
          "Flex's answer to the old bridge's command",
        );
        await drive.sleep(300);
        const outcomes = await outcomesFor(page, numberOf(71));
        assert.equal(outcomes.length, 1, JSON.stringify(outcomes));
        assert.equal(outcomes[0].code, "TIMEOUT", JSON.stringify(outcomes));
        assert.deepEqual(await dialled(flex), [numberOf(71)]);
        assert.equal(await actionRuns(flex), 1, `${action} ran more than once`);
        // The new bridge: an event reaches the page once (the old bridge's
        // subscribers are gone), a command runs once.
        await assertEventArrives(main);
        await assertDialWorks(main, 72);
      });
    });
  });
}
