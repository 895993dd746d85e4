//! The spec's vocabulary, each fact once: how `triggers.yaml` spells field
//! types, directions, listener kinds and channel filters, the words that
//! describe them, which types fit which, and the bounds of every number and
//! name. `spec` parses with it, `validate` checks against it, `lower` applies
//! its defaults, and the schema, the docs, `edit` and the prompts spell and
//! describe with it, so no two of them can disagree.
//!
//! Flex's own names (actions, events, source fields, channels) are the
//! `catalog`'s; this module holds only what flexgen's spec format decides.
//! It depends on the IR's enums and nothing else, so every stage may use it.

use crate::ir::{
    ActionFieldType, Direction, Embedding, FieldType, ListenKind, ShowPlace, ValueType,
};

// ---------------------------------------------------------------------------
// Field types.

/// How long a value of a field type may be, in UTF-16 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// `max_length:` sets it, [`MAX_LENGTH`] bounds and defaults it.
    Bounded,
    /// Fixed by the format.
    Fixed(u32),
    /// The longest of the field's `values`.
    LongestValue,
    /// Not a string: no length.
    None,
}

/// One field type: its spelling and what is said about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldTypeWord {
    pub ty: FieldType,
    /// As the spec writes it: `type: e164`.
    pub name: &'static str,
    /// A value of it, with its article: "an e164 number".
    pub noun: &'static str,
    pub length: Length,
    /// Its format for the schema's description ("+ then 2-15 digits"), if
    /// the name does not say it all.
    pub hint: Option<&'static str>,
    /// Its format as `docs/PROTOCOL.md` lists it under "limits"; empty for
    /// the types whose limits depend on the field (string, enum) or that
    /// have none (boolean).
    pub rule: &'static str,
}

/// Every field type, in documentation order.
pub const FIELD_TYPES: &[FieldTypeWord] = &[
    FieldTypeWord {
        ty: FieldType::String,
        name: "string",
        noun: "a string",
        length: Length::Bounded,
        hint: None,
        rule: "",
    },
    FieldTypeWord {
        ty: FieldType::E164,
        name: "e164",
        noun: "an e164 number",
        length: Length::Fixed(16),
        hint: Some("+ then 2-15 digits"),
        rule: "`+` then 2 to 15 digits, the first not 0",
    },
    FieldTypeWord {
        ty: FieldType::Integer,
        name: "integer",
        noun: "an integer",
        length: Length::None,
        hint: None,
        rule: "a safe integer",
    },
    FieldTypeWord {
        ty: FieldType::Number,
        name: "number",
        noun: "a number",
        length: Length::None,
        hint: None,
        rule: "finite",
    },
    FieldTypeWord {
        ty: FieldType::Boolean,
        name: "boolean",
        noun: "a boolean",
        length: Length::None,
        hint: None,
        rule: "",
    },
    FieldTypeWord {
        ty: FieldType::Datetime,
        name: "datetime",
        noun: "a datetime",
        length: Length::Fixed(40),
        hint: Some("ISO 8601 UTC"),
        rule: "ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SS(.sss)Z`",
    },
    FieldTypeWord {
        ty: FieldType::Enum,
        name: "enum",
        noun: "an enum",
        length: Length::LongestValue,
        hint: None,
        rule: "",
    },
];

/// The field type a spec name stands for.
pub fn field_type(name: &str) -> Option<FieldType> {
    FIELD_TYPES.iter().find(|w| w.name == name).map(|w| w.ty)
}

/// What the vocabulary says about a field type.
pub fn field_type_word(ty: FieldType) -> &'static FieldTypeWord {
    FIELD_TYPES
        .iter()
        .find(|w| w.ty == ty)
        .unwrap_or(&FIELD_TYPES[0])
}

/// The spec's spelling of a field type.
pub fn field_type_name(ty: FieldType) -> &'static str {
    field_type_word(ty).name
}

/// Every field type's spelling, in documentation order.
pub fn field_type_names() -> Vec<&'static str> {
    FIELD_TYPES.iter().map(|w| w.name).collect()
}

// ---------------------------------------------------------------------------
// Directions.

/// One direction: its spellings and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectionWord {
    pub direction: Direction,
    /// As the spec writes it: `direction: host_to_flex`.
    pub name: &'static str,
    /// As the command line writes it: `--direction host-to-flex`.
    pub flag: &'static str,
    /// What it means, in a few words.
    pub gloss: &'static str,
    /// An example of it.
    pub example: &'static str,
}

