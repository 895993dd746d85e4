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
  window.addEventListener(
    "message",
    (event) => {
      let data;
      try {
        data = JSON.parse(JSON.stringify(event.data));
      } catch {
        data = "(not JSON)";
      }
      received.push({ origin: event.origin, data });
    },
    true,
  );
})();
