import { loadPlugin } from "@twilio/flex-plugin";

import AcmeCrmPlugin from "./AcmeCrmPlugin";

loadPlugin(AcmeCrmPlugin);
