import { deepEqual } from "node:assert/strict";
import { test } from "node:test";

import * as runtime from "../src/index";

test("the public API is what generated code uses, nothing more", () => {
  deepEqual(Object.keys(runtime).sort(), [
    "AcceptTimes",
    "FramePeer",
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
    "showCrmFrame",
    "taskOfAction",
    "unknownCommand",
    "validatePayload",
  ]);
});
