// Simulated tasks: what a plugin gets as an ITask, with the getters Flex's
// own ITask computes (age, channelType, defaultFrom, formattedAttributes,
// sourceObject), so the plugin reads them exactly as it would a real task.
// Each getter names the code it follows: "bundle" is @twilio/flex-ui 2.17.1
// bundle/twilio-flex.prod.js, class TaskRouterTask (grep the quoted
// `Object.defineProperty(e.prototype,"<name>"`); "taskrouter" is
// twilio-taskrouter 2.1.1 dist/index.commonjs2.js. The attribute shapes of
// each kind of task are made in sim.ts; FACTS.md beside this file has the
// research behind them, fact by fact with its source.

import { type Json, toJsonSafe } from "./jsonsafe";

/** Reservation status (ITask.status). */
export type ReservationStatus =
  | "pending"
  | "accepted"
  | "wrapping"
  | "completed"
  | "canceled";
/** Task status (ITask.taskStatus). */
export type TaskStatus =
  | "reserved"
  | "assigned"
  | "wrapping"
  | "completed"
  | "canceled";

/** A Twilio-style sid: two letters and 32 hex digits. */
export function newSid(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return (
    prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
  );
}

/**
 * libphonenumber's PhoneNumberFormat (google-libphonenumber 3.2.6, which
 * @twilio/flex-ui imports as `a.PhoneNumberFormat`): E164 0, INTERNATIONAL 1.
 */
export const PhoneNumberFormat = { E164: 0, INTERNATIONAL: 1 } as const;

/** Flex's CountryManager.formatPhoneNumberWithCountryCode(value, country, format). */
export type PhoneFormatter = (
  value: string,
  country: string | undefined,
  format: number,
) => string | null | undefined;

let phoneFormatter: PhoneFormatter | undefined;

/**
 * main.ts hands in the real CountryManager.formatPhoneNumberWithCountryCode
 * of the Flex bundle (FlexUI.CountryManager), so numbers format exactly as
 * in Flex; without it, values stay as they are.
 */
export function setPhoneFormatter(format: PhoneFormatter | undefined): void {
  phoneFormatter = format;
}

/**
 * The formatted number, or null where Flex's function gives nothing back (it
 * returns null for what libphonenumber cannot parse: "Anonymous",
 * "client:alice", "sip:bob@example.com"). Callers fall back to the raw value,
 * as Flex does (`format(v) || v`).
 */
export function formatPhone(
  value: string,
  format: number,
  country?: string,
): string | null {
  if (phoneFormatter === undefined) return null;
  try {
    const out = phoneFormatter(value, country, format);
    return typeof out === "string" && out !== "" ? out : null;
  } catch {
    return null;
  }
}

export interface TaskInit {
  channel: string;
  attributes: Record<string, unknown>;
  queueName: string;
  queueSid: string;
  workerSid: string;
  workflowName: string;
  priority: number;
  /** When TaskRouter created the task (before it waited in the queue). */
  taskDateCreated: Date;
  /**
   * TaskRouter's task.routingTarget: the worker's sid for a task created
   * with RoutingTarget (taskrouter Worker.createTask sets
   * `RoutingTarget: this.sid`; Flex's outbound calls are made so), else
   * undefined.
   */
  routingTarget?: string;
}

/**
 * The reservation behind an ITask (ITask.sourceObject, bundle getter
 * `sourceObject:{get:function(){return this._reservation}}`): the fields of
 * twilio-taskrouter's Reservation that a plugin can read. `canceledReasonCode`
 * exists only once TaskRouter canceled it with a code, as in taskrouter's
 * Reservation constructor (`o.canceledReasonCode&&(u.canceledReasonCode=...)`).
 */
export class SimReservation {
  canceledReasonCode?: number;

  constructor(private readonly owner: SimTask) {}

  get sid(): string {
    return this.owner.sid;
  }

  get status(): ReservationStatus {
    return this.owner.status;
  }

  get workerSid(): string {
    return this.owner.workerSid;
  }

  get dateCreated(): Date {
    return this.owner.dateCreated;
  }

  get dateUpdated(): Date {
    return this.owner.dateUpdated;
  }

  /** taskrouter Reservation.task: the TaskRouter Task (ITask.source). */
  get task(): SimTaskSource {
    return this.owner.source;
  }
}

