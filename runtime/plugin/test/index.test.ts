import { deepEqual } from "node:assert/strict";
import { test } from "node:test";

import * as inFlex from "../src/host_in_flex";
import * as runtime from "../src/index";

test("the public API is what generated code uses, nothing more", () => {
  deepEqual(Object.keys(runtime).sort(), [
    "AcceptTimes",
    "PluginEndpoint",
    "ProtocolError",
    "TASK_ENDED_EVENTS",
    "TaskData",
    "allowCommand",
    "beforeDeadline",
    "checks",
    "deliverEvent",
    "firstOf",
    "hasOwn",
    "iso",
    "liveTask",
    "optional",
    "read",
    "readPath",
    "readTiming",
    "readWorker",
    "required",
    "setIn",
    "shownText",
    "taskOfAction",
    "unknownCommand",
    "validatePayload",
  ]);
});

test("host_in_flex.ts exports what the wiring of that embedding uses", () => {
  deepEqual(Object.keys(inFlex).sort(), ["FramePeer", "showCrmFrame"]);
});
