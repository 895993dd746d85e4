import { deepEqual } from "node:assert/strict";
import { test } from "node:test";

import * as runtime from "../src/index";

test("the public API is what generated code uses, nothing more", () => {
  deepEqual(Object.keys(runtime).sort(), [
    "AcceptTimes",
    "FramePeer",
    "PluginEndpoint",
    "ProtocolError",
    "TASK_ENDED_EVENTS",
    "TaskData",
    "allowCommand",
    "beforeDeadline",
    "checks",
    "crmUrl",
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
    "showCrmFrame",
    "shownText",
    "taskOfAction",
    "unknownCommand",
    "validatePayload",
  ]);
});
