// The one function of node's `path` that @twilio/flex-ui calls in a browser.
export function extname(p) {
  const m = /\.[^./]*$/.exec(String(p));
  return m ? m[0] : "";
}
export default { extname };
