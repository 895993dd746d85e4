// Copies of whatever a page received, for the tests to read through
// playwright's page.evaluate. Message data is a structured clone and can hold
// things JSON cannot (bigint, cycles, Map): those are flattened or replaced by
// a marker rather than making the recording itself throw.
//
// A structured clone also keeps shared references: a message of a few KB can
// hold one 64 K string under 65,536 paths, which a JSON copy would write out
// in full (4 GB). A value is copied only when a walk that counts every path
// (as JSON.stringify would write it) stays within a budget; the walk stops at
// the budget, so its cost never depends on the expansion.

/** Values (object members, array items, scalars) a copy may hold. */
export const COPY_NODES = 20_000;
/** UTF-16 units (strings and keys) a copy may hold. */
export const COPY_UNITS = 1 << 23;

/**
 * Whether a JSON copy of `value` holds at most `nodes` values and `units`
 * UTF-16 units, counting a shared object once per path to it (a cycle never
 * fits). Stops as soon as the budget is spent.
 */
export function fitsBudget(
  value: unknown,
  nodes = COPY_NODES,
  units = COPY_UNITS,
): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    nodes -= 1;
    if (nodes < 0) return false;
    if (typeof v === "string") {
      units -= v.length;
      if (units < 0) return false;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (ArrayBuffer.isView(v) || Array.isArray(v)) {
      const length = (v as { length?: unknown }).length;
      if (typeof length === "number" && length > nodes) return false;
    }
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
      units -= 64;
      if (units < 0) return false;
      continue;
    }
    for (const key of Object.keys(v)) {
      units -= key.length;
      if (units < 0 || stack.length > nodes) return false;
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return true;
}

/** A JSON round trip of `value`; `undefined` stays `undefined`. */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (!fitsBudget(value))
    return `[too large to copy: over ${COPY_NODES} values or ${COPY_UNITS} characters as JSON]`;
  try {
    const text = JSON.stringify(value, (_key, v: unknown) =>
      typeof v === "bigint" ? `${v.toString()}n` : v,
    );
    // A bare function or symbol has no JSON form at all.
    return text === undefined
      ? `[${typeof value}]`
      : (JSON.parse(text) as unknown);
  } catch (e) {
    return `[unserializable: ${e instanceof Error ? e.message : String(e)}]`;
  }
}

/** One line of text for any value: strings as they are, the rest as JSON. */
export function display(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "undefined";
  const safe = jsonSafe(value);
  return typeof safe === "string" ? safe : JSON.stringify(safe);
}
