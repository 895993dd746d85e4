/**
 * Your hooks: the generated wiring calls one per trigger of
 * triggers.yaml, with a payload that already passed validation.
 *
 * This file is yours: flexgen created it once and never overwrites it. Every
 * hook is required, so a trigger added to the spec later is a compile error
 * here until you add its hook (see `FlexgenHooks` in ./flexgen/triggers.ts).
 *
 * Return `false` to refuse a command (the host gets FLEX_ACTION_FAILED) or to
 * suppress an event; anything else lets it through. Hooks may be async.
 */

import type { FlexgenHooks } from "./flexgen/triggers";

export const hooks = {
  /**
   * click_to_dial: Agent clicks a phone number in the CRM; Flex places the call.
   * Runs before the Flex action StartOutboundCall.
   */
  clickToDial(payload) {
    return true;
  },
  /**
   * screen_pop: An inbound voice call was accepted; the CRM shows the caller's record.
   * Runs before the event is sent to the host.
   */
  screenPop(payload) {
    return true;
  },
  /**
   * interaction_logged: An interaction reached wrap-up; the CRM records it in the activity history.
   * Runs before the event is sent to the host.
   */
  interactionLogged(payload) {
    return true;
  },
} satisfies FlexgenHooks;
