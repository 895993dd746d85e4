//! The flexgen wire protocol, host side (docs/protocol.md).
//!
//! Static runtime: the same for every spec, copied verbatim behind the
//! generated header. The spec-specific parts (app name, spec hash, Flex
//! origin, payload checks) come in through [`Spec`] from `mod.rs` and
//! `payloads.rs`.
//!
//! Everything here is plain Rust over a small value tree ([`Value`]) with no
//! JavaScript types, so every rule is unit-tested natively (`cargo test`);
//! `host.rs` converts between this tree and the browser's structured-clone
//! objects and carries out the [`Effect`]s the [`Core`] asks for.
//!
//! Rules enforced here for every message, the handshake included:
//! - origin: `event.origin` equals the spec's `flex_origin`, exactly;
//! - source: `event.source` is the Flex iframe's `contentWindow`;
//! - shape: exact keys, exact types, bounded lengths, no `__proto__`,
//!   `constructor` or `prototype` keys;
//! - nothing is posted with target origin `"*"`: only to `flex_origin`.

use std::convert::Infallible;
use std::fmt;

// The version, namespace, error codes and limits: generated from flexgen's
// one source of them, which the plugin and docs/PROTOCOL.md share. Ids are
// remembered (`RECENT_IDS`) for duplicate detection only: just events,
// hellos and replies come from Flex, and none of them runs a Flex action.
pub use super::protocol_constants::{
    ErrorCode, COMMAND_QUEUE_LIMIT, PROTOCOL_NS, PROTOCOL_VERSION,
};
use super::protocol_constants::{MAX_ERROR_MESSAGE, MAX_REASON, RECENT_IDS};

/// Keys that could reach or shadow prototypes in JavaScript: refused everywhere.
const FORBIDDEN_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JavaScript number holds exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

// ---------------------------------------------------------------------------
// Text. The bridge builds its few messages by hand: `format!` and the
// `Display` of numbers would bring `core::fmt`'s machinery into the `.wasm`
// (several KB of it), for texts nobody reads in a hot path.

/// The pieces, joined.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    digits(n, 10, 1)
}

/// `n` in lowercase hex, at least `width` digits.
fn hex(n: u64, width: u32) -> String {
    digits(n, 16, width)
}

fn digits(n: u64, radix: u64, width: u32) -> String {
    let mut out = if n >= radix || width > 1 {
        digits(n / radix, radix, width.saturating_sub(1))
    } else {
        String::new()
    };
    let d = (n % radix) as u8;
    out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    out
}

// ---------------------------------------------------------------------------
// Values.

/// A structured-clone value as the protocol sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// JavaScript `undefined`: a key holding it counts as absent.
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// A plain object (an object literal or a structured clone of one): its
    /// own string keys, in order.
    Object(Vec<(String, Value)>),
    /// Something no message ever carries (a `Date`, a `Map`, a class
    /// instance, a symbol key, too deep a nest): fails every check.
    Unsupported(&'static str),
}

impl Value {
    /// The value of `key` when `self` is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when `self` is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

/// A Rust value that can travel in a payload; `None` means "leave the key out".
pub trait Wire {
    fn wire(&self) -> Option<Value>;
}

impl Wire for String {
    fn wire(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl Wire for i64 {
    fn wire(&self) -> Option<Value> {
        // Exact for safe integers; anything larger fails validation on the way out.
        Some(Value::Number(*self as f64))
    }
}

impl Wire for f64 {
    fn wire(&self) -> Option<Value> {
        Some(Value::Number(*self))
    }
}

impl Wire for bool {
    fn wire(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl<T: Wire> Wire for Option<T> {
    fn wire(&self) -> Option<Value> {
        self.as_ref().and_then(Wire::wire)
    }
}

/// Builds a plain object key by key.
#[derive(Debug, Default)]
pub struct Object(Vec<(String, Value)>);

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    /// Adds `key` unless `value` is an absent optional.
    pub fn put(&mut self, key: &str, value: &impl Wire) {
        if let Some(value) = value.wire() {
            self.0.push((key.to_string(), value));
        }
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

// ---------------------------------------------------------------------------
// Errors, states, answers.

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
    pub fn schema(reason: impl Into<String>) -> Self {
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

// ---------------------------------------------------------------------------
// Payloads.

/// A trigger's payload type, generated in `payloads.rs`.
pub trait Payload: Sized {
    /// The trigger's wire name (the message `type`).
    const TRIGGER: &'static str;

    /// The declared fields, each with the most UTF-16 units it may hold:
    /// all that is read of a payload (see [`Budget`]).
    const FIELDS: FieldBounds;

    /// Reads a payload off the wire, checking everything the spec declares:
    /// a plain object, exactly the declared keys, each of its type and within
    /// its bounds.
    fn from_value(value: &Value) -> Result<Self, BridgeError>;

    /// The payload as it travels: declared keys only, absent optional fields
    /// left out.
    fn to_value(&self) -> Value;

    /// Checks what the Rust type cannot: lengths, formats, enum values,
    /// integer ranges.
    fn validate(&self) -> Result<(), BridgeError> {
        Self::from_value(&self.to_value()).map(drop)
    }

    /// `value` re-built from its declared keys only, or why it is invalid.
    fn clean(value: &Value) -> Result<Value, BridgeError> {
        Self::from_value(value).map(|payload| payload.to_value())
    }
}

/// The payload of a host -> Flex trigger, with its time limits.
pub trait Command: Payload {
    /// How long Flex has to answer once the command was sent.
    const TIMEOUT_MS: u32;
    /// How long the command may wait for the handshake (0: fail at once).
    const QUEUE_FOR_MS: u32;
}

/// What reading a field returns. Never an error itself: the first field
/// that fails is kept and [`Fields::finish`] reports it, while reading goes
/// on with defaults. So `?` on a read costs nothing, and a payload's
/// `from_value` has no early exit per field with code to drop what it had
/// read so far (per field of every payload, that code was a good part of
/// the `.wasm`).
pub type Read<T> = Result<T, Infallible>;

impl From<Infallible> for BridgeError {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

/// Reads the fields of a plain object, one checked key at a time.
pub struct Fields<'a> {
    entries: &'a [(String, Value)],
    taken: Vec<bool>,
    /// The first failure, in the order the fields are read.
    error: Option<BridgeError>,
}

impl<'a> Fields<'a> {
    /// Starts reading `value`, which must be a plain object without
    /// prototype-polluting or duplicate keys.
    pub fn of(value: &'a Value) -> Result<Self, BridgeError> {
        let Value::Object(entries) = value else {
            return Err(BridgeError::schema("payload: expected a plain object"));
        };
        for (i, (key, _)) in entries.iter().enumerate() {
            if FORBIDDEN_KEYS.contains(&key.as_str()) {
                return Err(BridgeError::schema(cat(&[key, ": key not allowed"])));
            }
            if entries.iter().take(i).any(|(k, _)| k == key) {
                return Err(BridgeError::schema(cat(&[&quote(key), ": duplicate key"])));
            }
        }
        Ok(Fields {
            entries,
            taken: vec![false; entries.len()],
            error: None,
        })
    }

    /// The value of `key` to check: `None` when it is absent (`undefined`
    /// counts as absent; a required one fails) or when a field failed
    /// already.
    fn value(&mut self, key: &str, required: bool) -> Option<&'a Value> {
        let i = self.entries.iter().position(|(k, _)| k == key);
        if let Some(taken) = i.and_then(|i| self.taken.get_mut(i)) {
            *taken = true;
        }
        let value = match i.and_then(|i| self.entries.get(i)) {
            None | Some((_, Value::Undefined)) => None,
            Some((_, value)) => Some(value),
        };
        if value.is_none() && required {
            self.fail(cat(&[key, ": missing"]));
        }
        value.filter(|_| self.error.is_none())
    }

    /// Records a failure, unless one came first.
    pub fn fail(&mut self, reason: String) {
        if self.error.is_none() {
            self.error = Some(BridgeError::schema(reason));
        }
    }

    /// The checked value, or the default once the failure is recorded.
    fn verdict<T: Default>(&mut self, key: &str, verdict: Result<T, String>) -> T {
        verdict.unwrap_or_else(|reason| {
            self.fail(cat(&[key, ": ", &reason]));
            T::default()
        })
    }

    /// A required field, checked by `check`.
    pub fn required<T: Default>(
        &mut self,
        key: &str,
        check: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Read<T> {
        Ok(match self.value(key, true) {
            Some(value) => {
                let verdict = check(value);
                self.verdict(key, verdict)
            }
            None => T::default(),
        })
    }

    /// A field that may be absent (or `undefined`); never `null`.
    pub fn optional<T>(
        &mut self,
        key: &str,
        check: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Read<Option<T>> {
        Ok(match self.value(key, false) {
            Some(value) => {
                let verdict = check(value).map(Some);
                self.verdict(key, verdict)
            }
            None => None,
        })
    }

    /// Ends reading: the first field that failed, else any key not read
    /// (unknown, and refused).
    pub fn finish(self) -> Result<(), BridgeError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        match self
            .entries
            .iter()
            .zip(&self.taken)
            .find(|(_, taken)| !**taken)
        {
            Some(((key, _), _)) => Err(BridgeError::schema(cat(&[&quote(key), ": unknown key"]))),
            None => Ok(()),
        }
    }

    pub fn string(&mut self, key: &str, max_length: usize) -> Read<String> {
        self.required(key, |v| check_string(v, max_length))
    }

    pub fn optional_string(&mut self, key: &str, max_length: usize) -> Read<Option<String>> {
        self.optional(key, |v| check_string(v, max_length))
    }

    pub fn e164(&mut self, key: &str) -> Read<String> {
        self.required(key, check_e164)
    }

    pub fn optional_e164(&mut self, key: &str) -> Read<Option<String>> {
        self.optional(key, check_e164)
    }

    pub fn integer(&mut self, key: &str) -> Read<i64> {
        self.required(key, check_integer)
    }

    pub fn optional_integer(&mut self, key: &str) -> Read<Option<i64>> {
        self.optional(key, check_integer)
    }

    pub fn number(&mut self, key: &str) -> Read<f64> {
        self.required(key, check_number)
    }

    pub fn optional_number(&mut self, key: &str) -> Read<Option<f64>> {
        self.optional(key, check_number)
    }

    pub fn boolean(&mut self, key: &str) -> Read<bool> {
        self.required(key, check_boolean)
    }

    pub fn optional_boolean(&mut self, key: &str) -> Read<Option<bool>> {
        self.optional(key, check_boolean)
    }

    pub fn datetime(&mut self, key: &str, max_length: usize) -> Read<String> {
        self.required(key, |v| check_datetime(v, max_length))
    }

    pub fn optional_datetime(&mut self, key: &str, max_length: usize) -> Read<Option<String>> {
        self.optional(key, |v| check_datetime(v, max_length))
    }

    pub fn one_of(&mut self, key: &str, values: &[&str]) -> Read<String> {
        self.required(key, |v| check_one_of(v, values))
    }

    pub fn optional_one_of(&mut self, key: &str, values: &[&str]) -> Read<Option<String>> {
        self.optional(key, |v| check_one_of(v, values))
    }
}

/// A key quoted as `JSON.stringify` would, for messages about unknown keys.
fn quote(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                out.push_str("\\u");
                out.push_str(&hex(u64::from(c), 4));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Length in UTF-16 code units, as JavaScript's `length` counts.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// What `host.rs` turns a JavaScript string with a lone surrogate into: Rust
/// cannot hold it, and replacing it (U+FFFD) would change what was sent.
pub const ILL_FORMED_STRING: &str = "a string with a lone surrogate";

/// A string of at most `max_length` UTF-16 units, well-formed (no lone
/// surrogate: see [`ILL_FORMED_STRING`]).
pub fn check_string(value: &Value, max_length: usize) -> Result<String, String> {
    match value {
        Value::Unsupported(why) if *why == ILL_FORMED_STRING => {
            Err("not well-formed UTF-16 (a lone surrogate)".to_string())
        }
        Value::Unsupported(why) if *why == TOO_LONG => {
            Err(cat(&["longer than ", &decimal(max_length as u64)]))
        }
        Value::String(s) if utf16_len(s) > max_length => {
            Err(cat(&["longer than ", &decimal(max_length as u64)]))
        }
        Value::String(s) => Ok(s.clone()),
        _ => Err("expected a string".to_string()),
    }
}

/// `+` then 2 to 15 digits, the first not 0.
pub fn check_e164(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) if is_e164(s) => Ok(s.clone()),
        _ => Err("expected an E.164 phone number".to_string()),
    }
}

fn is_e164(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=16).contains(&b.len())
        && b.first() == Some(&b'+')
        && b.get(1).is_some_and(|d| (b'1'..=b'9').contains(d))
        && b.iter().skip(2).all(u8::is_ascii_digit)
}

/// A safe integer (`Number.isSafeInteger`).
pub fn check_integer(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER as f64 => Ok(*n as i64),
        _ => Err("expected a safe integer".to_string()),
    }
}

/// A finite number.
pub fn check_number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) if n.is_finite() => Ok(*n),
        _ => Err("expected a finite number".to_string()),
    }
}

pub fn check_boolean(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ => Err("expected a boolean".to_string()),
    }
}

/// ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SS(.sss)?Z`, as `Date#toISOString` writes it.
pub fn check_datetime(value: &Value, max_length: usize) -> Result<String, String> {
    match value {
        Value::String(s) if utf16_len(s) <= max_length && is_iso_datetime(s) => Ok(s.clone()),
        _ => Err("expected an ISO 8601 UTC datetime".to_string()),
    }
}

fn is_iso_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    // `d` is a digit; anything else stands for itself.
    let shape = |pattern: &[u8]| {
        b.len() == pattern.len()
            && b.iter().zip(pattern).all(|(c, p)| match p {
                b'd' => c.is_ascii_digit(),
                p => c == p,
            })
    };
    let two = |i: usize| match (b.get(i), b.get(i + 1)) {
        (Some(t), Some(u)) => (t - b'0') * 10 + (u - b'0'),
        _ => 99,
    };
    (shape(b"dddd-dd-ddTdd:dd:ddZ") || shape(b"dddd-dd-ddTdd:dd:dd.dddZ"))
        && (1..=12).contains(&two(5))
        && (1..=31).contains(&two(8))
        && two(11) <= 23
        && two(14) <= 59
        && two(17) <= 59
}

/// One of the declared values.
pub fn check_one_of(value: &Value, values: &[&str]) -> Result<String, String> {
    match value {
        Value::String(s) if values.contains(&s.as_str()) => Ok(s.clone()),
        _ => {
            let mut reason = String::from("expected one of ");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    reason.push_str(", ");
                }
                reason.push_str(v);
            }
            Err(reason)
        }
    }
}

fn is_message_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-'))
}

fn is_trigger_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=64).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn is_spec_hash(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

fn is_error_code(s: &str) -> bool {
    (1..=40).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_uppercase() || c == b'_')
}

/// A string field matching `pattern`.
fn matching(
    pattern: fn(&str) -> bool,
    what: &'static str,
) -> impl Fn(&Value) -> Result<String, String> {
    move |value| match value {
        Value::String(s) if pattern(s) => Ok(s.clone()),
        _ => Err(cat(&["expected ", what])),
    }
}

/// Exactly this string.
fn literal(expected: &'static str) -> impl Fn(&Value) -> Result<(), String> {
    move |value| match value {
        Value::String(s) if s == expected => Ok(()),
        _ => Err(cat(&["expected ", &quote(expected)])),
    }
}

// ---------------------------------------------------------------------------
// What a message from Flex may hold. `host.rs` reads a message by these rules
// alone: the envelope's declared keys, then only the declared fields of the
// payload (or of a reply's error), each a scalar of bounded length, charged
// against one [`Budget`] for the whole message. A message costs work in
// proportion to what the protocol declares, never to what it holds: an
// object where a scalar belongs is not looked into, the payload being the
// envelope itself (a cycle) or the error is refused, and a string over its
// bound is refused by its length alone, before a byte of it is copied.

/// Where a key of a message leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// A string of at most this many UTF-16 units, or a number, boolean,
    /// `null` or `undefined`; anything else is not read.
    Scalar(u32),
    /// A plain object whose keys are the trigger's declared fields.
    Payload,
    /// A plain object `{ code, message }`.
    Error,
}

/// The longest key name read from a message (spec names have at most 64
/// characters): an undeclared key is named by its first units.
pub const MAX_NAME_UNITS: u32 = 64;

/// The envelope keys of every kind and version this end knows, with what
/// each may hold. `spec` and `re` are read at their longest: a peer of
/// another version is named in a warning by them.
pub const ENVELOPE_SLOTS: [(&str, KeyRule); 13] = [
    ("ns", KeyRule::Scalar(16)),
    ("v", KeyRule::Scalar(0)),
    ("app", KeyRule::Scalar(64)),
    ("id", KeyRule::Scalar(128)),
    ("kind", KeyRule::Scalar(16)),
    ("type", KeyRule::Scalar(64)),
    ("spec", KeyRule::Scalar(64)),
    ("role", KeyRule::Scalar(16)),
    ("re", KeyRule::Scalar(128)),
    ("ok", KeyRule::Scalar(0)),
    ("deadline", KeyRule::Scalar(0)),
    ("payload", KeyRule::Payload),
    ("error", KeyRule::Error),
];

/// The fields of a reply's `error`, with their longest strings.
pub const ERROR_FIELDS: [(&str, u32); 2] = [("code", 40), ("message", MAX_ERROR_MESSAGE as u32)];

/// The declared fields of a payload, with the most UTF-16 units each may
/// hold (0 for numbers and booleans).
pub type FieldBounds = &'static [(&'static str, u32)];

/// What one message may cost at most: values read and UTF-16 units copied.
/// Every read is charged; once it is spent, the rest reads as refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub nodes: u32,
    pub units: u32,
}

impl Budget {
    /// The budget of a message whose payload has `fields`: every declared
    /// key at its longest, plus one undeclared key per object (to name it).
    pub fn for_message(fields: FieldBounds) -> Self {
        let mut budget = Budget { nodes: 0, units: 0 };
        let mut add = |units: u32| {
            budget.nodes += 1;
            budget.units = budget.units.saturating_add(units);
        };
        for (_, slot) in ENVELOPE_SLOTS {
            add(match slot {
                KeyRule::Scalar(units) => units,
                KeyRule::Payload | KeyRule::Error => 0,
            });
        }
        for (_, units) in ERROR_FIELDS.iter().chain(fields) {
            add(*units);
        }
        // The undeclared key named in each of the three objects.
        budget.nodes += 3;
        budget.units = budget.units.saturating_add(3 * MAX_NAME_UNITS);
        budget
    }

    /// Charges one value of `units` UTF-16 units; `false` once spent.
    pub fn take(&mut self, units: u32) -> bool {
        if self.nodes == 0 || units > self.units {
            self.nodes = 0;
            return false;
        }
        self.nodes -= 1;
        self.units -= units;
        true
    }
}

