// window.flexSim: what the end-to-end tests drive through playwright's
// frame.evaluate. Everything returns JSON-safe values or promises of them;
// action helpers go through the real Actions.invokeAction and never throw.

import { CRM_CONTAINER_ID } from "./crm";
import type { FlexModule } from "./flex";
import { type Json, errorMessage } from "./jsonsafe";
import type {
  ConversationOptions,
  EmailOptions,
  Failure,
  Invocation,
  Result,
  RingOptions,
  SelfInvocation,
  Simulator,
  VoiceCallOptions,
} from "./sim";
import type { PageConfig } from "../shared/config";
import type { SimTask, TaskSnapshot } from "./tasks";

export type SimConfig = PageConfig<Json>;

export type DialResult =
  | { ok: true; sid?: string }
  | { ok: false; message: string };

export interface FlexSim {
  readonly ready: Promise<void>;
  readonly pluginStarted: Promise<void>;
  readonly config: SimConfig | undefined;
  reset(): void;
  /** A new inbound task; `channel` picks its shape (RingOptions). */
  ringInbound(opts?: RingOptions): string;
  /** An inbound call: PSTN, Anonymous, Restricted, client:..., sip:... */
  ringVoice(opts?: VoiceCallOptions): string;
  /** A chat, SMS or WhatsApp conversation (channelType web, sms, whatsapp). */
  ringConversation(opts?: ConversationOptions): string;
  ringEmail(opts?: EmailOptions): string;
  accept(sid: string): Promise<Result>;
  reject(sid: string): Promise<Result>;
  hangup(sid: string): Promise<Result>;
  wrapup(sid: string): Promise<Result>;
  complete(sid: string): Promise<Result>;
  transfer(sid: string, targetSid: string): Promise<Result>;
  select(sid: string): Promise<Result>;
  invoke(name: string, payload?: unknown): Promise<Result>;
  /**
   * StartOutboundCall through the real invokeAction; once it resolved,
   * waits until the call's connection attempt is over (answered, failed, or
   * ringing as setDialOutcome says), so that the task's state is settled.
   */
  dial(
    destination: unknown,
    callerId?: string,
    more?: { queueSid?: string; taskAttributes?: unknown },
  ): Promise<DialResult>;
  /**
   * How the next dialled calls end: "answer" (the default), "ring" (until
   * answerCall or failCall), or a failure: "busy", "no-answer",
   * "invalid-number", "unverified-caller-id" or a reason code.
   */
  setDialOutcome(outcome: unknown): Result;
  answerCall(sid: string): Result;
  /** A ringing outbound call fails (see setDialOutcome for the reasons). */
  failCall(sid: string, reason: unknown, taskReason?: unknown): Result;
  customerHangup(sid: string): Result;
  cancel(sid: string): Result;
  timeout(sid: string): Result;
  rescind(sid: string): Result;
  updateAttributes(sid: string, attributes: unknown): Result;
  setWorkerAttributes(attributes: unknown): Result;
  emit(event: string, ...args: unknown[]): void;
  emitTask(event: string, sid: string): Result;
  setOnline(on: boolean): void;
  setOutboundEnabled(on: boolean): void;
  setActivity(name: string): Promise<Result>;
  task(sid: string): TaskSnapshot | undefined;
  /**
   * The live ITask the plugin gets, for code running in this page (it cannot
   * cross frame.evaluate): read it through FlexUI.TaskHelper and its getters.
   */
  itask(sid: string): SimTask | undefined;
  tasks(): TaskSnapshot[];
  worker(): {
    identity: string;
    sid: string;
    activityName: string;
    attributes: Json;
  };
  readonly invocations: Invocation[];
  /** Actions Flex invoked by itself (AcceptTask, SelectTask after a dial). */
  readonly selfInvocations: SelfInvocation[];
  readonly emitted: Array<{ event: string; sid: string | undefined }>;
  /** While on, simulated action bodies wait: commands stay in flight. */
  hold(on: boolean): void;
  readonly ran: Invocation[];
  readonly failed: Failure[];
  readonly view: string | undefined;
  readonly messages: Array<{ conversationSid: string; body: string }>;
  readonly transfers: Array<{ sid: string; targetSid: string }>;
  readonly errors: string[];
  readonly online: boolean;
  readonly outboundEnabled: boolean;
  postToHost(raw: unknown): void;
  /** The reservation sid of the selected task (SelectTask), if any. */
  readonly selected: string | undefined;
}

export interface ApiDeps {
  /** Undefined until the simulator started (or when flex-ui.js did not load). */
  flex: () => FlexModule | undefined;
  sim: Simulator;
  ready: Promise<void>;
  pluginStarted: Promise<void>;
  config: () => SimConfig | undefined;
}

