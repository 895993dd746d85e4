import { deepEqual, equal } from "node:assert/strict";
import { test } from "node:test";

import {
  AcceptTimes,
  readPath,
  readTiming,
  readWorker,
  taskOfAction,
} from "../src/flex_reads";

test("readPath follows own and inherited properties", () => {
  class Task {
    readonly attributes = { direction: "inbound" };
    get taskSid(): string {
      return "WT1";
    }
  }
  const root = { task: new Task() };
  equal(readPath(root, ["task", "taskSid"]), "WT1");
  equal(readPath(root, ["task", "attributes", "direction"]), "inbound");
  equal(readPath(root, []), root);
  equal(readPath(root, ["task", "missing", "deeper"]), undefined);
  equal(readPath({ a: null }, ["a", "b"]), undefined);
  equal(readPath({ a: "text" }, ["a", "length"]), undefined);
  const fn = Object.assign(() => undefined, { tag: "x" });
  equal(readPath({ fn }, ["fn", "tag"]), "x");
});

test("readPath never follows a prototype key", () => {
  const root = { a: {} };
  equal(readPath(root, ["a", "__proto__"]), undefined);
  equal(readPath(root, ["a", "constructor"]), undefined);
  equal(readPath(root, ["a", "constructor", "prototype"]), undefined);
  equal(readPath({ prototype: 1 }, ["prototype"]), undefined);
});

test("readWorker reads identity and worker fields, never the token", () => {
  const manager = {
    user: { identity: "alice", token: "secret" },
    workerClient: {
      sid: "WK1",
      activity: { name: "Available" },
      attributes: { skills: ["en"] },
    },
  } as unknown as Parameters<typeof readWorker>[0];
  const worker = readWorker(manager);
  deepEqual(worker, {
    identity: "alice",
    sid: "WK1",
    activityName: "Available",
    attributes: { skills: ["en"] },
  });
  equal(JSON.stringify(worker).includes("secret"), false);
  const bare = readWorker({
    user: { identity: "bob" },
    workerClient: undefined,
  } as unknown as Parameters<typeof readWorker>[0]);
  deepEqual(bare, {
    identity: "bob",
    sid: undefined,
    activityName: undefined,
    attributes: undefined,
  });
});

test("AcceptTimes remembers the last tasks by sid", () => {
  const times = new AcceptTimes(2);
  const at = (s: number) => new Date(s * 1000);
  times.record({ taskSid: "WT1" }, at(1));
  times.record({ taskSid: "WT2" }, at(2));
  times.record({ noSid: true }, at(9));
  equal(times.get({ taskSid: "WT1" })?.getTime(), 1000);
  // Recording again refreshes WT1, so WT2 is the oldest when WT3 comes.
  times.record({ taskSid: "WT1" }, at(3));
  times.record({ taskSid: "WT3" }, at(4));
  equal(times.get({ taskSid: "WT2" }), undefined);
  equal(times.get({ taskSid: "WT1" })?.getTime(), 3000);
  equal(times.get({ taskSid: "WT3" })?.getTime(), 4000);
  equal(times.get(undefined), undefined);
});

test("readTiming: talk seconds from acceptance, whole, never negative", () => {
  const times = new AcceptTimes();
  const task = { taskSid: "WT1" };
  times.record(task, new Date(10_000));
  deepEqual(readTiming(times, task, new Date(75_900)), {
    eventAt: new Date(75_900),
    acceptedAt: new Date(10_000),
    talkSeconds: 65,
  });
  equal(readTiming(times, task, new Date(5_000)).talkSeconds, 0);
  deepEqual(readTiming(undefined, task, new Date(1)), {
    eventAt: new Date(1),
    acceptedAt: undefined,
    talkSeconds: undefined,
  });
  equal(
    readTiming(times, { taskSid: "WT9" }, new Date(1)).acceptedAt,
    undefined,
  );
});

test("taskOfAction: the resolved task, else the task of the reservation", () => {
  const looked: string[] = [];
  const flex = {
    TaskHelper: {
      getTaskByTaskSid: (sid: string) => {
        looked.push(sid);
        return { taskSid: "WT-from-" + sid };
      },
    },
  } as unknown as Parameters<typeof taskOfAction>[0];
  const task = { taskSid: "WT1" };
  equal(taskOfAction(flex, { task }), task);
  deepEqual(taskOfAction(flex, { task: null, sid: "WR1" }), {
    taskSid: "WT-from-WR1",
  });
  equal(taskOfAction(flex, { sid: 7 }), undefined);
  equal(taskOfAction(flex, undefined), undefined);
  deepEqual(looked, ["WR1"]);
});
