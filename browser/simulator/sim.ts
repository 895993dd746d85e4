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
  isInitialOutboundAttempt,
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
        workflow_sid: string;
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

/** What every new inbound task may say about its queue. */
interface QueueOptions {
  queueName?: string;
  /** Backdates the TaskRouter task: it waited this long in the queue (age). */
  queuedMs?: number;
  /** Added last, over the shape's own attributes. */
  attributes?: Record<string, unknown>;
}

/**
 * The generic entry (panel, drive.mjs): `channel` picks the shape. voice ->
 * ringVoice; email -> ringEmail; chat, sms or a channelType -> a
 * conversation (ringConversation); any other channel -> a bare task with
 * `from`, `name` and `direction`. `to` is a voice attribute only.
 */
export interface RingOptions extends QueueOptions {
  channel?: string;
  channelType?: string;
  from?: string;
  to?: string;
  /** Voice: the caller's name, as the task's `name` (see VoiceCallOptions). */
  callerName?: string;
  /** Email: the sender's display name (customerName). */
  customerName?: string;
}

export interface VoiceCallOptions extends QueueOptions {
  /**
   * The caller as the call's From carries it: "+15551230001", or not a
   * number at all: "Anonymous", "Restricted", "client:alice",
   * "sip:bob@example.com".
   */
  from?: string;
  /** The number called (the call's To). */
  to?: string;
  /**
   * A caller name (CNAM). No Flex or Studio default puts one on the task;
   * a flow that maps caller ID lookup's CallerName into Send to Flex's
   * `name` attribute (by default the From number) shows it in Flex.
   */
  callerName?: string;
}

export interface ConversationOptions extends QueueOptions {
  /** web (chat), sms, whatsapp, or another Flex channelType. */
  channelType?: string;
  /** The TaskRouter task channel; sms for SMS, else chat. */
  channel?: string;
  /** The customer's address: +E.164 (sms), whatsapp:+E.164, a chat name. */
  from?: string;
}

export interface EmailOptions extends QueueOptions {
  /** The sender's email address (customerAddress). */
  address?: string;
  /** The sender's display name (customerName), when the email has one. */
  name?: string;
}

/**
 * How a call placed by StartOutboundCall ends up (setDialOutcome): the
 * customer answers, the phone keeps ringing until the test says
 * (answerCall / failCall), or TaskRouter cancels it with a reason code.
 */
export type DialOutcome = "answer" | "ring" | DialFailure;

/** A failed dial: a named reason or TaskRouter's canceled reason code. */
export type DialFailure = keyof typeof DIAL_FAILURE_CODES | number;

/**
 * The reservation's canceledReasonCode for each failure, as Flex reads them
 * (bundle OutboundCalling.handleOutboundTaskCancelledEvent: 45303 busy,
 * 45305 no answer, 13223/21211 invalid number, 21210 caller id ("from
 * number") unverified; the same table in Twilio's support article
 * https://support.twilio.com/hc/en-us/articles/48779348972827).
 */
export const DIAL_FAILURE_CODES = {
  busy: 45303,
  "no-answer": 45305,
  "invalid-number": 21211,
  "unverified-caller-id": 21210,
} as const;

export function dialFailureCode(reason: unknown): number | undefined {
  if (typeof reason === "number")
    return Number.isInteger(reason) && reason > 0 ? reason : undefined;
  if (typeof reason === "string" && Object.hasOwn(DIAL_FAILURE_CODES, reason))
    return DIAL_FAILURE_CODES[reason as keyof typeof DIAL_FAILURE_CODES];
  return undefined;
}

function isDialOutcome(value: unknown): value is DialOutcome {
  return (
    value === "answer" ||
    value === "ring" ||
    dialFailureCode(value) !== undefined
  );
}

export type Result = { ok: true } | { ok: false; message: string };

const IDENTITY = "alice@example.com";
export const LOG_LIMIT = 300;

/** An action Flex invoked by itself (AcceptTask and SelectTask after a dial). */
export interface SelfInvocation extends Invocation {
  /** ran, failed (with the error), or never ran (aborted or still held). */
  outcome: "invoked" | "ran" | "failed";
  error?: string;
}

