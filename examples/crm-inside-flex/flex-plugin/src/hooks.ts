/**
 * Your hooks: code of yours that the generated wiring runs for a trigger of
 * triggers.yaml, with a payload that already passed validation.
 *
 * This file is yours: flexgen created it once and never overwrites it. Every
 * hook is optional: a trigger without one runs its Flex action (a command) or
 * sends its event as it is, so a trigger added to the spec works without an
 * edit here. A hook you write is type-checked against the spec (see
 * `FlexgenHooks` in ./flexgen/triggers.ts), for example:
 *
 *   export const hooks = {
 *     clickToDial(payload) {
 *       console.info("click_to_dial", payload);
 *     },
 *   } satisfies FlexgenHooks;
 *
 * Return `false` to refuse a command (the host gets FLEX_ACTION_FAILED) or to
 * suppress an event; anything else lets it through. Hooks may be async.
 */

import type { FlexgenHooks } from "./flexgen/triggers";

export const hooks = {} satisfies FlexgenHooks;