/// The spec's spelling of [`Direction::HostToFlex`], for prose too.
pub const HOST_TO_FLEX: &str = "host_to_flex";
/// The spec's spelling of [`Direction::FlexToHost`], for prose too.
pub const FLEX_TO_HOST: &str = "flex_to_host";

pub const DIRECTIONS: &[DirectionWord] = &[
    DirectionWord {
        direction: Direction::HostToFlex,
        name: HOST_TO_FLEX,
        flag: "host-to-flex",
        gloss: "the CRM asks Flex to act",
        example: "click to dial",
    },
    DirectionWord {
        direction: Direction::FlexToHost,
        name: FLEX_TO_HOST,
        flag: "flex-to-host",
        gloss: "Flex tells the CRM",
        example: "screen pop, activity history",
    },
];

/// The direction a spec name stands for (the spec's spelling only).
pub fn direction(name: &str) -> Option<Direction> {
    DIRECTIONS
        .iter()
        .find(|w| w.name == name)
        .map(|w| w.direction)
}

/// A direction in the spec's or the command line's spelling (`-` for `_`).
pub fn parse_direction(text: &str) -> Option<Direction> {
    direction(&text.trim().replace('-', "_"))
}

pub fn direction_word(direction: Direction) -> &'static DirectionWord {
    DIRECTIONS
        .iter()
        .find(|w| w.direction == direction)
        .unwrap_or(&DIRECTIONS[0])
}

/// The spec's spelling of a direction.
pub fn direction_name(direction: Direction) -> &'static str {
    direction_word(direction).name
}

pub fn direction_names() -> Vec<&'static str> {
    DIRECTIONS.iter().map(|w| w.name).collect()
}

// ---------------------------------------------------------------------------
// Embeddings (`app.embedding`).

/// One way the two pages frame each other: its spelling and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingWord {
    pub embedding: Embedding,
    /// As the spec writes it: `embedding: host_in_flex`.
    pub name: &'static str,
    /// As `flexgen new --embedding` writes it: `host-in-flex`.
    pub flag: &'static str,
    /// What it means, in a few words.
    pub gloss: &'static str,
}

/// The spec's spelling of [`Embedding::FlexInHost`], the default.
pub const FLEX_IN_HOST: &str = "flex_in_host";
/// The spec's spelling of [`Embedding::HostInFlex`].
pub const HOST_IN_FLEX: &str = "host_in_flex";

/// Every embedding, the default first.
pub const EMBEDDINGS: &[EmbeddingWord] = &[
    EmbeddingWord {
        embedding: Embedding::FlexInHost,
        name: FLEX_IN_HOST,
        flag: "flex-in-host",
        gloss: "the CRM page frames Flex (the default)",
    },
    EmbeddingWord {
        embedding: Embedding::HostInFlex,
        name: HOST_IN_FLEX,
        flag: "host-in-flex",
        gloss: "the plugin frames the CRM page in Flex's CRM panel, one frame per task",
    },
];

/// The embedding a spec name stands for.
pub fn embedding(name: &str) -> Option<Embedding> {
    EMBEDDINGS
        .iter()
        .find(|w| w.name == name)
        .map(|w| w.embedding)
}

pub fn embedding_word(embedding: Embedding) -> &'static EmbeddingWord {
    EMBEDDINGS
        .iter()
        .find(|w| w.embedding == embedding)
        .unwrap_or(&EMBEDDINGS[0])
}

pub fn embedding_names() -> Vec<&'static str> {
    EMBEDDINGS.iter().map(|w| w.name).collect()
}

/// The root that `app.crm_url`'s placeholders read from: `{task.taskSid}`.
pub const CRM_URL_ROOT: &str = "task";

// ---------------------------------------------------------------------------
// Listeners (`on:`).

/// The key of a flex_to_host trigger's `on:` mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnKind {
    Event,
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnKindWord {
    pub kind: OnKind,
    /// As the spec writes it: `on: { before: X }`.
    pub key: &'static str,
    /// What the plugin registers.
    pub listen: ListenKind,
    /// Prepended to the event or action name to make the listener's name
    /// (`Actions.addListener("before" + name, ...)`).
    pub listener_prefix: &'static str,
}

