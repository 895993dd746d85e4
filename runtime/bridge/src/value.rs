//! The value tree: a structured-clone value as the protocol sees it, and
//! how a payload's Rust fields become one ([`Wire`], [`Object`]).

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
