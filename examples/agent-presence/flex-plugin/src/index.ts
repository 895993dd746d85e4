import { loadPlugin } from "@twilio/flex-plugin";

import AgentPresencePlugin from "./AgentPresencePlugin";

loadPlugin(AgentPresencePlugin);
