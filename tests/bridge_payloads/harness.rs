//! flexgen's checks of a generated bridge's payload types, both ways: every
//! rule the spec declares for each field (types, bounds, formats, enum
//! values, presence), the wire names serde sees, and nothing but a plain
//! object of the declared keys.
//!
//! Not part of any workspace: `write_payload_tests` (tests/common/mod.rs)
//! writes this file, with a `main.rs` of one test per trigger, as the
//! integration test `tests/payloads/` of each generated bridge crate that
//! tests/bridge_toolchain.rs and tests/property.rs build, and they run it
//! with `cargo test` through the crate's public API alone.

// A spec uses some field kinds, not necessarily all.
#![allow(dead_code)]

use std::fmt;

use crate::bridge::{BridgeError, ErrorCode, Payload, Value};

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

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
