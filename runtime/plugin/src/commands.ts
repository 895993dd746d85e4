/**
 * Host -> Flex triggers: the user's say on a command, and the action
 * arguments the generated dispatch builds from its payload.
 */

import type { Hook } from "./hooks";
import { FORBIDDEN_KEYS, hasOwn } from "./objects";

/** Runs a command's hook, if it has one; `false` refuses the command. */
export async function allowCommand<P>(
  hook: Hook<P> | undefined,
  payload: P,
): Promise<boolean> {
  return hook === undefined || (await hook(payload)) !== false;
}

/**
 * Sets `value` at `path` below `target` (a command's action arguments),
 * making plain objects for the keys on the way that hold none. The keys come
 * from the spec, which refuses `__proto__`, `constructor` and `prototype`;
 * they are refused here too, as `read` refuses them, so no edit of the
 * generated code can reach a prototype.
 */
export function setIn(
  target: object,
  path: readonly [string, ...string[]],
  value: unknown,
): void {
  const bad = path.find((key) => FORBIDDEN_KEYS.has(key));
  if (bad !== undefined) throw new Error(`${bad}: key not allowed`);
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = hasOwn(node, key) ? node[key] : undefined;
    if (typeof next === "object" && next !== null) {
      node = next as Record<string, unknown>;
    } else {
      const made: Record<string, unknown> = {};
      node[key] = made;
      node = made;
    }
  }
  node[path[path.length - 1] as string] = value;
}