export class Simulator {
  /** Actions invoked from outside the simulated Flex (the plugin, tests). */
  readonly invocations: Invocation[] = [];
  /**
   * Actions the simulated Flex invoked by itself, as real Flex does: after
   * a dial, AcceptTask then SelectTask on the new outbound task. Kept apart
   * from `invocations` and `ran`, which say what the plugin did.
   */
  readonly selfInvocations: SelfInvocation[] = [];
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
  /**
   * The reservation sid of the task the agent selected (SelectTask), whose
   * CRM container crm.ts renders; `undefined` before any selection.
   */
  selected: string | undefined = undefined;
  /** The reservation sid of the last outbound call StartOutboundCall placed. */
  lastOutboundSid: string | undefined = undefined;
  /** How the next calls placed by StartOutboundCall end (setDialOutcome). */
  dialOutcome: DialOutcome = "answer";
  /**
   * Invokes a Flex action as Flex itself does (actions.ts installs it):
   * resolves true when the action resolved, false when it rejected.
   */
  selfInvoke: (
    name: string,
    payload: Record<string, unknown>,
  ) => Promise<boolean> = () => Promise.resolve(false);
  /** Per outbound call: settles when its connection attempt is over. */
  private readonly connecting = new Map<string, Promise<void>>();
  /** Bumped by reset(): work scheduled before it must not touch new state. */
  private generation = 0;

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
            workflow_sid: newSid("WW"),
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

  /**
   * Moves a task on and tells the plugin as Flex does: for every reservation
   * event (accepted, wrapup, completed, rejected, timeout, canceled,
   * rescinded) Flex emits `taskUpdated` and then the event's own
   * (bundle WorkerState `handleReservationUpdated`:
   * `emitTaskUpdated(i,"updated"),emitTaskUpdated(i,e)`, each with the ITask).
   */
  move(
    task: SimTask,
    status: ReservationStatus,
    taskStatus: TaskStatus,
    event: string,
  ): void {
    task.setStatus(status, taskStatus);
    this.emit("taskUpdated", task);
    this.emit(event, task);
    this.changed();
  }

  /**
   * A new reservation for this worker: a call rings or a chat arrives. The
   * generic entry; `channel` picks the shape (RingOptions).
   */
  ringInbound(opts: RingOptions = {}): string {
    const channel = opts.channel ?? "voice";
    if (typeof channel !== "string" || channel === "")
      throw new Error("ringInbound: channel must be a non-empty string");
    checkAttributes("ringInbound", opts.attributes);
    const queue: QueueOptions = {
      queueName: opts.queueName,
      queuedMs: opts.queuedMs,
      attributes: opts.attributes,
    };
    if (channel === "voice")
      return this.ringVoice({
        ...queue,
        from: opts.from,
        to: opts.to,
        callerName: opts.callerName,
      });
    if (channel === "email")
      return this.ringEmail({
        ...queue,
        address: opts.from,
        name: opts.customerName,
      });
    if (
      channel === "chat" ||
      channel === "sms" ||
      opts.channelType !== undefined
    )
      return this.ringConversation({
        ...queue,
        channel,
        channelType: opts.channelType,
        from: opts.from,
      });
    const from = opts.from ?? "+15551230001";
    return this.addInbound(
      channel,
      { from, name: from, direction: "inbound" },
      queue,
    );
  }

  /**
   * An inbound call, as Flex's voice flow hands it over: the call is
   * enqueued (<Enqueue>, which puts the call's parameters on the task) by
   * the Send to Flex widget with Flex's default Voice IVR attributes.
   */
  ringVoice(opts: VoiceCallOptions = {}): string {
    checkAttributes("ringVoice", opts.attributes);
    const from = opts.from ?? "+15551230001";
    const to = opts.to ?? DEFAULT_CALLER_ID;
    const attributes: Record<string, unknown> = {
      // <Enqueue>: the call's parameters. `call_sid`: TaskRouter error 40140
      // (https://www.twilio.com/docs/api/errors/40140, "call_sid property ...
      // in the Task's attributes" of tasks created via <Enqueue>); the other
      // keys and their values as in a real <Enqueue> task that TaskRouter's
      // REST API returned (github.com/tigerfarm/owlcc README.md: from, to,
      // direction "inbound", call_sid, account_sid, caller, called,
      // api_version; its from_/to_/caller_/called_ city, state, zip and
      // country keys are left out). Flex reads `to` on an inbound call and
      // `from` on an outbound one (bundle TaskRouterTask joinCall).
      from,
      to,
      direction: "inbound",
      call_sid: newSid("CA"),
      account_sid: this.manager.serviceConfiguration.account_sid,
      caller: from,
      called: to,
      api_version: "2010-04-01",
      // Send to Flex, Flex's out-of-the-box Voice IVR flow:
      // { "type": "inbound", "name": "{{trigger.call.From}}" }
      // (https://www.twilio.com/docs/studio/widget-library/send-flex).
      type: "inbound",
      name: from,
    };
    // A flow that does caller ID lookup puts the name where Flex shows it:
    // Send to Flex's `name` ("{{trigger.call.CallerName}}" in place of the
    // default From); ITask.defaultFrom reads `name` first (bundle).
    if (typeof opts.callerName === "string") attributes.name = opts.callerName;
    return this.addInbound("voice", attributes, opts);
  }