/** The TaskRouter Task behind an ITask (ITask.source): its own fields. */
export interface SimTaskSource {
  readonly sid: string;
  readonly attributes: Record<string, unknown>;
  readonly status: TaskStatus;
  readonly reason: string | undefined;
  readonly routingTarget: string | undefined;
  readonly taskChannelUniqueName: string;
  readonly dateCreated: Date;
  readonly age: number;
}

export class SimTask {
  /** The reservation sid (WR...): what task actions look tasks up by. */
  readonly sid = newSid("WR");
  readonly taskSid = newSid("WT");
  readonly taskChannelSid = newSid("TC");
  readonly workflowSid = newSid("WW");
  readonly taskChannelUniqueName: string;
  attributes: Record<string, unknown>;
  queueName: string;
  queueSid: string;
  status: ReservationStatus = "pending";
  taskStatus: TaskStatus = "reserved";
  /**
   * ITask.dateCreated is the reservation's (bundle getter
   * `dateCreated:{get:function(){return this._reservation.dateCreated}}`):
   * when this worker was offered the task, not when the task was made.
   */
  readonly dateCreated: Date;
  /** The TaskRouter task's own dateCreated (what ITask.age counts from). */
  readonly taskDateCreated: Date;
  dateUpdated: Date;
  priority: number;
  workerSid: string;
  workflowName: string;
  timeout = 120;
  /**
   * ITask.reason is TaskRouter's task.reason (bundle getter
   * `reason:{get:function(){return this._task.reason}}`), "the reason the
   * Task was completed or canceled, if applicable" (CommonModels.d.ts).
   */
  reason: string | undefined = undefined;
  /** ITask.routingTarget: TaskRouter's task.routingTarget (see TaskInit). */
  readonly routingTarget: string | undefined;
  /** ITask.sourceObject: the reservation. */
  readonly sourceObject: SimReservation;
  /**
   * Flex invoked AcceptTask on this outbound call: its conference is being
   * set up and the customer's phone rings; the reservation stays pending
   * until the customer answers (sim.ts, connectOutbound). Not on ITask.
   */
  acceptIssued = false;

  constructor(init: TaskInit) {
    this.taskChannelUniqueName = init.channel;
    this.attributes = init.attributes;
    this.queueName = init.queueName;
    this.queueSid = init.queueSid;
    this.workerSid = init.workerSid;
    this.workflowName = init.workflowName;
    this.priority = init.priority;
    this.taskDateCreated = init.taskDateCreated;
    this.dateCreated = new Date();
    this.dateUpdated = this.dateCreated;
    this.routingTarget = init.routingTarget;
    this.sourceObject = new SimReservation(this);
  }

  /**
   * Seconds since the task was created, queue time included: ITask.age is
   * the TaskRouter task's age (bundle getter `age:{get:function(){return
   * this._task.age}}`).
   */
  get age(): number {
    return Math.max(
      0,
      Math.floor((Date.now() - this.taskDateCreated.getTime()) / 1000),
    );
  }

  /** bundle getter `channelType`: `attributes.channelType || taskChannelUniqueName`. */
  get channelType(): string {
    const type = this.attributes.channelType;
    return typeof type === "string" && type !== ""
      ? type
      : this.taskChannelUniqueName;
  }

  /** ITask.source: the TaskRouter task. */
  get source(): SimTaskSource {
    const task = this;
    return {
      sid: task.taskSid,
      get attributes() {
        return task.attributes;
      },
      get status() {
        return task.taskStatus;
      },
      get reason() {
        return task.reason;
      },
      routingTarget: task.routingTarget,
      taskChannelUniqueName: task.taskChannelUniqueName,
      dateCreated: task.taskDateCreated,
      get age() {
        return task.age;
      },
    };
  }

  /**
   * bundle getter `formattedAttributes`: `from` and `outbound_to`, each
   * `CountryManager.formatPhoneNumberWithCountryCode(v, undefined,
   * PhoneNumberFormat.INTERNATIONAL) || v`; only the keys present.
   */
  get formattedAttributes(): { from?: string; outbound_to?: string } {
    const out: { from?: string; outbound_to?: string } = {};
    const { outbound_to: to, from } = this.attributes;
    if (typeof to === "string" && to !== "")
      out.outbound_to = formatPhone(to, PhoneNumberFormat.INTERNATIONAL) ?? to;
    if (typeof from === "string" && from !== "")
      out.from = formatPhone(from, PhoneNumberFormat.INTERNATIONAL) ?? from;
    return out;
  }