/// Every `on:` key, in documentation order.
pub const ON_KINDS: &[OnKindWord] = &[
    OnKindWord {
        kind: OnKind::Event,
        key: "event",
        listen: ListenKind::ManagerEvent,
        listener_prefix: "",
    },
    OnKindWord {
        kind: OnKind::Before,
        key: "before",
        listen: ListenKind::BeforeAction,
        listener_prefix: "before",
    },
    OnKindWord {
        kind: OnKind::After,
        key: "after",
        listen: ListenKind::AfterAction,
        listener_prefix: "after",
    },
];

pub fn on_kind(key: &str) -> Option<OnKind> {
    ON_KINDS.iter().find(|w| w.key == key).map(|w| w.kind)
}

pub fn on_kind_word(kind: OnKind) -> &'static OnKindWord {
    ON_KINDS
        .iter()
        .find(|w| w.kind == kind)
        .unwrap_or(&ON_KINDS[0])
}

pub fn on_keys() -> Vec<&'static str> {
    ON_KINDS.iter().map(|w| w.key).collect()
}

// ---------------------------------------------------------------------------
// Channel filters.

/// A trigger-level key that filters a flex_to_host trigger on a task path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKey {
    Channel,
    ChannelType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelFilter {
    pub which: ChannelKey,
    /// The trigger's key: `channel:`.
    pub key: &'static str,
    /// The source path it tests, as `when:` would name it.
    pub path: &'static str,
}

/// The trigger-level channel filters, in the order the plugin tests them.
pub const CHANNEL_FILTERS: &[ChannelFilter] = &[
    ChannelFilter {
        which: ChannelKey::Channel,
        key: "channel",
        path: "task.taskChannelUniqueName",
    },
    ChannelFilter {
        which: ChannelKey::ChannelType,
        key: "channel_type",
        path: "task.channelType",
    },
];

// ---------------------------------------------------------------------------
// Which types fit which.

/// Which field types a runtime value type can feed (`from:`).
pub const SOURCE_FITS: &[(ValueType, &[FieldType])] = &[
    (
        ValueType::String,
        &[FieldType::String, FieldType::E164, FieldType::Enum],
    ),
    (ValueType::Number, &[FieldType::Integer, FieldType::Number]),
    (ValueType::Boolean, &[FieldType::Boolean]),
    (ValueType::Date, &[FieldType::Datetime]),
];

/// Which payload field types an action payload key accepts (`args:`).
pub const ARG_FITS: &[(ActionFieldType, &[FieldType])] = &[
    (
        ActionFieldType::String,
        &[
            FieldType::String,
            FieldType::E164,
            FieldType::Enum,
            FieldType::Datetime,
        ],
    ),
    (
        ActionFieldType::Number,
        &[FieldType::Integer, FieldType::Number],
    ),
    (ActionFieldType::Boolean, &[FieldType::Boolean]),
    (ActionFieldType::Object, &[]),
    (ActionFieldType::Task, &[]),
];

// ---------------------------------------------------------------------------
// Limits.

/// The bounds and the default of a number the spec may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: i64,
    pub max: i64,
    pub default: u32,
}

/// `invoke.timeout_ms`.
pub const TIMEOUT_MS: Range = Range {
    min: 1000,
    max: 120_000,
    default: 10_000,
};
/// `if_not_ready.queue_for_ms`.
pub const QUEUE_FOR_MS: Range = Range {
    min: 0,
    max: 60_000,
    default: 0,
};
/// A string field's `max_length`, and the longest enum value.
pub const MAX_LENGTH: Range = Range {
    min: 1,
    max: 65_536,
    default: 1024,
};

/// The longest app, trigger or field name.
pub const MAX_NAME_LEN: usize = 64;

// ---------------------------------------------------------------------------
// Names and paths.

/// The shape of trigger and field names (length aside): `[a-z][a-z0-9_]*`,
/// no double or trailing `_`.
pub fn is_identifier(n: &str) -> bool {
    n.starts_with(|c: char| c.is_ascii_lowercase())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !n.contains("__")
        && !n.ends_with('_')
}

/// [`is_identifier`] as a regular expression (for the JSON schema).
pub const NAME_PATTERN: &str = "[a-z][a-z0-9]*(?:_[a-z0-9]+)*";

// ---------------------------------------------------------------------------
// Where `show:` puts data in Flex.

