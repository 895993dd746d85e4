// The manager's event emitter. Real Flex uses node's EventEmitter; plugins
// only need its listener API, so a tiny one keeps Flex's own event machinery
// (which expects a logged-in session) out of the simulator.

export type Listener = (...args: unknown[]) => void;

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  /**
   * `onError` sees a listener's throw. Node would let it escape from `emit`
   * and skip the remaining listeners; recording it instead lets tests see
   * that a plugin listener threw without one bad listener hiding the others.
   */
  constructor(
    private readonly onError: (event: string, error: unknown) => void,
  ) {}

  addListener(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  on(event: string, listener: Listener): this {
    return this.addListener(event, listener);
  }

  once(event: string, listener: Listener): this {
    const wrapper: Listener = (...args) => {
      this.removeListener(event, wrapper);
      listener(...args);
    };
    return this.addListener(event, wrapper);
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    // Like node: one registration goes per call, the most recent first.
    const at = list.lastIndexOf(listener);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.listeners.delete(event);
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  emit(event: string, ...args: unknown[]): boolean {
    // A copy: listeners that add or remove listeners must not change this round.
    const list = [...(this.listeners.get(event) ?? [])];
    for (const listener of list) {
      try {
        listener(...args);
      } catch (error) {
        this.onError(event, error);
      }
    }
    return list.length > 0;
  }
}
