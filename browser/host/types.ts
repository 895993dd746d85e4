// The shapes this page reads: config.json (written by harness/build.mjs, its
// `plan` being flexgen's IR, generator/ir.rs) and the wasm-bindgen module of
// the generated bridge. Only the parts the page uses are declared.

import type { PageConfig } from "../shared/config";

export type FieldType =
  | "string"
  | "e164"
  | "integer"
  | "number"
  | "boolean"
  | "datetime"
  | "enum";
export type Direction = "host_to_flex" | "flex_to_host";

export interface Names {
  original: string;
  snake: string;
  camel: string;
  pascal: string;
}

export interface Field {
  name: Names;
  ty: FieldType;
  optional: boolean;
  doc: string | null;
  max_length: number | null;
  values: string[];
}

export interface Trigger {
  name: Names;
  summary: string | null;
  user_action: string | null;
  direction: Direction;
  payload: Field[];
}

export interface Plan {
  spec_hash: string;
  protocol_version: number;
  app: {
    name: Names;
    flex_origin: string;
    host_origins: string[];
    dev_host_origins?: string[];
  };
  triggers: Trigger[];
}

/** config.json; `contacts` replaces the page's sample contacts (test runs). */
export type Config = PageConfig<Plan> & { contacts?: readonly Contact[] };

export type BridgeState =
  | "connecting"
  | "ready"
  | "version_mismatch"
  | "closed";

/**
 * The generated FlexBridge as this page sees it: the per-trigger methods are
 * looked up by name from the plan, so they sit behind the index signature.
 */
export interface FlexBridgeLike {
  readonly state: BridgeState;
  onStateChange(callback: (state: BridgeState) => void): () => void;
  dispose(): void;
  [method: string]: unknown;
}

export interface BridgeModule {
  default: (input?: unknown) => Promise<unknown>;
  FlexBridge: {
    new (iframe: HTMLIFrameElement): FlexBridgeLike;
    /** `app.embedding: host_in_flex`: the bridge of a page Flex frames. */
    inFlex?: () => FlexBridgeLike;
  };
}

export type Outcome =
  | { ok: true }
  | { ok: false; code: string; message: string; name: string };

export interface Contact {
  name: string;
  company: string;
  phone: string;
}

export interface Crm {
  config: Config | null;
  ready: Promise<void>;
  bridge: FlexBridgeLike | null;
  contacts: readonly Contact[];
  states: string[];
  whenState(state: string, timeoutMs?: number): Promise<void>;
  events: Array<{ type: string; payload: unknown }>;
  /**
   * Runs a command through the bridge; with `signal`, the name of an
   * `AbortController` of the page (made on first use), the command gets
   * its signal, which `abort(signal)` aborts.
   */
  run(
    triggerSnake: string,
    payload: unknown,
    signal?: string,
  ): Promise<Outcome>;
  /** Aborts the page's `AbortController` named `signal` (made if new). */
  abort(signal: string): void;
  results: Array<{ trigger: string; payload: unknown } & Outcome>;
  popped: { trigger: string; number: string; contact: string | null } | null;
  dial(phone: string): Promise<Outcome>;
  postRawToFlex(raw: unknown): boolean;
  iframe(): HTMLIFrameElement | null;
  /**
   * The size of the bridge's WebAssembly memory in bytes (it only grows),
   * or null before the bridge's module is initialised.
   */
  wasmMemoryBytes(): number | null;
  errors: string[];
  /**
   * What happened to the iframe and the bridge, in order, with times:
   * "iframe load", "bridge made", "bridge disposed", "state <state>".
   */
  lifecycle: Array<{ what: string; at: number }>;
  /** With `?bridge=manual`: makes the bridge now; false if not waiting. */
  startBridge(): boolean;
  /** Disposes the bridge and makes a new one on the same iframe. */
  recreateBridge(): boolean;
}