/// What a value that was not read stands as in the tree, by why.
pub const OVER_BUDGET: &str = "a message over its budget";
pub const NOT_A_SCALAR: &str = "an object or array where a value belongs";
pub const SHARED_REFERENCE: &str = "a shared or cyclic reference";
pub const TOO_LONG: &str = "an over-long string";

// ---------------------------------------------------------------------------
// Envelopes.

/// A message that passed the envelope checks (an event's payload is
/// borrowed from the message: no copy of it is made to check it).
#[derive(Debug, Clone, PartialEq)]
enum Envelope<'a> {
    Hello {
        id: String,
        v: i64,
        spec: String,
        role: String,
        re: Option<String>,
    },
    Command {
        id: String,
        trigger: String,
    },
    Event {
        id: String,
        trigger: String,
        payload: &'a Value,
    },
    Reply {
        id: String,
        re: String,
        ok: bool,
        error: Option<(String, String)>,
    },
}

impl Envelope<'_> {
    fn id(&self) -> &str {
        match self {
            Envelope::Hello { id, .. }
            | Envelope::Command { id, .. }
            | Envelope::Event { id, .. }
            | Envelope::Reply { id, .. } => id,
        }
    }
}

/// Checks an envelope exactly as the plugin does: exact keys by `kind`.
fn parse_envelope(data: &Value) -> Result<Envelope<'_>, BridgeError> {
    let kind = data.get("kind").and_then(Value::as_str);
    let kind = match ["hello", "command", "event", "reply"]
        .into_iter()
        .find(|k| Some(*k) == kind)
    {
        Some(kind) => kind,
        None => {
            return Err(BridgeError::schema(
                "kind: expected hello, command, event or reply",
            ))
        }
    };
    let mut f = Fields::of(data)?;
    f.required("ns", literal(PROTOCOL_NS))?;
    let v = f.required("v", check_integer)?;
    f.required("app", |value| check_string(value, 64))?;
    let id = f.required("id", matching(is_message_id, "a message id"))?;
    f.required("kind", literal(kind))?;
    let envelope = match kind {
        "hello" => Envelope::Hello {
            id,
            v,
            spec: f.required("spec", matching(is_spec_hash, "a spec hash"))?,
            role: f.required("role", |value| check_one_of(value, &["host", "flex"]))?,
            re: f.optional("re", matching(is_message_id, "a message id"))?,
        },
        "reply" => {
            let re = f.required("re", matching(is_message_id, "a message id"))?;
            let ok = f.required("ok", check_boolean)?;
            let error = f.optional("error", check_error)?;
            if ok == error.is_some() {
                f.fail("error: required exactly when ok is false".to_string());
            }
            Envelope::Reply { id, re, ok, error }
        }
        _ => {
            let trigger = f.required("type", matching(is_trigger_name, "a trigger name"))?;
            let payload = f.required("payload", |value| match value {
                Value::Object(_) => Ok(Some(value)),
                _ => Err("expected a plain object".to_string()),
            })?;
            if kind == "command" {
                f.required("deadline", check_integer)?;
                Envelope::Command { id, trigger }
            } else {
                Envelope::Event {
                    id,
                    trigger,
                    payload: payload.unwrap_or(&Value::Null),
                }
            }
        }
    };
    f.finish()?;
    Ok(envelope)
}

/// The `error` of a reply: `{ code, message }`.
fn check_error(value: &Value) -> Result<(String, String), String> {
    let read = || -> Result<(String, String), BridgeError> {
        let mut f = Fields::of(value)?;
        let code = f.required("code", matching(is_error_code, "an error code"))?;
        let message = f.string("message", MAX_ERROR_MESSAGE)?;
        f.finish()?;
        Ok((code, message))
    };
    read().map_err(|e| cat(&["error.", &e.message]))
}

// ---------------------------------------------------------------------------
// Message ids.

/// Ids `h-<64 random bits, hex>-<counter>`: unique per sender.
#[derive(Debug)]
pub struct IdSource {
    base: String,
    counter: u64,
}

impl IdSource {
    pub fn new(random: u64) -> Self {
        IdSource {
            base: cat(&["h-", &hex(random, 16)]),
            counter: 0,
        }
    }

    pub fn next_id(&mut self) -> String {
        self.counter += 1;
        cat(&[&self.base, "-", &decimal(self.counter)])
    }
}

/// The last `limit` ids seen: enough to drop a replay, bounded in memory.
///
/// A linear scan: a few hundred short strings per message cost less than the
/// hashing code would add to the `.wasm`.
#[derive(Debug)]
pub struct RecentIds {
    limit: usize,
    order: Vec<String>,
}

impl RecentIds {
    pub fn new(limit: usize) -> Self {
        RecentIds {
            limit,
            order: Vec::new(),
        }
    }

    /// Records `id`; returns `false` when it was seen already.
    pub fn add(&mut self, id: &str) -> bool {
        if self.order.iter().any(|seen| seen == id) {
            return false;
        }
        // A `Vec` for a ring: `VecDeque`'s code costs more than the moves.
        if self.order.len() >= self.limit && !self.order.is_empty() {
            self.order.remove(0);
        }
        self.order.push(id.to_string());
        true
    }
}

// ---------------------------------------------------------------------------
// The host end of the protocol.

/// The spec-specific part of the bridge, generated in `mod.rs`.
#[derive(Clone, Copy)]
pub struct Spec {
    /// `app.name`: two apps on one page never cross.
    pub app: &'static str,
    /// Hash of the spec both ends must be generated from.
    pub spec_hash: &'static str,
    /// The exact origin of the Flex page: the only origin heard, the only
    /// target posted to.
    pub flex_origin: &'static str,
    /// Checks the payload of a Flex -> host event and re-builds it from its
    /// declared keys; `None` when no such trigger exists.
    pub check_event: fn(&str, &Value) -> Option<Result<Value, BridgeError>>,
    /// The declared fields of a Flex -> host event's payload, with their
    /// bounds: all the host reads of it; `None` when no such trigger exists.
    pub event_fields: fn(&str) -> Option<FieldBounds>,
}

/// What the [`Core`] asks the browser side to do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Post this message to the Flex iframe, target origin `flex_origin`.
    Post(Value),
    /// Settle the command with this ticket.
    Settle(u64, Result<Ack, BridgeError>),
    /// Call the subscribers of `trigger` with this validated payload.
    Deliver { trigger: String, payload: Value },
    /// The state changed; tell the state subscribers.
    State(State),
    /// Tell the developer (console) something is wrong with the setup.
    Warn(String),
}

/// What the handshake needs from a Flex hello, whatever its version.
struct PeerHello<'a> {
    id: &'a str,
    v: f64,
    spec: &'a str,
    /// It carries `re`: an answer to our hello.
    is_answer: bool,
}

/// A command waiting for the handshake.
#[derive(Debug)]
struct Queued {
    ticket: u64,
    trigger: &'static str,
    payload: Value,
    timeout_ms: u32,
    queue_for_ms: u32,
    deadline: f64,
}

/// A command sent, waiting for Flex's reply.
#[derive(Debug)]
struct InFlight {
    ticket: u64,
    id: String,
    timeout_ms: u32,
    deadline: f64,
}

/// The protocol state machine of the host side, free of any browser API:
/// the caller passes in what happened (a message, the time) and carries out
/// the [`Effect`]s it returns.
pub struct Core {
    spec: Spec,
    state: State,
    ids: IdSource,
    seen: RecentIds,
    queued: Vec<Queued>,
    in_flight: Vec<InFlight>,
    next_ticket: u64,
    /// The plugin instance of the last hello (its ids' `f-<random>` part):
    /// a hello from another one means Flex was reloaded.
    peer: Option<String>,
}

impl Core {
    /// `random` seeds the message ids (64 random bits).
    pub fn new(spec: Spec, random: u64) -> Self {
        Core {
            spec,
            state: State::Connecting,
            ids: IdSource::new(random),
            seen: RecentIds::new(RECENT_IDS),
            queued: Vec::new(),
            in_flight: Vec::new(),
            next_ticket: 0,
            peer: None,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn flex_origin(&self) -> &'static str {
        self.spec.flex_origin
    }

    /// `app.name`: a message of another app is read no further.
    pub fn app(&self) -> &'static str {
        self.spec.app
    }

    /// What the payload of a message of `trigger` may hold: the fields of a
    /// Flex -> host trigger, none for anything else.
    pub fn payload_fields(&self, trigger: Option<&str>) -> FieldBounds {
        trigger.and_then(self.spec.event_fields).unwrap_or(&[])
    }

