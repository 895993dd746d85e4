/**
 * The plugin's end of the bridge (docs/protocol.md): handshake, command
 * dispatch, event sending. The spec-specific parts (trigger names, origins,
 * spec hash) come in through `EndpointConfig` from the generated `wiring.ts`.
 *
 * Security rules this file enforces, for every message, the handshake
 * included:
 * - origin: `event.origin` must be one of the spec's `host_origins`, exactly;
 * - source: `event.source` must be the peer window, exactly: `window.parent`
 *   when the CRM page frames Flex, the frame the plugin rendered when Flex
 *   frames the CRM page (peer.ts; a page of an allowed origin in another
 *   tab, frame or popup cannot talk to us);
 * - shape: exact keys, exact types, bounded lengths, own keys only, no
 *   `__proto__`/`constructor`/`prototype` keys (envelopes.ts);
 * - budget: only declared keys are read, every string is judged by its
 *   length before anything else, and a payload that is the envelope itself
 *   (a cycle) is refused, so a message costs work bounded by the spec;
 * - time: a command is never started after its `deadline`, and its id is
 *   remembered until then, so it never runs twice;
 * - nothing is ever posted with target origin `"*"`.
 */

import {
  type CommandMessage,
  type Envelope,
  type EventMessage,
  type HelloMessage,
  type RawEnvelope,
  type ReplyMessage,
  messageId,
  validateEnvelope,
} from "./envelopes";
import {
  ProtocolError,
  errorText,
  unknownTrigger,
  versionMismatch,
} from "./errors";
import { IdSource, LiveIds, RecentIds } from "./ids";
import { hasOwn, isPlainObject } from "./objects";
import { ParentPeer, type Peer } from "./peer";
import {
  CLOCK_SLACK_MS,
  EVENT_QUEUE_LIMIT,
  EVENT_QUEUE_MS,
  LIVE_COMMAND_LIMIT,
  PROTOCOL_NS,
  PROTOCOL_VERSION,
  RECENT_IDS,
} from "./protocol_constants";

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
  /**
   * The window to talk to; `window.parent` (Flex framed by the CRM page)
   * when absent.
   */
  readonly peer?: Peer;
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
  private readonly peer: Peer;

  constructor(config: EndpointConfig, self: Window = window) {
    this.config = config;
    this.self = self;
    this.peer = config.peer ?? new ParentPeer(self, config.hostOrigins);
  }

  /** Listens for the host and says hello; returns a function that stops. */
  start(): () => void {
    const listener = (event: MessageEvent): void => this.receive(event);
    this.self.addEventListener("message", listener);
    const stopPeer = this.peer.start({
      greet: (targets) => {
        if (this.state !== "waiting") return;
        for (const origin of targets) this.post(origin, this.hello(undefined));
      },
      lost: () => this.onPeerLost(),
    });
    if (stopPeer === undefined) {
      this.self.removeEventListener("message", listener);
      return () => undefined;
    }
    return () => {
      this.self.removeEventListener("message", listener);
      stopPeer();
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
    const peer = this.peer.current();
    if (peer === undefined || event.source !== peer) return;
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
        return void this.onCommand(message, event.origin, peer);
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

  /** The peer window was replaced or reloaded: wait for a new handshake. */
  private onPeerLost(): void {
    this.state = "waiting";
    this.peerOrigin = undefined;
  }

  /** Runs a command; its reply goes to the window it came from, only. */
  private async onCommand(
    message: CommandMessage,
    origin: string,
    from: Window,
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
    this.post(origin, this.reply(message.id, outcome), from);
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

  private post(
    origin: string,
    message: Envelope,
    target: Window | undefined = this.peer.current(),
  ): void {
    // Belt and braces: only ever an exact, configured origin.
    if (!this.config.hostOrigins.includes(origin)) return;
    target?.postMessage(message, origin);
  }
}
