/** The shape of the user's hooks into every trigger (`src/hooks.ts`). */

/** What a hook returns: `false` refuses (a command) or suppresses (an event). */
export type HookResult = boolean | void;

/**
 * A user hook for payloads of type `P`. The payload it gets is frozen: what
 * passed validation is exactly what is sent or acted on.
 */
export type Hook<P> = (
  payload: Readonly<P>,
) => HookResult | Promise<HookResult>;
