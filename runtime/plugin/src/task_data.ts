/**
 * Data the CRM sent into Flex for a task (a host_to_flex trigger with
 * `show:`), kept per task until Flex says the task ended, for the tab that
 * shows it.
 *
 * The CRM names the task by its task sid (`WT…`, what screen_pop-like
 * events carry as `task.taskSid`) or its reservation sid (`WR…`, `task.sid`).
 * Only a task this agent's Flex has is accepted, so the store never holds
 * more entries than the agent has tasks, and every entry goes when its task
 * ends.
 */

import type * as Flex from "@twilio/flex-ui";

import { ProtocolError } from "./errors";
import { readPath } from "./flex_reads";

/** The Flex helpers that find a task by either sid. */
export interface TaskFinder {
  readonly TaskHelper: Pick<(typeof Flex)["TaskHelper"], "getTaskByTaskSid">;
  readonly StateHelper: Pick<
    (typeof Flex)["StateHelper"],
    "getTaskByTaskrouterTaskSid"
  >;
}

/**
 * The agent's task `sid` names, or `FLEX_ACTION_FAILED` when Flex has none.
 * `TaskHelper.getTaskByTaskSid` takes a reservation sid despite its name
 * (its doc in TaskHelper.d.ts of @twilio/flex-ui 2.17.1);
 * `StateHelper.getTaskByTaskrouterTaskSid` takes a task sid.
 */
export function liveTask(flex: TaskFinder, sid: string): unknown {
  const task = sid.startsWith("WR")
    ? flex.TaskHelper.getTaskByTaskSid(sid)
    : flex.StateHelper.getTaskByTaskrouterTaskSid(sid);
  if (task == null || taskKey(task) === undefined || ended(task)) {
    throw new ProtocolError(
      "FLEX_ACTION_FAILED",
      "this agent has no such task in Flex; data is kept for the agent's current tasks only",
    );
  }
  return task;
}

/**
 * Reservation statuses after which the task is over for this agent
 * (TaskRouter's reservation states; Flex drops such a task from its state).
 */
const ENDED = ["completed", "canceled", "rejected", "rescinded", "timeout"];

function ended(task: unknown): boolean {
  const status = readPath(task, ["status"]);
  return typeof status === "string" && ENDED.includes(status);
}

/** An `ITask`'s task sid, the store's key. */
export function taskKey(task: unknown): string | undefined {
  const sid = readPath(task, ["taskSid"]);
  return typeof sid === "string" && sid !== "" ? sid : undefined;
}

/** Data per task, with listeners for the views that show it. */
export class TaskData<T> {
  readonly #byTask = new Map<string, T>();
  readonly #listeners = new Set<() => void>();

  /** Keeps `data` for `task` (an `ITask`), replacing what it had. */
  put(task: unknown, data: T): void {
    const key = taskKey(task);
    if (key === undefined) return;
    this.#byTask.set(key, data);
    this.#changed();
  }

  /** What was sent for `task`, if anything. */
  get(task: unknown): T | undefined {
    const key = taskKey(task);
    return key === undefined ? undefined : this.#byTask.get(key);
  }

  /** Forgets `task`'s data (the task ended). */
  drop(task: unknown): void {
    const key = taskKey(task);
    if (key !== undefined && this.#byTask.delete(key)) this.#changed();
  }

  /** How many tasks have data. */
  get size(): number {
    return this.#byTask.size;
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        console.error("flexgen: a view of task data failed", error);
      }
    }
  }
}

/** The manager events after which a task is gone for this agent. */
export const TASK_ENDED_EVENTS = [
  "taskCompleted",
  "taskCanceled",
  "taskRejected",
  "taskRescinded",
  "taskTimeout",
] as const;

/**
 * A value shown as text: strings as they are, finite numbers and booleans
 * written out, a `Date` as ISO 8601; anything else (objects, arrays, absent)
 * shows nothing. Never markup: the caller renders the result as a text node.
 */
export function shownText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number")
    return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return undefined;
}
