/**
 * What a Flex -> host trigger reads when its event fires: the source context
 * `{ task, worker, action, timing }` and the paths into it.
 *
 * The worker part is built field by field from `manager.user.identity` and
 * `manager.workerClient`: the user's token is never read, so it can never
 * reach a message.
 */

import type * as Flex from "@twilio/flex-ui";

import { FORBIDDEN_KEYS } from "./objects";

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
