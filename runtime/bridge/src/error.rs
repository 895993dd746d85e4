//! Errors, states, answers: what a command settles with and where the
//! bridge stands with Flex.

use std::fmt;

use crate::protocol_constants::{ErrorCode, MAX_REASON};

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a command failed or a payload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeError {
    pub code: ErrorCode,
    pub message: String,
}

impl BridgeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        BridgeError {
            code,
            message: message.into(),
        }
    }

    /// A schema failure; the reason is cut to a bounded length because it
    /// may quote what the peer sent.
    pub(crate) fn schema(reason: impl Into<String>) -> Self {
        let mut reason = reason.into();
        if let Some((cut, _)) = reason.char_indices().nth(MAX_REASON) {
            reason.truncate(cut);
        }
        BridgeError::new(ErrorCode::SchemaInvalid, reason)
    }
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BridgeError {}

/// Where the bridge stands with Flex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No handshake yet (Flex is loading, logging in, or was reloaded):
    /// commands wait in the queue for their trigger's `queue_for_ms`.
    Connecting,
    /// Handshake done with a plugin generated from the same spec.
    Ready,
    /// The plugin was generated from another spec or protocol version:
    /// commands fail with `VERSION_MISMATCH` until both ends are regenerated.
    VersionMismatch,
    /// `dispose()` was called.
    Closed,
}

impl State {
    /// `connecting`, `ready`, `version_mismatch` or `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Ready => "ready",
            State::VersionMismatch => "version_mismatch",
            State::Closed => "closed",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Flex's answer to a command: the action ran. Version 1 replies carry no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ack;
