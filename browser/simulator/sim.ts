// The simulator's state: the simulated manager and worker, the tasks, the
// switches a test flips (online, outbound calling) and the logs tests read.
// Lifecycle changes that come from outside the agent (a call rings, the
// customer hangs up) live here; the agent's own actions are in actions.ts.

import { Emitter } from "./emitter";
import { type Json, isRecord, toJsonSafe } from "./jsonsafe";
import {
  type ReservationStatus,
  SimTask,
  type TaskStatus,
  isVoice,
  newSid,
} from "./tasks";

export interface Activity {
  readonly sid: string;
  readonly name: string;
  readonly available: boolean;
}

function activity(name: string, available: boolean): Activity {
  return Object.freeze({ sid: newSid("WA"), name, available });
}

/** The workspace's activities; `Offline` is the one Flex treats as offline. */
export const ACTIVITIES: readonly Activity[] = [
  activity("Available", true),
  activity("Unavailable", false),
  activity("Break", false),
  activity("Offline", false),
];

export function findActivity(key: {
  name?: unknown;
  sid?: unknown;
}): Activity | undefined {
  return ACTIVITIES.find((a) => a.sid === key.sid || a.name === key.name);
}

function availableActivity(): Activity {
  const found = findActivity({ name: "Available" });
  if (found === undefined) throw new Error("no Available activity");
  return found;
}

/** The default outbound caller id, as outbound_call_flows.default.caller_id. */
export const DEFAULT_CALLER_ID = "+15550001000";

export interface SimWorker {
  readonly sid: string;
  readonly name: string;
  activity: Activity;
  attributes: Record<string, unknown>;
  readonly activities: ReadonlyMap<string, Activity>;
}

export interface SimManager {
  readonly events: Emitter;
  /** The token is fake and there only so tests can prove it never leaks. */
  readonly user: { readonly identity: string; readonly token: string };
  readonly workerClient: SimWorker;
  readonly serviceConfiguration: {
    readonly account_sid: string;
    readonly taskrouter_workspace_sid: string;
    readonly taskrouter_offline_activity_sid: string;
    readonly call_recording_enabled: boolean;
    readonly outbound_call_flows: {
      readonly default: {
        enabled: boolean;
        caller_id: string;
        queue_sid: string;
        location: string;
      };
    };
  };
  readonly configuration: Record<string, unknown>;
  readonly strings: Record<string, string>;
}

export interface Invocation {
  name: string;
  payload: Json;
}

export interface Failure {
  name: string;
  message: string;
}

export interface RingOptions {
  channel?: string;
  channelType?: string;
  from?: string;
  to?: string;
  attributes?: Record<string, unknown>;
  queueName?: string;
  /** Backdates dateCreated: the call waited this long in the queue. */
  queuedMs?: number;
}

export type Result = { ok: true } | { ok: false; message: string };

const IDENTITY = "alice@example.com";
export const LOG_LIMIT = 300;

export class Simulator {
  readonly invocations: Invocation[] = [];
  /** Every manager event emitted, with the reservation sid it concerned. */
  readonly emitted: Array<{ event: string; sid: string | undefined }> = [];
  private held: { promise: Promise<void>; release: () => void } | undefined;
  readonly ran: Invocation[] = [];
  readonly failed: Failure[] = [];
  readonly messages: Array<{ conversationSid: string; body: string }> = [];
  readonly transfers: Array<{ sid: string; targetSid: string }> = [];
  readonly errors: string[] = [];
  /** Text lines for the control panel's action log. */
  readonly logLines: string[] = [];

  readonly tasks = new Map<string, SimTask>();
  readonly manager: SimManager;
  online = true;
  view: string | undefined = undefined;
  /** The reservation sid of the last outbound call StartOutboundCall placed. */
  lastOutboundSid: string | undefined = undefined;

  private readonly queueSids = new Map<string, string>();
  private readonly watchers = new Set<() => void>();
  private readonly logWatchers = new Set<(line: string | null) => void>();

  constructor() {
    const events = new Emitter((event, error) => {
      this.error(`a ${event} listener threw: ${describeError(error)}`);
    });
    const offline = findActivity({ name: "Offline" });
    this.manager = {
      events,
      user: { identity: IDENTITY, token: "SIMULATED-TOKEN-never-send" },
      workerClient: {
        sid: newSid("WK"),
        name: IDENTITY,
        activity: availableActivity(),
        attributes: {
          full_name: "Alice Agent",
          email: IDENTITY,
          contact_uri: "client:alice_40example_2Ecom",
          routing: { skills: ["sales", "support"], levels: {} },
          disabled_skills: { skills: [], levels: {} },
        },
        activities: new Map(ACTIVITIES.map((a) => [a.sid, a])),
      },
      serviceConfiguration: {
        account_sid: newSid("AC"),
        taskrouter_workspace_sid: newSid("WS"),
        taskrouter_offline_activity_sid: offline?.sid ?? "",
        call_recording_enabled: false,
        outbound_call_flows: {
          default: {
            enabled: true,
            caller_id: DEFAULT_CALLER_ID,
            queue_sid: this.queueSid("Everyone"),
            location: "US",
          },
        },
      },
      configuration: { sso: undefined, logLevel: "info" },
      strings: {},
    };
  }

