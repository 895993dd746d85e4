// The little of node's `process` global that bundled dependencies read.
if (typeof window.process === "undefined") {
  window.process = {
    env: { NODE_ENV: "production" },
    browser: true,
    version: "",
    versions: {},
    nextTick: (fn, ...args) => Promise.resolve().then(() => fn(...args)),
  };
}
