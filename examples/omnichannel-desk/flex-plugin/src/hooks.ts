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
   * send_whatsapp_reply: Agent sends a canned reply from the CRM into a WhatsApp conversation.
   * Runs before the Flex action SendMessage.
   */
  sendWhatsappReply(payload) {
    return true;
  },
  /**
   * transfer_conversation: Agent transfers the current conversation to a queue or worker picked in the CRM.
   * Runs before the Flex action TransferTask.
   */
  transferConversation(payload) {
    return true;
  },
  /**
   * whatsapp_conversation_accepted: A WhatsApp conversation was accepted; the CRM pops the customer record.
   * Runs before the event is sent to the host.
   */
  whatsappConversationAccepted(payload) {
    return true;
  },
  /**
   * sms_conversation_completed: An SMS conversation was completed by the agent; the CRM closes the case.
   * Runs before the event is sent to the host.
   */
  smsConversationCompleted(payload) {
    return true;
  },
} satisfies FlexgenHooks;
