// The entry of the Flex UI bundle: the whole @twilio/flex-ui package, exposed
// to the simulator as window.FlexUI, and the four packages Flex makes global
// for plugins, as window.FlexUIDependencies. Nothing is replaced but node's
// `path` and `util`, which the package imports for a few helpers (stubs/).
//
// build.mjs compiles this file as if it sat in the @twilio/flex-ui package
// folder, so `react`, `react-dom`, `redux` and `react-redux` below are the
// very modules Flex's own bundle requires (bundle/twilio-flex.prod.js of
// @twilio/flex-ui 2.17.1 has `require("redux")` and the three others;
// `redux` resolves to the package's own redux 4, not another copy). Flex
// sets them as window.React, window.ReactDOM, window.Redux and
// window.ReactRedux from the same four modules (setGlobalDependencies in
// that bundle, declared in the package's src/FlexGlobal.d.ts); the
// simulator does the same (simulator/main.ts).
import * as FlexUI from "@twilio/flex-ui";
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as ReactRedux from "react-redux";
import * as Redux from "redux";

window.FlexUI = FlexUI;
window.FlexUIDependencies = { React, ReactDOM, Redux, ReactRedux };
