import { FlexPlugin } from "@twilio/flex-plugin";
import type * as Flex from "@twilio/flex-ui";

import { startFlexgen } from "./flexgen/wiring";
import { hooks } from "./hooks";

const PLUGIN_NAME = "CrmInsideFlexPlugin";

/**
 * The Flex plugin of crm-inside-flex. This file is yours: flexgen created it
 * once and never overwrites it.
 */
export default class CrmInsideFlexPlugin extends FlexPlugin {
  constructor() {
    super(PLUGIN_NAME);
  }

  /**
   * Called by Flex once, when the plugin loads. `startFlexgen` wires the
   * triggers of triggers.yaml (see ./flexgen/wiring.ts) and calls
   * your hooks in ./hooks.ts; add your own customisations below it.
   */
  init(flex: typeof Flex, manager: Flex.Manager): void {
    startFlexgen(flex, manager, hooks);
  }
}