  get events(): Emitter {
    return this.manager.events;
  }

  get worker(): SimWorker {
    return this.manager.workerClient;
  }

  get outboundEnabled(): boolean {
    return this.manager.serviceConfiguration.outbound_call_flows.default
      .enabled;
  }

  set outboundEnabled(on: boolean) {
    this.manager.serviceConfiguration.outbound_call_flows.default.enabled = on;
    this.changed();
  }

  /** Offline for outbound calls: switched off, or an unavailable activity. */
  get offline(): boolean {
    return !this.online || !this.worker.activity.available;
  }

  queueSid(name: string): string {
    let sid = this.queueSids.get(name);
    if (sid === undefined) {
      sid = newSid("WQ");
      this.queueSids.set(name, sid);
    }
    return sid;
  }

  /** The panel re-renders on every change. */
  watch(fn: () => void): void {
    this.watchers.add(fn);
  }

  changed(): void {
    for (const fn of this.watchers) {
      try {
        fn();
      } catch (error) {
        console.error("flex simulator: panel update failed", error);
      }
    }
  }

  /** `null` tells the watcher that the log was cleared. */
  watchLog(fn: (line: string | null) => void): void {
    this.logWatchers.add(fn);
  }

  log(line: string): void {
    const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
    this.logLines.push(stamped);
    if (this.logLines.length > LOG_LIMIT)
      this.logLines.splice(0, this.logLines.length - LOG_LIMIT);
    for (const fn of this.logWatchers) fn(stamped);
  }

  error(message: string): void {
    this.errors.push(message);
    console.error(`flex simulator: ${message}`);
    this.log(`ERROR ${message}`);
  }

  /** Emits a manager event, logged for the panel. */
  emit(event: string, ...args: unknown[]): void {
    const subject = args[0];
    const about = subject instanceof SimTask ? ` ${subject.sid}` : "";
    this.log(`event ${event}${about}`);
    this.emitted.push({
      event,
      sid: subject instanceof SimTask ? subject.sid : undefined,
    });
    this.events.emit(event, ...args);
  }

  task(sid: unknown): SimTask | undefined {
    return typeof sid === "string" ? this.tasks.get(sid) : undefined;
  }

  byTaskSid(taskSid: unknown): SimTask | undefined {
    for (const task of this.tasks.values())
      if (task.taskSid === taskSid) return task;
    return undefined;
  }

  byConversation(conversationSid: unknown): SimTask | undefined {
    if (typeof conversationSid !== "string") return undefined;
    for (const task of this.tasks.values()) {
      if (task.attributes.conversationSid === conversationSid) return task;
    }
    return undefined;
  }

  hasPendingCall(): boolean {
    return [...this.tasks.values()].some(
      (t) => isVoice(t) && t.status === "pending",
    );
  }

  hasLiveCall(): boolean {
    return [...this.tasks.values()].some(
      (t) => isVoice(t) && t.status === "accepted",
    );
  }

  /** Moves a task on and tells the plugin, as TaskRouter's events would. */
  move(
    task: SimTask,
    status: ReservationStatus,
    taskStatus: TaskStatus,
    event: string,
  ): void {
    task.setStatus(status, taskStatus);
    this.emit(event, task);
    this.changed();
  }

  /** A new reservation for this worker: a call rings or a chat arrives. */
  ringInbound(opts: RingOptions = {}): string {
    const channel = opts.channel ?? "voice";
    if (typeof channel !== "string" || channel === "")
      throw new Error("ringInbound: channel must be a non-empty string");
    if (opts.attributes !== undefined && !isRecord(opts.attributes)) {
      throw new Error("ringInbound: attributes must be an object");
    }
    const chatLike = channel === "chat" || channel === "sms";
    const channelType =
      opts.channelType ??
      (channel === "chat" ? "web" : channel === "sms" ? "sms" : undefined);
    const prefix = channelType === "whatsapp" ? "whatsapp:" : "";
    const from =
      opts.from ??
      (channelType === "web" ? "Customer" : `${prefix}+15551230001`);
    const to = opts.to ?? `${prefix}${DEFAULT_CALLER_ID}`;
    const attributes: Record<string, unknown> = {
      from,
      to,
      direction: "inbound",
      name: from,
      customerName: from,
    };
    if (channel === "voice") {
      attributes.call_sid = newSid("CA");
      attributes.caller = from;
      attributes.called = to;
    }
    if (channelType !== undefined) attributes.channelType = channelType;
    if (chatLike) {
      attributes.conversationSid = newSid("CH");
      attributes.customerAddress = from;
    }
    Object.assign(attributes, opts.attributes ?? {});
    const queueName = opts.queueName ?? "Everyone";
    const queuedMs =
      typeof opts.queuedMs === "number" && opts.queuedMs > 0
        ? opts.queuedMs
        : 0;
    const task = new SimTask({
      channel,
      attributes,
      queueName,
      queueSid: this.queueSid(queueName),
      workerSid: this.worker.sid,
      workflowName: "Assign to Anyone",
      priority: 0,
      dateCreated: new Date(Date.now() - queuedMs),
    });
    this.tasks.set(task.sid, task);
    this.emit("taskReceived", task);
    this.changed();
    return task.sid;
  }

