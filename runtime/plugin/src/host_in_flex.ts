/**
 * The runtime's part for `app.embedding: host_in_flex`: the CRM page framed
 * in Flex's CRM container, and the endpoint's peer that talks to that frame.
 * Only a workspace of that embedding gets these modules: its generated
 * `wiring.ts` imports them from here, and everything else from `index.ts`,
 * which never imports them.
 *
 * Exported here is exactly what the generated code uses.
 */

export { showCrmFrame } from "./crm_frame";
export type { CrmUrl } from "./crm_url";
export { FramePeer } from "./frame_peer";
