//! The window the bridge talks to: the Flex iframe the CRM page frames
//! (`app.embedding: flex_in_host`), or the Flex page that frames the CRM page
//! (`host_in_flex`). `event.source` must be exactly this window, and nothing
//! is posted anywhere else.
//!
//! Every workspace gets this file, whatever its embedding (unlike the plugin
//! runtime's CRM frame modules): `Host` holds a `Peer` in both, and one
//! compiled crate serves both, so the variant a bridge never builds is only
//! a match arm; its constructor, `Host::in_flex`, is not called from a
//! `flex_in_host` bridge, and the linker drops code that nothing calls.

use js_sys::Object;
use web_sys::{HtmlIFrameElement, Window};

/// Where Flex is, seen from the CRM page.
pub(crate) enum Peer {
    /// Flex in an iframe of this page: its `contentWindow`, whichever
    /// document it shows (a reload fires the iframe's `load`).
    Frame(HtmlIFrameElement),
    /// Flex frames this page: `window.parent`, or `None` when this page is
    /// not framed (then there is no one to talk to).
    Parent(Option<Window>),
}

impl Peer {
    /// `window.parent` as the peer, unless `window` is the top (its own
    /// parent).
    pub(crate) fn parent_of(window: &Window) -> Peer {
        let parent = window
            .parent()
            .ok()
            .flatten()
            .filter(|parent| !Object::is(parent, window));
        Peer::Parent(parent)
    }

    /// The peer's window now.
    pub(crate) fn window(&self) -> Option<Window> {
        match self {
            Peer::Frame(iframe) => iframe.content_window(),
            Peer::Parent(parent) => parent.clone(),
        }
    }
}
