// "Fire" buttons for a person: one per Flex -> CRM trigger of the spec,
// each making the simulated Flex do what that trigger listens to (a task on
// the trigger's channel that meets its `when` filters, taken through the
// steps of its manager event or action), so every event can be rung by hand
// without knowing which task, channel or action it needs. Read from the plan
// in config.json, like the tests (browser/tests/drive.mjs), which do the
// same steps on their own to stay an independent check.

import type { FlexSim } from "./api";
import type { Json } from "./jsonsafe";

interface Source {
  root: string;
  segments: string[];
}
interface Filter {
  source: Source;
  equals_json: string;
}
export interface EventTrigger {
  name: { snake: string };
  direction: string;
  channel?: string | null;
  channel_type?: string | null;
  summary?: string | null;
  listen: { kind: string; name: string; subject: string; filters: Filter[] };
}

/** A step on a task: a flexSim method by name, or an action with args. */
type Step = string | { invoke: string; args: Record<string, unknown> };

const TASK_EVENT_STEPS: Record<string, Step[]> = {
  taskReceived: [],
  taskAccepted: ["accept"],
  taskWrapup: ["accept", "wrapup"],
  taskCompleted: ["accept", "wrapup", "complete"],
  taskRejected: ["reject"],
  taskCanceled: ["cancel"],
  taskTimeout: ["timeout"],
  taskRescinded: ["rescind"],
  taskUpdated: [
    "accept",
    {
      invoke: "SetTaskAttributes",
      args: { attributes: { note: "updated" }, mergeExisting: true },
    },
  ],
};

const ACTION_STEPS: Record<string, Step[]> = {
  AcceptTask: ["accept"],
  RejectTask: ["reject"],
  WrapupTask: ["accept", "wrapup"],
  HangupCall: ["accept", "hangup"],
  CompleteTask: ["accept", "wrapup", "complete"],
  SelectTask: ["accept", "select"],
  TransferTask: [
    "accept",
    {
      invoke: "TransferTask",
      args: { targetSid: "WQ00000000000000000000000000000001" },
    },
  ],
};

export function eventTriggers(plan: Json | undefined): EventTrigger[] {
  if (typeof plan !== "object" || plan === null || Array.isArray(plan))
    return [];
  const triggers = (plan as { triggers?: unknown }).triggers;
  if (!Array.isArray(triggers)) return [];
  return (triggers as EventTrigger[]).filter(
    (t) => t.direction === "flex_to_host",
  );
}

interface TaskSpec {
  channel: string;
  channelType?: string;
  attributes: Record<string, unknown>;
  queueName?: string;
}

/** The task a trigger's filters ask for. */
function taskFor(trigger: EventTrigger): TaskSpec {
  const task: TaskSpec = {
    channel: trigger.channel ?? "voice",
    channelType: trigger.channel_type ?? undefined,
    attributes: {},
  };
  for (const f of trigger.listen.filters) {
    if (f.source.root !== "task") continue;
    const value = JSON.parse(f.equals_json) as unknown;
    const [first, ...rest] = f.source.segments;
    if (first === "taskChannelUniqueName" && typeof value === "string")
      task.channel = value;
    else if (first === "channelType" && typeof value === "string")
      task.channelType = value;
    else if (first === "attributes" && rest.length === 1)
      task.attributes[rest[0]] = value;
    else if (first === "queueName" && typeof value === "string")
      task.queueName = value;
  }
  if (task.attributes.channelType === undefined && task.channelType)
    task.attributes.channelType = task.channelType;
  return task;
}

/**
 * Makes Flex fire what `trigger` listens to; resolves to a line for the
 * log, rejects with what went wrong.
 */
export async function fireTrigger(
  api: FlexSim,
  trigger: EventTrigger,
  from: string,
): Promise<string> {
  const { kind, name, subject } = trigger.listen;
  if (subject !== "task") {
    if (name === "workerActivityUpdated") {
      const current = api.worker().activityName;
      const next = current === "Break" ? "Available" : "Break";
      const r = await api.setActivity(next);
      if (!r.ok) throw new Error(r.message);
      return `activity set to ${next}`;
    }
    api.emit(name);
    return `emitted ${name}`;
  }
  const task = taskFor(trigger);
  let steps =
    kind === "manager_event"
      ? TASK_EVENT_STEPS[name]
      : (ACTION_STEPS[name] ?? ["accept", { invoke: name, args: {} }]);
  if (steps === undefined)
    throw new Error(`the simulator cannot fire ${kind} ${name}`);
  let sid: string;
  // An outbound call is placed by dialling, and is accepted by it (the
  // customer answers), or canceled by a failed dial; the other events of
  // a pending reservation need it to keep ringing.
  if (task.channel === "voice" && task.attributes.direction === "outbound") {
    const outcome =
      kind !== "manager_event"
        ? "answer"
        : name === "taskCanceled"
          ? "busy"
          : ["taskRejected", "taskTimeout", "taskRescinded"].includes(name)
            ? "ring"
            : "answer";
    const previous = api.setDialOutcome(outcome);
    if (!previous.ok) throw new Error(previous.message);
    let dialed: Awaited<ReturnType<FlexSim["dial"]>>;
    try {
      dialed = await api.dial(
        typeof task.attributes.outbound_to === "string"
          ? task.attributes.outbound_to
          : "+15557654321",
      );
    } finally {
      api.setDialOutcome("answer");
    }
    if (!dialed.ok) throw new Error(`dial failed: ${dialed.message}`);
    if (dialed.sid === undefined) throw new Error("dial placed no call");
    sid = dialed.sid;
    steps = steps.filter((s) => s !== "accept");
    if (name === "taskCanceled") steps = [];
  } else {
    sid = api.ringInbound({
      channel: task.channel,
      channelType: task.channelType,
      // E.164 on every channel (as the tests ring them), so that a trigger
      // reading the number as e164 gets a valid one.
      from,
      to: "+15550001000",
      attributes: task.attributes,
      queueName: task.queueName,
    });
  }
  const byName: Record<string, (sid: string) => unknown> = {
    accept: (id) => api.accept(id),
    reject: (id) => api.reject(id),
    hangup: (id) => api.hangup(id),
    wrapup: (id) => api.wrapup(id),
    complete: (id) => api.complete(id),
    select: (id) => api.select(id),
    cancel: (id) => api.cancel(id),
    timeout: (id) => api.timeout(id),
    rescind: (id) => api.rescind(id),
  };
  for (const step of steps) {
    const label = typeof step === "string" ? step : step.invoke;
    let outcome: unknown;
    if (typeof step === "string") {
      const run = byName[step];
      if (run === undefined) throw new Error(`unknown step ${step}`);
      outcome = await run(sid);
    } else {
      outcome = await api.invoke(step.invoke, { sid, ...step.args });
    }
    const r = outcome as { ok?: boolean; message?: string } | undefined;
    if (r && r.ok === false)
      throw new Error(`${label}: ${r.message ?? "failed"}`);
  }
  return `${kind === "manager_event" ? "event" : "action"} ${name} on ${sid}`;
}
