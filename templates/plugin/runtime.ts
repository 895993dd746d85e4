/**
 * The Flex side of the plugin shim: what a Flex -> host trigger reads when its
 * event fires, and the plumbing that turns it into a checked payload.
 *
 * Static runtime: the same for every spec, copied verbatim behind the
 * generated header. The generated `wiring.ts` describes each trigger as data
 * (filters, source paths, schema) and hands it to `deliverEvent`.
 *
 * Values come from declared source paths only, relative to a source context
 * `{ task, worker, action, timing }`. The worker part is built field by field
 * from `manager.user.identity` and `manager.workerClient`: the user's token is
 * never read, so it can never reach a message.
 */

import type * as Flex from "@twilio/flex-ui";

import {
  FORBIDDEN_KEYS,
  type PayloadSchema,
  type Validated,
  hasOwn,
  validatePayload,
} from "./protocol";

/** What a source path may start from (docs/spec.md, "Source paths"). */
export interface SourceContext {
  /** The `ITask` the event concerns, when it concerns one. */
  readonly task: unknown;
  readonly worker: WorkerSnapshot;
  /** The payload of the observed Flex action (before/after listeners). */
  readonly action: unknown;
  readonly timing: TimingSnapshot;
}

/** The logged-in worker, as far as triggers may see it. */
export interface WorkerSnapshot {
  readonly identity: string;
  readonly sid: unknown;
  readonly activityName: unknown;
  readonly attributes: unknown;
}

/** Times the plugin observed itself. */
export interface TimingSnapshot {
  /** When the plugin saw the event. */
  readonly eventAt: Date;
  /** When the plugin saw this task accepted; absent if it did not. */
  readonly acceptedAt: Date | undefined;
  /** Whole seconds from `acceptedAt` to `eventAt`; absent without `acceptedAt`. */
  readonly talkSeconds: number | undefined;
}

/**
 * Follows `path` from `root`. Flex tasks are class instances with getters, so
 * this reads inherited properties too; the path is the spec's, never the
 * peer's, and prototype keys are refused anyway.
 */
export function readPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    // Never a prototype key, whatever the spec says.
    if (FORBIDDEN_KEYS.has(segment)) return undefined;
    if (
      current === null ||
      (typeof current !== "object" && typeof current !== "function")
    ) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The worker fields a trigger may read; never the user's token. */
export function readWorker(manager: Flex.Manager): WorkerSnapshot {
  const client: unknown = manager.workerClient;
  return {
    identity: manager.user.identity,
    sid: readPath(client, ["sid"]),
    activityName: readPath(client, ["activity", "name"]),
    attributes: readPath(client, ["attributes"]),
  };
}

/** Remembers when the plugin saw each task accepted, for `timing.*`. */
export class AcceptTimes {
  private readonly times = new Map<string, Date>();
  private readonly limit: number;

  /** Keeps the last `limit` tasks: an agent never holds that many at once. */
  constructor(limit = 256) {
    this.limit = limit;
  }

  record(task: unknown, at: Date): void {
    const key = taskKey(task);
    if (key === undefined) return;
    this.times.delete(key);
    this.times.set(key, at);
    if (this.times.size > this.limit) {
      const oldest = this.times.keys().next();
      if (!oldest.done) this.times.delete(oldest.value);
    }
  }

  get(task: unknown): Date | undefined {
    const key = taskKey(task);
    return key === undefined ? undefined : this.times.get(key);
  }
}

function taskKey(task: unknown): string | undefined {
  const sid = readPath(task, ["taskSid"]);
  return typeof sid === "string" ? sid : undefined;
}

/** The timing part of a context, for an event seen at `eventAt`. */
export function readTiming(
  accepts: AcceptTimes | undefined,
  task: unknown,
  eventAt: Date,
): TimingSnapshot {
  const acceptedAt = accepts?.get(task);
  const talkSeconds =
    acceptedAt === undefined
      ? undefined
      : Math.max(
          0,
          Math.floor((eventAt.getTime() - acceptedAt.getTime()) / 1000),
        );
  return { eventAt, acceptedAt, talkSeconds };
}

/**
 * The task an action payload concerns: `payload.task` when Flex resolved it,
 * else the task of the reservation `payload.sid`.
 */
export function taskOfAction(flex: typeof Flex, payload: unknown): unknown {
  const task = readPath(payload, ["task"]);
  if (task !== undefined && task !== null) return task;
  const sid = readPath(payload, ["sid"]);
  return typeof sid === "string"
    ? flex.TaskHelper.getTaskByTaskSid(sid)
    : undefined;
}

/** JSON values, for filter literals. */
export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [key: string]: Json };

/** How a read value becomes a wire value. */
export type Conversion = "none" | "iso";

/** One place a payload field may be read, and how its value converts. */
export interface SourceRead {
  readonly path: readonly string[];
  readonly convert: Conversion;
}

/**
 * Where one payload field comes from: its reads in order. The first value
 * that is present and fits the field is sent.
 */
export interface SourceRule {
  readonly reads: readonly SourceRead[];
}

const CONVERSIONS: Readonly<Record<Conversion, (value: unknown) => unknown>> = {
  none: (value) => value,
  iso: (value) => (isValidDate(value) ? (value as Date).toISOString() : value),
};

