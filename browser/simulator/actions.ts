// Simulated bodies for Flex's built-in actions. The Actions Framework stays
// the real one (payload completion, before/after listeners, abort, "is
// pending", error wrapping); only what needs a logged-in Flex is simulated.
// A body throws an Error to make the invocation reject with that text.

import type { ActionPayload, FlexModule } from "./flex";
import { type Json, errorMessage, isRecord, toJsonSafe } from "./jsonsafe";
import { type SelfInvocation, type Simulator, findActivity } from "./sim";
import {
  PhoneNumberFormat,
  SimTask,
  conversationOf,
  formatPhone,
  isInitialOutboundAttempt,
  isVoice,
  setPhoneFormatter,
} from "./tasks";

/** Every built-in action the simulator answers for. */
export const SIMULATED_ACTIONS = [
  "AcceptTask",
  "RejectTask",
  "CompleteTask",
  "WrapupTask",
  "SelectTask",
  "TransferTask",
  "SetTaskAttributes",
  "SetActivity",
  "HangupCall",
  "ToggleMute",
  "EndConferenceForAll",
  "HoldCall",
  "UnholdCall",
  "StartExternalWarmTransfer",
  "SendDTMFDigits",
  "StartOutboundCall",
  "SendMessage",
  "SetInputText",
  "SendRichContentMessage",
  "NavigateToView",
  "ToggleSidebar",
  "SetComponentState",
] as const;

export type SimulatedAction = (typeof SIMULATED_ACTIONS)[number];

/**
 * Flex's own error texts where it has one (its ActionErrors and
 * OutboundCallingErrors), with the sid or value after it so a failing test
 * says which task.
 */
const TEXT = {
  NOT_FOUND: "reservation for task not found",
  NOT_PENDING: "reservation is not in pending state",
  NOT_ACCEPTED: "reservation is not in accepted state",
  COMPLETED: "reservation is in completed state",
  CANT_TRANSFER: "cannot transfer task",
  NO_ACTIVE_CALL: "no active call",
  OUTBOUND_DISABLED: "outbound calling disabled",
  OFFLINE: "cannot do outbound calls when offline",
  PENDING_INBOUND: "cannot do outbound calls with a pending inbound call",
  LIVE_CALL: "live call task already exists",
  INVALID_DESTINATION: "invalid destination",
  CANT_SET_ACTIVITY: "could not set activity",
  CANT_SET_TASK_ATTRIBUTES: "could not set task attributes",
} as const;

type Body = (payload: ActionPayload) => unknown;

export function installActions(flex: FlexModule, sim: Simulator): void {
  const bodies: Record<SimulatedAction, Body> = makeBodies(sim);
  replacePayloadUpdates(flex, sim);
  installPhoneFormatter(flex, sim);
  // Every invocation from outside the simulated Flex (the plugin, tests) is
  // logged at the door, before Flex completes its payload or runs any
  // listener: an action that fails in Flex's own payload code, is aborted,
  // or does not exist still counts as invoked.
  const invoke = flex.Actions.invokeAction.bind(flex.Actions);
  flex.Actions.invokeAction = (name: string, payload?: unknown) => {
    sim.invocations.push({ name: String(name), payload: jsonPayload(payload) });
    return invoke(name, payload);
  };
  if (flex.Actions.invokeAction === invoke) {
    throw new Error("could not wrap Actions.invokeAction");
  }
  // What Flex invokes by itself goes through the same Actions Framework
  // (listeners and all), logged apart: sim.selfInvocations.
  const own: Array<{ name: string; task: unknown; entry: SelfInvocation }> = [];
  sim.selfInvoke = async (name, payload) => {
    const entry: SelfInvocation = {
      name,
      payload: jsonPayload(payload),
      outcome: "invoked",
    };
    sim.selfInvocations.push(entry);
    const mark = { name, task: payload.task, entry };
    own.push(mark);
    sim.log(`Flex invokes ${name}${about(payload)}`);
    try {
      await invoke(name, payload);
      return true;
    } catch (error) {
      if (entry.outcome === "invoked") {
        entry.outcome = "failed";
        entry.error = errorMessage(error);
      }
      return false;
    } finally {
      const at = own.indexOf(mark);
      if (at >= 0) own.splice(at, 1);
    }
  };
  /** The self-invocation a body belongs to: same action, same ITask. */
  const ownEntry = (
    name: string,
    input: ActionPayload,
  ): SelfInvocation | undefined => {
    const at = own.findIndex((m) => m.name === name && m.task === input.task);
    if (at < 0) return undefined;
    const [mark] = own.splice(at, 1);
    return mark?.entry;
  };
  for (const name of SIMULATED_ACTIONS) {
    const body = bodies[name];
    // `original` is never called: it needs a logged-in Flex.
    flex.Actions.replaceAction(name, async (payload) => {
      const input: ActionPayload = isRecord(payload) ? payload : {};
      // Tests hold bodies to keep a command in flight (flexSim.hold).
      await sim.released();
      const selfEntry = ownEntry(name, input);
      const who = selfEntry === undefined ? "" : "Flex ";
      try {
        const result = await body(input);
        if (selfEntry === undefined)
          sim.ran.push({ name, payload: jsonPayload(input) });
        else selfEntry.outcome = "ran";
        sim.log(`${who}ran ${name}${about(input)}`);
        return result;
      } catch (error) {
        const message = errorMessage(error);
        if (selfEntry === undefined) sim.failed.push({ name, message });
        else {
          selfEntry.outcome = "failed";
          selfEntry.error = message;
        }
        sim.log(`${who}failed ${name}${about(input)}: ${message}`);
        throw error instanceof Error ? error : new Error(message);
      } finally {
        sim.changed();
      }
    });
  }
}

