// Twilio's plugin builder checks, before every build, start and deploy, that
// this file loads exactly one plugin through the `FlexPlugin` namespace: keep
// the namespace import and the single call below.
import * as FlexPlugin from "@twilio/flex-plugin";

import CrmInsideFlexPlugin from "./CrmInsideFlexPlugin";

FlexPlugin.loadPlugin(CrmInsideFlexPlugin);