function isValidDate(value: unknown): boolean {
  // Not `instanceof`: a Date from another realm is still a Date.
  return (
    Object.prototype.toString.call(value) === "[object Date]" &&
    !Number.isNaN((value as Date).getTime())
  );
}

export function jsonEquals(a: unknown, b: Json): boolean {
  if (b === null || typeof b !== "object") return a === b;
  if (Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      a.length === b.length &&
      b.every((item, i) => jsonEquals(a[i], item))
    );
  }
  if (a === null || typeof a !== "object" || Array.isArray(a)) return false;
  const expected = Object.entries(b as { readonly [key: string]: Json });
  return (
    expected.length === Object.keys(a).length &&
    expected.every(
      ([key, value]) =>
        hasOwn(a, key) &&
        jsonEquals((a as Record<string, unknown>)[key], value),
    )
  );
}

/** What a hook returns: `false` refuses (a command) or suppresses (an event). */
export type HookResult = boolean | void;

/**
 * A user hook for payloads of type `P`. The payload it gets is frozen: what
 * passed validation is exactly what is sent or acted on.
 */
export type Hook<P> = (
  payload: Readonly<P>,
) => HookResult | Promise<HookResult>;

/** A field read from a source path as it is. */
export function read(path: string): SourceRule {
  return { reads: [{ path: path.split("."), convert: "none" }] };
}

/** A field read from a source path holding a `Date`, sent as an ISO string. */
export function iso(path: string): SourceRule {
  return { reads: [{ path: path.split("."), convert: "iso" }] };
}

/** A field read from the first of several sources that has a fitting value. */
export function firstOf(...rules: readonly SourceRule[]): SourceRule {
  return { reads: rules.flatMap((rule) => rule.reads) };
}

/** A Flex -> host trigger as data: the generated wiring declares one per trigger. */
export interface EventSource {
  /** The wire name (`type`). */
  readonly type: string;
  /** Source path -> expected value; all must match (channel filters included). */
  readonly when: Readonly<Record<string, Json>>;
  /** Payload field -> where it is read. */
  readonly sources: Readonly<Record<string, SourceRule>>;
  readonly schema: PayloadSchema;
}

/**
 * Builds the payload from the context. Each field takes the first of its
 * sources whose value is present and fits it. When none fits, an optional
 * field is left out; a required one keeps the first value found, so that
 * validation says why the message is not sent.
 */
export function buildPayload<P>(
  ctx: SourceContext,
  sources: Readonly<Record<string, SourceRule>>,
  schema: PayloadSchema,
): Validated<P> {
  const raw: Record<string, unknown> = {};
  for (const [field, source] of Object.entries(sources)) {
    const rule = schema[field];
    let misfit: unknown = undefined;
    for (const { path, convert } of source.reads) {
      const value = CONVERSIONS[convert](readPath(ctx, path));
      if (value === undefined || value === null) continue;
      if (rule === undefined || rule.check(value) === undefined) {
        raw[field] = value;
        misfit = undefined;
        break;
      }
      misfit ??= value;
    }
    if (misfit !== undefined && rule?.optional !== true) raw[field] = misfit;
  }
  return validatePayload<P>(schema, raw);
}

/** Whether every `when` condition holds, comparing JSON values. */
export function matches(
  ctx: SourceContext,
  when: Readonly<Record<string, Json>>,
): boolean {
  return Object.entries(when).every(([path, expected]) =>
    jsonEquals(readPath(ctx, path.split(".")), expected),
  );
}

/**
 * Runs one Flex -> host trigger for one observed event: filters, payload,
 * hook, send. Never throws: a listener of ours must not break Flex or other
 * plugins' listeners.
 */
export async function deliverEvent<P>(
  source: EventSource,
  hook: Hook<P> | undefined,
  ctx: SourceContext,
  send: (type: string, payload: Record<string, unknown>) => void,
): Promise<void> {
  try {
    if (!matches(ctx, source.when)) return;
    const built = buildPayload<P>(ctx, source.sources, source.schema);
    if (!built.ok) {
      console.warn(`flexgen: ${source.type} not sent: ${built.reason}`);
      return;
    }
    if (hook !== undefined && (await hook(built.value)) === false) return;
    send(source.type, built.value as Record<string, unknown>);
  } catch (error) {
    console.error(`flexgen: ${source.type} failed`, error);
  }
}

/**
 * Sets `value` at `path` below `target` (a command's action arguments),
 * making plain objects for the keys on the way that hold none. The keys come
 * from the spec, which refuses `__proto__`, `constructor` and `prototype`;
 * they are refused here too, as `read` refuses them, so no edit of the
 * generated code can reach a prototype.
 */
export function setIn(
  target: object,
  path: readonly [string, ...string[]],
  value: unknown,
): void {
  const bad = path.find((key) => FORBIDDEN_KEYS.has(key));
  if (bad !== undefined) throw new Error(`${bad}: key not allowed`);
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = hasOwn(node, key) ? node[key] : undefined;
    if (typeof next === "object" && next !== null) {
      node = next as Record<string, unknown>;
    } else {
      const made: Record<string, unknown> = {};
      node[key] = made;
      node = made;
    }
  }
  node[path[path.length - 1] as string] = value;
}

/** Runs a command's hook, if it has one; `false` refuses the command. */
export async function allowCommand<P>(
  hook: Hook<P> | undefined,
  payload: P,
): Promise<boolean> {
  return hook === undefined || (await hook(payload)) !== false;
}