/**
 * ITask.formattedAttributes and defaultFrom, and StartOutboundCall's
 * destination, format numbers with Flex's own
 * CountryManager.formatPhoneNumberWithCountryCode (exported by
 * @twilio/flex-ui as CountryManager).
 */
function installPhoneFormatter(flex: FlexModule, sim: Simulator): void {
  const manager = flex.CountryManager;
  const format = manager?.formatPhoneNumberWithCountryCode;
  if (typeof format !== "function") {
    sim.error(
      "CountryManager.formatPhoneNumberWithCountryCode not found: numbers stay unformatted",
    );
    return;
  }
  setPhoneFormatter((value, country, kind) =>
    format.call(manager, value, country, kind),
  );
}

/** A payload for the logs: an ITask becomes its reservation sid. */
export function jsonPayload(payload: unknown): Json {
  return (
    toJsonSafe(payload, (value) =>
      value instanceof SimTask ? value.sid : undefined,
    ) ?? null
  );
}

function about(payload: ActionPayload): string {
  const sid = payload.task instanceof SimTask ? payload.task.sid : payload.sid;
  return typeof sid === "string" ? ` ${sid}` : "";
}

/**
 * Flex completes some payloads from its logged-in state before any listener
 * runs (SetActivity from FlexModule, the conversation actions from
 * ChatModule); without a session those functions throw "... not
 * initialized" and the action can never run. These stand-ins do the same
 * completion from the simulated state. The task actions' own functions are
 * kept: they find tasks through the patched TaskHelper.getTaskByTaskSid.
 */
function replacePayloadUpdates(flex: FlexModule, sim: Simulator): void {
  const updates = flex.Actions.payloadUpdateFunctions;
  if (!(updates instanceof Map)) {
    sim.error(
      "Actions.payloadUpdateFunctions not found: SetActivity and SendMessage will fail",
    );
    return;
  }
  updates.set("SetActivity", (payload) => {
    const p: ActionPayload = isRecord(payload) ? payload : {};
    if (typeof p.activityName === "string" && p.activitySid === undefined) {
      p.activitySid = findActivity({ name: p.activityName })?.sid;
    }
    const known = findActivity({ sid: p.activitySid });
    if (known !== undefined) {
      p.activityName = known.name;
      p.activityAvailable = known.available;
    }
    const options = isRecord(p.options) ? p.options : {};
    if (options.rejectPendingReservations === undefined)
      options.rejectPendingReservations = false;
    p.options = options;
    return p;
  });
  const conversation = (payload: ActionPayload): ActionPayload => {
    const p: ActionPayload = isRecord(payload) ? payload : {};
    if (typeof p.conversationSid !== "string") {
      const source = isRecord(p.conversation)
        ? p.conversation.source
        : undefined;
      if (isRecord(source) && typeof source.sid === "string")
        p.conversationSid = source.sid;
    }
    return p;
  };
  for (const name of [
    "SendMessage",
    "SetInputText",
    "SendRichContentMessage",
  ]) {
    updates.set(name, conversation);
  }
}

