/**
 * Payload schemas: the declared keys of a plain object, each with its check,
 * and the validation that rebuilds a value from those keys only.
 */

import type { FieldCheck } from "./checks";
import { FORBIDDEN_KEYS, hasOwn, isPlainObject } from "./objects";
import { MAX_REASON } from "./protocol_constants";

/** The outcome of a check: the value (re-built from declared keys only) or why not. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** One key of a schema: its check and whether it may be absent. */
export interface FieldRule {
  readonly check: FieldCheck;
  readonly optional: boolean;
}

/** Declared keys of a plain object, each with its rule. */
export type PayloadSchema = Readonly<Record<string, FieldRule>>;

/** A required field. */
export function required(check: FieldCheck): FieldRule {
  return { check, optional: false };
}

/** A field that may be absent (or `undefined`); never `null`. */
export function optional(check: FieldCheck): FieldRule {
  return { check, optional: true };
}

/** A refusal, its reason cut to `MAX_REASON`. */
export function invalid(reason: string): { ok: false; reason: string } {
  return { ok: false, reason: reason.slice(0, MAX_REASON) };
}

/**
 * Checks `value` against `schema`: a plain object whose own keys are exactly
 * declared ones, each passing its check. Returns a fresh, frozen object
 * holding only the declared keys, so nothing undeclared travels further and
 * no hook can change a value after it was checked.
 *
 * `T` must be the type generated from the same spec entry as `schema`.
 */
export function validatePayload<T>(
  schema: PayloadSchema,
  value: unknown,
): Validated<T> {
  if (!isPlainObject(value)) return invalid("payload: expected a plain object");
  const keys = Reflect.ownKeys(value);
  // More keys than declared: one of the first `declared + 1` is undeclared,
  // so no more than those are looked at.
  const declared = Object.keys(schema).length;
  const scanned = keys.length > declared ? keys.slice(0, declared + 1) : keys;
  for (const key of scanned) {
    if (typeof key !== "string") return invalid("payload: symbol key");
    if (FORBIDDEN_KEYS.has(key)) return invalid(`${key}: key not allowed`);
    if (!hasOwn(schema, key)) {
      return invalid(`${JSON.stringify(key.slice(0, 64))}: unknown key`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(schema)) {
    const field = hasOwn(value, key) ? value[key] : undefined;
    if (field === undefined) {
      if (!rule.optional) return invalid(`${key}: missing`);
      continue;
    }
    const reason = rule.check(field);
    if (reason !== undefined) return invalid(`${key}: ${reason}`);
    out[key] = field;
  }
  return { ok: true, value: Object.freeze(out) as T };
}
