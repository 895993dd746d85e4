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
   * set_agent_activity: Agent picks a status in the CRM; Flex switches the worker's activity.
   * Runs before the Flex action SetActivity.
   */
  setAgentActivity(payload) {
    return true;
  },
  /**
   * open_agent_desktop: Agent clicks "Open desktop" in the CRM; Flex shows its agent desktop view.
   * Runs before the Flex action NavigateToView.
   */
  openAgentDesktop(payload) {
    return true;
  },
  /**
   * wrap_up_call: Agent ends the call from the CRM; Flex moves the task to wrap-up.
   * Runs before the Flex action WrapupTask.
   */
  wrapUpCall(payload) {
    return true;
  },
  /**
   * agent_activity_changed: The worker's activity changed; the CRM updates its status badge.
   * Runs before the event is sent to the host.
   */
  agentActivityChanged(payload) {
    return true;
  },
  /**
   * call_hanging_up: The agent hangs up a voice call in Flex; the CRM starts its call notes.
   * Runs before the event is sent to the host.
   */
  callHangingUp(payload) {
    return true;
  },
} satisfies FlexgenHooks;
