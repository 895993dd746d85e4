import { loadPlugin } from "@twilio/flex-plugin";

import DemoDeskPlugin from "./DemoDeskPlugin";

loadPlugin(DemoDeskPlugin);
