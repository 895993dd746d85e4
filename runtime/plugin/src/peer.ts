/**
 * The window the plugin talks to, and when it says hello to it.
 *
 * Two embeddings (`app.embedding`, docs/protocol.md): Flex framed by the CRM
 * page, whose peer is `window.parent` (`ParentPeer`), or the CRM page framed
 * by the plugin inside Flex, whose peer is that frame's window (`FramePeer`
 * in crm_frame.ts). The endpoint checks `event.source` against `current()`
 * and posts only to it.
 */

import { helloTargets } from "./hello_targets";

/** What a peer tells the endpoint. */
export interface PeerEvents {
  /**
   * A peer document may be listening now: say hello to these exact origins
   * (unless a hello from the peer made the endpoint ready already).
   */
  readonly greet: (targets: readonly string[]) => void;
  /**
   * The peer's window or document went away (a frame re-created or
   * reloaded): whoever said hello before is gone, a new hello is needed.
   */
  readonly lost: () => void;
}

/** The window the plugin talks to. */
export interface Peer {
  /** The peer's window now; `undefined` while there is none. */
  current(): Window | undefined;
  /**
   * Starts watching the peer; returns a function that stops, or `undefined`
   * when this plugin has no peer at all (then the bridge stays idle).
   */
  start(events: PeerEvents): (() => void) | undefined;
}

/**
 * Flex framed by the CRM page: the peer is `window.parent`, greeted once
 * when our document has loaded (the host takes the iframe's `load` for a new
 * Flex and drops what it had sent: a hello before it would come too early).
 */
export class ParentPeer implements Peer {
  private readonly self: Window;
  private readonly hostOrigins: readonly string[];

  constructor(self: Window, hostOrigins: readonly string[]) {
    this.self = self;
    this.hostOrigins = hostOrigins;
  }

  current(): Window | undefined {
    return this.self.parent === this.self ? undefined : this.self.parent;
  }

  start(events: PeerEvents): (() => void) | undefined {
    if (this.current() === undefined) {
      console.info("flexgen: Flex is not embedded in a host page; bridge idle");
      return undefined;
    }
    const greet = (): void => {
      const ancestors = this.self.location.ancestorOrigins as
        | DOMStringList
        | undefined;
      events.greet(helloTargets(ancestors, this.hostOrigins));
    };
    if (this.self.document.readyState === "complete") greet();
    else this.self.addEventListener("load", greet, { once: true });
    return () => this.self.removeEventListener("load", greet);
  }
}
