/**
 * Field checks by payload type, as docs/spec.md defines them: shared by the
 * envelope checks (envelopes.ts) and the generated payload schemas in
 * triggers.ts.
 */

import { isPlainObject } from "./objects";

/** Checks one value; returns why it is invalid, or `undefined` when it is fine. */
export type FieldCheck = (value: unknown) => string | undefined;

/** A lone surrogate: the host bridge (Rust) cannot hold one, so no end accepts it. */
const LONE_SURROGATE = /\p{Cs}/u;

const E164 = /^\+[1-9][0-9]{1,14}$/;
const ISO_DATETIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?Z$/;

/** Field checks by payload type, as docs/spec.md defines them. */
export const checks = {
  /** A string of at most `maxLength` UTF-16 units, well-formed. */
  string(maxLength: number): FieldCheck {
    return (value) => {
      if (typeof value !== "string") return "expected a string";
      if (value.length > maxLength) return `longer than ${maxLength}`;
      if (LONE_SURROGATE.test(value)) {
        return "not well-formed UTF-16 (a lone surrogate)";
      }
      return undefined;
    };
  },
  /** `+` then 2 to 15 digits, the first not 0. */
  e164(): FieldCheck {
    return (value) =>
      typeof value === "string" && E164.test(value)
        ? undefined
        : "expected an E.164 phone number";
  },
  /** A safe integer. */
  integer(): FieldCheck {
    return (value) =>
      Number.isSafeInteger(value) ? undefined : "expected a safe integer";
  },
  /** A finite number. */
  number(): FieldCheck {
    return (value) =>
      typeof value === "number" && Number.isFinite(value)
        ? undefined
        : "expected a finite number";
  },
  boolean(): FieldCheck {
    return (value) =>
      typeof value === "boolean" ? undefined : "expected a boolean";
  },
  /** ISO 8601 UTC: `YYYY-MM-DDTHH:MM:SS(.sss)?Z`, as `Date#toISOString` writes it. */
  datetime(maxLength: number): FieldCheck {
    return (value) =>
      typeof value === "string" &&
      value.length <= maxLength &&
      ISO_DATETIME.test(value)
        ? undefined
        : "expected an ISO 8601 UTC datetime";
  },
  /** One of the declared values. */
  oneOf(values: readonly string[]): FieldCheck {
    return (value) =>
      typeof value === "string" && values.includes(value)
        ? undefined
        : `expected one of ${values.join(", ")}`;
  },
  /** Exactly this value (envelope constants). */
  literal(expected: string | number | boolean): FieldCheck {
    return (value) =>
      value === expected ? undefined : `expected ${JSON.stringify(expected)}`;
  },
  /** Any plain object; its content is checked by a schema later. */
  plainObject(): FieldCheck {
    return (value) =>
      isPlainObject(value) ? undefined : "expected a plain object";
  },
};