/// One place in Flex a `show:` trigger can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceWord {
    pub place: ShowPlace,
    /// As the spec writes it: `in: task_canvas_tab`.
    pub name: &'static str,
    /// What it is, for the docs and the schema.
    pub doc: &'static str,
}

/// Every place, the default first.
pub const SHOW_PLACES: &[PlaceWord] = &[PlaceWord {
    place: ShowPlace::TaskCanvasTab,
    name: "task_canvas_tab",
    doc: "a tab of the task canvas (Flex's `TaskCanvasTabs`, beside Info), shown for a task once the CRM sent data for it",
}];

/// The place a spec name stands for.
pub fn show_place(name: &str) -> Option<ShowPlace> {
    SHOW_PLACES.iter().find(|w| w.name == name).map(|w| w.place)
}

pub fn show_place_names() -> Vec<&'static str> {
    SHOW_PLACES.iter().map(|w| w.name).collect()
}

/// The spec's spelling of a place.
pub fn show_place_name(place: ShowPlace) -> &'static str {
    SHOW_PLACES
        .iter()
        .find(|w| w.place == place)
        .map_or(SHOW_PLACES[0].name, |w| w.name)
}

/// What a place is, for the docs.
pub fn show_place_doc(place: ShowPlace) -> &'static str {
    SHOW_PLACES
        .iter()
        .find(|w| w.place == place)
        .map_or(SHOW_PLACES[0].doc, |w| w.doc)
}

/// Longest `show.label` and field label, in characters: a tab title and a
/// row heading, not prose.
pub const MAX_LABEL_LEN: usize = 40;
/// Most `show.fields` of one trigger.
pub const MAX_SHOWN_FIELDS: usize = 24;

/// The spec's keys at each level, in documentation order (the parser's
/// "allowed keys" help, the schema's properties).
pub const ROOT_KEYS: &[&str] = &["version", "app", "triggers"];
pub const APP_KEYS: &[&str] = &[
    "name",
    "flex_origin",
    "host_origins",
    "dev_host_origins",
    "embedding",
    "crm_url",
    "hide_crm_panel",
];
pub const TRIGGER_KEYS: &[&str] = &[
    "name",
    "summary",
    "direction",
    "user_action",
    "channel",
    "channel_type",
    "payload",
    "invoke",
    "show",
    "if_not_ready",
    "on",
    "when",
];
pub const FIELD_KEYS: &[&str] = &["type", "optional", "doc", "max_length", "values", "from"];
pub const INVOKE_KEYS: &[&str] = &["action", "args", "timeout_ms"];
pub const IF_NOT_READY_KEYS: &[&str] = &["queue_for_ms"];
pub const SHOW_KEYS: &[&str] = &["in", "label", "task", "fields"];