    /// Says hello; call once the message listener is in place.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state != State::Closed {
            out.push(Effect::Post(self.hello(None)));
        }
        out
    }

    /// The iframe (re)loaded: whatever plugin we talked to is gone, so a new
    /// handshake is needed. Commands it had not answered settle now with
    /// `PEER_RELOADED`: they may have run, and are never sent again (a
    /// second dial is worse than a failed one). Queued commands keep waiting.
    pub fn peer_reloaded(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state == State::Closed {
            return out;
        }
        self.lose_in_flight(&mut out);
        self.peer = None;
        self.set_state(State::Connecting, &mut out);
        out.push(Effect::Post(self.hello(None)));
        out
    }

    /// Whether a message may be read at all: from the Flex origin, exactly,
    /// and from the Flex iframe's window.
    pub fn trusts(&self, origin: &str, from_peer: bool) -> bool {
        from_peer && origin == self.spec.flex_origin
    }

    /// Handles one `message` event. `from_peer` says whether `event.source`
    /// is the Flex iframe's `contentWindow`.
    pub fn receive(
        &mut self,
        origin: &str,
        from_peer: bool,
        data: &Value,
        now: f64,
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        // Origin AND source first; a failing message is dropped without an
        // answer (an answer would help a forger probe).
        if !self.trusts(origin, from_peer) || self.state == State::Closed {
            return out;
        }
        // Not ours (another app, another library on the same window): ignored.
        let ours = data.get("ns").and_then(Value::as_str) == Some(PROTOCOL_NS)
            && data.get("app").and_then(Value::as_str) == Some(self.spec.app);
        if !ours {
            return out;
        }
        let id = data
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| is_message_id(id));
        let kind = data.get("kind").and_then(Value::as_str);
        if let Some(Value::Number(v)) = data.get("v") {
            if *v != f64::from(PROTOCOL_VERSION) {
                // Another protocol version may shape its envelopes
                // differently: only what every version shares is read, so
                // the mismatch is reported instead of being taken for a
                // malformed message.
                if let Some(id) = id.filter(|id| self.seen.add(id)) {
                    self.on_other_version(id, *v, data, now, &mut out);
                }
                return out;
            }
        }
        let envelope = match parse_envelope(data) {
            Ok(envelope) => envelope,
            Err(error) => {
                // Never answer a reply: two broken peers would ping-pong
                // forever. Nor the same id twice.
                if let (Some(id), false) = (id, kind == Some("reply")) {
                    if self.seen.add(id) {
                        out.push(Effect::Post(self.reply(id, Some(&error))));
                    }
                }
                return out;
            }
        };
        if !self.seen.add(envelope.id()) {
            return out;
        }
        match envelope {
            Envelope::Hello {
                id,
                v,
                spec,
                role,
                re,
            } => {
                if role == "flex" {
                    let hello = PeerHello {
                        id: &id,
                        v: v as f64,
                        spec: &spec,
                        is_answer: re.is_some(),
                    };
                    self.on_hello(&hello, now, &mut out);
                }
            }
            Envelope::Command { id, trigger } => {
                // Commands flow host -> Flex only.
                let error = BridgeError::new(
                    ErrorCode::UnknownTrigger,
                    cat(&[&trigger, " is not a Flex-to-host trigger"]),
                );
                out.push(Effect::Post(self.reply(&id, Some(&error))));
            }
            Envelope::Event {
                id,
                trigger,
                payload,
            } => self.on_event(&id, &trigger, payload, &mut out),
            Envelope::Reply { re, ok, error, .. } => self.on_reply(&re, ok, error, &mut out),
        }
        out
    }

    /// Sends a validated command now, queues it until the handshake, or
    /// fails it; returns its ticket (its [`Effect::Settle`] names it).
    pub fn submit(
        &mut self,
        trigger: &'static str,
        payload: Value,
        timeout_ms: u32,
        queue_for_ms: u32,
        now: f64,
    ) -> (u64, Vec<Effect>) {
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        let mut out = Vec::new();
        let failure = match self.state {
            State::Ready => {
                self.send(ticket, trigger, payload, timeout_ms, now, &mut out);
                return (ticket, out);
            }
            State::Closed => BridgeError::new(ErrorCode::NotReady, "the bridge was disposed"),
            State::VersionMismatch => version_mismatch(),
            State::Connecting if queue_for_ms == 0 => {
                BridgeError::new(ErrorCode::NotReady, "no handshake with Flex yet")
            }
            State::Connecting if self.queued.len() >= COMMAND_QUEUE_LIMIT => BridgeError::new(
                ErrorCode::NotReady,
                "no handshake with Flex yet, and the command queue is full",
            ),
            State::Connecting => {
                self.queued.push(Queued {
                    ticket,
                    trigger,
                    payload,
                    timeout_ms,
                    queue_for_ms,
                    deadline: now + f64::from(queue_for_ms),
                });
                return (ticket, out);
            }
        };
        out.push(Effect::Settle(ticket, Err(failure)));
        (ticket, out)
    }

    /// Fails every command whose time is up.
    pub fn tick(&mut self, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        self.queued.retain(|q| {
            if q.deadline > now {
                return true;
            }
            let limit = decimal(u64::from(q.queue_for_ms));
            let message = cat(&["no handshake with Flex within ", &limit, " ms"]);
            let error = BridgeError::new(ErrorCode::NotReady, message);
            out.push(Effect::Settle(q.ticket, Err(error)));
            false
        });
        self.in_flight.retain(|c| {
            if c.deadline > now {
                return true;
            }
            let limit = decimal(u64::from(c.timeout_ms));
            let message = cat(&["no answer from Flex within ", &limit, " ms"]);
            let error = BridgeError::new(ErrorCode::Timeout, message);
            out.push(Effect::Settle(c.ticket, Err(error)));
            false
        });
        out
    }

    /// When [`Core::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<f64> {
        let queued = self.queued.iter().map(|q| q.deadline);
        let in_flight = self.in_flight.iter().map(|c| c.deadline);
        queued.chain(in_flight).reduce(f64::min)
    }

    /// Stops for good: every open command fails, nothing is heard or sent.
    pub fn close(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state == State::Closed {
            return out;
        }
        self.set_state(State::Closed, &mut out);
        for q in self.queued.drain(..) {
            let error = BridgeError::new(ErrorCode::NotReady, "the bridge was disposed");
            out.push(Effect::Settle(q.ticket, Err(error)));
        }
        for c in self.in_flight.drain(..) {
            let error = BridgeError::new(
                ErrorCode::Timeout,
                "the bridge was disposed before Flex answered",
            );
            out.push(Effect::Settle(c.ticket, Err(error)));
        }
        out
    }

    /// A hello or event from a Flex plugin speaking another protocol version.
    fn on_other_version(
        &mut self,
        id: &str,
        v: f64,
        data: &Value,
        now: f64,
        out: &mut Vec<Effect>,
    ) {
        let field = |key: &str| data.get(key).and_then(Value::as_str);
        match data.get("kind").and_then(Value::as_str) {
            Some("hello") if field("role") == Some("flex") => {
                let spec: String = field("spec").unwrap_or("?").chars().take(64).collect();
                let hello = PeerHello {
                    id,
                    v,
                    spec: &spec,
                    // Any `re` makes it an answer, which is never answered.
                    is_answer: !matches!(data.get("re"), None | Some(Value::Undefined)),
                };
                self.on_hello(&hello, now, out);
            }
            Some("event") => out.push(Effect::Post(self.reply(id, Some(&version_mismatch())))),
            _ => {}
        }
    }

    fn on_hello(&mut self, hello: &PeerHello, now: f64, out: &mut Vec<Effect>) {
        let instance = instance_of(hello.id);
        if self.peer.as_deref() != Some(instance) {
            // Another plugin instance: the one our commands went to is gone
            // (its iframe `load` may come after this hello, or never).
            self.lose_in_flight(out);
            self.peer = Some(instance.to_string());
        }
        // An answer carries `re` and is never answered, so two sides never
        // ping-pong.
        if !hello.is_answer {
            out.push(Effect::Post(self.hello(Some(hello.id))));
        }
        let matches = hello.v == f64::from(PROTOCOL_VERSION) && hello.spec == self.spec.spec_hash;
        if !matches {
            self.set_state(State::VersionMismatch, out);
            out.push(Effect::Warn(cat(&[
                "flexgen: Flex speaks protocol ",
                &version_text(hello.v),
                ", spec ",
                hello.spec,
                "; this bridge ",
                &decimal(u64::from(PROTOCOL_VERSION)),
                ", spec ",
                self.spec.spec_hash,
                ". Regenerate both ends from the same triggers.yaml.",
            ])));
            for q in self.queued.drain(..) {
                out.push(Effect::Settle(q.ticket, Err(version_mismatch())));
            }
            return;
        }
        self.set_state(State::Ready, out);
        for q in std::mem::take(&mut self.queued) {
            self.send(q.ticket, q.trigger, q.payload, q.timeout_ms, now, out);
        }
    }

    fn on_event(&mut self, id: &str, trigger: &str, payload: &Value, out: &mut Vec<Effect>) {
        let outcome = if self.state == State::VersionMismatch {
            Err(version_mismatch())
        } else if self.state != State::Ready {
            Err(BridgeError::new(
                ErrorCode::NotReady,
                "no handshake with this Flex yet",
            ))
        } else {
            match (self.spec.check_event)(trigger, payload) {
                None => Err(BridgeError::new(
                    ErrorCode::UnknownTrigger,
                    cat(&[trigger, " is not a Flex-to-host trigger"]),
                )),
                Some(checked) => checked,
            }
        };
        match outcome {
            Ok(payload) => {
                // Subscribers only ever see a payload that passed every check.
                out.push(Effect::Deliver {
                    trigger: trigger.to_string(),
                    payload,
                });
                out.push(Effect::Post(self.reply(id, None)));
            }
            Err(error) => out.push(Effect::Post(self.reply(id, Some(&error)))),
        }
    }

    fn on_reply(
        &mut self,
        re: &str,
        ok: bool,
        error: Option<(String, String)>,
        out: &mut Vec<Effect>,
    ) {
        let Some(i) = self.in_flight.iter().position(|c| c.id == re) else {
            return;
        };
        // Not `remove`: replies come in the order the commands went, so that
        // would move every other command each time (thousands in a burst).
        // Commands that fail together (timeouts, a reload) settle in no
        // particular order.
        let ticket = self.in_flight.swap_remove(i).ticket;
        let outcome = match error {
            _ if ok => Ok(Ack),
            Some((code, message)) => Err(match ErrorCode::parse(&code) {
                Some(code) => BridgeError::new(code, message),
                None => BridgeError::schema(cat(&[
                    "Flex answered with unknown error code ",
                    &code,
                    ": ",
                    &message,
                ])),
            }),
            None => Err(BridgeError::schema("Flex refused without an error")),
        };
        out.push(Effect::Settle(ticket, outcome));
    }

    fn send(
        &mut self,
        ticket: u64,
        trigger: &str,
        payload: Value,
        timeout_ms: u32,
        now: f64,
        out: &mut Vec<Effect>,
    ) {
        let id = self.ids.next_id();
        // One instant for both ends: the host settles `TIMEOUT` at it, and
        // the plugin refuses to start the command from it on (both read
        // `Date.now()`, one clock in one browser).
        let deadline = now + f64::from(timeout_ms);
        let mut message = self.envelope(&id, "command");
        message.push(("type".to_string(), Value::from(trigger)));
        message.push(("payload".to_string(), payload));
        message.push(("deadline".to_string(), Value::Number(deadline)));
        out.push(Effect::Post(Value::Object(message)));
        self.in_flight.push(InFlight {
            ticket,
            id,
            timeout_ms,
            deadline,
        });
    }

    /// Settles every command sent and not answered: its plugin is gone.
    fn lose_in_flight(&mut self, out: &mut Vec<Effect>) {
        for c in self.in_flight.drain(..) {
            let error = BridgeError::new(
                ErrorCode::PeerReloaded,
                "Flex reloaded before it answered: the command may or may not have run; \
                 it is not sent again",
            );
            out.push(Effect::Settle(c.ticket, Err(error)));
        }
    }

    fn set_state(&mut self, state: State, out: &mut Vec<Effect>) {
        if self.state != state {
            self.state = state;
            out.push(Effect::State(state));
        }
    }

    fn envelope(&self, id: &str, kind: &str) -> Vec<(String, Value)> {
        vec![
            ("ns".to_string(), Value::from(PROTOCOL_NS)),
            ("v".to_string(), Value::Number(f64::from(PROTOCOL_VERSION))),
            ("app".to_string(), Value::from(self.spec.app)),
            ("id".to_string(), Value::from(id)),
            ("kind".to_string(), Value::from(kind)),
        ]
    }

    fn hello(&mut self, re: Option<&str>) -> Value {
        let id = self.ids.next_id();
        let mut message = self.envelope(&id, "hello");
        message.push(("spec".to_string(), Value::from(self.spec.spec_hash)));
        message.push(("role".to_string(), Value::from("host")));
        if let Some(re) = re {
            message.push(("re".to_string(), Value::from(re)));
        }
        Value::Object(message)
    }

    fn reply(&mut self, re: &str, error: Option<&BridgeError>) -> Value {
        let id = self.ids.next_id();
        let mut message = self.envelope(&id, "reply");
        message.push(("re".to_string(), Value::from(re)));
        message.push(("ok".to_string(), Value::Bool(error.is_none())));
        if let Some(error) = error {
            let body = vec![
                ("code".to_string(), Value::from(error.code.as_str())),
                ("message".to_string(), Value::from(error.message.as_str())),
            ];
            message.push(("error".to_string(), Value::Object(body)));
        }
        Value::Object(message)
    }
}