  /** An outbound call placed by StartOutboundCall: auto-accepted, as in Flex. */
  placeOutbound(
    destination: string,
    callerId: string,
    queueSid: string | undefined,
    extra: Record<string, unknown>,
  ): SimTask {
    const task = new SimTask({
      channel: "voice",
      attributes: {
        from: callerId,
        to: destination,
        outbound_to: destination,
        name: destination,
        direction: "outbound",
        ...extra,
      },
      queueName: "Everyone",
      queueSid: queueSid ?? this.queueSid("Everyone"),
      workerSid: this.worker.sid,
      workflowName: "Outbound Calls",
      priority: 0,
      dateCreated: new Date(),
    });
    this.tasks.set(task.sid, task);
    this.lastOutboundSid = task.sid;
    this.emit("taskReceived", task);
    this.move(task, "accepted", "assigned", "taskAccepted");
    return task;
  }

  /** The customer ends an accepted call: no action runs (Flex 2.7+). */
  customerHangup(sid: string): Result {
    const task = this.task(sid);
    if (task === undefined) return fail(`no task for reservation ${sid}`);
    if (!isVoice(task))
      return fail(`${sid} is a ${task.taskChannelUniqueName} task, not a call`);
    if (task.status !== "accepted")
      return fail(`${sid} is ${task.status}, not accepted`);
    this.move(task, "wrapping", "wrapping", "taskWrapup");
    return { ok: true };
  }

  /** TaskRouter takes a pending reservation away (canceled, timed out, rescinded). */
  endReservation(
    sid: string,
    event: "taskCanceled" | "taskTimeout" | "taskRescinded",
  ): Result {
    const task = this.task(sid);
    if (task === undefined) return fail(`no task for reservation ${sid}`);
    if (task.status !== "pending")
      return fail(`${sid} is ${task.status}, not pending`);
    this.move(task, "canceled", "canceled", event);
    return { ok: true };
  }

  /** Attributes changed outside the agent's actions (a workflow, a supervisor). */
  updateAttributes(sid: string, attributes: unknown): Result {
    const task = this.task(sid);
    if (task === undefined) return fail(`no task for reservation ${sid}`);
    if (!isRecord(attributes)) return fail("attributes must be an object");
    task.attributes = { ...task.attributes, ...attributes };
    task.dateUpdated = new Date();
    this.emit("taskUpdated", task);
    this.changed();
    return { ok: true };
  }

  setWorkerAttributes(attributes: unknown): Result {
    if (!isRecord(attributes)) return fail("attributes must be an object");
    this.worker.attributes = { ...attributes };
    this.emit("workerAttributesUpdated", this.worker.attributes);
    this.changed();
    return { ok: true };
  }

  setActivityNow(next: Activity): void {
    this.worker.activity = next;
    this.emit("workerActivityUpdated", next, this.worker.activities);
    this.changed();
  }

  /** While on, action bodies wait (a command stays in flight). */
  hold(on: boolean): void {
    if (on && this.held === undefined) {
      let release = (): void => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.held = { promise, release };
    } else if (!on && this.held !== undefined) {
      this.held.release();
      this.held = undefined;
    }
  }

  /** Resolves when bodies may run. */
  released(): Promise<void> {
    return this.held?.promise ?? Promise.resolve();
  }

  reset(): void {
    this.hold(false);
    this.tasks.clear();
    for (const list of [
      this.invocations,
      this.emitted,
      this.ran,
      this.failed,
      this.messages,
      this.transfers,
      this.logLines,
    ]) {
      list.length = 0;
    }
    this.online = true;
    this.manager.serviceConfiguration.outbound_call_flows.default.enabled = true;
    this.worker.activity = availableActivity();
    this.view = undefined;
    this.lastOutboundSid = undefined;
    for (const fn of this.logWatchers) fn(null);
    this.changed();
  }

  workerSnapshot(): {
    identity: string;
    sid: string;
    activityName: string;
    attributes: Json;
  } {
    return {
      identity: this.manager.user.identity,
      sid: this.worker.sid,
      activityName: this.worker.activity.name,
      attributes: toJsonSafe(this.worker.attributes) ?? {},
    };
  }
}

export function fail(message: string): Result {
  return { ok: false, message };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