function makeBodies(sim: Simulator): Record<SimulatedAction, Body> {
  /** The task of a task action: `payload.task` as Flex resolved it, else by sid. */
  const taskOf = (p: ActionPayload): SimTask => {
    const given =
      p.task instanceof SimTask
        ? p.task.sid
        : isRecord(p.task)
          ? p.task.sid
          : undefined;
    const sid = typeof p.sid === "string" ? p.sid : given;
    if (typeof sid !== "string")
      throw new Error(`${TEXT.NOT_FOUND} (no sid or task in the payload)`);
    const task = sim.task(sid);
    if (task === undefined) throw new Error(`${TEXT.NOT_FOUND} (${sid})`);
    return task;
  };
  const accepted = (task: SimTask): void => {
    if (task.status === "completed")
      throw new Error(`${TEXT.COMPLETED} (${task.sid})`);
    if (task.status !== "accepted")
      throw new Error(`${TEXT.NOT_ACCEPTED} (${task.sid} is ${task.status})`);
  };
  const record = (): void => undefined;

  return {
    AcceptTask(p) {
      const task = taskOf(p);
      if (task.status !== "pending")
        throw new Error(`${TEXT.NOT_PENDING} (${task.sid} is ${task.status})`);
      // Flex's AcceptTask on a call issues the conference instruction
      // (bundle WorkerActions.acceptTask: `o.conference(t.conferenceOptions)`);
      // for an outbound call the reservation stays pending while the
      // customer's phone rings, and is accepted when they answer (Flex's
      // "stuck task" check skips outbound tasks for that reason;
      // https://support.twilio.com/hc/en-us/articles/42786996187419).
      if (isInitialOutboundAttempt(task)) {
        task.acceptIssued = true;
        return;
      }
      sim.move(task, "accepted", "assigned", "taskAccepted");
    },
    RejectTask(p) {
      const task = taskOf(p);
      if (task.status !== "pending")
        throw new Error(`${TEXT.NOT_PENDING} (${task.sid} is ${task.status})`);
      sim.move(task, "canceled", "canceled", "taskRejected");
    },
    HangupCall(p) {
      const task = taskOf(p);
      if (!isVoice(task))
        throw new Error(
          `${TEXT.NO_ACTIVE_CALL} (${task.sid} is a ${task.taskChannelUniqueName} task)`,
        );
      // An outbound call still ringing: the agent's leg is in the conference
      // since Flex's AcceptTask, so Flex disconnects it (bundle
      // VoiceActions `e.hangupCall=function`: a pending outbound call task
      // counts as a cancelled journey, then `i.disconnect()`), the
      // conference set-up fails and TaskRouter cancels the reservation
      // ("Setup fails -> Reservation transitions to canceled",
      // https://support.twilio.com/hc/en-us/articles/42786996187419). No
      // canceledReasonCode: Flex's handleOutboundTaskCancelledEvent shows
      // a failure notice only `if(t.canceledReasonCode)`, and an agent's
      // own hang-up is no failure (which code TaskRouter sets, if any, has
      // no source: FACTS.md).
      if (isInitialOutboundAttempt(task) && task.acceptIssued) {
        sim.move(task, "canceled", "canceled", "taskCanceled");
        return;
      }
      accepted(task);
      sim.move(task, "wrapping", "wrapping", "taskWrapup");
    },
    WrapupTask(p) {
      const task = taskOf(p);
      accepted(task);
      sim.move(task, "wrapping", "wrapping", "taskWrapup");
    },
    CompleteTask(p) {
      const task = taskOf(p);
      const done =
        task.status === "wrapping" ||
        (task.status === "accepted" && !isVoice(task));
      if (!done) {
        const why =
          task.status === "accepted"
            ? "a live call must be hung up or wrapped up first"
            : `it is ${task.status}`;
        throw new Error(`cannot complete ${task.sid}: ${why}`);
      }
      sim.move(task, "completed", "completed", "taskCompleted");
    },
    SelectTask(p) {
      // Flex's SelectTask makes the task the selected one (the agent
      // desktop's TaskContext), which its CRM container renders (crm.ts).
      if (p.sid !== undefined || p.task !== undefined) {
        const task = taskOf(p);
        if (sim.selected !== task.sid) {
          sim.selected = task.sid;
          sim.log(`selected ${task.sid}`);
          sim.changed();
        }
      }
    },
    TransferTask(p) {
      const task = taskOf(p);
      if (task.status !== "accepted")
        throw new Error(
          `${TEXT.CANT_TRANSFER} (${task.sid} is ${task.status})`,
        );
      if (typeof p.targetSid !== "string" || p.targetSid === "") {
        throw new Error(
          `${TEXT.CANT_TRANSFER} (targetSid must be a non-empty string)`,
        );
      }
      sim.transfers.push({ sid: task.sid, targetSid: p.targetSid });
    },
    SetTaskAttributes(p) {
      const task = taskOf(p);
      if (!isRecord(p.attributes))
        throw new Error(
          `${TEXT.CANT_SET_TASK_ATTRIBUTES} (attributes must be an object)`,
        );
      task.attributes =
        p.mergeExisting === true
          ? { ...task.attributes, ...p.attributes }
          : { ...p.attributes };
      task.dateUpdated = new Date();
      sim.emit("taskUpdated", task);
    },
    SetActivity(p) {
      let next = findActivity({ sid: p.activitySid });
      if (next === undefined && typeof p.activityName === "string") {
        throw new Error(
          `${TEXT.CANT_SET_ACTIVITY} (no activity named "${p.activityName}")`,
        );
      }
      if (next === undefined && typeof p.activityAvailable === "boolean") {
        next = findActivity({
          name: p.activityAvailable ? "Available" : "Unavailable",
        });
      }
      if (next === undefined) {
        throw new Error(
          `${TEXT.CANT_SET_ACTIVITY} (give activityName, activitySid or activityAvailable)`,
        );
      }
      sim.setActivityNow(next);
    },
    StartOutboundCall(p) {
      // Flex's order of checks (bundle OutboundCalling.startOutboundCall).
      if (!sim.outboundEnabled) throw new Error(TEXT.OUTBOUND_DISABLED);
      if (sim.hasLiveCall()) throw new Error(TEXT.LIVE_CALL);
      if (sim.hasPendingCall()) throw new Error(TEXT.PENDING_INBOUND);
      if (sim.offline) throw new Error(TEXT.OFFLINE);
      if (typeof p.destination !== "string" || p.destination === "")
        throw new Error(TEXT.INVALID_DESTINATION);
      // `queueSid || default.queue_sid`, `callerId || default.caller_id`;
      // a destination that is no client: address is formatted E.164 in the
      // flow's location (`CountryManager.formatPhoneNumberWithCountryCode(C,
      // i.default.location) || C`).
      const flows =
        sim.manager.serviceConfiguration.outbound_call_flows.default;
      const queueSid =
        typeof p.queueSid === "string" && p.queueSid !== ""
          ? p.queueSid
          : flows.queue_sid;
      const callerId =
        typeof p.callerId === "string" && p.callerId !== ""
          ? p.callerId
          : flows.caller_id;
      const destination = p.destination.match(/client:/)
        ? p.destination
        : (formatPhone(p.destination, PhoneNumberFormat.E164, flows.location) ??
          p.destination);
      // `options: {attributes: t.taskAttributes || {}}`: merged into the
      // task's attributes (sim.placeOutbound).
      const taskAttributes = isRecord(p.taskAttributes) ? p.taskAttributes : {};
      sim.placeOutbound(destination, callerId, queueSid, taskAttributes);
      // Resolves with nothing once the reservation exists: the customer
      // has not answered yet (startOutboundTask waits for
      // `reservationCreated` only).
    },
    SendMessage(p) {
      const sid = p.conversationSid;
      if (typeof sid !== "string")
        throw new Error("SendMessage needs a conversationSid");
      const task = sim.byConversation(sid);
      if (task === undefined) throw new Error(`no conversation ${sid}`);
      if (task.status !== "accepted")
        throw new Error(
          `conversation ${sid} is not active (${task.sid} is ${task.status})`,
        );
      if (typeof p.body !== "string")
        throw new Error("SendMessage needs a string body");
      sim.messages.push({
        conversationSid: conversationOf(task) ?? sid,
        body: p.body,
      });
    },
    NavigateToView(p) {
      if (typeof p.viewName !== "string" || p.viewName === "")
        throw new Error("NavigateToView needs a viewName");
      sim.view = p.viewName;
    },
    ToggleMute: record,
    EndConferenceForAll: record,
    HoldCall: record,
    UnholdCall: record,
    StartExternalWarmTransfer: record,
    SendDTMFDigits: record,
    SetInputText: record,
    SendRichContentMessage: record,
    ToggleSidebar: record,
    SetComponentState: record,
  };
}
