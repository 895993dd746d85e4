//! flexgen's host bridge runtime: the CRM page's end of the postMessage
//! protocol to the Flex plugin (docs/protocol.md), the same for every spec.
//!
//! A generated bridge crate declares what its spec declares (one payload type
//! per trigger, `FlexBridge` with one method per trigger, the spec's
//! [`Spec`]) and calls this crate for everything else:
//!
//! - [`Payload`] and [`Command`]: what a generated payload type implements,
//!   reading its fields with [`Fields`] and writing them with [`Object`];
//! - [`Host`]: the bridge in the browser, made from a [`Spec`] and the Flex
//!   iframe ([`Host::new`]), or with Flex as the page's parent
//!   ([`Host::in_flex`]); [`js_command`] and [`js_on`] are its JavaScript
//!   face;
//! - [`BridgeError`], [`ErrorCode`], [`State`], [`Ack`], [`Subscription`]:
//!   what the bridge's users see.
//!
//! Inside, the protocol is plain Rust over a small value tree ([`Value`])
//! with no JavaScript types, so every rule is unit-tested natively; `host`
//! converts between that tree and the browser's structured-clone objects and
//! carries out what the protocol's core asks for.
//!
//! Rules enforced for every message, the handshake included:
//! - origin: `event.origin` equals the spec's `flex_origin`, exactly;
//! - source: `event.source` is Flex's window, exactly: the Flex iframe's
//!   `contentWindow`, or `window.parent` when Flex frames the page;
//! - shape: exact keys, exact types, bounded lengths, no `__proto__`,
//!   `constructor` or `prototype` keys;
//! - nothing is posted with target origin `"*"`: only to `flex_origin`.

mod core;
mod envelope;
mod error;
mod fields;
mod host;
mod ids;
mod limits;
mod peer;
mod protocol_constants;
mod text;
mod value;

pub use crate::core::Spec;
pub use error::{Ack, BridgeError, State};
pub use fields::{Command, Fields, Payload, Read};
pub use host::{js_command, js_on, Host, Reply, StartError, Subscription};
pub use limits::FieldBounds;
pub use protocol_constants::ErrorCode;
pub use value::{Object, Value, Wire};

#[cfg(test)]
mod tests;
