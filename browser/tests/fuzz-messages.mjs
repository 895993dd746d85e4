// The fuzz test's messages: random structured-clone values and mutated
// envelopes, message `i` of a run a pure function of (rules, seed, i), so the
// page that posts them and the test that checks the outcome in node make the
// same ones.
//
// `fuzzBatch` is handed to playwright's `frame.evaluate`, which sends its
// source text to the page: it must stay self-contained (no imports, no
// module-level helpers, nothing from the surrounding scope).

/**
 * Makes messages `start` .. `start + count - 1` and, with `target` set, posts
 * each from this window to `target` ("parent": window.parent; "flex": the
 * host page's Flex iframe) at `origin`. Returns the messages (node) or a
 * summary (page) with the `clock` the batch was made at.
 *
 * Commands carry a `deadline` (ms since the epoch): `clock` plus a seeded
 * offset. The page reads `clock` from its own `Date.now()` when it is not
 * given and returns it, so that node makes the same messages again with it.
 *
 * `rules` (see `fuzzRules` in fuzz.mjs): { app, v, spec, side, peerSide,
 * prefix, peerPrefix, allowHello, triggers: [{ name, dir, timeout, fields:
 * [{ key, ty, optional, max, values }] }] }.
 */
export function fuzzBatch({
  rules,
  seed,
  start,
  count,
  target,
  origin,
  clock,
}) {
  const at = clock ?? Date.now();
  // ---- a small seeded PRNG (mulberry32), one stream per message ----------
  const mix = (h) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  let state = 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => next() < p;
  const between = (lo, hi) => lo + int(hi - lo + 1);

  // ---- building blocks ----------------------------------------------------
  const MAX_SAFE = Number.MAX_SAFE_INTEGER;
  const FORBIDDEN = ["__proto__", "constructor", "prototype"];
  const ODD = [
    "\u0000",
    "\uD800",
    "\uDFFF",
    "\uDBFF\uDFFF",
    "\uFFFE",
    "\uFFFF",
    "\uFEFF",
    "\u202E",
    "\u200B",
    "\u2028",
    "e\u0301",
    "\u{1F600}",
    "\u{1D54F}",
    "\r\n",
    "\t",
    "<img src=x onerror=alert(1)>",
    "'\"`",
    "${x}",
    "%s%n",
    "\\",
    "../",
    "null",
    "flexgen",
    "hello",
    "__proto__",
  ];
  const ASCII =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:+";

  /** A string of exactly `n` UTF-16 units (a pair may be cut in half). */
  const text = (n) => {
    let s = "";
    while (s.length < n)
      s += chance(0.2) ? pick(ODD) : ASCII[int(ASCII.length)];
    return s.slice(0, n);
  };
  const shortText = () => text(pick([0, 1, 2, 5, 12, 40]));
  const digits = (n) => {
    let s = "";
    for (let k = 0; k < n; k++) s += String(int(10));
    return s;
  };
  const pad = (n, w) => String(n).padStart(w, "0");

  /** Anything structured clone can carry, `depth` levels deep at most. */
  const anyValue = (depth = 3) => {
    const roll = int(depth > 0 ? 32 : 22);
    switch (roll) {
      case 0:
        return undefined;
      case 1:
        return null;
      case 2:
        return chance(0.5);
      case 3:
        return pick([NaN, -0, 0, Infinity, -Infinity, MAX_SAFE, MAX_SAFE + 1]);
      case 4:
        return pick([-MAX_SAFE - 1, 1e21, 1e308, 5e-324, -1, 1.5, 2 ** 31]);
      case 5:
        return (next() - 0.5) * 10 ** int(20);
      case 6:
        return pick([0n, -1n, 2n ** 64n, -(2n ** 200n), BigInt(MAX_SAFE) + 1n]);
      case 7:
        return shortText();
      case 8:
        return pick(ODD);
      case 9:
        // Rare: very long strings (past any max_length and the bridge's
        // 65,536-unit cap).
        return chance(0.1)
          ? "x".repeat(pick([65_536, 65_537, 200_000]))
          : text(between(100, 2000));
      case 10:
        return chance(0.8) ? new Date(int(2 ** 42)) : new Date(NaN);
      case 11:
        return /a+b/giu;
      case 12:
        return new ArrayBuffer(int(64));
      case 13: {
        const kinds = [
          () => new Uint8Array([1, 2, 255]),
          () => new Int32Array(int(16)),
          () => new Float64Array([NaN, -0, Infinity]),
          () => new BigInt64Array([-1n, 2n ** 63n - 1n]),
          () => new Uint8ClampedArray(3),
          () => new DataView(new ArrayBuffer(8)),
        ];
        return pick(kinds)();
      }
      case 14:
        return pick([new Boolean(false), new Number(NaN), new String("boxed")]);
      case 15:
        return pick([new Error("e"), new TypeError("t"), new RangeError("r")]);
      case 16:
        return pick(rules.triggers).name;
      case 17:
        return pick(["hello", "command", "event", "reply", "host", "flex"]);
      case 18:
        return pick([rules.app, rules.spec, "flexgen", idOf(int(1000))]);
      case 19:
        return `${pick([rules.prefix, rules.peerPrefix, "f-0000000000000000", "h-ffffffffffffffff"])}-${int(10)}`;
      case 20:
        return pick(["", " ", "1", "true", "{}", "[]"]);
      case 21:
        return text(between(0, 40));
      case 22:
      case 23: {
        const map = new Map();
        for (let k = int(4); k > 0; k--)
          map.set(anyValue(depth - 1), anyValue(depth - 1));
        return chance(0.5) ? map : new Set([anyValue(0), anyValue(0)]);
      }
      case 24:
      case 25: {
        const list = [];
        for (let k = int(5); k > 0; k--) list.push(anyValue(depth - 1));
        if (chance(0.1)) list[between(10, 5000)] = 1; // sparse
        return list;
      }
      case 26:
        return deep(pick([8, 40, 200, 1000]));
      case 27: {
        // A cycle: structured clone keeps it.
        const o = { a: 1 };
        o.self = o;
        o.list = [o];
        return o;
      }
      case 28:
        // Shared references: small as sent, huge when each path is read.
        return chance(0.5) ? fanOut() : anyObject(depth - 1);
      case 29:
        return chance(0.3) ? deepFanOut() : anyObject(depth - 1);
      default:
        return anyObject(depth - 1);
    }
  };

  /** A plain object with odd keys: forbidden ones as own keys too. */
  const anyObject = (depth) => {
    const o = {};
    for (let k = int(5); k > 0; k--) {
      const key = pick([
        shortText(),
        pick(FORBIDDEN),
        pick(["0", "-1", "", "toString", "hasOwnProperty", "valueOf"]),
        pick(["ns", "v", "app", "id", "kind", "type", "payload", "re", "ok"]),
      ]);
      define(o, key, anyValue(depth));
    }
    if (chance(0.05)) for (let k = 0; k < 300; k++) o[`k${k}`] = k;
    return o;
  };

  /**
   * JSON text of `v`, or of an empty object when JSON cannot say it or it
   * would be long (shared references are written out once per path: the
   * count stops the writing early).
   */
  const json = (v) => {
    let budget = 100_000;
    try {
      return (
        JSON.stringify(v, (_k, x) => {
          budget -= typeof x === "string" ? 1 + x.length : 1;
          if (budget < 0) throw new Error("too long");
          return x;
        }) ?? "null"
      );
    } catch {
      return "{}";
    }
  };

  /** An own, enumerable data property even for `__proto__`. */
  const define = (o, key, value) =>
    Object.defineProperty(o, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });

  /**
   * One object under `n` keys of an object, itself `n` keys pointing at one
   * string (or one array): a few KB as sent (structured clone keeps the
   * sharing), up to 256 x 256 x 64 K units when every path is read.
   */
  const fanOut = () => {
    const leaf = pick([
      () => "x".repeat(pick([1, 1000, 65_536])),
      () => text(between(1, 40)),
      () => [1, 2, 3],
    ])();
    const width = pick([16, 64, 256]);
    return share(width, share(pick([16, 256]), leaf));
  };
  /** Three levels of 256 keys over one 64 K string (~68 KB as sent). */
  const deepFanOut = () =>
    share(256, share(256, share(256, "x".repeat(65_536))));
  /** An object of `n` keys, every one pointing at `child`. */
  const share = (n, child) => {
    const o = {};
    for (let k = 0; k < n; k++) o[`k${k}`] = child;
    return o;
  };

  const deep = (n) => {
    let v = chance(0.5) ? {} : [];
    for (let k = 0; k < n; k++) v = chance(0.5) ? { v } : [v];
    return v;
  };

  // ---- payload values at the edges of each type's rule -------------------
  const validValue = (f) => {
    switch (f.ty) {
      case "e164":
        return `+${between(1, 9)}${digits(between(1, 14))}`;
      case "integer":
        return pick([0, 1, -1, 42, MAX_SAFE, -MAX_SAFE, -0, int(1e9)]);
      case "number":
        return pick([
          0,
          -0,
          1.5,
          -2.25,
          5e-324,
          1.7976931348623157e308,
          next(),
        ]);
      case "boolean":
        return chance(0.5);
      case "datetime": {
        const d = `${pad(int(10000), 4)}-${pad(between(1, 12), 2)}-${pad(between(1, 31), 2)}`;
        const t = `${pad(int(24), 2)}:${pad(int(60), 2)}:${pad(int(60), 2)}`;
        return `${d}T${t}${chance(0.5) ? `.${pad(int(1000), 3)}` : ""}Z`;
      }
      case "enum":
        return pick(f.values);
      default: {
        const max = f.max ?? 1024;
        return text(pick([0, 1, between(0, Math.min(max, 64)), max]));
      }
    }
  };

  const invalidValue = (f) => {
    const generic = [
      null,
      NaN,
      7,
      "",
      true,
      {},
      [],
      [validValue(f)],
      { value: validValue(f) },
      1n,
      new Date(0),
      new Map(),
      new String(String(validValue(f))),
    ];
    let edges;
    switch (f.ty) {
      case "e164":
        edges = [
          "+1",
          "+0123",
          "+1234567890123456",
          `+${between(1, 9)}${digits(14)}0`,
          "15551234567",
          "+1 555 123 4567",
          "+1555123456a",
          "+15551234567\n",
          " +15551234567",
          "\uFF0B15551234567",
          "+\uFF11\uFF15\uFF15",
          "+1555\u0000",
          15551234567,
        ];
        break;
      case "integer":
        edges = [
          MAX_SAFE + 1,
          -MAX_SAFE - 1,
          2 ** 53 + 2,
          1.5,
          -0.5,
          1e21,
          Infinity,
          -Infinity,
          "7",
          7n,
          BigInt(MAX_SAFE) + 1n,
        ];
        break;
      case "number":
        edges = [Infinity, -Infinity, NaN, "1.5", 2n, new Number(1)];
        break;
      case "boolean":
        edges = [0, 1, "true", "false", new Boolean(true)];
        break;
      case "datetime":
        edges = [
          "2026-13-01T00:00:00Z",
          "2026-00-10T00:00:00Z",
          "2026-01-32T00:00:00Z",
          "2026-01-01T24:00:00Z",
          "2026-01-01T00:60:00Z",
          "2026-01-01T00:00:60Z",
          "2026-01-01t00:00:00z",
          "2026-01-01T00:00:00+00:00",
          "2026-01-01T00:00:00.00Z",
          "2026-01-01T00:00:00.000000Z",
          "2026-01-01T00:00:00.000Z\n",
          "2026-01-01 00:00:00Z",
          "+002026-01-01T00:00:00Z",
          "\uFF12026-01-01T00:00:00Z",
          "yesterday",
          Date.now(),
          new Date(),
          "2".repeat((f.max ?? 40) + 1),
        ];
        break;
      case "enum":
        edges = [
          ...f.values.map((v) => v.toUpperCase()),
          ...f.values.map((v) => ` ${v}`),
          ...f.values.map((v) => `${v}\u0000`),
          ...f.values.map((v) => v.slice(0, -1)),
          "NotAValue",
          f.values,
          "__proto__",
          "toString",
        ];
        break;
      default: {
        const max = f.max ?? 1024;
        edges = [
          text(max + 1),
          "x".repeat(max + 1),
          `${"x".repeat(max - 1)}\u{1F600}`,
          42,
          ["a"],
        ];
      }
    }
    return chance(0.7) ? pick(edges) : pick(generic);
  };

  // ---- envelopes ----------------------------------------------------------
  const idBase = 1_000_000_000;
  const idOf = (j) => `${rules.prefix}-${idBase + j}`;
  const triggersOf = (dir) => rules.triggers.filter((t) => t.dir === dir);

  const validPayload = (t) => {
    const p = {};
    for (const f of t.fields) {
      if (!f.optional || chance(0.5)) p[f.key] = validValue(f);
      else if (chance(0.4)) p[f.key] = undefined;
    }
    return p;
  };

  const mutatePayload = (t, p) => {
    // A payload an earlier mutation replaced: start from a valid one again.
    if (
      p === null ||
      typeof p !== "object" ||
      Object.getPrototypeOf(p) !== Object.prototype
    )
      p = validPayload(t);
    const op = int(9);
    const fields = t.fields;
    if (op <= 3 && fields.length > 0) {
      const f = pick(fields);
      p[f.key] = invalidValue(f);
    } else if (op === 4 && fields.some((f) => !f.optional)) {
      delete p[pick(fields.filter((f) => !f.optional)).key];
    } else if (op === 5) {
      define(
        p,
        pick([
          ...FORBIDDEN,
          "extra",
          "toString",
          pick(fields)?.key.toUpperCase() ?? "X",
        ]),
        chance(0.5)
          ? validValue(pick(fields) ?? { ty: "string" })
          : anyValue(1),
      );
    } else if (op === 6 && fields.length > 0) {
      const f = pick(fields);
      if (f.key in p) {
        define(
          p,
          pick([`${f.key} `, f.key.toUpperCase(), `${f.key}_`, "__proto__"]),
          p[f.key],
        );
        delete p[f.key];
      } else p[f.key] = null;
    } else if (op === 7) {
      // The whole payload not a plain object, or prototype tricks.
      const options = [
        () => [p],
        () => new Map(Object.entries(p)),
        () => json(p),
        () => null,
        () => anyValue(2),
        () => JSON.parse(`{"__proto__": ${json(p)}}`),
        () => Object.assign(Object.create({ inherited: 1 }), p),
      ];
      return pick(options)();
    } else if (fields.length > 0) {
      // Optional fields explicitly null; required ones undefined.
      const f = pick(fields);
      p[f.key] = f.optional ? null : undefined;
    }
    return p;
  };

  /** A command's deadline: mostly live (the trigger's time limit ahead). */
  const deadlineFor = (t) => {
    const limit = t.timeout ?? 10_000;
    return at + pick([limit, limit, limit, Math.floor(limit / 2), 1000]);
  };
  /** Deadlines every end must refuse: passed, too far, or no safe integer. */
  const badDeadline = (t) => {
    const limit = t?.timeout ?? 10_000;
    return pick([
      at - 1,
      at - 60_000,
      0,
      -1,
      -0,
      at + limit + 60_000,
      at + 10 * 60_000,
      MAX_SAFE,
      MAX_SAFE + 2,
      at + 0.5,
      NaN,
      Infinity,
      String(at + 1000),
      BigInt(at + 1000),
      new Date(at + 1000),
      new Number(at + 1000),
      null,
      undefined,
      { toString: 1 },
    ]);
  };

  const base = (kind, i) => ({
    ns: "flexgen",
    v: rules.v,
    app: rules.app,
    id: idOf(i),
    kind,
  });

  const message = (kind, i) => {
    const m = base(kind, i);
    if (kind === "hello") {
      m.spec = rules.spec;
      m.role = rules.side === "f" ? "flex" : "host";
      if (chance(0.3)) m.re = `${rules.peerPrefix}-${between(1, 20)}`;
    } else if (kind === "reply") {
      m.re = chance(0.7)
        ? `${rules.peerPrefix}-${between(1, 40)}`
        : idOf(int(i + 1));
      m.ok = chance(0.4);
      if (!m.ok)
        m.error = {
          code: pick([
            "SCHEMA_INVALID",
            "FLEX_ACTION_FAILED",
            "TIMEOUT",
            "NOT_READY",
          ]),
          message: shortText(),
        };
    } else {
      const dir = kind === "command" ? "host_to_flex" : "flex_to_host";
      const t = pick(triggersOf(dir).length ? triggersOf(dir) : rules.triggers);
      m.type = t.name;
      m.payload = validPayload(t);
      if (kind === "command") m.deadline = deadlineFor(t);
      m._t = t;
    }
    return m;
  };

  const mutateEnvelope = (m, i) => {
    const keys = Object.keys(m).filter((k) => k !== "_t");
    const op = int(m._t !== undefined ? 16 : 10);
    switch (op) {
      case 0:
        delete m[pick(keys)];
        break;
      case 1:
        define(
          m,
          pick([
            ...FORBIDDEN,
            "extra",
            "re",
            "type",
            "payload",
            "error",
            "spec",
            "role",
            "ok",
          ]),
          anyValue(1),
        );
        break;
      case 2: {
        const k = pick(keys);
        define(m, pick([k.toUpperCase(), `${k} `, `_${k}`]), m[k]);
        delete m[k];
        break;
      }
      case 3:
        m[pick(keys)] = anyValue(1);
        break;
      case 4:
        m.ns = pick([
          "",
          "FLEXGEN",
          "flexgen ",
          "flexgen\u0000",
          null,
          1,
          ["flexgen"],
        ]);
        break;
      case 5:
        m.app = pick([
          `${rules.app}x`,
          rules.app.toUpperCase(),
          "",
          "a".repeat(65),
          null,
          ` ${rules.app}`,
        ]);
        break;
      case 6:
        m.v = pick([
          0,
          2,
          -1,
          1.5,
          "1",
          NaN,
          Infinity,
          -0,
          1n,
          null,
          2 ** 53,
          true,
          [1],
        ]);
        break;
      case 7:
        m.id = pick([
          "",
          "x".repeat(129),
          "a b",
          "\u00e9t\u00e9",
          "id\u0000",
          42,
          null,
          undefined,
          `f-0000000000000000-${i}`,
          `h-0000000000000000-${i}`,
          `${rules.prefix}-1`,
          `${rules.peerPrefix}-${1 + int(5)}`,
          idOf(Math.max(0, i - 1 - int(50))),
          idOf(Math.max(0, i - 1 - int(50))),
          "x".repeat(128),
          `${rules.prefix}-${idBase + i}-extra`,
          `${rules.prefix.toUpperCase()}-${idBase + i}`,
        ]);
        break;
      case 8:
        m.kind = pick([
          "hello",
          "command",
          "event",
          "reply",
          "HELLO",
          "Command",
          "",
          "ping",
          null,
          0,
        ]);
        break;
      case 9:
        if (m.kind === "reply") {
          const r = int(6);
          if (r === 0)
            m.error = { code: "TIMEOUT", message: "x" }; // with ok
          else if (r === 1) delete m.error;
          else if (r === 2)
            m.error = {
              code: pick([
                "lower",
                "NOPE_NOT_A_CODE",
                "A".repeat(41),
                "",
                "OK-1",
              ]),
              message: "m",
            };
          else if (r === 3)
            m.error = { code: "TIMEOUT", message: "m".repeat(2001) };
          else if (r === 4)
            m.error = { code: "TIMEOUT", message: "m", extra: 1 };
          else m.error = anyValue(1);
          m.ok = r === 0 ? true : r === 1 ? false : m.ok;
        } else if (m.kind === "hello") {
          const r = int(5);
          if (r === 0)
            m.spec = pick([
              "0000000000000000",
              rules.spec.toUpperCase(),
              rules.spec.slice(1),
              `${rules.spec}0`,
            ]);
          else if (r === 1) m.role = pick(["host", "flex", "HOST", "", null]);
          else if (r === 2) m.re = pick(["", "x".repeat(129), 1, null]);
          else if (r === 3) m.v = 2;
          else m.spec = anyValue(0);
        } else {
          m.type = pick([
            ...rules.triggers.map((t) => t.name),
            "Click_To_Dial",
            "unknown_trigger",
            "a".repeat(65),
            "9lives",
            "__proto__",
            "constructor",
            "",
          ]);
        }
        break;
      case 14:
      case 15:
        if (m.kind === "command") {
          if (chance(0.15)) delete m.deadline;
          else m.deadline = badDeadline(m._t);
          break;
        }
        m.payload = mutatePayload(m._t, m.payload);
        break;
      default:
        // The payload: most mutations land here, at the rules' edges.
        m.payload = mutatePayload(m._t, m.payload);
    }
  };

  /** Message `i` of the run. */
  const make = (i) => {
    state = mix(seed ^ mix(i + 1)) | 0;
    const roll = next();
    let m;
    if (roll < 0.15) {
      m = anyValue(3);
    } else if (roll < 0.2) {
      // Envelope-shaped, every value random.
      m = base(pick(["hello", "command", "event", "reply"]), i);
      for (const k of [
        "type",
        "payload",
        "re",
        "ok",
        "spec",
        "role",
        "error",
        "deadline",
      ])
        if (chance(0.4)) define(m, k, anyValue(2));
      for (const k of ["ns", "v", "app", "id", "kind"])
        if (chance(0.25)) define(m, k, anyValue(1));
    } else {
      const mine = rules.side === "f" ? "event" : "command";
      const theirs = rules.side === "f" ? "command" : "event";
      const kind =
        rules.allowHello && chance(0.15)
          ? "hello"
          : pick([mine, mine, mine, mine, mine, "reply", "reply", theirs]);
      m = message(kind, i);
      const mutations = pick([0, 0, 1, 1, 1, 2, 3]);
      for (let k = 0; k < mutations; k++) mutateEnvelope(m, i);
      delete m._t;
      // Wrapped: the envelope inside something else.
      if (chance(0.03))
        m = pick([
          () => [m],
          () => new Map([["m", m]]),
          () => json(m),
          () => ({ data: m }),
        ])();
      // Shared references at the envelope's positions, or a cycle through
      // it: a few KB as sent, gigabytes when every path is read.
      if (
        m !== null &&
        typeof m === "object" &&
        Object.getPrototypeOf(m) === Object.prototype &&
        chance(0.03)
      ) {
        const shared = chance(0.7) ? fanOut() : deepFanOut();
        const where = int(5);
        if (where === 0) m.payload = m;
        else if (where === 1) m.payload = shared;
        else if (where === 2)
          for (let k = 0, n = pick([4, 64, 256]); k < n; k++)
            m[`x${k}`] = shared;
        else if (where === 3) m.re = shared;
        else m.error = share(256, shared);
      }
    }
    // Hellos change state by design (another spec hash means
    // version_mismatch): only runs that allow them send them.
    if (
      !rules.allowHello &&
      m !== null &&
      typeof m === "object" &&
      Object.prototype.hasOwnProperty.call(m, "kind") &&
      m.kind === "hello"
    )
      m.kind = "hello ";
    return m;
  };

  if (target === undefined) {
    const out = [];
    for (let i = start; i < start + count; i++) out.push(make(i));
    return out;
  }
  const to =
    target === "parent" ? window.parent : window.crm.iframe().contentWindow;
  const sent = (window.__fuzzSent ??= new Set());
  const failed = [];
  for (let i = start; i < start + count; i++) {
    const m = make(i);
    try {
      to.postMessage(m, origin);
      const id =
        m !== null && typeof m === "object" && typeof m.id === "string"
          ? m.id
          : undefined;
      if (id !== undefined) sent.add(id);
    } catch (e) {
      failed.push({ i, error: `${e.name}: ${e.message}`.slice(0, 200) });
    }
  }
  return { posted: count - failed.length, failed, clock: at };
}