  /**
   * A chat, SMS or WhatsApp conversation handed to Flex by Send to Flex:
   * "For SMS, WhatsApp, and Chat Conversations, SendToFlex widget adds
   * channelType, customerAddress, from, name, and customerName"
   * (https://www.twilio.com/docs/studio/widget-library/send-flex), and Flex
   * finds the conversation by `conversationSid` (bundle
   * BaseTaskHelper.getTaskConversationSid). The docs name the keys, not
   * their values: the simulator gives all four names the customer's address.
   */
  ringConversation(opts: ConversationOptions = {}): string {
    checkAttributes("ringConversation", opts.attributes);
    const channelType =
      opts.channelType ?? (opts.channel === "sms" ? "sms" : "web");
    const channel = opts.channel ?? (channelType === "sms" ? "sms" : "chat");
    const from =
      opts.from ??
      (channelType === "web"
        ? "Customer"
        : channelType === "whatsapp"
          ? "whatsapp:+15551230001"
          : "+15551230001");
    return this.addInbound(
      channel,
      {
        channelType,
        from,
        name: from,
        customerName: from,
        customerAddress: from,
        conversationSid: newSid("CH"),
        // Flex reads attributes.direction on conversation tasks (bundle,
        // the CHANNEL_LEFT_EVENT / CHANNEL_PAUSED_EVENT telemetry); what an
        // inbound one says is not documented: "inbound" here.
        direction: "inbound",
      },
      opts,
    );
  }

  /**
   * An inbound email: a Conversation handed to Flex like the others (Flex
   * email, https://www.twilio.com/docs/flex/admin-guide/setup/email/address-creation).
   * Flex tells email by `attributes.channelType === "email"` (bundle
   * BaseTaskHelper.isEmailTask) and shows "customerName - customerAddress"
   * (bundle ITask.defaultFrom; Twilio support article 47486124264987). No
   * `name`: it would win over both in defaultFrom.
   */
  ringEmail(opts: EmailOptions = {}): string {
    checkAttributes("ringEmail", opts.attributes);
    const address = opts.address ?? "customer@example.com";
    const attributes: Record<string, unknown> = {
      channelType: "email",
      from: address,
      customerAddress: address,
      conversationSid: newSid("CH"),
      direction: "inbound",
    };
    if (typeof opts.name === "string") attributes.customerName = opts.name;
    return this.addInbound("email", attributes, opts);
  }

