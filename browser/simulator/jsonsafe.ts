// Copies values into JSON-safe data for the tests (playwright serialises what
// `frame.evaluate` returns) and for the text-only action log.

export type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [key: string]: Json };

/** Lets the caller substitute an object (an ITask becomes its sid). */
export type Substitute = (value: object) => Json | undefined;

const MAX_DEPTH = 32;

/**
 * `undefined`, functions and symbols disappear from objects (as in JSON) and
 * become null in arrays. What JSON cannot say is described in a "[...]" string
 * rather than lost: NaN, bigints, Maps, class instances, cycles.
 */
export function toJsonSafe(
  value: unknown,
  substitute?: Substitute,
): Json | undefined {
  return copy(value, substitute, new WeakSet<object>(), 0);
}

function copy(
  value: unknown,
  substitute: Substitute | undefined,
  seen: WeakSet<object>,
  depth: number,
): Json | undefined {
  switch (typeof value) {
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "boolean":
    case "string":
      return value;
    case "number":
      return Number.isFinite(value) ? value : `[${String(value)}]`;
    case "bigint":
      return `[bigint ${value.toString()}]`;
  }
  if (value === null || typeof value !== "object") return null;
  const replaced = substitute?.(value);
  if (replaced !== undefined) return replaced;
  if (isDate(value)) {
    return Number.isNaN(value.getTime())
      ? "[Invalid Date]"
      : value.toISOString();
  }
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map(
        (item: unknown) => copy(item, substitute, seen, depth + 1) ?? null,
      );
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return describe(value);
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value)) {
      const item = copy(
        (value as Record<string, unknown>)[key],
        substitute,
        seen,
        depth + 1,
      );
      if (item === undefined) continue;
      // defineProperty: a peer's own "__proto__" key must stay a plain key.
      Object.defineProperty(out, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function isDate(value: object): value is Date {
  // Not instanceof: a Date from another realm is still a Date.
  return Object.prototype.toString.call(value) === "[object Date]";
}

function describe(value: object): string {
  if (value instanceof Error) return `[${value.name}: ${value.message}]`;
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  const name =
    typeof ctor === "function" &&
    typeof ctor.name === "string" &&
    ctor.name !== ""
      ? ctor.name
      : Object.prototype.toString.call(value).slice(8, -1);
  return `[${name}]`;
}

/** The text of a thrown value, for `{ ok: false, message }` results. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (error !== null && typeof error === "object") {
    const message: unknown = (error as { message?: unknown }).message;
    if (typeof message === "string") return message;
  }
  return String(error);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
