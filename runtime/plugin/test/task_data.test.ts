import { deepEqual, equal } from "node:assert/strict";
import { test } from "node:test";

import { ProtocolError } from "../src/errors";
import {
  TaskData,
  type TaskFinder,
  liveTask,
  shownText,
  taskKey,
} from "../src/task_data";

const TASK = { taskSid: "WT1", sid: "WR1" };

const finder = (
  tasks: readonly { taskSid: string; sid: string; status?: string }[],
) =>
  ({
    TaskHelper: {
      getTaskByTaskSid: (sid: string) => tasks.find((t) => t.sid === sid),
    },
    StateHelper: {
      getTaskByTaskrouterTaskSid: (sid: string) =>
        tasks.find((t) => t.taskSid === sid),
    },
  }) as unknown as TaskFinder;

test("a task is found by its task sid or its reservation sid", () => {
  const flex = finder([TASK, { taskSid: "WT2", sid: "WR2" }]);
  equal(liveTask(flex, "WT1"), TASK);
  equal(liveTask(flex, "WR1"), TASK);
  equal(taskKey(liveTask(flex, "WR2")), "WT2");
});

test("a sid the agent has no task for, or whose task ended, is refused with FLEX_ACTION_FAILED", () => {
  const flex = finder([
    TASK,
    { taskSid: "WT9", sid: "WR9", status: "completed" },
  ]);
  for (const sid of ["WT9", "WR9", "", "__proto__"]) {
    let caught: unknown;
    try {
      liveTask(flex, sid);
    } catch (e) {
      caught = e;
    }
    equal(caught instanceof ProtocolError, true);
    equal((caught as ProtocolError).code, "FLEX_ACTION_FAILED");
  }
});

test("data is kept per task, replaced by a second send, dropped when the task ends", () => {
  const data = new TaskData<{ name: string }>();
  const changes: number[] = [];
  const stop = data.subscribe(() => changes.push(data.size));
  data.put(TASK, { name: "Ada" });
  data.put({ taskSid: "WT2" }, { name: "Bob" });
  data.put(TASK, { name: "Ada L." });
  deepEqual(data.get({ taskSid: "WT1", sid: "WR-other" }), { name: "Ada L." });
  equal(data.get({ taskSid: "WT3" }), undefined);
  data.drop(TASK);
  equal(data.get(TASK), undefined);
  equal(data.size, 1);
  // Dropping what is not there changes nothing.
  data.drop(TASK);
  stop();
  data.drop({ taskSid: "WT2" });
  deepEqual(changes, [1, 2, 2, 1]);
});

test("a listener that throws does not stop the others", () => {
  const data = new TaskData<number>();
  let seen = 0;
  const quiet = console.error;
  console.error = () => undefined;
  try {
    data.subscribe(() => {
      throw new Error("boom");
    });
    data.subscribe(() => {
      seen += 1;
    });
    data.put(TASK, 1);
  } finally {
    console.error = quiet;
  }
  equal(seen, 1);
});

test("values are shown as text only", () => {
  equal(shownText("<b>x</b>"), "<b>x</b>");
  equal(shownText(42), "42");
  equal(shownText(Number.NaN), undefined);
  equal(shownText(true), "yes");
  equal(shownText(new Date(Date.UTC(2026, 0, 2))), "2026-01-02T00:00:00.000Z");
  equal(shownText(new Date(Number.NaN)), undefined);
  equal(shownText({ toString: () => "<script>" }), undefined);
  equal(shownText(["a"]), undefined);
  equal(shownText(undefined), undefined);
});
