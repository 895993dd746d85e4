/**
 * Flex -> host triggers: the generated wiring describes each one as data
 * (filters, source paths, schema) and hands it to `deliverEvent` when its
 * Flex event fires.
 */

import type { SourceContext } from "./flex_reads";
import type { Hook } from "./hooks";
import type { PayloadSchema } from "./schema";
import { type Json, type SourceRule, buildPayload, matches } from "./sources";

/** A Flex -> host trigger as data: the generated wiring declares one per trigger. */
export interface EventSource {
  /** The wire name (`type`). */
  readonly type: string;
  /** Source path -> expected value; all must match (channel filters included). */
  readonly when: Readonly<Record<string, Json>>;
  /** Payload field -> where it is read. */
  readonly sources: Readonly<Record<string, SourceRule>>;
  readonly schema: PayloadSchema;
}

/**
 * Runs one Flex -> host trigger for one observed event: filters, payload,
 * hook, send. Never throws: a listener of ours must not break Flex or other
 * plugins' listeners.
 */
export async function deliverEvent<P>(
  source: EventSource,
  hook: Hook<P> | undefined,
  ctx: SourceContext,
  send: (type: string, payload: Record<string, unknown>) => void,
): Promise<void> {
  try {
    if (!matches(ctx, source.when)) return;
    const built = buildPayload<P>(ctx, source.sources, source.schema);
    if (!built.ok) {
      console.warn(`flexgen: ${source.type} not sent: ${built.reason}`);
      return;
    }
    if (hook !== undefined && (await hook(built.value)) === false) return;
    send(source.type, built.value as Record<string, unknown>);
  } catch (error) {
    console.error(`flexgen: ${source.type} failed`, error);
  }
}
