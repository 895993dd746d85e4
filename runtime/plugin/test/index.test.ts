import { deepEqual } from "node:assert/strict";
import { test } from "node:test";

import * as inFlex from "../src/host_in_flex";
import * as runtime from "../src/index";
import * as shows from "../src/shows";

test("the public API is what generated code uses, nothing more", () => {
  deepEqual(Object.keys(runtime).sort(), [
    "AcceptTimes",
    "PluginEndpoint",
    "ProtocolError",
    "allowCommand",
    "beforeDeadline",
    "checks",
    "deliverEvent",
    "firstOf",
    "hasOwn",
    "iso",
    "optional",
    "read",
    "readTiming",
    "readWorker",
    "required",
    "setIn",
    "taskOfAction",
    "unknownCommand",
    "validatePayload",
  ]);
});

test("host_in_flex.ts exports what the wiring of that embedding uses", () => {
  deepEqual(Object.keys(inFlex).sort(), ["FramePeer", "showCrmFrame"]);
});

test("shows.ts exports what the wiring and tabs of show: triggers use", () => {
  deepEqual(Object.keys(shows).sort(), [
    "TASK_ENDED_EVENTS",
    "TaskData",
    "liveTask",
    "readPath",
    "shownText",
  ]);
});
