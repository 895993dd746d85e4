// The functions of node's `util` that @twilio/flex-ui's dependencies import.
export function inherits(ctor, superCtor) {
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  Object.setPrototypeOf(ctor, superCtor);
}
export function deprecate(fn) {
  return fn;
}
export function inspect(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
export default { inherits, deprecate, inspect };