/// The hosts that name this machine: the only ones `http` may use, and the
/// only ones `dev_host_origins` may list.
pub const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// [`LOOPBACK_HOSTS`] as a regular-expression group, for the schema.
pub fn loopback_pattern() -> String {
    let hosts: Vec<String> = LOOPBACK_HOSTS
        .iter()
        .map(|h| {
            h.chars()
                .map(|c| match c {
                    '.' | '[' | ']' => format!("\\{c}"),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!("(?:{})", hosts.join("|"))
}

/// Keys a free-form path must never walk through: they reach the prototype.
pub const DANGEROUS_KEYS: &[&str] = &crate::protocol::FORBIDDEN_KEYS;

/// One key below a free-form source or an object argument: letters, digits,
/// `_` and `-`, never a [`DANGEROUS_KEYS`] one.
pub fn is_path_key(s: &str) -> bool {
    !DANGEROUS_KEYS.contains(&s)
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// [`is_path_key`] as a regular expression (for the JSON schema).
pub fn path_key_pattern() -> String {
    format!(
        "(?!(?:{})(?:\\.|$))[A-Za-z0-9_-]+",
        DANGEROUS_KEYS.join("|")
    )
}

/// `a`, `a or b`, `a, b or c`: a list of alternatives in prose.
pub fn or_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} or {}",
            init.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_pattern_matches_the_loopback_hosts_only() {
        assert_eq!(loopback_pattern(), r"(?:localhost|127\.0\.0\.1|\[::1\])");
    }

    /// Each variant once; the match makes a new variant fail to compile here.
    fn every_field_type() -> Vec<FieldType> {
        use FieldType::*;
        let all = vec![String, E164, Integer, Number, Boolean, Datetime, Enum];
        for t in &all {
            match t {
                String | E164 | Integer | Number | Boolean | Datetime | Enum => {}
            }
        }
        all
    }

    #[test]
    fn every_field_type_is_spelled_once_as_the_ir_names_it() {
        let all = every_field_type();
        assert_eq!(FIELD_TYPES.len(), all.len());
        for ty in all {
            let words: Vec<_> = FIELD_TYPES.iter().filter(|w| w.ty == ty).collect();
            assert_eq!(words.len(), 1, "{ty:?}");
            // The IR serialises a type as the spec spells it.
            assert_eq!(serde_json::to_value(ty).unwrap(), words[0].name, "{ty:?}");
            assert_eq!(field_type(words[0].name), Some(ty));
            assert_eq!(field_type_name(ty), words[0].name);
        }
    }

    #[test]
    fn every_direction_and_listener_is_spelled_once() {
        for d in [Direction::HostToFlex, Direction::FlexToHost] {
            match d {
                Direction::HostToFlex | Direction::FlexToHost => {}
            }
            assert_eq!(DIRECTIONS.iter().filter(|w| w.direction == d).count(), 1);
            let w = direction_word(d);
            assert_eq!(serde_json::to_value(d).unwrap(), w.name);
            assert_eq!(direction(w.name), Some(d));
            assert_eq!(w.flag, w.name.replace('_', "-"));
            assert_eq!(parse_direction(w.flag), Some(d));
            assert_eq!(parse_direction(&format!(" {} ", w.name)), Some(d));
        }
        assert_eq!(
            direction("host-to-flex"),
            None,
            "the spec takes one spelling"
        );
        assert_eq!(parse_direction("sideways"), None);
        for kind in [OnKind::Event, OnKind::Before, OnKind::After] {
            match kind {
                OnKind::Event | OnKind::Before | OnKind::After => {}
            }
            assert_eq!(ON_KINDS.iter().filter(|w| w.kind == kind).count(), 1);
            assert_eq!(on_kind(on_kind_word(kind).key), Some(kind));
        }
    }

    #[test]
    fn every_embedding_is_spelled_once_as_the_ir_names_it() {
        for e in [Embedding::FlexInHost, Embedding::HostInFlex] {
            match e {
                Embedding::FlexInHost | Embedding::HostInFlex => {}
            }
            let words: Vec<_> = EMBEDDINGS.iter().filter(|w| w.embedding == e).collect();
            assert_eq!(words.len(), 1, "{e:?}");
            assert_eq!(serde_json::to_value(e).unwrap(), words[0].name);
            assert_eq!(embedding(words[0].name), Some(e));
            assert_eq!(embedding_word(e).name, words[0].name);
        }
        assert_eq!(EMBEDDINGS[0].embedding, Embedding::default());
        assert_eq!(embedding_names(), [FLEX_IN_HOST, HOST_IN_FLEX]);
    }

    #[test]
    fn lengths_follow_the_types() {
        for w in FIELD_TYPES {
            let stringy = ARG_FITS[0].1.contains(&w.ty);
            assert_eq!(w.length != Length::None, stringy, "{}", w.name);
        }
        assert_eq!(field_type_word(FieldType::String).length, Length::Bounded);
        assert!((MAX_LENGTH.min..=MAX_LENGTH.max).contains(&i64::from(MAX_LENGTH.default)));
        assert!((TIMEOUT_MS.min..=TIMEOUT_MS.max).contains(&i64::from(TIMEOUT_MS.default)));
        assert!((QUEUE_FOR_MS.min..=QUEUE_FOR_MS.max).contains(&i64::from(QUEUE_FOR_MS.default)));
    }

    #[test]
    fn channel_filters_name_catalog_paths() {
        for f in CHANNEL_FILTERS {
            let (root, field) = f.path.split_once('.').unwrap();
            assert_eq!(root, "task");
            assert!(
                crate::catalog::TASK_FIELDS.iter().any(|t| t.name == field),
                "{}",
                f.path
            );
        }
    }

    #[test]
    fn names_and_keys() {
        for ok in ["a", "click_to_dial", "x2_y"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "A", "_a", "a__b", "a_", "2a", "a-b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
        assert!(is_path_key("crm-id_2"));
        assert!(!is_path_key("__proto__") && !is_path_key("a.b"));
        assert_eq!(or_list(&["a"]), "a");
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
    }
}