  /**
   * bundle getter `defaultFrom`: `name`; else, for an outbound call task,
   * the formatted `outbound_to`; else, for email, "customerName -
   * customerAddress" (or the address alone); else the formatted `from`.
   * The result is formatted once more as a number when it is one, and is
   * `templates.AnonymousParticipant()` ("Anonymous") when empty.
   */
  get defaultFrom(): string {
    const a = this.attributes;
    const f = this.formattedAttributes;
    let value: unknown;
    if (a.name) value = a.name;
    else if (isOutboundCallTask(this)) value = f.outbound_to;
    else if (a.channelType === "email")
      value = `${a.customerName ? `${String(a.customerName)} - ` : ""}${String(a.customerAddress)}`;
    else value = f.from;
    const text = typeof value === "string" ? value : undefined;
    return (
      (text === undefined
        ? null
        : formatPhone(text, PhoneNumberFormat.INTERNATIONAL)) ||
      text ||
      ANONYMOUS
    );
  }

  setStatus(status: ReservationStatus, taskStatus: TaskStatus): void {
    this.status = status;
    this.taskStatus = taskStatus;
    this.dateUpdated = new Date();
  }

  snapshot(): TaskSnapshot {
    const reservation: TaskSnapshot["sourceObject"] = {
      sid: this.sid,
      status: this.status,
    };
    if (this.sourceObject.canceledReasonCode !== undefined)
      reservation.canceledReasonCode = this.sourceObject.canceledReasonCode;
    const snap: TaskSnapshot = {
      sid: this.sid,
      taskSid: this.taskSid,
      attributes: toJsonSafe(this.attributes) ?? {},
      taskChannelUniqueName: this.taskChannelUniqueName,
      channelType: this.channelType,
      queueName: this.queueName,
      queueSid: this.queueSid,
      status: this.status,
      taskStatus: this.taskStatus,
      age: this.age,
      dateCreated: this.dateCreated.toISOString(),
      dateUpdated: this.dateUpdated.toISOString(),
      priority: this.priority,
      workerSid: this.workerSid,
      workflowName: this.workflowName,
      defaultFrom: this.defaultFrom,
      formattedAttributes: this.formattedAttributes,
      sourceObject: reservation,
    };
    if (this.reason !== undefined) snap.reason = this.reason;
    if (this.routingTarget !== undefined)
      snap.routingTarget = this.routingTarget;
    return snap;
  }
}

/** Flex's `templates.AnonymousParticipant` (bundle strings: AnonymousParticipant:"Anonymous"). */
export const ANONYMOUS = "Anonymous";

export function isVoice(task: SimTask): boolean {
  return task.taskChannelUniqueName === "voice";
}

/**
 * TaskHelper.isOutboundCallTask (bundle): `isCallTask(e) && !!e.routingTarget
 * && e.attributes.direction === "outbound"`; the voice channel is the call
 * channel here.
 */
export function isOutboundCallTask(task: SimTask): boolean {
  return (
    isVoice(task) &&
    task.routingTarget !== undefined &&
    task.attributes.direction === "outbound"
  );
}

/**
 * TaskHelper.isInitialOutboundAttemptTask (bundle): an outbound call task
 * that is still pending (and no incoming transfer, which the simulator has
 * not): the call is being placed.
 */
export function isInitialOutboundAttempt(task: SimTask): boolean {
  return isOutboundCallTask(task) && task.status === "pending";
}

/**
 * The conversation of a chat-like task, if it has one. A function, not a
 * getter: a real ITask has no such field and the plugin must not find one.
 */
export function conversationOf(task: SimTask): string | undefined {
  const sid = task.attributes.conversationSid;
  return typeof sid === "string" ? sid : undefined;
}

export interface TaskSnapshot {
  sid: string;
  taskSid: string;
  attributes: Json;
  taskChannelUniqueName: string;
  channelType: string;
  queueName: string;
  queueSid: string;
  status: ReservationStatus;
  taskStatus: TaskStatus;
  age: number;
  dateCreated: string;
  dateUpdated: string;
  priority: number;
  workerSid: string;
  workflowName: string;
  defaultFrom: string;
  formattedAttributes: { from?: string; outbound_to?: string };
  sourceObject: {
    sid: string;
    status: ReservationStatus;
    canceledReasonCode?: number;
  };
  reason?: string;
  routingTarget?: string;
}