/// A peer's protocol version, for a message. Not through `f64`'s `Display`:
/// its float formatting code alone would add some 20 KB to the `.wasm`.
fn version_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() <= MAX_SAFE_INTEGER as f64 {
        let sign = if v < 0.0 { "-" } else { "" };
        cat(&[sign, &decimal(v.abs() as u64)])
    } else {
        "(not an integer)".to_string()
    }
}

/// The sender instance of a message id: `f-<random>` of `f-<random>-<n>`.
fn instance_of(id: &str) -> &str {
    match id.bytes().rposition(|b| b == b'-') {
        Some(dash) => id.get(..dash).unwrap_or(id),
        None => id,
    }
}

fn version_mismatch() -> BridgeError {
    BridgeError::new(
        ErrorCode::VersionMismatch,
        "the two ends were generated from different specs or protocol versions",
    )
}

/// Shared checks for the generated payload tests in `payloads.rs`.
#[cfg(test)]
// A spec uses some field kinds, not necessarily all.
#[allow(dead_code)]
pub(crate) mod testing {
    use super::*;

    /// A declared field type, as the generated tests describe it.
    #[derive(Debug, Clone, Copy)]
    pub enum Kind {
        String(usize),
        E164,
        Integer,
        Number,
        Boolean,
        Datetime(usize),
        OneOf(&'static [&'static str]),
    }

    impl Kind {
        /// A valid value.
        fn sample(self) -> Value {
            match self {
                Kind::String(_) => Value::from("a"),
                Kind::E164 => Value::from("+15551234567"),
                Kind::Integer => Value::Number(42.0),
                Kind::Number => Value::Number(1.5),
                Kind::Boolean => Value::Bool(true),
                Kind::Datetime(_) => Value::from("2026-11-23T10:00:00.000Z"),
                Kind::OneOf(values) => Value::from(values[0]),
            }
        }

        /// Other valid values: the bounds.
        fn also_valid(self) -> Vec<Value> {
            match self {
                Kind::String(max) => vec![Value::from(""), Value::from("é".repeat(max))],
                Kind::E164 => vec![Value::from("+12"), Value::from("+123456789012345")],
                Kind::Integer => vec![
                    Value::Number(MAX_SAFE_INTEGER as f64),
                    Value::Number(-(MAX_SAFE_INTEGER as f64)),
                    Value::Number(0.0),
                ],
                Kind::Number => vec![Value::Number(-1e300), Value::Number(0.0)],
                Kind::Boolean => vec![Value::Bool(false)],
                Kind::Datetime(_) => vec![Value::from("2024-02-29T23:59:59Z")],
                Kind::OneOf(values) => values.iter().map(|v| Value::from(*v)).collect(),
            }
        }

        /// Invalid values: the wrong type, `null`, out of bounds, malformed.
        fn invalid(self) -> Vec<Value> {
            let mut out = vec![Value::Null, Value::Unsupported("a Date")];
            out.push(match self {
                Kind::Integer | Kind::Number => Value::from("1"),
                Kind::Boolean => Value::from("true"),
                _ => Value::Number(1.0),
            });
            match self {
                // Oversize counts UTF-16 units: one astral character is two.
                Kind::String(max) => {
                    out.push(Value::from("a".repeat(max + 1)));
                    out.push(Value::from(format!("{}\u{1f600}", "a".repeat(max - 1))));
                }
                Kind::E164 => {
                    for bad in [
                        "",
                        "+",
                        "+1",
                        "+0123",
                        "15551234567",
                        "+1234567890123456",
                        "+1 555",
                    ] {
                        out.push(Value::from(bad));
                    }
                }
                Kind::Integer => {
                    for bad in [1.5, MAX_SAFE_INTEGER as f64 + 1.0, f64::NAN, f64::INFINITY] {
                        out.push(Value::Number(bad));
                    }
                }
                Kind::Number => {
                    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                        out.push(Value::Number(bad));
                    }
                }
                Kind::Boolean => out.push(Value::Number(0.0)),
                Kind::Datetime(max) => {
                    for bad in [
                        "2026-13-01T00:00:00Z",
                        "2026-01-32T00:00:00Z",
                        "2026-01-01T24:00:00Z",
                        "2026-01-01 00:00:00Z",
                        "2026-01-01T00:00:00",
                        "2026-01-01T00:00:00.1Z",
                        "2026-01-01T00:00:00+01:00",
                    ] {
                        out.push(Value::from(bad));
                    }
                    out.push(Value::from("9".repeat(max + 1)));
                }
                Kind::OneOf(values) => {
                    let mut bad = format!("{}~", values[0]);
                    while values.contains(&bad.as_str()) {
                        bad.push('~');
                    }
                    out.push(Value::from(bad));
                    out.push(Value::from(""));
                }
            }
            out
        }
    }

    /// The fields of one payload type, checked against its generated code.
    #[derive(Default)]
    pub struct Check {
        fields: Vec<(&'static str, Kind, bool)>,
    }

    impl Check {
        pub fn new() -> Self {
            Check::default()
        }

        pub fn required(&mut self, key: &'static str, kind: Kind) {
            self.fields.push((key, kind, false));
        }

        pub fn optional(&mut self, key: &'static str, kind: Kind) {
            self.fields.push((key, kind, true));
        }

        fn object(&self, skip: Option<&str>, set: Option<(&str, Value)>) -> Value {
            let mut entries = Vec::new();
            for (key, kind, _) in &self.fields {
                if Some(*key) == skip {
                    continue;
                }
                match &set {
                    Some((k, v)) if k == key => entries.push((key.to_string(), v.clone())),
                    _ => entries.push((key.to_string(), kind.sample())),
                }
            }
            Value::Object(entries)
        }

        fn refused<P: Payload>(&self, value: &Value, why: &str) -> BridgeError {
            match P::from_value(value) {
                Ok(_) => panic!("{}: accepted {why}: {value:?}", P::TRIGGER),
                Err(error) => {
                    assert_eq!(error.code, ErrorCode::SchemaInvalid);
                    error
                }
            }
        }

        /// Every rule the spec declares for `P`, both ways.
        pub fn run<P>(self)
        where
            P: Payload + PartialEq + fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
        {
            let name = P::TRIGGER;
            let full = self.object(None, None);
            let payload = P::from_value(&full).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(payload.to_value(), full, "{name}: round trip");
            assert_eq!(payload.validate(), Ok(()));
            assert_eq!(P::clean(&full), Ok(full.clone()));

            // serde sees the same names as the wire.
            let json = serde_json::to_value(&payload).unwrap();
            let keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut declared: Vec<&str> = self.fields.iter().map(|(k, _, _)| *k).collect();
            declared.sort_unstable();
            assert_eq!(keys, declared, "{name}: serde names");
            assert_eq!(serde_json::from_value::<P>(json).unwrap(), payload);

            // Optional fields may be absent or undefined; required ones may not.
            let mut minimal = full.clone();
            if let Value::Object(entries) = &mut minimal {
                entries.retain(|(k, _)| self.fields.iter().any(|(f, _, opt)| f == k && !opt));
            }
            P::from_value(&minimal).unwrap_or_else(|e| panic!("{name} without optionals: {e}"));
            for (key, kind, optional) in &self.fields {
                let without = self.object(Some(key), None);
                if *optional {
                    P::from_value(&without).unwrap_or_else(|e| panic!("{name}: {e}"));
                    let undefined = self.object(None, Some((key, Value::Undefined)));
                    P::from_value(&undefined).unwrap_or_else(|e| panic!("{name}: {e}"));
                } else {
                    let error = self.refused::<P>(&without, "a missing field");
                    assert_eq!(error.message, format!("{key}: missing"));
                    let undefined = self.object(None, Some((key, Value::Undefined)));
                    self.refused::<P>(&undefined, "an undefined required field");
                }
                for good in kind.also_valid() {
                    let value = self.object(None, Some((key, good)));
                    P::from_value(&value).unwrap_or_else(|e| panic!("{name}: {e}: {value:?}"));
                }
                for bad in kind.invalid() {
                    let value = self.object(None, Some((key, bad)));
                    let error = self.refused::<P>(&value, "an invalid value");
                    assert!(error.message.starts_with(&format!("{key}: ")), "{error}");
                }
            }

            // Nothing but the declared keys, and nothing but a plain object.
            for extra in ["zz_unknown", "__proto__", "constructor", "prototype"] {
                let mut value = full.clone();
                if let Value::Object(entries) = &mut value {
                    entries.push((extra.to_string(), Value::from("x")));
                }
                self.refused::<P>(&value, "an undeclared key");
            }
            for not_an_object in [
                Value::Null,
                Value::Undefined,
                Value::Array(vec![full.clone()]),
                Value::from("{}"),
                Value::Unsupported("a Map"),
            ] {
                self.refused::<P>(&not_an_object, "a non-object");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLEX: &str = "https://flex.example.com";
    const HASH: &str = "0123456789abcdef";

    /// One Flex -> host trigger, `ping { n: integer }`.
    fn check_ping(trigger: &str, payload: &Value) -> Option<Result<Value, BridgeError>> {
        (trigger == "ping").then(|| {
            let mut f = Fields::of(payload)?;
            let n = f.integer("n")?;
            f.finish()?;
            let mut out = Object::new();
            out.put("n", &n);
            Ok(out.into_value())
        })
    }

    fn ping_fields(trigger: &str) -> Option<FieldBounds> {
        (trigger == "ping").then_some(&[("n", 0)][..])
    }

    fn spec() -> Spec {
        Spec {
            app: "test-app",
            spec_hash: HASH,
            flex_origin: FLEX,
            check_event: check_ping,
            event_fields: ping_fields,
        }
    }

    #[test]
    fn a_message_budget_covers_every_declared_key_at_its_longest() {
        let fields: FieldBounds = &[("name", 100), ("n", 0), ("phone", 16)];
        let budget = Budget::for_message(fields);
        // 13 envelope keys, 2 error fields, 3 payload fields, 3 undeclared names.
        assert_eq!(budget.nodes, 13 + 2 + 3 + 3);
        let envelope: u32 = 16 + 64 + 128 + 16 + 64 + 64 + 16 + 128;
        assert_eq!(budget.units, envelope + 40 + 2000 + 116 + 3 * 64);
        // Spent by units or by nodes; once spent, nothing more is read.
        let mut b = budget;
        assert!(b.take(budget.units));
        assert!(!b.take(1));
        assert!(!b.take(0));
        let mut b = Budget {
            nodes: 2,
            units: 10,
        };
        assert!(b.take(0) && b.take(0));
        assert!(!b.take(0));
        // Every slot of the envelope is in the budget: a message of another
        // app or version is read by the same rules.
        let empty = Budget::for_message(&[]);
        assert_eq!(
            empty.nodes as usize,
            ENVELOPE_SLOTS.len() + ERROR_FIELDS.len() + 3
        );
    }

    #[test]
    fn a_value_left_unread_fails_its_check_with_its_reason() {
        let too_long = Value::Unsupported(TOO_LONG);
        assert_eq!(check_string(&too_long, 5).unwrap_err(), "longer than 5");
        for why in [OVER_BUDGET, NOT_A_SCALAR, SHARED_REFERENCE] {
            assert!(check_string(&Value::Unsupported(why), 5).is_err());
            assert!(check_integer(&Value::Unsupported(why)).is_err());
        }
        // A payload that could not be read is refused, never delivered.
        let mut core = ready();
        let data = event("f-8", "ping", Value::Unsupported(SHARED_REFERENCE));
        let out = core.receive(FLEX, true, &data, 0.0);
        assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
        assert!(!out.iter().any(|e| matches!(e, Effect::Deliver { .. })));
    }

    fn obj(entries: &[(&str, Value)]) -> Value {
        Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn common(id: &str, kind: &str) -> Vec<(&'static str, Value)> {
        vec![
            ("ns", Value::from("flexgen")),
            ("v", Value::Number(f64::from(PROTOCOL_VERSION))),
            ("app", Value::from("test-app")),
            ("id", Value::from(id)),
            ("kind", Value::from(kind)),
        ]
    }

    fn hello(id: &str, spec: &str, re: Option<&str>) -> Value {
        let mut e = common(id, "hello");
        e.push(("spec", Value::from(spec)));
        e.push(("role", Value::from("flex")));
        if let Some(re) = re {
            e.push(("re", Value::from(re)));
        }
        obj(&e)
    }

    fn event(id: &str, trigger: &str, payload: Value) -> Value {
        let mut e = common(id, "event");
        e.push(("type", Value::from(trigger)));
        e.push(("payload", payload));
        obj(&e)
    }

    fn reply(id: &str, re: &str, error: Option<(&str, &str)>) -> Value {
        let mut e = common(id, "reply");
        e.push(("re", Value::from(re)));
        e.push(("ok", Value::Bool(error.is_none())));
        if let Some((code, message)) = error {
            let body = obj(&[
                ("code", Value::from(code)),
                ("message", Value::from(message)),
            ]);
            e.push(("error", body));
        }
        obj(&e)
    }

    fn ping(n: f64) -> Value {
        obj(&[("n", Value::Number(n))])
    }

    fn posts(effects: &[Effect]) -> Vec<&Value> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Post(v) => Some(v),
                _ => None,
            })
            .collect()
    }

    fn field<'a>(message: &'a Value, key: &str) -> &'a str {
        message.get(key).and_then(Value::as_str).unwrap_or("")
    }

    fn error_code(message: &Value) -> &str {
        message.get("error").map_or("", |e| field(e, "code"))
    }

    /// A core that finished the handshake.
    fn ready() -> Core {
        let mut core = Core::new(spec(), 7);
        core.start();
        core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
        assert_eq!(core.state(), State::Ready);
        core
    }

    fn settled(effects: &[Effect]) -> Vec<(u64, Result<Ack, BridgeError>)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Settle(t, r) => Some((*t, r.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn says_hello_with_its_spec() {
        let mut core = Core::new(spec(), 0xabc);
        let out = core.start();
        let sent = posts(&out);
        assert_eq!(sent.len(), 1);
        let message = sent[0];
        assert_eq!(field(message, "kind"), "hello");
        assert_eq!(field(message, "role"), "host");
        assert_eq!(field(message, "spec"), HASH);
        assert_eq!(field(message, "id"), "h-0000000000000abc-1");
        assert_eq!(message.get("re"), None);
        assert_eq!(core.state(), State::Connecting);
        assert_eq!(core.flex_origin(), FLEX);
    }

    #[test]
    fn answers_a_hello_once_and_is_ready() {
        let mut core = Core::new(spec(), 1);
        core.start();
        let out = core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
        let sent = posts(&out);
        assert_eq!(sent.len(), 1);
        assert_eq!(field(sent[0], "kind"), "hello");
        assert_eq!(field(sent[0], "re"), "f-1");
        assert!(out.contains(&Effect::State(State::Ready)));
        // An answer to our hello is not answered again.
        let out = core.receive(FLEX, true, &hello("f-2", HASH, Some("h-1")), 0.0);
        assert!(posts(&out).is_empty());
        assert_eq!(core.state(), State::Ready);
    }

    #[test]
    fn drops_messages_from_the_wrong_origin_or_window() {
        for (origin, from_peer) in [
            ("https://evil.example.com", true),
            ("https://flex.example.com/", true),
            ("https://FLEX.example.com", true),
            ("http://flex.example.com", true),
            ("null", true),
            (FLEX, false),
        ] {
            let mut core = Core::new(spec(), 1);
            assert!(!core.trusts(origin, from_peer));
            let out = core.receive(origin, from_peer, &hello("f-1", HASH, None), 0.0);
            assert!(out.is_empty(), "{origin} {from_peer}: {out:?}");
            // Not even a malformed message gets an answer.
            let out = core.receive(origin, from_peer, &obj(&common("f-2", "bogus")), 0.0);
            assert!(out.is_empty());
            assert_eq!(core.state(), State::Connecting);
        }
    }

    #[test]
    fn ignores_other_namespaces_and_apps() {
        let mut core = Core::new(spec(), 1);
        let mut other_app = common("f-1", "hello");
        other_app[2] = ("app", Value::from("other-app"));
        let mut other_ns = common("f-1", "hello");
        other_ns[0] = ("ns", Value::from("not-flexgen"));
        for data in [
            obj(&other_app),
            obj(&other_ns),
            Value::from("hello"),
            Value::Null,
        ] {
            assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
        }
    }

    #[test]
    fn refuses_malformed_envelopes_with_schema_invalid() {
        let mut core = ready();
        let mut extra = common("f-9", "hello");
        extra.push(("spec", Value::from(HASH)));
        extra.push(("role", Value::from("flex")));
        extra.push(("token", Value::from("secret")));
        let mut bad_hash = common("f-10", "hello");
        bad_hash.push(("spec", Value::from("XYZ")));
        bad_hash.push(("role", Value::from("flex")));
        let mut string_version = common("f-11", "event");
        string_version[1] = ("v", Value::from("1"));
        string_version.push(("type", Value::from("ping")));
        string_version.push(("payload", ping(1.0)));
        for data in [obj(&extra), obj(&bad_hash), obj(&string_version)] {
            let out = core.receive(FLEX, true, &data, 0.0);
            let sent = posts(&out);
            assert_eq!(sent.len(), 1, "{data:?}");
            assert_eq!(field(sent[0], "kind"), "reply");
            assert_eq!(field(sent[0], "re"), field(&data, "id"));
            assert_eq!(error_code(sent[0]), "SCHEMA_INVALID");
        }
        // A broken reply, or a message without a usable id, is never answered.
        let mut broken_reply = common("f-12", "reply");
        broken_reply.push(("re", Value::from("h-1")));
        let mut no_id = common("not an id!", "hello");
        no_id.push(("spec", Value::from(HASH)));
        for data in [obj(&broken_reply), obj(&no_id)] {
            assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
        }
    }

    #[test]
    fn version_mismatch_is_reported_and_refuses_commands() {
        let mut core = Core::new(spec(), 1);
        let (ticket, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert!(out.is_empty());
        let out = core.receive(FLEX, true, &hello("f-1", "ffffffffffffffff", None), 0.0);
        assert_eq!(core.state(), State::VersionMismatch);
        assert!(out.contains(&Effect::State(State::VersionMismatch)));
        assert!(out
            .iter()
            .any(|e| matches!(e, Effect::Warn(w) if w.contains("Regenerate"))));
        // Still answered, so Flex learns of the mismatch too.
        assert_eq!(field(posts(&out)[0], "kind"), "hello");
        let failed = settled(&out);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, ticket);
        assert_eq!(
            failed[0].1.as_ref().unwrap_err().code,
            ErrorCode::VersionMismatch
        );
        let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert_eq!(
            settled(&out)[0].1.as_ref().unwrap_err().code,
            ErrorCode::VersionMismatch
        );
        // Events are refused, not delivered.
        let out = core.receive(FLEX, true, &event("f-2", "ping", ping(1.0)), 0.0);
        assert!(!out.iter().any(|e| matches!(e, Effect::Deliver { .. })));
        assert_eq!(error_code(posts(&out)[0]), "VERSION_MISMATCH");
        // A matching plugin (regenerated, reloaded) makes it ready again.
        core.receive(FLEX, true, &hello("f-3", HASH, None), 0.0);
        assert_eq!(core.state(), State::Ready);
    }

    #[test]
    fn another_protocol_version_is_a_mismatch_not_a_malformed_message() {
        let mut core = Core::new(spec(), 1);
        // A hello of the next version may carry keys this one does not know.
        let next = f64::from(PROTOCOL_VERSION + 1);
        let mut hello2 = common("f-1", "hello");
        hello2[1] = ("v", Value::Number(next));
        hello2.push(("spec", Value::from(HASH)));
        hello2.push(("role", Value::from("flex")));
        hello2.push(("features", Value::Array(vec![])));
        let out = core.receive(FLEX, true, &obj(&hello2), 0.0);
        assert_eq!(core.state(), State::VersionMismatch);
        assert_eq!(field(posts(&out)[0], "kind"), "hello");
        assert_eq!(field(posts(&out)[0], "re"), "f-1");
        assert!(out
            .iter()
            .any(|e| matches!(e, Effect::Warn(w) if w.contains("protocol 3"))));
        let mut event2 = common("f-2", "event");
        event2[1] = ("v", Value::Number(next));
        event2.push(("type", Value::from("ping")));
        event2.push(("payload", Value::Array(vec![])));
        let out = core.receive(FLEX, true, &obj(&event2), 0.0);
        assert_eq!(error_code(posts(&out)[0]), "VERSION_MISMATCH");
        // Seen ids are not answered again; replies and bad ids never are.
        assert!(core.receive(FLEX, true, &obj(&event2), 0.0).is_empty());
        let mut reply2 = common("f-3", "reply");
        reply2[1] = ("v", Value::Number(next));
        let mut bad_id = common("no id!", "event");
        bad_id[1] = ("v", Value::Number(next));
        for data in [obj(&reply2), obj(&bad_id)] {
            assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
        }
    }

    #[test]
    fn a_malformed_message_is_answered_once() {
        let mut core = ready();
        let data = event("f-9", "ping", Value::from("not an object"));
        let out = core.receive(FLEX, true, &data, 0.0);
        assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
        assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
    }

    #[test]
    fn commands_wait_for_the_handshake_within_their_queue_time() {
        let mut core = Core::new(spec(), 1);
        core.start();
        let (at_once, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
        let failed = settled(&out);
        assert_eq!(failed[0].0, at_once);
        assert_eq!(failed[0].1.as_ref().unwrap_err().code, ErrorCode::NotReady);

        let (queued, out) = core.submit("dial", obj(&[("x", Value::from("1"))]), 1000, 5000, 0.0);
        assert!(out.is_empty());
        let (late, _) = core.submit("dial", obj(&[]), 1000, 100, 0.0);
        assert_eq!(core.next_deadline(), Some(100.0));
        let out = core.tick(100.0);
        assert_eq!(settled(&out)[0].0, late);
        assert_eq!(
            settled(&out)[0].1.as_ref().unwrap_err().code,
            ErrorCode::NotReady
        );

        let out = core.receive(FLEX, true, &hello("f-1", HASH, None), 200.0);
        let sent = posts(&out);
        // Our answer first, so the plugin is ready before the command arrives.
        assert_eq!(field(sent[0], "kind"), "hello");
        assert_eq!(field(sent[1], "kind"), "command");
        assert_eq!(field(sent[1], "type"), "dial");
        assert_eq!(
            sent[1].get("payload"),
            Some(&obj(&[("x", Value::from("1"))]))
        );
        // The Flex time limit starts when the command is sent, and the
        // command carries it: the plugin never starts it later.
        assert_eq!(core.next_deadline(), Some(1200.0));
        assert_eq!(sent[1].get("deadline"), Some(&Value::Number(1200.0)));
        let id = field(sent[1], "id").to_string();
        let out = core.receive(FLEX, true, &reply("f-2", &id, None), 300.0);
        assert_eq!(settled(&out), vec![(queued, Ok(Ack))]);
        assert_eq!(core.next_deadline(), None);
    }

    #[test]
    fn a_full_queue_fails_at_once() {
        let mut core = Core::new(spec(), 1);
        for _ in 0..COMMAND_QUEUE_LIMIT {
            let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
            assert!(out.is_empty());
        }
        let (ticket, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert_eq!(settled(&out)[0].0, ticket);
        assert!(settled(&out)[0]
            .1
            .as_ref()
            .unwrap_err()
            .message
            .contains("full"));
    }

    #[test]
    fn commands_settle_with_flex_answer_or_timeout() {
        let mut core = ready();
        let (ok, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
        let ok_id = field(posts(&out)[0], "id").to_string();
        let (failed, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
        let failed_id = field(posts(&out)[0], "id").to_string();
        let (timed_out, _) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
        assert_ne!(ok_id, failed_id);

        let out = core.receive(FLEX, true, &reply("f-2", &ok_id, None), 10.0);
        assert_eq!(settled(&out), vec![(ok, Ok(Ack))]);
        let error = Some(("FLEX_ACTION_FAILED", "invalid destination"));
        let out = core.receive(FLEX, true, &reply("f-3", &failed_id, error), 10.0);
        let expected = BridgeError::new(ErrorCode::FlexActionFailed, "invalid destination");
        assert_eq!(settled(&out), vec![(failed, Err(expected))]);
        // A second answer to the same command, or to an unknown one, is ignored.
        assert!(core
            .receive(FLEX, true, &reply("f-4", &ok_id, None), 10.0)
            .is_empty());
        assert!(core
            .receive(FLEX, true, &reply("f-5", "h-x-99", None), 10.0)
            .is_empty());

        assert!(core.tick(999.0).is_empty());
        let out = core.tick(1000.0);
        assert_eq!(settled(&out)[0].0, timed_out);
        assert_eq!(
            settled(&out)[0].1.as_ref().unwrap_err().code,
            ErrorCode::Timeout
        );
        assert!(core.tick(5000.0).is_empty());
    }

    #[test]
    fn events_are_validated_before_delivery() {
        let mut core = Core::new(spec(), 1);
        // Before the handshake: refused.
        let out = core.receive(FLEX, true, &event("f-0", "ping", ping(1.0)), 0.0);
        assert_eq!(error_code(posts(&out)[0]), "NOT_READY");
        let mut core = ready();
        let out = core.receive(FLEX, true, &event("f-2", "ping", ping(3.0)), 0.0);
        let delivered = Effect::Deliver {
            trigger: "ping".to_string(),
            payload: ping(3.0),
        };
        assert_eq!(out[0], delivered);
        assert_eq!(field(posts(&out)[0], "re"), "f-2");
        assert_eq!(posts(&out)[0].get("ok"), Some(&Value::Bool(true)));

        let bad_payloads = [
            ping(1.5),
            obj(&[]),
            obj(&[("n", Value::Number(1.0)), ("token", Value::from("x"))]),
            obj(&[("n", Value::Number(1.0)), ("__proto__", obj(&[]))]),
        ];
        for (i, payload) in bad_payloads.into_iter().enumerate() {
            let out = core.receive(FLEX, true, &event(&format!("f-b{i}"), "ping", payload), 0.0);
            assert!(
                !out.iter().any(|e| matches!(e, Effect::Deliver { .. })),
                "{out:?}"
            );
            assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
        }
        let out = core.receive(FLEX, true, &event("f-3", "pong", ping(1.0)), 0.0);
        assert_eq!(error_code(posts(&out)[0]), "UNKNOWN_TRIGGER");
        // Commands flow the other way only.
        let mut command = common("f-4", "command");
        command.push(("type", Value::from("ping")));
        command.push(("payload", ping(1.0)));
        command.push(("deadline", Value::Number(1000.0)));
        let out = core.receive(FLEX, true, &obj(&command), 0.0);
        assert_eq!(error_code(posts(&out)[0]), "UNKNOWN_TRIGGER");
        // A command without its deadline is malformed.
        command.pop();
        command[3] = ("id", Value::from("f-5"));
        let out = core.receive(FLEX, true, &obj(&command), 0.0);
        assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
    }

    #[test]
    fn duplicate_ids_are_dropped() {
        let mut core = ready();
        let first = core.receive(FLEX, true, &event("f-7", "ping", ping(1.0)), 0.0);
        assert_eq!(first.len(), 2);
        assert!(core
            .receive(FLEX, true, &event("f-7", "ping", ping(1.0)), 0.0)
            .is_empty());
    }

    #[test]
    fn recent_ids_are_bounded() {
        let mut ids = RecentIds::new(2);
        assert!(ids.add("a"));
        assert!(!ids.add("a"));
        assert!(ids.add("b"));
        assert!(ids.add("c"));
        assert!(ids.add("a"), "the oldest id is forgotten");
    }

    #[test]
    fn a_reload_needs_a_new_handshake() {
        let mut core = ready();
        let out = core.peer_reloaded();
        assert_eq!(out[0], Effect::State(State::Connecting));
        assert_eq!(field(posts(&out)[0], "kind"), "hello");
        let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert!(out.is_empty(), "queued until the new plugin says hello");
    }

    fn code_of(settled: &(u64, Result<Ack, BridgeError>)) -> ErrorCode {
        settled.1.as_ref().unwrap_err().code
    }

    #[test]
    fn a_reload_settles_commands_in_flight_once_and_never_resends_them() {
        let mut core = ready();
        let (sent, out) = core.submit("dial", obj(&[]), 5000, 0, 0.0);
        let id = field(posts(&out)[0], "id").to_string();
        let out = core.peer_reloaded();
        let lost = settled(&out);
        assert_eq!(lost.len(), 1);
        assert_eq!(
            (lost[0].0, code_of(&lost[0])),
            (sent, ErrorCode::PeerReloaded)
        );
        assert!(lost[0]
            .1
            .as_ref()
            .unwrap_err()
            .message
            .contains("not sent again"));
        assert_eq!(core.next_deadline(), None, "no timeout left to fire");
        // The new plugin's hello: ready again, and nothing is sent but the answer.
        let out = core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 10.0);
        assert_eq!(core.state(), State::Ready);
        let sent_now = posts(&out);
        assert_eq!(sent_now.len(), 1);
        assert_eq!(field(sent_now[0], "kind"), "hello");
        // A late answer to the lost command settles nothing a second time.
        let out = core.receive(FLEX, true, &reply("f-1a", &id, None), 20.0);
        assert!(settled(&out).is_empty());
    }

    #[test]
    fn a_hello_from_another_plugin_instance_means_flex_reloaded() {
        let mut core = Core::new(spec(), 1);
        core.start();
        core.receive(FLEX, true, &hello("f-aaaa-1", HASH, None), 0.0);
        let (first, out) = core.submit("dial", obj(&[]), 5000, 0, 0.0);
        assert_eq!(posts(&out).len(), 1);
        // The same instance answering again (our hello after an iframe `load`
        // it had already beaten) loses nothing.
        let out = core.receive(FLEX, true, &hello("f-aaaa-2", HASH, Some("h-9")), 1.0);
        assert!(settled(&out).is_empty());
        // Another instance: the first one's command is lost, not resent.
        let out = core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 2.0);
        let lost = settled(&out);
        assert_eq!(lost.len(), 1);
        assert_eq!(
            (lost[0].0, code_of(&lost[0])),
            (first, ErrorCode::PeerReloaded)
        );
        assert_eq!(posts(&out).len(), 1, "only the answering hello");
        assert_eq!(core.state(), State::Ready);
    }

    #[test]
    fn a_matching_plugin_after_a_mismatch_makes_the_bridge_ready() {
        let mut core = Core::new(spec(), 1);
        core.start();
        core.receive(
            FLEX,
            true,
            &hello("f-aaaa-1", "ffffffffffffffff", None),
            0.0,
        );
        assert_eq!(core.state(), State::VersionMismatch);
        let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert_eq!(code_of(&settled(&out)[0]), ErrorCode::VersionMismatch);
        assert!(posts(&out).is_empty(), "not half-applied: nothing sent");
        core.peer_reloaded();
        core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 5.0);
        assert_eq!(core.state(), State::Ready);
    }

    #[test]
    fn close_fails_open_commands_and_stops_listening() {
        let mut core = Core::new(spec(), 1);
        let (queued, _) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
        let (in_flight, _) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        let _ = queued;
        let out = core.close();
        assert_eq!(out[0], Effect::State(State::Closed));
        let tickets: Vec<u64> = settled(&out).iter().map(|(t, _)| *t).collect();
        assert_eq!(tickets.len(), 2);
        assert!(tickets.contains(&in_flight));
        assert!(core.close().is_empty());
        assert!(core
            .receive(FLEX, true, &hello("f-2", HASH, None), 0.0)
            .is_empty());
        assert!(core.peer_reloaded().is_empty());
        let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert_eq!(
            settled(&out)[0].1.as_ref().unwrap_err().code,
            ErrorCode::NotReady
        );
    }

    #[test]
    fn field_checks_follow_the_spec() {
        let lone = check_string(&Value::Unsupported(ILL_FORMED_STRING), 10);
        assert_eq!(
            lone.unwrap_err(),
            "not well-formed UTF-16 (a lone surrogate)"
        );
        assert_eq!(
            check_string(&Value::from("\u{FFFD}"), 10).as_deref(),
            Ok("\u{FFFD}"),
            "a real U+FFFD is a character like any other"
        );
        assert!(is_e164("+15551234567"));
        assert!(is_e164("+12"));
        assert!(!is_e164("+1"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+1234567890123456"));
        assert!(!is_e164("+1555123456a"));
        assert!(is_iso_datetime("2026-11-23T10:00:00.000Z"));
        assert!(is_iso_datetime("2026-11-23T10:00:00Z"));
        assert!(!is_iso_datetime("2026-11-23T10:00:00.00Z"));
        assert!(!is_iso_datetime("2026-00-23T10:00:00Z"));
        assert!(!is_iso_datetime("2026-11-23t10:00:00Z"));
        assert!(!is_iso_datetime("２026-11-23T10:00:00Z"));
        assert_eq!(check_integer(&Value::Number(-0.0)), Ok(0));
        assert!(check_integer(&Value::Number(9007199254740992.0)).is_err());
        assert_eq!(utf16_len("a\u{1f600}"), 3);
        assert_eq!(
            check_string(&Value::from("\u{1f600}"), 1),
            Err("longer than 1".to_string())
        );
        assert_eq!(
            check_one_of(&Value::from("c"), &["a", "b"]),
            Err("expected one of a, b".to_string())
        );
    }

    #[test]
    fn reasons_are_bounded_and_quote_keys() {
        let long = "k".repeat(500);
        let value = obj(&[(long.as_str(), Value::Null)]);
        let error = Fields::of(&value).unwrap().finish().unwrap_err();
        assert_eq!(error.message.chars().count(), MAX_REASON);
        let value = obj(&[("a\"b\n", Value::Null)]);
        let error = Fields::of(&value).unwrap().finish().unwrap_err();
        assert_eq!(error.message, "\"a\\\"b\\u000a\": unknown key");
        let value = obj(&[("__proto__", Value::Null)]);
        let error = Fields::of(&value).err().unwrap();
        assert_eq!(error.message, "__proto__: key not allowed");
    }
}
