import { loadPlugin } from "@twilio/flex-plugin";

import OmnichannelDeskPlugin from "./OmnichannelDeskPlugin";

loadPlugin(OmnichannelDeskPlugin);
