/**
 * Own keys and plain objects: what every check of a value from the host or
 * from Flex builds on.
 */

import { FORBIDDEN_KEYS } from "./protocol_constants";

// Keys that could reach or shadow prototypes: refused everywhere (flexgen's
// one source of them writes them into protocol_constants).
export { FORBIDDEN_KEYS };

/** An object literal or a structured clone of one: no class instance, no array. */
export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}