export function makeApi({
  flex,
  sim,
  ready,
  pluginStarted,
  config,
}: ApiDeps): FlexSim {
  const invoke = async (name: string, payload?: unknown): Promise<Result> => {
    const module = flex();
    if (module === undefined)
      return {
        ok: false,
        message: "the simulator has not started (await flexSim.ready)",
      };
    try {
      await module.Actions.invokeAction(name, payload);
      return { ok: true };
    } catch (error) {
      return { ok: false, message: errorMessage(error) };
    }
  };
  return {
    ready,
    pluginStarted,
    get config() {
      return config();
    },
    reset: () => sim.reset(),
    ringInbound: (opts) => sim.ringInbound(opts ?? {}),
    ringVoice: (opts) => sim.ringVoice(opts ?? {}),
    ringConversation: (opts) => sim.ringConversation(opts ?? {}),
    ringEmail: (opts) => sim.ringEmail(opts ?? {}),
    accept: (sid) => invoke("AcceptTask", { sid }),
    reject: (sid) => invoke("RejectTask", { sid }),
    hangup: (sid) => invoke("HangupCall", { sid }),
    wrapup: (sid) => invoke("WrapupTask", { sid }),
    complete: (sid) => invoke("CompleteTask", { sid }),
    transfer: (sid, targetSid) => invoke("TransferTask", { sid, targetSid }),
    select: (sid) => invoke("SelectTask", { sid }),
    invoke,
    async dial(destination, callerId, more) {
      const before = sim.lastOutboundSid;
      const payload: Record<string, unknown> = { destination };
      if (callerId !== undefined) payload.callerId = callerId;
      if (more?.queueSid !== undefined) payload.queueSid = more.queueSid;
      if (more?.taskAttributes !== undefined)
        payload.taskAttributes = more.taskAttributes;
      const result = await invoke("StartOutboundCall", payload);
      if (!result.ok) return result;
      const sid = sim.lastOutboundSid;
      // No sid when a plugin's replacement resolved without placing a call.
      if (sid === undefined || sid === before) return { ok: true };
      await sim.outboundSettled(sid);
      return { ok: true, sid };
    },
    setDialOutcome: (outcome) => sim.setDialOutcome(outcome),
    answerCall: (sid) => sim.answerCall(sid),
    failCall: (sid, reason, taskReason) =>
      sim.failCall(sid, reason, taskReason),
    customerHangup: (sid) => sim.customerHangup(sid),
    cancel: (sid) => sim.endReservation(sid, "taskCanceled"),
    timeout: (sid) => sim.endReservation(sid, "taskTimeout"),
    rescind: (sid) => sim.endReservation(sid, "taskRescinded"),
    updateAttributes: (sid, attributes) =>
      sim.updateAttributes(sid, attributes),
    setWorkerAttributes: (attributes) => sim.setWorkerAttributes(attributes),
    emit(event, ...args) {
      sim.emit(event, ...args);
    },
    // Tests cannot pass an ITask through evaluate: this one names it by sid.
    emitTask(event, sid) {
      const task = sim.task(sid);
      if (task === undefined)
        return { ok: false, message: `no task for reservation ${sid}` };
      sim.emit(event, task);
      return { ok: true };
    },
    setOnline(on) {
      sim.online = on === true;
      sim.log(`online ${String(sim.online)}`);
      sim.changed();
    },
    setOutboundEnabled(on) {
      sim.outboundEnabled = on === true;
      sim.log(
        `outbound calling ${sim.outboundEnabled ? "enabled" : "disabled"}`,
      );
    },
    setActivity: (name) => invoke("SetActivity", { activityName: name }),
    task: (sid) => sim.task(sid)?.snapshot(),
    itask: (sid) => sim.task(sid),
    tasks: () => [...sim.tasks.values()].map((t) => t.snapshot()),
    worker: () => sim.workerSnapshot(),
    get invocations() {
      return sim.invocations;
    },
    get selfInvocations() {
      return sim.selfInvocations;
    },
    get emitted() {
      return sim.emitted;
    },
    hold: (on) => sim.hold(on === true),
    get ran() {
      return sim.ran;
    },
    get failed() {
      return sim.failed;
    },
    get view() {
      return sim.view;
    },
    get messages() {
      return sim.messages;
    },
    get transfers() {
      return sim.transfers;
    },
    get errors() {
      return sim.errors;
    },
    get online() {
      return sim.online;
    },
    get outboundEnabled() {
      return sim.outboundEnabled;
    },
    postToHost(raw) {
      const loaded = config();
      if (loaded === undefined)
        throw new Error("postToHost: config not loaded yet");
      // host_in_flex: the CRM page is the frame in the CRM container (crm.ts).
      const target =
        loaded.embedding === "host_in_flex"
          ? document.querySelector<HTMLIFrameElement>(
              `#${CRM_CONTAINER_ID} iframe`,
            )?.contentWindow
          : window.parent;
      if (target === null || target === undefined)
        throw new Error("postToHost: no CRM frame");
      target.postMessage(raw, loaded.hostOrigin);
    },
    get selected() {
      return sim.selected;
    },
  };
}
