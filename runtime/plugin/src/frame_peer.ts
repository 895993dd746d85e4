/**
 * The endpoint's peer when the plugin frames the CRM page inside Flex
 * (`app.embedding: host_in_flex`): the window of the frame the plugin
 * rendered last, exactly; never another frame, never a popup. A new frame
 * (the agent switched task) or a new document in it (a reload, a
 * navigation) is a lost peer and a new handshake.
 */

import type { Peer, PeerEvents } from "./peer";

/**
 * The endpoint's peer when the plugin frames the CRM page: the window of the
 * frame rendered last. The frame's `ref` and `load` tell it which that is.
 */
export class FramePeer implements Peer {
  private frame: HTMLIFrameElement | undefined;
  private events: PeerEvents | undefined;
  private readonly origin: string;
  private readonly hostOrigins: readonly string[];

  /**
   * `origin` is the CRM page's (`app.crm_url`); it is greeted only when this
   * build trusts it (`hostOrigins`).
   */
  constructor(origin: string, hostOrigins: readonly string[]) {
    this.origin = origin;
    this.hostOrigins = hostOrigins;
  }

  current(): Window | undefined {
    return this.frame?.contentWindow ?? undefined;
  }

  start(events: PeerEvents): () => void {
    this.events = events;
    if (this.frame !== undefined) this.greet();
    return () => {
      this.events = undefined;
    };
  }

  /**
   * The frame's React `ref`: the element when it mounts, `null` when it
   * unmounts. Stable, so React calls it on mount and unmount only.
   */
  readonly ref = (element: HTMLIFrameElement | null): void => {
    const next = element ?? undefined;
    if (next === this.frame) return;
    this.frame = next;
    this.events?.lost();
  };

  /** The frame's `load`: a new CRM document, which gets a new handshake. */
  readonly onLoad = (event: { readonly currentTarget: unknown }): void => {
    if (event.currentTarget !== this.frame || this.frame === undefined) return;
    this.events?.lost();
    this.greet();
  };

  private greet(): void {
    if (!this.hostOrigins.includes(this.origin)) {
      console.info(
        `flexgen: the CRM page's origin ${this.origin} is not trusted by this build; bridge idle`,
      );
      return;
    }
    this.events?.greet([this.origin]);
  }
}
