//! Payloads: the traits generated payload types implement, and [`Fields`],
//! which reads a payload's declared keys one checked field at a time.

use std::convert::Infallible;

use crate::error::BridgeError;
use crate::limits::{FieldBounds, TOO_LONG};
use crate::protocol_constants::FORBIDDEN_KEYS;
use crate::text::{cat, decimal, quote, utf16_len};
use crate::value::Value;

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JavaScript number holds exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A trigger's payload type, generated in `payloads.rs`.
pub trait Payload: Sized {
    /// The trigger's wire name (the message `type`).
    const TRIGGER: &'static str;

    /// The declared fields, each with the most UTF-16 units it may hold:
    /// all that is read of a payload (its bounds make the budget of a
    /// message).
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
    pub(crate) fn fail(&mut self, reason: String) {
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
    pub(crate) fn required<T: Default>(
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
    pub(crate) fn optional<T>(
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

pub(crate) fn is_e164(s: &str) -> bool {
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

pub(crate) fn is_iso_datetime(s: &str) -> bool {
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
