// The control panel for a person running serve.mjs: ring calls and chats,
// act on tasks, flip the switches, read the action log. Text only: every
// value shown, including whatever a peer sent, goes through textContent.

import type { FlexSim } from "./api";
import {
  ACTIVITIES,
  DIAL_FAILURE_CODES,
  LOG_LIMIT,
  type Simulator,
} from "./sim";
import { SimTask, isInitialOutboundAttempt, isVoice } from "./tasks";
import { type EventTrigger, fireTrigger } from "./triggers";

type Child = Node | string;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  node.append(...children);
  return node;
}

function button(
  label: string,
  onClick: () => void,
  className = "",
): HTMLButtonElement {
  const b = el("button", { text: label, className });
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function checkbox(
  label: string,
  checked: boolean,
  onChange: (on: boolean) => void,
): [HTMLLabelElement, HTMLInputElement] {
  const input = el("input");
  input.type = "checkbox";
  input.checked = checked;
  input.addEventListener("change", () => onChange(input.checked));
  return [el("label", { className: "toggle" }, input, ` ${label}`), input];
}

export interface Panel {
  /** A line under the title: login, plugin and error state. */
  status(text: string, kind?: "ok" | "error"): void;
  /** One "fire" button per Flex -> CRM trigger of the spec. */
  showTriggers(triggers: EventTrigger[]): void;
}

export function mountPanel(
  root: HTMLElement,
  sim: Simulator,
  api: FlexSim,
  caseName: string,
): Panel {
  const statusLine = el("p", { className: "status", text: "starting" });
  const number = el("input", {
    className: "number",
    title: "Caller number (E.164)",
  });
  number.value = "+15551230001";
  number.spellcheck = false;
  const ring = (channel: string, channelType?: string): void => {
    const from = number.value.trim();
    const opts =
      channelType === "whatsapp"
        ? { channel, channelType, from: `whatsapp:${from}` }
        : channel === "email"
          ? {
              channel,
              from: from.includes("@") ? from : "customer@example.com",
            }
          : { channel, channelType, from };
    try {
      api.ringInbound(opts);
    } catch (error) {
      sim.log(`ring failed: ${String(error)}`);
    }
  };
  const dialTo = el("input", {
    className: "number",
    title: "Number to dial (E.164)",
  });
  dialTo.value = "+15557654321";
  dialTo.spellcheck = false;
  const outcome = el("select", { title: "How dialled calls end" });
  for (const o of ["answer", "ring", ...Object.keys(DIAL_FAILURE_CODES)])
    outcome.append(el("option", { text: o }));
  outcome.addEventListener("change", () => {
    api.setDialOutcome(outcome.value);
  });

  const activity = el("select", { title: "Worker activity" });
  for (const a of ACTIVITIES) activity.append(el("option", { text: a.name }));
  activity.addEventListener("change", () => {
    void api.setActivity(activity.value);
  });
  const [onlineLabel, onlineBox] = checkbox("online", sim.online, (on) =>
    api.setOnline(on),
  );
  const [outboundLabel, outboundBox] = checkbox(
    "outbound calling",
    sim.outboundEnabled,
    (on) => api.setOutboundEnabled(on),
  );

  const taskList = el("ul", { className: "tasks" });
  const triggerList = el("div", { className: "row triggers" });
  const logList = el("ol", { className: "log" });

  root.replaceChildren(
    el(
      "header",
      {},
      el("h1", { text: `Flex simulator · ${caseName}` }),
      el("p", {
        className: "who",
        text: `${sim.manager.user.identity} · ${sim.worker.sid}`,
      }),
      statusLine,
    ),
    el(
      "section",
      { className: "controls" },
      el(
        "div",
        { className: "row" },
        number,
        button("Ring call", () => ring("voice")),
        button("Ring WhatsApp", () => ring("chat", "whatsapp")),
        button("Ring SMS", () => ring("sms", "sms")),
        button("Ring email", () => ring("email")),
      ),
      el(
        "div",
        { className: "row" },
        dialTo,
        button("Dial", () => {
          void api.dial(dialTo.value.trim());
        }),
        el("label", { text: "then " }, outcome),
      ),
      el(
        "div",
        { className: "row" },
        el("label", { text: "Activity " }, activity),
        onlineLabel,
        outboundLabel,
      ),
    ),
    el(
      "section",
      {},
      el("h2", {
        text: "Flex → CRM triggers",
        title:
          "Each button makes Flex do what the trigger listens to: a task on its channel through its event or action",
      }),
      triggerList,
    ),
    el("section", {}, el("h2", { text: "Tasks" }), taskList),
    el("section", {}, el("h2", { text: "Action log" }), logList),
  );

  const taskRow = (task: SimTask): HTMLLIElement => {
    const a = task.attributes;
    const who = `${String(a.from ?? "?")} → ${String(a.outbound_to ?? a.to ?? "?")}`;
    const kind =
      task.channelType === task.taskChannelUniqueName
        ? task.taskChannelUniqueName
        : `${task.taskChannelUniqueName}/${task.channelType}`;
    const actions: HTMLButtonElement[] = [];
    const act = (label: string, run: () => unknown): void => {
      actions.push(button(label, () => void run(), "small"));
    };
    if (isInitialOutboundAttempt(task)) {
      act("customer answers", () => api.answerCall(task.sid));
      for (const reason of Object.keys(DIAL_FAILURE_CODES))
        act(reason, () => api.failCall(task.sid, reason));
    } else if (task.status === "pending") {
      act("accept", () => api.accept(task.sid));
      act("reject", () => api.reject(task.sid));
      act("cancel", () => api.cancel(task.sid));
      act("time out", () => api.timeout(task.sid));
      act("rescind", () => api.rescind(task.sid));
    }
    if (task.status === "accepted") {
      if (isVoice(task)) {
        act("hang up", () => api.hangup(task.sid));
        act("customer hangs up", () => api.customerHangup(task.sid));
      } else {
        act("complete", () => api.complete(task.sid));
      }
      act("wrap up", () => api.wrapup(task.sid));
      act("select", () => api.select(task.sid));
      act("transfer", () =>
        api.transfer(task.sid, "WQ00000000000000000000000000000001"),
      );
      act("update attributes", () =>
        api.invoke("SetTaskAttributes", {
          sid: task.sid,
          attributes: { note: `updated ${new Date().toISOString()}` },
          mergeExisting: true,
        }),
      );
    }
    if (task.status === "wrapping")
      act("complete", () => api.complete(task.sid));
    return el(
      "li",
      { className: `task ${task.status}` },
      el("span", { className: "kind", text: kind }),
      el("span", { className: "dir", text: String(a.direction ?? "") }),
      el("span", { className: "who", text: who }),
      el("span", { className: "state", text: task.status }),
      el("span", { className: "sid", text: task.sid, title: task.taskSid }),
      el("span", { className: "buttons" }, ...actions),
    );
  };

  const render = (): void => {
    const tasks = [...sim.tasks.values()].reverse();
    taskList.replaceChildren(
      ...(tasks.length === 0
        ? [el("li", { className: "empty", text: "no tasks" })]
        : tasks.map(taskRow)),
    );
    activity.value = sim.worker.activity.name;
    outcome.value = String(sim.dialOutcome);
    onlineBox.checked = sim.online;
    outboundBox.checked = sim.outboundEnabled;
  };
  // Many changes can land in one task; one render after them is enough.
  let scheduled = false;
  sim.watch(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      render();
    });
  });
  sim.watchLog((line) => {
    if (line === null) {
      logList.replaceChildren();
      return;
    }
    logList.prepend(el("li", { text: line }));
    while (logList.childElementCount > LOG_LIMIT)
      logList.lastElementChild?.remove();
  });
  for (const line of sim.logLines) logList.prepend(el("li", { text: line }));
  render();

  return {
    status(text, kind) {
      statusLine.textContent = text;
      statusLine.className = `status ${kind ?? ""}`;
    },
    showTriggers(triggers) {
      const buttons = triggers.map((trigger) => {
        const b = button(
          `fire ${trigger.name.snake}`,
          () => {
            void fireTrigger(api, trigger, number.value.trim()).then(
              (line) => sim.log(`fired ${trigger.name.snake}: ${line}`),
              (error: unknown) =>
                sim.log(`fire ${trigger.name.snake} failed: ${String(error)}`),
            );
          },
          "fire",
        );
        b.dataset.trigger = trigger.name.snake;
        b.title = `${trigger.listen.kind} ${trigger.listen.name}${trigger.summary ? `: ${trigger.summary}` : ""}`;
        return b;
      });
      triggerList.replaceChildren(
        ...(buttons.length
          ? buttons
          : [el("span", { text: "This spec has no flex_to_host triggers." })]),
      );
    },
  };
}
