// The loader of the CRM page written in Rust (browser/rust-host): frames
// the case's Flex and hands the Rust page's API to the test
// (browser/tests/rust-api.mjs) as `window.rustHost`.

import init, { RustHost } from "./pkg/flexgen_rust_host.js";

const config = await (await fetch("../config.json")).json();
const frame = document.getElementById("flex");
frame.src = config.flexUrl;
await init();

window.rustHost = {
  frame,
  /** The page's RustHost once `make()` ran. */
  made: null,
  make() {
    this.made = new RustHost(frame);
  },
};
