/**
 * The typed failures a reply to the host carries (docs/protocol.md, "Error
 * codes"), and the deadline check a command makes before it acts.
 */

import { type ErrorCode, MAX_ERROR_MESSAGE } from "./protocol_constants";

/** A failure that becomes a typed error reply to the host. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

/** Throws `TIMEOUT` once `deadline` has passed: call it right before acting. */
export function beforeDeadline(deadline: number): void {
  if (Date.now() >= deadline) {
    throw new ProtocolError(
      "TIMEOUT",
      "the command's deadline passed before Flex could start it; it did not run",
    );
  }
}

export function versionMismatch(): ProtocolError {
  return new ProtocolError(
    "VERSION_MISMATCH",
    "the two ends were generated from different specs or protocol versions",
  );
}

export function unknownTrigger(type: string): ProtocolError {
  return new ProtocolError(
    "UNKNOWN_TRIGGER",
    `${type} is not a host-to-Flex trigger`,
  );
}

/** For the generated dispatch: a command type no trigger declares. */
export const unknownCommand: (type: string) => ProtocolError = unknownTrigger;

/** Shortens a thrown value to the text of a reply; never throws itself. */
export function errorText(error: unknown): string {
  try {
    const text = error instanceof Error ? error.message : String(error);
    return typeof text === "string"
      ? text.slice(0, MAX_ERROR_MESSAGE)
      : "(no message)";
  } catch {
    // A thrown object whose `toString` is not callable, or throws.
    return "(a value that cannot be shown)";
  }
}
