/**
 * The four messages of the protocol (docs/protocol.md) and their exact
 * schemas: every key declared, every value checked, any other key refused.
 */

import { type FieldCheck, checks } from "./checks";
import { hasOwn } from "./objects";
import { MAX_ERROR_MESSAGE, PROTOCOL_NS } from "./protocol_constants";
import {
  type PayloadSchema,
  type Validated,
  invalid,
  optional,
  required,
  validatePayload,
} from "./schema";

export interface HelloMessage {
  ns: "flexgen";
  v: number;
  app: string;
  id: string;
  kind: "hello";
  spec: string;
  role: "host" | "flex";
  re?: string;
}

export interface EventMessage {
  ns: "flexgen";
  v: number;
  app: string;
  id: string;
  kind: "event";
  type: string;
  payload: Record<string, unknown>;
}

export interface CommandMessage {
  ns: "flexgen";
  v: number;
  app: string;
  id: string;
  kind: "command";
  type: string;
  payload: Record<string, unknown>;
  /** `Date.now()` after which the command must not start (docs/protocol.md). */
  deadline: number;
}

export interface ReplyMessage {
  ns: "flexgen";
  v: number;
  app: string;
  id: string;
  kind: "reply";
  re: string;
  ok: boolean;
  error?: { code: string; message: string };
}

export type Envelope =
  | HelloMessage
  | CommandMessage
  | EventMessage
  | ReplyMessage;

type EnvelopeKey = "ns" | "v" | "app" | "id" | "kind" | "role" | "spec" | "re";

/** The envelope keys read before the envelope is known to be valid. */
export type RawEnvelope = { readonly [K in EnvelopeKey]?: unknown };

const MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const TRIGGER_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SPEC_HASH = /^[0-9a-f]{16}$/;

function matching(pattern: RegExp, what: string): FieldCheck {
  return (value) =>
    typeof value === "string" && pattern.test(value)
      ? undefined
      : `expected ${what}`;
}

/** Checks a message id: 1 to 128 of `A-Z a-z 0-9 _ . : -`. */
export const messageId = matching(MESSAGE_ID, "a message id");

const ERROR_SCHEMA: PayloadSchema = {
  code: required(matching(/^[A-Z_]{1,40}$/, "an error code")),
  message: required(checks.string(MAX_ERROR_MESSAGE)),
};

function common(kind: Envelope["kind"]): PayloadSchema {
  return {
    ns: required(checks.literal(PROTOCOL_NS)),
    v: required(checks.integer()),
    app: required(checks.string(64)),
    id: required(messageId),
    kind: required(checks.literal(kind)),
  };
}

/** Exact envelope schemas by `kind`: any other key is refused. */
const ENVELOPES: Readonly<Record<Envelope["kind"], PayloadSchema>> = {
  hello: {
    ...common("hello"),
    spec: required(matching(SPEC_HASH, "a spec hash")),
    role: required(checks.oneOf(["host", "flex"])),
    re: optional(messageId),
  },
  command: {
    ...common("command"),
    type: required(matching(TRIGGER_NAME, "a trigger name")),
    payload: required(checks.plainObject()),
    deadline: required(checks.integer()),
  },
  event: {
    ...common("event"),
    type: required(matching(TRIGGER_NAME, "a trigger name")),
    payload: required(checks.plainObject()),
  },
  reply: {
    ...common("reply"),
    re: required(messageId),
    ok: required(checks.boolean()),
    error: optional((value) => {
      const checked = validatePayload(ERROR_SCHEMA, value);
      return checked.ok ? undefined : `error.${checked.reason}`;
    }),
  },
};

/** Checks a message from the host against the exact schema of its `kind`. */
export function validateEnvelope(
  data: Record<string, unknown>,
): Validated<Envelope> {
  const kind = (data as RawEnvelope).kind;
  if (typeof kind !== "string" || !hasOwn(ENVELOPES, kind)) {
    return invalid("kind: expected hello, command, event or reply");
  }
  // The payload or error may not be the envelope itself: a cycle.
  if (hasOwn(data, "payload") && data["payload"] === data) {
    return invalid("payload: a shared or cyclic reference");
  }
  if (hasOwn(data, "error") && data["error"] === data) {
    return invalid("error: a shared or cyclic reference");
  }
  const checked = validatePayload<Envelope>(
    ENVELOPES[kind as Envelope["kind"]],
    data,
  );
  if (checked.ok && checked.value.kind === "reply") {
    // `ok: false` needs an error, `ok: true` must not have one.
    if (checked.value.ok === (checked.value.error !== undefined)) {
      return invalid("error: required exactly when ok is false");
    }
  }
  return checked;
}
