//! What a message from Flex may hold. `host.rs` reads a message by these
//! rules alone: the envelope's declared keys, then only the declared fields
//! of the payload (or of a reply's error), each a scalar of bounded length,
//! charged against one [`Budget`] for the whole message. A message costs work
//! in proportion to what the protocol declares, never to what it holds: an
//! object where a scalar belongs is not looked into, the payload being the
//! envelope itself (a cycle) or the error is refused, and a string over its
//! bound is refused by its length alone, before a byte of it is copied.

use crate::protocol_constants::MAX_ERROR_MESSAGE;

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
