/**
 * The flexgen wire protocol, plugin side (docs/protocol.md).
 *
 * Static runtime: the same for every spec, copied verbatim behind the
 * generated header. The spec-specific parts (trigger names, payload schemas,
 * origins, spec hash) come in through `EndpointConfig` from the generated
 * `triggers.ts` and `wiring.ts`.
 *
 * Security rules this file enforces, for every message, the handshake
 * included:
 * - origin: `event.origin` must be one of the spec's `host_origins`, exactly;
 * - source: `event.source` must be `window.parent` (a page of an allowed
 *   origin in another tab or frame cannot talk to us);
 * - shape: exact keys, exact types, bounded lengths, own keys only, no
 *   `__proto__`/`constructor`/`prototype` keys;
 * - budget: only declared keys are read, every string is judged by its
 *   length before anything else, and a payload that is the envelope itself
 *   (a cycle) is refused, so a message costs work bounded by the spec;
 * - time: a command is never started after its `deadline`, and its id is
 *   remembered until then, so it never runs twice;
 * - nothing is ever posted with target origin `"*"`.
 */

// The version, namespace, error codes and limits: generated from flexgen's
// one source of them, which the bridge and docs/PROTOCOL.md share.
import {
  CLOCK_SLACK_MS,
  type ErrorCode,
  EVENT_QUEUE_LIMIT,
  EVENT_QUEUE_MS,
  LIVE_COMMAND_LIMIT,
  MAX_ERROR_MESSAGE,
  MAX_REASON,
  PROTOCOL_NS,
  PROTOCOL_VERSION,
  RECENT_IDS,
} from "./protocol_constants";

export {
  CLOCK_SLACK_MS,
  type ErrorCode,
  EVENT_QUEUE_LIMIT,
  EVENT_QUEUE_MS,
  LIVE_COMMAND_LIMIT,
  PROTOCOL_NS,
  PROTOCOL_VERSION,
};

/** A failure that becomes a typed error reply to the host. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

// ---------------------------------------------------------------------------
// Validators: shared by the envelope checks below and the generated payload
// schemas in triggers.ts.

/** The outcome of a check: the value (re-built from declared keys only) or why not. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Checks one value; returns why it is invalid, or `undefined` when it is fine. */
export type FieldCheck = (value: unknown) => string | undefined;

/** One key of a schema: its check and whether it may be absent. */
export interface FieldRule {
  readonly check: FieldCheck;
  readonly optional: boolean;
}

/** Declared keys of a plain object, each with its rule. */
export type PayloadSchema = Readonly<Record<string, FieldRule>>;

/** Keys that could reach or shadow prototypes: refused everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** A lone surrogate: the host bridge (Rust) cannot hold one, so no end accepts it. */
const LONE_SURROGATE = /\p{Cs}/u;

const E164 = /^\+[1-9][0-9]{1,14}$/;
const ISO_DATETIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?Z$/;

/** A required field. */
export function required(check: FieldCheck): FieldRule {
  return { check, optional: false };
}

/** A field that may be absent (or `undefined`); never `null`. */
export function optional(check: FieldCheck): FieldRule {
  return { check, optional: true };
}

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