  private addInbound(
    channel: string,
    attributes: Record<string, unknown>,
    opts: QueueOptions,
  ): string {
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
      taskDateCreated: new Date(Date.now() - queuedMs),
    });
    this.tasks.set(task.sid, task);
    // bundle WorkerState handleReservationCreated: emitTaskReceived(ITask).
    this.emit("taskReceived", task);
    this.changed();
    return task.sid;
  }

  /**
   * The task StartOutboundCall makes (actions.ts has the checks before it).
   * Flex's WorkerActions.startOutboundTask sets the attributes to
   * `{...taskAttributes, direction: "outbound"}` and calls
   * `workerClient.createTask(destination, from, workflowSid, queueSid,
   * {taskChannelUniqueName: "voice", attributes})` (bundle); twilio-taskrouter's
   * Worker.createTask posts `Attributes: Object.assign({}, attributes,
   * {outbound_to: to, from: from})` with `RoutingTarget: <the worker>`. So:
   * taskAttributes merged (shallow), then direction, outbound_to and from
   * over them; no `to`, no `name`.
   *
   * TaskRouter then reserves the task for this worker: the reservation is
   * created pending and Flex emits taskReceived (bundle
   * handleReservationCreated); that is when Flex's StartOutboundCall
   * settles (startOutboundTask waits for the worker's `reservationCreated`).
   * connectOutbound does what follows.
   */
  placeOutbound(
    destination: string,
    callerId: string,
    queueSid: string,
    taskAttributes: Record<string, unknown>,
  ): SimTask {
    const queueName =
      [...this.queueSids].find(([, sid]) => sid === queueSid)?.[0] ??
      "Everyone";
    const task = new SimTask({
      channel: "voice",
      attributes: {
        ...taskAttributes,
        direction: "outbound",
        outbound_to: destination,
        from: callerId,
      },
      queueName,
      queueSid,
      workerSid: this.worker.sid,
      workflowName: "Assign to Anyone",
      priority: 0,
      taskDateCreated: new Date(),
      routingTarget: this.worker.sid,
    });
    this.tasks.set(task.sid, task);
    this.lastOutboundSid = task.sid;
    this.emit("taskReceived", task);
    this.changed();
    this.connecting.set(task.sid, this.connectOutbound(task));
    return task;
  }

  /**
   * After the reservation exists: Flex invokes AcceptTask and then
   * SelectTask on the new outbound call itself (bundle
   * handleReservationCreated, `isInitialOutboundAttemptTask(t)` ->
   * `tryInvokeAction("AcceptTask",{task:t}).then(...("SelectTask",{task:t}))`).
   * AcceptTask sets up the conference and the customer's phone rings; the
   * reservation stays pending until the customer answers (accepted) or the
   * call fails (canceled with a reason code), which is never before
   * StartOutboundCall settled: the outcome waits a macrotask, after every
   * promise reaction of that invocation.
   */
  private async connectOutbound(task: SimTask): Promise<void> {
    const generation = this.generation;
    const live = (): boolean =>
      this.generation === generation &&
      this.tasks.get(task.sid) === task &&
      isInitialOutboundAttempt(task);
    await Promise.resolve();
    if (!live()) return;
    if (await this.selfInvoke("AcceptTask", { task })) {
      if (!live()) return;
      await this.selfInvoke("SelectTask", { task });
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!live() || !task.acceptIssued) return;
    const outcome = this.dialOutcome;
    if (outcome === "answer") this.answerCall(task.sid);
    else if (outcome !== "ring") this.failCall(task.sid, outcome);
  }

  /** Resolves once the call's connection attempt is over (api.dial waits). */
  outboundSettled(sid: string): Promise<void> {
    return this.connecting.get(sid) ?? Promise.resolve();
  }

  setDialOutcome(outcome: unknown): Result {
    if (!isDialOutcome(outcome))
      return fail(
        `dial outcome must be "answer", "ring", ${Object.keys(
          DIAL_FAILURE_CODES,
        )
          .map((k) => `"${k}"`)
          .join(", ")} or a reason code`,
      );
    this.dialOutcome = outcome;
    this.log(`dial outcome ${String(outcome)}`);
    return { ok: true };
  }

  /** The customer answers a ringing outbound call: the reservation is accepted. */
  answerCall(sid: string): Result {
    const task = this.task(sid);
    if (task === undefined) return fail(`no task for reservation ${sid}`);
    if (!isInitialOutboundAttempt(task))
      return fail(`${sid} is no outbound call being placed`);
    this.move(task, "accepted", "assigned", "taskAccepted");
    return { ok: true };
  }

  /**
   * The dialled call fails: TaskRouter cancels the reservation with a
   * reason code, which twilio-taskrouter keeps as the Reservation's
   * canceledReasonCode (ITask.sourceObject.canceledReasonCode); Flex emits
   * taskUpdated and taskCanceled (move) and shows its notification. ITask's
   * `reason` (TaskRouter's task.reason) is left as it is: no SDK code or
   * Twilio doc says what TaskRouter puts there for a failed dial.
   * `taskReason` sets it anyway, for a test of a plugin that reads it.
   */
  failCall(sid: string, reason: unknown, taskReason?: unknown): Result {
    const task = this.task(sid);
    if (task === undefined) return fail(`no task for reservation ${sid}`);
    if (!isInitialOutboundAttempt(task))
      return fail(`${sid} is no outbound call being placed`);
    const code = dialFailureCode(reason);
    if (code === undefined)
      return fail(
        `reason must be ${Object.keys(DIAL_FAILURE_CODES)
          .map((k) => `"${k}"`)
          .join(", ")} or a reason code`,
      );
    if (taskReason !== undefined && typeof taskReason !== "string")
      return fail("taskReason must be a string");
    task.sourceObject.canceledReasonCode = code;
    if (taskReason !== undefined) task.reason = taskReason;
    this.move(task, "canceled", "canceled", "taskCanceled");
    return { ok: true };
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
    this.generation += 1;
    this.tasks.clear();
    this.connecting.clear();
    this.dialOutcome = "answer";
    for (const list of [
      this.invocations,
      this.selfInvocations,
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
    this.selected = undefined;
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

function checkAttributes(what: string, attributes: unknown): void {
  if (attributes !== undefined && !isRecord(attributes))
    throw new Error(`${what}: attributes must be an object`);
}

export function fail(message: string): Result {
  return { ok: false, message };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
