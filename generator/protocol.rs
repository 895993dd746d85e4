//! The wire protocol's one source (docs/protocol.md): its version, its
//! namespace, its error codes, its limits and the shape of its envelope.
//!
//! Both runtimes read these values from a generated constants file each,
//! `bridge/flexgen-runtime/src/protocol_constants.rs` and
//! `flex-plugin/src/flexgen/runtime/protocol_constants.ts` (`emit::constants`;
//! the runtimes' repository copies are `runtime/bridge/src/` and
//! `runtime/plugin/src/protocol_constants.*`), and `docs/PROTOCOL.md` quotes
//! them; nothing else spells them. The envelope's
//! shape below is what the runtimes' message types must match
//! (tests/protocol.rs checks both), and its hash is approved per version:
//! change the envelope and the test asks for a version bump.

/// Version of the wire protocol both runtimes speak; a peer with another
/// one is reported, not served. Bump on any envelope change.
/// Version 2: commands carry an absolute `deadline`.
pub const PROTOCOL_VERSION: u32 = 2;

/// The envelope shape approved for a protocol version: `(version, hash of
/// [`envelope_shape`])`. tests/protocol.rs fails when the shape's hash
/// differs and the version is the same; after a bump, `FLEXGEN_BLESS=1`
/// records the new pair here.
pub const APPROVED_ENVELOPE: (u32, &str) = (2, "ffead678d3b04a63");

/// Namespace of every flexgen message; anything else is not ours.
pub const PROTOCOL_NS: &str = "flexgen";

/// Keys that could reach or shadow prototypes in JavaScript: refused in every
/// message and payload, and in every path the plugin walks or writes.
pub const FORBIDDEN_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// One error code of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// As it travels on the wire: `SCHEMA_INVALID`.
    pub code: &'static str,
    /// The Rust variant: `SchemaInvalid`.
    pub variant: &'static str,
    /// What it means, for docs/PROTOCOL.md and the runtimes' doc comments.
    pub meaning: &'static str,
}

/// Every error code, in the order of the runtimes' `ErrorCode`.
pub const ERROR_CODES: &[ErrorCode] = &[
    ErrorCode {
        code: "SCHEMA_INVALID",
        variant: "SchemaInvalid",
        meaning: "the envelope or payload did not match the trigger's schema; the message says which field and why",
    },
    ErrorCode {
        code: "UNKNOWN_TRIGGER",
        variant: "UnknownTrigger",
        meaning: "`type` names no trigger of this direction (only between ends of different specs, which the handshake already refuses)",
    },
    ErrorCode {
        code: "FLEX_ACTION_FAILED",
        variant: "FlexActionFailed",
        meaning: "the Flex action rejected (the message is Flex's error text), or the plugin hook refused the command",
    },
    ErrorCode {
        code: "TIMEOUT",
        variant: "Timeout",
        meaning: "no answer within the trigger's time limit; a command that reached Flex after its deadline did not run",
    },
    ErrorCode {
        code: "NOT_READY",
        variant: "NotReady",
        meaning: "no handshake within the queue time, the queue was full, or the bridge was disposed",
    },
    ErrorCode {
        code: "VERSION_MISMATCH",
        variant: "VersionMismatch",
        meaning: "the two ends were generated from different specs or protocol versions",
    },
    ErrorCode {
        code: "PEER_RELOADED",
        variant: "PeerReloaded",
        meaning: "Flex reloaded while the command was in flight: it may or may not have run, and it is never sent again (the bridge settles with it; it never travels)",
    },
];

/// Commands waiting for the handshake in the bridge, at most.
pub const COMMAND_QUEUE_LIMIT: u32 = 64;
/// Events waiting for the handshake in the plugin, at most...
pub const EVENT_QUEUE_LIMIT: u32 = 64;
/// ...and for this long at most.
pub const EVENT_QUEUE_MS: u32 = 10_000;
/// Message ids each end remembers for duplicate detection.
pub const RECENT_IDS: u32 = 512;
/// Longest reason text an end sends back (it may quote hostile input).
pub const MAX_REASON: u32 = 200;
/// Longest error message a reply carries.
pub const MAX_ERROR_MESSAGE: u32 = 2000;
/// How far past its trigger's time limit from now a command's deadline may
/// lie: the clocks of two windows of one browser agree to far better.
pub const CLOCK_SLACK_MS: u32 = 1_000;
/// Commands the plugin remembers until their deadline, at most.
pub const LIVE_COMMAND_LIMIT: u32 = 65_536;