function invalid(reason: string): { ok: false; reason: string } {
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

// ---------------------------------------------------------------------------
// Envelopes.

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
type RawEnvelope = { readonly [K in EnvelopeKey]?: unknown };

const MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const TRIGGER_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SPEC_HASH = /^[0-9a-f]{16}$/;

function matching(pattern: RegExp, what: string): FieldCheck {
  return (value) =>
    typeof value === "string" && pattern.test(value)
      ? undefined
      : `expected ${what}`;
}

const messageId = matching(MESSAGE_ID, "a message id");

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

function validateEnvelope(data: Record<string, unknown>): Validated<Envelope> {
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

// ---------------------------------------------------------------------------
// Message ids.

/** Ids `<prefix>-<64 random bits, hex>-<counter>`: unique per sender. */
export class IdSource {
  private readonly base: string;
  private counter = 0;

  constructor(prefix: string) {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
    this.base = `${prefix}-${hex.join("")}`;
  }

  next(): string {
    this.counter += 1;
    return `${this.base}-${this.counter}`;
  }
}

/**
 * The ids of commands whose deadline has not passed: a command is dropped as
 * a duplicate for as long as it could run at all, whatever came in between.
 * Bounded by `limit`: past it, new commands are refused, never forgotten.
 */
export class LiveIds {
  private readonly deadlines = new Map<string, number>();
  /** The size at which expired ids are swept next. */
  private sweepAt = 1024;

  constructor(private readonly limit: number) {}

  has(id: string): boolean {
    return this.deadlines.has(id);
  }

  /** Records `id` until `deadline`; `false` when no room is left. */
  add(id: string, deadline: number, now: number): boolean {
    const { deadlines } = this;
    if (deadlines.size >= this.sweepAt) {
      for (const [seen, until] of deadlines) {
        if (until <= now) deadlines.delete(seen);
      }
      // Amortised: the next sweep comes after as many new ids again.
      this.sweepAt = Math.max(1024, deadlines.size * 2);
    }
    if (deadlines.size >= this.limit) return false;
    deadlines.set(id, deadline);
    return true;
  }
}

/** The last `limit` ids seen: enough to drop a replay, bounded in memory. */
export class RecentIds {
  // A Set iterates in insertion order: its first id is the oldest.
  private readonly set = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Records `id`; returns `false` when it was seen already. */
  add(id: string): boolean {
    const { set } = this;
    if (set.has(id)) return false;
    set.add(id);
    if (set.size > this.limit) set.delete(set.values().next().value as string);
    return true;
  }
}

// ---------------------------------------------------------------------------
// The endpoint.

/** Throws `TIMEOUT` once `deadline` has passed: call it right before acting. */
export function beforeDeadline(deadline: number): void {
  if (Date.now() >= deadline) {
    throw new ProtocolError(
      "TIMEOUT",
      "the command's deadline passed before Flex could start it; it did not run",
    );
  }
}

/** What the generated wiring hands to the endpoint. */
export interface EndpointConfig {
  /** `app.name` of the spec. */
  readonly app: string;
  /** The spec hash both ends were generated from. */
  readonly specHash: string;
  /** Exact origins of the host pages allowed to talk to this plugin. */
  readonly hostOrigins: readonly string[];
  /** Each host -> Flex trigger's time limit (`invoke.timeout_ms`), by name. */
  readonly timeLimits: Readonly<Record<string, number>>;
  /**
   * Runs a host command whose envelope passed every check. Resolves when the
   * Flex action succeeded; rejects with a `ProtocolError` for a typed reply,
   * or with anything else for `FLEX_ACTION_FAILED` with its message. It must
   * call `beforeDeadline(deadline)` right before the Flex action: a hook may
   * take time.
   */
  readonly onCommand: (
    type: string,
    payload: unknown,
    deadline: number,
  ) => Promise<void>;
}

type State = "waiting" | "ready" | "version_mismatch";

/** What the handshake needs from a host hello, whatever its version. */
interface PeerHello {
  readonly id: string;
  readonly v: number;
  readonly spec: string;
  readonly re?: string | undefined;
}

interface QueuedEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
  readonly at: number;
}

/** Shortens a thrown value to the text of a reply; never throws itself. */
function errorText(error: unknown): string {
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

/**
 * The plugin's end of the bridge: handshake, command dispatch, event sending.
 * One per plugin; `start()` it from `init(flex, manager)`.
 */
export class PluginEndpoint {
  private state: State = "waiting";
  /** The host origin learned from a valid hello; the only target we post to. */
  private peerOrigin: string | undefined;
  private readonly ids = new IdSource("f");
  private readonly seen = new RecentIds(RECENT_IDS);
  private readonly commands = new LiveIds(LIVE_COMMAND_LIMIT);
  private readonly queue: QueuedEvent[] = [];
  private readonly config: EndpointConfig;
  private readonly self: Window;

  constructor(config: EndpointConfig, self: Window = window) {
    this.config = config;
    this.self = self;
  }

  /** Listens for the host and says hello; returns a function that stops. */
  start(): () => void {
    if (this.self.parent === this.self) {
      console.info("flexgen: Flex is not embedded in a host page; bridge idle");
      return () => undefined;
    }
    const listener = (event: MessageEvent): void => this.receive(event);
    this.self.addEventListener("message", listener);
    // The host takes the iframe's `load` for a new Flex and drops what it had
    // sent: a hello before our document's `load` would come too early.
    const greet = (): void => {
      if (this.state !== "waiting") return;
      for (const origin of this.helloTargets()) {
        this.post(origin, this.hello(undefined));
      }
    };
    if (this.self.document.readyState === "complete") greet();
    else this.self.addEventListener("load", greet, { once: true });
    return () => {
      this.self.removeEventListener("message", listener);
      this.self.removeEventListener("load", greet);
    };
  }

  /** Sends a Flex -> host event now, or queues it until the handshake. */
  sendEvent(type: string, payload: Record<string, unknown>): void {
    if (this.state === "version_mismatch") {
      console.warn(`flexgen: ${type} not sent: host runs another spec version`);
      return;
    }
    if (this.state === "ready" && this.peerOrigin !== undefined) {
      this.postEvent(this.peerOrigin, type, payload);
      return;
    }
    this.dropExpired(Date.now());
    if (this.queue.length >= EVENT_QUEUE_LIMIT) {
      console.warn(`flexgen: ${type} dropped: no host handshake, queue full`);
      return;
    }
    this.queue.push({ type, payload, at: Date.now() });
  }

  private receive(event: MessageEvent): void {
    try {
      this.handle(event);
    } catch (error) {
      // Never reached by any message the suites send; kept so that no message
      // can ever throw into Flex's window.
      console.error("flexgen: a message could not be handled", error);
    }
  }

  private handle(event: MessageEvent): void {
    // Origin AND source first; a failing message is dropped without an answer
    // (an answer would help a forger probe).
    if (!this.config.hostOrigins.includes(event.origin)) return;
    if (event.source !== this.self.parent) return;
    if (!isPlainObject(event.data)) return;
    const data: Record<string, unknown> = event.data;
    const raw: RawEnvelope = data;
    if (raw.ns !== PROTOCOL_NS || raw.app !== this.config.app) return;

    if (typeof raw.v === "number" && raw.v !== PROTOCOL_VERSION) {
      // Another protocol version may shape its envelopes differently: only
      // what every version shares is read, so the mismatch is reported
      // instead of being taken for a malformed message.
      return this.onOtherVersion(raw, raw.v, event.origin);
    }
    const checked = validateEnvelope(data);
    if (!checked.ok) {
      const id = raw.id;
      // Never answer a reply: two broken peers would ping-pong forever.
      if (
        raw.kind !== "reply" &&
        typeof id === "string" &&
        messageId(id) === undefined &&
        this.seen.add(id)
      ) {
        const err = new ProtocolError("SCHEMA_INVALID", checked.reason);
        this.post(event.origin, this.reply(id, err));
      }
      return;
    }
    const message = checked.value;
    if (this.commands.has(message.id) || !this.seen.add(message.id)) return;
    switch (message.kind) {
      case "hello":
        if (message.role !== "host") return;
        return this.onHello(message, event.origin);
      case "command":
        return void this.onCommand(message, event.origin);
      case "reply":
        return this.onReply(message);
      case "event":
        // Events flow Flex -> host only.
        return this.post(
          event.origin,
          this.reply(message.id, unknownTrigger(message.type)),
        );
    }
  }

  /** A hello or command from a host speaking another protocol version. */
  private onOtherVersion(raw: RawEnvelope, v: number, origin: string): void {
    const id = raw.id;
    if (typeof id !== "string" || messageId(id) !== undefined) return;
    if (!this.seen.add(id)) return;
    if (raw.kind === "hello" && raw.role === "host") {
      const spec = typeof raw.spec === "string" ? raw.spec.slice(0, 64) : "?";
      // Any `re` makes it an answer, which is never answered. Not `String()`:
      // a peer's value may have a `toString` that is no function.
      const re =
        raw.re === undefined
          ? undefined
          : typeof raw.re === "string"
            ? raw.re.slice(0, 128)
            : "?";
      this.onHello({ id, v, spec, re }, origin);
    } else if (raw.kind === "command") {
      this.post(origin, this.reply(id, versionMismatch()));
    }
  }

  private onHello(hello: PeerHello, origin: string): void {
    // A hello from a new host bridge (a reloaded page, a bridge made anew)
    // is answered like the first: the plugin serves whoever said hello last.
    this.peerOrigin = origin;
    const matches =
      hello.v === PROTOCOL_VERSION && hello.spec === this.config.specHash;
    this.state = matches ? "ready" : "version_mismatch";
    // An answer (`re` set) is never answered: that stops the ping-pong.
    if (hello.re === undefined) this.post(origin, this.hello(hello.id));
    if (!matches) {
      console.warn(
        `flexgen: host speaks protocol ${hello.v}, spec ${hello.spec}; ` +
          `this plugin ${PROTOCOL_VERSION}, spec ${this.config.specHash}. ` +
          "Regenerate both ends from the same triggers.yaml.",
      );
      this.queue.length = 0;
      return;
    }
    this.flush();
  }

  private async onCommand(
    message: CommandMessage,
    origin: string,
  ): Promise<void> {
    let outcome: ProtocolError | undefined;
    const now = Date.now();
    if (this.state === "version_mismatch") {
      outcome = versionMismatch();
    } else if (this.state !== "ready" || origin !== this.peerOrigin) {
      outcome = new ProtocolError(
        "NOT_READY",
        "no handshake with this host yet",
      );
    } else if (now >= message.deadline) {
      // Delivered late (a busy or flooded Flex window): the host has settled
      // it as TIMEOUT already, so it must never run.
      outcome = new ProtocolError(
        "TIMEOUT",
        "the command arrived after its deadline; it did not run",
      );
    } else if (!hasOwn(this.config.timeLimits, message.type)) {
      outcome = unknownTrigger(message.type);
    } else if (
      message.deadline >
      now + (this.config.timeLimits[message.type] ?? 0) + CLOCK_SLACK_MS
    ) {
      outcome = new ProtocolError(
        "SCHEMA_INVALID",
        `deadline: later than ${message.type}'s time limit allows`,
      );
    } else if (!this.commands.add(message.id, message.deadline, now)) {
      outcome = new ProtocolError(
        "NOT_READY",
        `more than ${LIVE_COMMAND_LIMIT} commands within their time limits`,
      );
    } else {
      try {
        await this.config.onCommand(
          message.type,
          message.payload,
          message.deadline,
        );
      } catch (error) {
        outcome =
          error instanceof ProtocolError
            ? error
            : new ProtocolError("FLEX_ACTION_FAILED", errorText(error));
      }
    }
    this.post(origin, this.reply(message.id, outcome));
  }

  private onReply(message: ReplyMessage): void {
    if (!message.ok && message.error !== undefined) {
      console.warn(
        `flexgen: host refused ${message.re}: ${message.error.code}: ${message.error.message}`,
      );
    }
  }

  private flush(): void {
    this.dropExpired(Date.now());
    const origin = this.peerOrigin;
    if (origin === undefined) return;
    for (const queued of this.queue.splice(0)) {
      this.postEvent(origin, queued.type, queued.payload);
    }
  }

  private dropExpired(now: number): void {
    let oldest = this.queue[0];
    while (oldest !== undefined && now - oldest.at > EVENT_QUEUE_MS) {
      console.warn(`flexgen: ${oldest.type} dropped: no host handshake`);
      this.queue.shift();
      oldest = this.queue[0];
    }
  }

  private hello(re: string | undefined): HelloMessage {
    const message: HelloMessage = {
      ns: PROTOCOL_NS,
      v: PROTOCOL_VERSION,
      app: this.config.app,
      id: this.ids.next(),
      kind: "hello",
      spec: this.config.specHash,
      role: "flex",
    };
    if (re !== undefined) message.re = re;
    return message;
  }

  private reply(re: string, error: ProtocolError | undefined): ReplyMessage {
    const message: ReplyMessage = {
      ns: PROTOCOL_NS,
      v: PROTOCOL_VERSION,
      app: this.config.app,
      id: this.ids.next(),
      kind: "reply",
      re,
      ok: error === undefined,
    };
    if (error !== undefined) {
      message.error = { code: error.code, message: error.message };
    }
    return message;
  }

  private postEvent(
    origin: string,
    type: string,
    payload: Record<string, unknown>,
  ): void {
    const message: EventMessage = {
      ns: PROTOCOL_NS,
      v: PROTOCOL_VERSION,
      app: this.config.app,
      id: this.ids.next(),
      kind: "event",
      type,
      payload,
    };
    this.post(origin, message);
  }

  /**
   * Where the first hello goes: the parent's origin when the browser says
   * which (`location.ancestorOrigins`, Chromium and WebKit) and it is an
   * allowed host, nothing when it is another page, and otherwise (Firefox,
   * or an origin the browser hides as "null") each allowed origin, of which
   * the browser delivers only the one that matches the parent. Never "*".
   * Posting to origins that are not the parent's only fills the console with
   * target-origin errors.
   */
  private helloTargets(): readonly string[] {
    const ancestors = this.self.location.ancestorOrigins as
      | DOMStringList
      | undefined;
    const parent = ancestors?.item(0) ?? null;
    if (parent === null || parent === "null") return this.config.hostOrigins;
    if (this.config.hostOrigins.includes(parent)) return [parent];
    console.info(
      `flexgen: Flex is embedded by ${parent}, which is not an allowed host origin; bridge idle`,
    );
    return [];
  }

  private post(origin: string, message: Envelope): void {
    // Belt and braces: only ever an exact, configured origin.
    if (!this.config.hostOrigins.includes(origin)) return;
    this.self.parent.postMessage(message, origin);
  }
}

function versionMismatch(): ProtocolError {
  return new ProtocolError(
    "VERSION_MISMATCH",
    "the two ends were generated from different specs or protocol versions",
  );
}

function unknownTrigger(type: string): ProtocolError {
  return new ProtocolError(
    "UNKNOWN_TRIGGER",
    `${type} is not a host-to-Flex trigger`,
  );
}

/** For the generated dispatch: a command type no trigger declares. */
export const unknownCommand: (type: string) => ProtocolError = unknownTrigger;
