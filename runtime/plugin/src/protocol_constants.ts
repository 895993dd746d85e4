/**
 * The wire protocol's constants, plugin side (docs/protocol.md): the version,
 * the namespace, the error codes and the limits, written by flexgen from its
 * one source of them. The runtime's modules read them from here.
 */

/** Protocol version; a peer with another one is reported, not served. */
export const PROTOCOL_VERSION = 2;

/** Namespace of every flexgen message; anything else is not ours. */
export const PROTOCOL_NS = "flexgen";

/** Keys that could reach or shadow prototypes: refused everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** Error codes a reply may carry (docs/protocol.md, "Error codes"). */
export const ERROR_CODES = [
  "SCHEMA_INVALID",
  "UNKNOWN_TRIGGER",
  "FLEX_ACTION_FAILED",
  "TIMEOUT",
  "NOT_READY",
  "VERSION_MISMATCH",
  "PEER_RELOADED",
] as const;

/** One of `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Events waiting for the handshake, at most... */
export const EVENT_QUEUE_LIMIT = 64;

/** ...and for this long at most. */
export const EVENT_QUEUE_MS = 10_000;

/** Ids remembered for duplicate detection. */
export const RECENT_IDS = 512;

/**
 * Longest reason text sent back to the other end (it may quote hostile input).
 */
export const MAX_REASON = 200;

/** Longest error message a reply carries. */
export const MAX_ERROR_MESSAGE = 2000;

/**
 * How far past its trigger's time limit from now a deadline may lie: the clocks
 * of two windows of one browser agree to far better than this, so a deadline
 * later than that was not set by a flexgen host.
 */
export const CLOCK_SLACK_MS = 1000;

/** Commands remembered until their deadline, at most. */
export const LIVE_COMMAND_LIMIT = 65_536;
