// Simulated tasks: the ITask fields of FLEX-REFERENCE.md, with getters where
// Flex's own ITask computes them (age, channelType), so the plugin reads them
// exactly as it would read a real task.

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

export interface TaskInit {
  channel: string;
  attributes: Record<string, unknown>;
  queueName: string;
  queueSid: string;
  workerSid: string;
  workflowName: string;
  priority: number;
  dateCreated: Date;
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
  readonly dateCreated: Date;
  dateUpdated: Date;
  priority: number;
  workerSid: string;
  workflowName: string;
  timeout = 120;
  reason: string | undefined = undefined;

  constructor(init: TaskInit) {
    this.taskChannelUniqueName = init.channel;
    this.attributes = init.attributes;
    this.queueName = init.queueName;
    this.queueSid = init.queueSid;
    this.workerSid = init.workerSid;
    this.workflowName = init.workflowName;
    this.priority = init.priority;
    this.dateCreated = init.dateCreated;
    this.dateUpdated = new Date();
  }

  /** Seconds since the task was created: queue time included, as in Flex. */
  get age(): number {
    return Math.max(
      0,
      Math.floor((Date.now() - this.dateCreated.getTime()) / 1000),
    );
  }

  /** Flex: `attributes.channelType` when set, else the task channel. */
  get channelType(): string {
    const type = this.attributes.channelType;
    return typeof type === "string" && type !== ""
      ? type
      : this.taskChannelUniqueName;
  }

  /** TaskHelper.isOutboundCallTask reads it: the worker, for outbound calls. */
  get routingTarget(): string | undefined {
    return this.attributes.direction === "outbound"
      ? this.workerSid
      : undefined;
  }

  get defaultFrom(): string {
    const { name, from } = this.attributes;
    if (typeof name === "string" && name !== "") return name;
    return typeof from === "string" && from !== "" ? from : "Anonymous";
  }

  setStatus(status: ReservationStatus, taskStatus: TaskStatus): void {
    this.status = status;
    this.taskStatus = taskStatus;
    this.dateUpdated = new Date();
  }

  snapshot(): TaskSnapshot {
    return {
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
    };
  }
}

export function isVoice(task: SimTask): boolean {
  return task.taskChannelUniqueName === "voice";
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
}
