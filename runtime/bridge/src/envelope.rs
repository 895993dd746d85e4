//! Envelopes: a message from Flex, checked exactly as the plugin checks
//! one (exact keys by `kind`), and the formats of its fields.

use crate::error::BridgeError;
use crate::fields::{check_boolean, check_integer, check_one_of, check_string, Fields};
use crate::protocol_constants::{MAX_ERROR_MESSAGE, PROTOCOL_NS};
use crate::text::{cat, quote};
use crate::value::Value;

pub(crate) fn is_message_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-'))
}

pub(crate) fn is_trigger_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=64).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

pub(crate) fn is_spec_hash(s: &str) -> bool {
    s.len() == 16
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

pub(crate) fn is_error_code(s: &str) -> bool {
    (1..=40).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_uppercase() || c == b'_')
}

/// A string field matching `pattern`.
pub(crate) fn matching(
    pattern: fn(&str) -> bool,
    what: &'static str,
) -> impl Fn(&Value) -> Result<String, String> {
    move |value| match value {
        Value::String(s) if pattern(s) => Ok(s.clone()),
        _ => Err(cat(&["expected ", what])),
    }
}

/// Exactly this string.
pub(crate) fn literal(expected: &'static str) -> impl Fn(&Value) -> Result<(), String> {
    move |value| match value {
        Value::String(s) if s == expected => Ok(()),
        _ => Err(cat(&["expected ", &quote(expected)])),
    }
}

/// A message that passed the envelope checks (an event's payload is
/// borrowed from the message: no copy of it is made to check it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Envelope<'a> {
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
    pub(crate) fn id(&self) -> &str {
        match self {
            Envelope::Hello { id, .. }
            | Envelope::Command { id, .. }
            | Envelope::Event { id, .. }
            | Envelope::Reply { id, .. } => id,
        }
    }
}

/// Checks an envelope exactly as the plugin does: exact keys by `kind`.
pub(crate) fn parse_envelope(data: &Value) -> Result<Envelope<'_>, BridgeError> {
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
pub(crate) fn check_error(value: &Value) -> Result<(String, String), String> {
    let read = || -> Result<(String, String), BridgeError> {
        let mut f = Fields::of(value)?;
        let code = f.required("code", matching(is_error_code, "an error code"))?;
        let message = f.string("message", MAX_ERROR_MESSAGE)?;
        f.finish()?;
        Ok((code, message))
    };
    read().map_err(|e| cat(&["error.", &e.message]))
}
