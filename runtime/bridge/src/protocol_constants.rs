//! The wire protocol's constants, host side (docs/protocol.md): the version,
//! the namespace, the error codes and the limits, written by flexgen from its
//! one source of them. The runtime's modules read them from here.

/// Protocol version; a peer with another one is reported, not served.
pub const PROTOCOL_VERSION: u32 = 2;

/// Namespace of every flexgen message; anything else is not ours.
pub const PROTOCOL_NS: &str = "flexgen";

/// Keys that could reach or shadow prototypes: refused everywhere.
pub const FORBIDDEN_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// Commands waiting for the handshake, at most.
pub const COMMAND_QUEUE_LIMIT: usize = 64;

/// Ids remembered for duplicate detection.
pub const RECENT_IDS: usize = 512;

/// Longest reason text sent back to the other end (it may quote hostile input).
pub const MAX_REASON: usize = 200;

/// Longest error message a reply carries.
pub const MAX_ERROR_MESSAGE: usize = 2000;

/// Error codes a command may fail with (docs/protocol.md, "Error codes").
/// Later protocol versions may add codes: match with a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The envelope or payload did not match the trigger's schema; the message
    /// says which field and why.
    SchemaInvalid,
    /// `type` names no trigger of this direction (only between ends of
    /// different specs, which the handshake already refuses).
    UnknownTrigger,
    /// The Flex action rejected (the message is Flex's error text), or the
    /// plugin hook refused the command.
    FlexActionFailed,
    /// No answer within the trigger's time limit; a command that reached Flex
    /// after its deadline did not run.
    Timeout,
    /// No handshake within the queue time, the queue was full, or the bridge
    /// was disposed.
    NotReady,
    /// The two ends were generated from different specs or protocol versions.
    VersionMismatch,
    /// Flex reloaded while the command was in flight: it may or may not have
    /// run, and it is never sent again (the bridge settles with it; it never
    /// travels).
    PeerReloaded,
}

impl ErrorCode {
    /// Every code, in this order.
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::SchemaInvalid,
        ErrorCode::UnknownTrigger,
        ErrorCode::FlexActionFailed,
        ErrorCode::Timeout,
        ErrorCode::NotReady,
        ErrorCode::VersionMismatch,
        ErrorCode::PeerReloaded,
    ];

    /// The code as it travels on the wire: `SCHEMA_INVALID`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::SchemaInvalid => "SCHEMA_INVALID",
            ErrorCode::UnknownTrigger => "UNKNOWN_TRIGGER",
            ErrorCode::FlexActionFailed => "FLEX_ACTION_FAILED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::NotReady => "NOT_READY",
            ErrorCode::VersionMismatch => "VERSION_MISMATCH",
            ErrorCode::PeerReloaded => "PEER_RELOADED",
        }
    }

    /// The code a wire string names, if any.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}
