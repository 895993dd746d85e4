/**
 * flexgen's plugin runtime: the wire protocol (docs/protocol.md) and the Flex
 * side of every trigger. The same for every spec; the spec-specific parts
 * (trigger names, payload schemas, origins, spec hash) come in from the
 * generated `triggers.ts` and `wiring.ts`, which import this module.
 * Two parts only some workspaces get have an index of their own, which
 * nothing here imports: `host_in_flex.ts` (the CRM frame, for
 * `app.embedding: host_in_flex`) and `shows.ts` (data tabs, for `show:`
 * triggers).
 *
 * Exported here is exactly what the generated code uses; everything else is
 * the runtime's own.
 */

export { checks } from "./checks";
export { allowCommand, setIn } from "./commands";
export { PluginEndpoint } from "./endpoint";
export { ProtocolError, beforeDeadline, unknownCommand } from "./errors";
export { type EventSource, deliverEvent } from "./events";
export {
  AcceptTimes,
  type SourceContext,
  readTiming,
  readWorker,
  taskOfAction,
} from "./flex_reads";
export type { Hook, HookResult } from "./hooks";
export { hasOwn } from "./objects";
export {
  type PayloadSchema,
  type Validated,
  optional,
  required,
  validatePayload,
} from "./schema";
export { firstOf, iso, read } from "./sources";
