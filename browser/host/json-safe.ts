// Copies of whatever a page received, for the tests to read through
// playwright's page.evaluate. Message data is a structured clone and can hold
// things JSON cannot (bigint, cycles, Map): those are flattened or replaced by
// a marker rather than making the recording itself throw.

/** A JSON round trip of `value`; `undefined` stays `undefined`. */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
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