/// The end of the bridge that reads a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The host bridge (Rust, `protocol_constants.rs`).
    Bridge,
    /// The Flex plugin (TypeScript, `protocol_constants.ts`).
    Plugin,
}

/// A limit, with the ends whose runtime reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub value: u32,
    /// One line for the generated doc comment.
    pub doc: &'static str,
    /// The Rust type it is declared with on the bridge side.
    pub rust_type: &'static str,
    pub ends: &'static [End],
}

/// Every limit the runtimes read, in the order the constants files list them.
pub const LIMITS: &[Limit] = &[
    Limit {
        name: "COMMAND_QUEUE_LIMIT",
        value: COMMAND_QUEUE_LIMIT,
        doc: "Commands waiting for the handshake, at most.",
        rust_type: "usize",
        ends: &[End::Bridge],
    },
    Limit {
        name: "EVENT_QUEUE_LIMIT",
        value: EVENT_QUEUE_LIMIT,
        doc: "Events waiting for the handshake, at most...",
        rust_type: "usize",
        ends: &[End::Plugin],
    },
    Limit {
        name: "EVENT_QUEUE_MS",
        value: EVENT_QUEUE_MS,
        doc: "...and for this long at most.",
        rust_type: "u32",
        ends: &[End::Plugin],
    },
    Limit {
        name: "RECENT_IDS",
        value: RECENT_IDS,
        doc: "Ids remembered for duplicate detection.",
        rust_type: "usize",
        ends: &[End::Bridge, End::Plugin],
    },
    Limit {
        name: "MAX_REASON",
        value: MAX_REASON,
        doc: "Longest reason text sent back to the other end (it may quote hostile input).",
        rust_type: "usize",
        ends: &[End::Bridge, End::Plugin],
    },
    Limit {
        name: "MAX_ERROR_MESSAGE",
        value: MAX_ERROR_MESSAGE,
        doc: "Longest error message a reply carries.",
        rust_type: "usize",
        ends: &[End::Bridge, End::Plugin],
    },
    Limit {
        name: "CLOCK_SLACK_MS",
        value: CLOCK_SLACK_MS,
        doc: "How far past its trigger's time limit from now a deadline may lie: the clocks \
              of two windows of one browser agree to far better than this, so a deadline \
              later than that was not set by a flexgen host.",
        rust_type: "u32",
        ends: &[End::Plugin],
    },
    Limit {
        name: "LIVE_COMMAND_LIMIT",
        value: LIVE_COMMAND_LIMIT,
        doc: "Commands remembered until their deadline, at most.",
        rust_type: "usize",
        ends: &[End::Plugin],
    },
];

/// The type of one envelope key, as both runtimes read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Exactly this string.
    Literal(&'static str),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A string of at most this many characters.
    String(u32),
    /// An integral number.
    Integer,
    Boolean,
    /// The trigger's payload: a plain object of its declared fields.
    Payload,
    /// A reply's error: `{ code, message }`.
    Error,
}

impl Ty {
    /// The type as the plugin's TypeScript message interfaces spell it.
    pub fn typescript(self) -> String {
        match self {
            Ty::Literal(s) => format!("{s:?}"),
            Ty::OneOf(all) => all
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(" | "),
            Ty::String(_) => "string".into(),
            Ty::Integer => "number".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Payload => "Record<string, unknown>".into(),
            Ty::Error => "{ code: string; message: string }".into(),
        }
    }

    /// The canonical form hashed into the envelope's shape.
    fn shape(self) -> String {
        match self {
            Ty::String(max) => format!("string<={max}"),
            Ty::Integer => "integer".into(),
            Ty::Payload => "payload".into(),
            Ty::Error => "error{code,message}".into(),
            other => other.typescript(),
        }
    }
}

/// One key of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    pub optional: bool,
}

/// One kind of message, with its keys in wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// `kind` on the wire: `hello`.
    pub name: &'static str,
    /// The plugin's TypeScript interface for it: `HelloMessage`.
    pub interface: &'static str,
    pub keys: &'static [Key],
}

const fn key(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        optional: false,
    }
}

