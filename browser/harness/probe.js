// Instrumentation injected into every frame before any page script runs
// (playwright's addInitScript). It records the target origin of every
// postMessage that a page sends to another window (with the envelope's kind,
// id and re), and every message it receives, without changing what the code
// under test does.
//
// Cross-origin windows cannot be patched (their postMessage is not the one
// on this realm's prototypes), so the probe hands the page a Proxy instead of
// each foreign window it can reach: `window.parent`, `window.opener`,
// `iframe.contentWindow` and `MessageEvent.source` all return the same
// Proxy for the same window, so identity checks (`event.source ===
// window.parent`) behave exactly as without the probe. The Proxy's
// postMessage logs `{ targetOrigin }` and forwards to the real one.
(() => {
  const log = [];
  const received = [];
  Object.defineProperty(window, "__flexgenProbe", {
    value: Object.freeze({ sent: log, received }),
    enumerable: false,
  });
  const proxies = new WeakMap();
  const proxyOf = (w) => {
    if (w === null || w === undefined || w === window) return w;
    let p = proxies.get(w);
    if (p === undefined) {
      p = new Proxy(w, {
        get(target, prop) {
          if (prop === "postMessage") {
            return (message, targetOrigin, transfer) => {
              const origin =
                targetOrigin !== null && typeof targetOrigin === "object"
                  ? targetOrigin.targetOrigin
                  : targetOrigin;
              // kind, id and re (an answer's) of an envelope; read
              // defensively, as the message may be anything.
              let kind;
              let id;
              let re;
              try {
                const envelope = message && typeof message === "object";
                kind = envelope ? String(message.kind) : typeof message;
                id =
                  envelope && message.id !== undefined
                    ? String(message.id)
                    : undefined;
                re =
                  envelope && message.re !== undefined
                    ? String(message.re)
                    : undefined;
              } catch {
                kind = "?";
              }
              log.push({
                targetOrigin: origin === undefined ? "(none)" : String(origin),
                kind,
                id,
                re,
                from: location.origin,
                at: Date.now(),
              });
              return transfer === undefined
                ? target.postMessage(message, targetOrigin)
                : target.postMessage(message, targetOrigin, transfer);
            };
          }
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      proxies.set(w, p);
      proxies.set(p, p);
    }
    return p;
  };
  const wrapGetter = (proto, name) => {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || !desc.get) return;
    Object.defineProperty(proto, name, {
      ...desc,
      get() {
        return proxyOf(desc.get.call(this));
      },
    });
  };
  wrapGetter(HTMLIFrameElement.prototype, "contentWindow");
  wrapGetter(MessageEvent.prototype, "source");
  // `top` is unforgeable; nothing under test posts through it.
  for (const name of ["parent", "opener"]) {
    const real = window[name];
    if (real !== null && real !== window) {
      Object.defineProperty(window, name, {
        get: () => proxyOf(real),
        configurable: true,
      });
    }
  }
  // Whether a JSON copy of `value` stays within a budget of values and
  // UTF-16 units, counting a shared object once per path to it (as
  // JSON.stringify would write it; a cycle never fits). The walk stops at the
  // budget: a message of a few KB whose references fan out to gigabytes costs
  // the probe no more than a small one (the same rule as host/json-safe.ts).
  const NODES = 20000;
  const UNITS = 1 << 23;
  const fits = (value) => {
    let nodes = NODES;
    let units = UNITS;
    const stack = [value];
    while (stack.length > 0) {
      const v = stack.pop();
      if (--nodes < 0) return false;
      if (typeof v === "string") {
        units -= v.length;
        if (units < 0) return false;
        continue;
      }
      if (typeof v !== "object" || v === null) continue;
      if (
        (ArrayBuffer.isView(v) || Array.isArray(v)) &&
        typeof v.length === "number" &&
        v.length > nodes
      )
        return false;
      if (typeof v.toJSON === "function") {
        units -= 64;
        if (units < 0) return false;
        continue;
      }
      for (const key of Object.keys(v)) {
        units -= key.length;
        if (units < 0 || stack.length > nodes) return false;
        stack.push(v[key]);
      }
    }
    return true;
  };
  // For a message over the budget: its envelope's string keys that name it.
  const named = (value) => {
    const out = { "(probe)": "over budget" };
    if (value !== null && typeof value === "object") {
      for (const key of ["ns", "kind", "id", "re", "type"]) {
        try {
          const v = Object.prototype.hasOwnProperty.call(value, key)
            ? value[key]
            : undefined;
          if (typeof v === "string") out[key] = v.slice(0, 200);
        } catch {
          // Nothing to name it by.
        }
      }
    }
    return out;
  };
  window.addEventListener(
    "message",
    (event) => {
      let data;
      try {
        data = fits(event.data)
          ? JSON.parse(JSON.stringify(event.data))
          : named(event.data);
      } catch {
        data = "(not JSON)";
      }
      received.push({ origin: event.origin, data });
    },
    true,
  );
})();