const fn optional(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        optional: true,
    }
}

/// Longest message id; a trigger name (`type`) and `app` have at most 64.
pub const MAX_MESSAGE_ID: u32 = 128;
const MAX_NAME: u32 = 64;
/// A spec hash: 16 lowercase hex digits.
const SPEC_HASH_LEN: u32 = 16;

/// Every kind of message and its keys (docs/protocol.md, "Envelope").
pub const ENVELOPE: &[Kind] = &[
    Kind {
        name: "hello",
        interface: "HelloMessage",
        keys: &[
            key("ns", Ty::Literal(PROTOCOL_NS)),
            key("v", Ty::Integer),
            key("app", Ty::String(MAX_NAME)),
            key("id", Ty::String(MAX_MESSAGE_ID)),
            key("kind", Ty::Literal("hello")),
            key("spec", Ty::String(SPEC_HASH_LEN)),
            key("role", Ty::OneOf(&["host", "flex"])),
            optional("re", Ty::String(MAX_MESSAGE_ID)),
        ],
    },
    Kind {
        name: "event",
        interface: "EventMessage",
        keys: &[
            key("ns", Ty::Literal(PROTOCOL_NS)),
            key("v", Ty::Integer),
            key("app", Ty::String(MAX_NAME)),
            key("id", Ty::String(MAX_MESSAGE_ID)),
            key("kind", Ty::Literal("event")),
            key("type", Ty::String(MAX_NAME)),
            key("payload", Ty::Payload),
        ],
    },
    Kind {
        name: "command",
        interface: "CommandMessage",
        keys: &[
            key("ns", Ty::Literal(PROTOCOL_NS)),
            key("v", Ty::Integer),
            key("app", Ty::String(MAX_NAME)),
            key("id", Ty::String(MAX_MESSAGE_ID)),
            key("kind", Ty::Literal("command")),
            key("type", Ty::String(MAX_NAME)),
            key("payload", Ty::Payload),
            key("deadline", Ty::Integer),
        ],
    },
    Kind {
        name: "reply",
        interface: "ReplyMessage",
        keys: &[
            key("ns", Ty::Literal(PROTOCOL_NS)),
            key("v", Ty::Integer),
            key("app", Ty::String(MAX_NAME)),
            key("id", Ty::String(MAX_MESSAGE_ID)),
            key("kind", Ty::Literal("reply")),
            key("re", Ty::String(MAX_MESSAGE_ID)),
            key("ok", Ty::Boolean),
            optional("error", Ty::Error),
        ],
    },
];

/// The envelope's shape as canonical text, one line per kind, then the
/// error codes and the bounds of an error: what [`envelope_hash`] hashes.
pub fn envelope_shape() -> String {
    let mut out = String::new();
    for kind in ENVELOPE {
        let keys: Vec<String> = kind
            .keys
            .iter()
            .map(|k| {
                let opt = if k.optional { "?" } else { "" };
                format!("{}{opt}:{}", k.name, k.ty.shape())
            })
            .collect();
        out.push_str(&format!("{} {{{}}}\n", kind.name, keys.join(",")));
    }
    let codes: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
    out.push_str(&format!("errors {}\n", codes.join(",")));
    out.push_str(&format!("error.message<={MAX_ERROR_MESSAGE}\n"));
    out
}

/// 16 hex digits of FNV-1a (64 bit) over [`envelope_shape`].
pub fn envelope_hash() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in envelope_shape().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_names_every_kind_key_and_code() {
        let shape = envelope_shape();
        assert!(shape.starts_with(
            "hello {ns:\"flexgen\",v:integer,app:string<=64,id:string<=128,kind:\"hello\""
        ));
        assert!(shape.contains("reply {"), "{shape}");
        assert!(shape.contains("error?:error{code,message}"), "{shape}");
        assert!(shape.contains("errors SCHEMA_INVALID,"), "{shape}");
        assert_eq!(envelope_hash().len(), 16);
        assert_eq!(envelope_hash(), envelope_hash());
    }

    #[test]
    fn every_limit_is_read_by_an_end_and_named_once() {
        let mut names: Vec<&str> = LIMITS.iter().map(|l| l.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LIMITS.len());
        assert!(LIMITS.iter().all(|l| !l.ends.is_empty()));
        let mut codes: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), ERROR_CODES.len());
    }
}
