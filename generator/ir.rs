//! The resolved plan that every emitter reads.
//!
//! `validate` has already proved the spec sound, so nothing here is optional by
//! accident: every name exists in every case style, every Flex action or event is
//! resolved against the catalog, and every value source is a checked path. The IR
//! is target-neutral; each emitter maps it onto its own language. It serialises
//! to JSON (tera contexts, the spec hash) in a stable field order.

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use serde::{Deserialize, Serialize};

/// Version of the wire protocol both runtimes speak (its one source is
/// [`crate::protocol`]).
pub use crate::protocol::PROTOCOL_VERSION;

/// Everything the emitters need, for one spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `flexgen <version>`, for the `@generated` header.
    pub generator: String,
    /// The spec's file name (not its full path, so output does not depend on
    /// where the spec lives), for the `@generated` header.
    pub spec_file: String,
    pub protocol_version: u32,
    /// 16 lowercase hex digits: a hash of the normalised app + triggers, so that
    /// two ends built from different specs notice at handshake time. Comments and
    /// formatting of the YAML do not change it.
    pub spec_hash: String,
    pub app: App,
    /// In spec order.
    pub triggers: Vec<Trigger>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct App {
    /// `app.name` in every case style (`acme-crm` -> `acme_crm`, `AcmeCrm`, ...).
    pub name: Names,
    /// Exact origin of the Flex page, e.g. `https://flex.twilio.com`.
    pub flex_origin: String,
    /// Exact origins allowed to embed Flex and talk to the plugin, in every
    /// build (`app.host_origins`, the production list; may be empty when
    /// `dev_host_origins` is not).
    pub host_origins: Vec<String>,
    /// Loopback origins the plugin trusts too in a development build only
    /// (`app.dev_host_origins`). Left out of the JSON when empty, so the
    /// spec hash of a spec without them is what it was before the key
    /// existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dev_host_origins: Vec<String>,
    /// Which page frames which (`app.embedding`). Left out of the JSON when
    /// it is the default, so the spec hash of a spec without the key is what
    /// it was before the key existed.
    #[serde(default, skip_serializing_if = "Embedding::is_default")]
    pub embedding: Embedding,
    /// The CRM page the plugin frames for each task (`app.crm_url`), with
    /// `host_in_flex` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_url: Option<CrmUrl>,
    /// Hide Flex's own CRM panel when the plugin starts (`app.hide_crm_panel`,
    /// default with `flex_in_host`). The plugin's alone: left out of the spec
    /// hash (see `lower::spec_hash`), and of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_crm_panel: bool,
}

/// Which page frames which (`app.embedding`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Embedding {
    /// The CRM page frames Flex; the plugin's peer is its parent window.
    #[default]
    FlexInHost,
    /// The plugin frames the CRM page in Flex's CRM container, one frame per
    /// task; the plugin's peer is that frame, the bridge's is its parent.
    HostInFlex,
}

impl Embedding {
    pub fn is_default(&self) -> bool {
        *self == Embedding::default()
    }
}

/// `app.crm_url`, checked: an exact origin from the spec's host origins,
/// then the rest of the URL as literal text and task values, each value
/// percent-encoded when the plugin fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmUrl {
    /// As written: `https://crm.example.com/flex?task={task.taskSid}`.
    pub template: String,
    /// `https://crm.example.com`: one of `host_origins` or `dev_host_origins`.
    pub origin: String,
    /// What follows the origin, in order (starts with `/`, `?` or `#`, or is
    /// empty).
    pub parts: Vec<UrlPart>,
}

/// A piece of [`CrmUrl`] after its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlPart {
    /// Written as is.
    Text(String),
    /// `{task.taskSid}`: the task path, without its `task.` root.
    Task(Vec<String>),
}

/// A name in every case style an emitter may need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    /// As written in the spec.
    pub original: String,
    pub snake: String,
    pub camel: String,
    pub pascal: String,
    pub shouty: String,
    pub kebab: String,
}

impl Names {
    pub fn new(original: &str) -> Self {
        if let Some(names) = Self::ascii(original) {
            return names;
        }
        Names {
            original: original.to_string(),
            snake: original.to_snake_case(),
            camel: original.to_lower_camel_case(),
            pascal: original.to_upper_camel_case(),
            shouty: original.to_shouty_snake_case(),
            kebab: original.to_kebab_case(),
        }
    }

    /// The fast path for every valid name: `[a-z0-9]` words joined by `_` or
    /// `-`. heck walks any Unicode text through `fmt` char by char, a fifth of
    /// a 10,000-trigger `check`; here the words are plain ASCII slices. Gives
    /// exactly heck's result (a test compares them).
    fn ascii(original: &str) -> Option<Self> {
        let plain = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
        if !original.bytes().all(plain) {
            return None;
        }
        let words: Vec<&str> = original
            .split(['_', '-'])
            .filter(|w| !w.is_empty())
            .collect();
        let capitalized = |out: &mut String, word: &str| {
            out.push(word.as_bytes()[0].to_ascii_uppercase() as char);
            out.push_str(&word[1..]);
        };
        let mut camel = String::with_capacity(original.len());
        let mut pascal = String::with_capacity(original.len());
        for (i, word) in words.iter().enumerate() {
            if i == 0 {
                camel.push_str(word);
            } else {
                capitalized(&mut camel, word);
            }
            capitalized(&mut pascal, word);
        }
        let snake = words.join("_");
        Some(Names {
            original: original.to_string(),
            shouty: snake.to_ascii_uppercase(),
            kebab: words.join("-"),
            snake,
            camel,
            pascal,
        })
    }
}

/// The members a trigger adds to the generated `FlexBridge`, in the two
/// namespaces that must stay free of clashes: validation checks them and the
/// bridge emitter names its methods with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeMember {
    /// The Rust method: `click_to_dial`, `on_screen_pop`.
    pub rust: String,
    /// The Rust name of its wasm-bindgen export: `js_click_to_dial`.
    pub js_export: String,
    /// The JavaScript method: `clickToDial`, `onScreenPop`.
    pub js: String,
}

impl BridgeMember {
    pub fn of(name: &Names, direction: Direction) -> Self {
        let (rust, js) = match direction {
            Direction::HostToFlex => (name.snake.clone(), name.camel.clone()),
            Direction::FlexToHost => (format!("on_{}", name.snake), format!("on{}", name.pascal)),
        };
        BridgeMember {
            js_export: format!("js_{rust}"),
            rust,
            js,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A command from the CRM page that Flex carries out (click to dial).
    HostToFlex,
    /// A notification from Flex to the CRM page (screen pop, activity record).
    FlexToHost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// The trigger name; `name.snake` is also the message `type` on the wire.
    pub name: Names,
    pub summary: Option<String>,
    /// What the user does to cause it ("click a phone number"), free text.
    pub user_action: Option<String>,
    pub direction: Direction,
    /// TaskRouter task channel (`voice`, `chat`, ...); `None` means any channel.
    pub channel: Option<String>,
    /// `attributes.channelType` of chat tasks (`whatsapp`, `sms`, ...).
    pub channel_type: Option<String>,
    /// Payload fields in spec order.
    pub payload: Vec<Field>,
    /// Set exactly when `direction == HostToFlex`.
    pub invoke: Option<Invoke>,
    /// Set exactly when `direction == FlexToHost`.
    pub listen: Option<Listen>,
    /// Set for a host_to_flex trigger whose data Flex shows (then `invoke`
    /// is not): left out of the JSON when absent, so the spec hash of a spec
    /// without it is what it was before the key existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show: Option<Show>,
}

impl Trigger {
    /// How long the host waits for Flex's answer, and how long a command may
    /// wait for the handshake (host_to_flex; zeros otherwise).
    pub fn time_limits(&self) -> (u32, u32) {
        match (&self.invoke, &self.show) {
            (Some(i), _) => (i.timeout_ms, i.queue_for_ms),
            (None, Some(s)) => (s.timeout_ms, s.queue_for_ms),
            (None, None) => (0, 0),
        }
    }
}

/// A host -> Flex trigger whose data the plugin keeps per task and shows in
/// Flex (`show:`), instead of invoking an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Show {
    pub place: ShowPlace,
    /// The tab's title.
    pub label: String,
    /// The payload field naming the task (its task or reservation sid).
    pub task_field: Names,
    /// The rows, in spec order.
    pub fields: Vec<ShownField>,
    /// How long the host waits for Flex to take the data.
    pub timeout_ms: u32,
    /// As [`Invoke::queue_for_ms`].
    pub queue_for_ms: u32,
}

/// Where in Flex a [`Show`] appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowPlace {
    /// A tab of `TaskCanvasTabs`.
    TaskCanvasTab,
}

/// One row of a [`Show`]: a label and where its text comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownField {
    pub label: String,
    pub value: ShownValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShownValue {
    /// A payload field the CRM sent (its snake name).
    Payload(String),
    /// A value of the task, read when the tab renders.
    Task(Source),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: Names,
    pub ty: FieldType,
    pub optional: bool,
    pub doc: Option<String>,
    /// Upper bound on the length in UTF-16 code units for string-like types
    /// (string, e164, datetime, enum); `None` for the others. Defaults are applied
    /// by lowering, so receivers can always bound what they accept.
    pub max_length: Option<u32>,
    /// Allowed values, for `FieldType::Enum` only (empty otherwise).
    pub values: Vec<String>,
    /// Where the plugin reads the value, for flex_to_host triggers only
    /// (empty otherwise): the first source whose value is present and fits
    /// the field is sent.
    pub sources: Vec<Source>,
}

/// Payload field types. Validation on receipt follows these exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    /// E.164 phone number: `+` then 2 to 15 digits, the first not 0.
    E164,
    /// A whole number (JS safe integer range).
    Integer,
    /// A finite number.
    Number,
    Boolean,
    /// An ISO 8601 / RFC 3339 timestamp string in UTC, e.g. `2026-11-23T10:00:00.000Z`.
    Datetime,
    /// One of `Field::values`.
    Enum,
}

/// A value path the plugin reads at event time, relative to the runtime's
/// source context object `{ task, worker, action, timing }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// As written: `task.attributes.from`.
    pub path: String,
    pub root: SourceRoot,
    /// Segments after the root: `["attributes", "from"]`.
    pub segments: Vec<String>,
    /// What the catalog says the value is at run time; the emitter converts
    /// (e.g. a `Date` to an ISO string) when it differs from the field type.
    pub value_type: ValueType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceRoot {
    /// The `ITask` of a task event or of an action payload that carries one.
    Task,
    /// The logged-in worker: `identity`, `sid`, `activityName`, `attributes.*`.
    Worker,
    /// The payload of the Flex action a before/after listener observed.
    Action,
    /// Times the plugin observes itself: `eventAt`, `acceptedAt`, `talkSeconds`, ...
    Timing,
}

/// What a value is at run time in Flex, as the catalog records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    String,
    Number,
    Boolean,
    /// A JS `Date`.
    Date,
    /// A free-form value (task attributes, action payload objects): checked at run time.
    Unknown,
}

/// A host -> Flex trigger: the plugin invokes one declared Flex action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoke {
    /// Flex action name, e.g. `StartOutboundCall`.
    pub action: String,
    /// The action's payload as the catalog declares it (TS declares its own
    /// interface because Flex does not export most payload types).
    pub action_fields: Vec<ActionField>,
    /// The arguments the spec passes, in spec order.
    pub args: Vec<Arg>,
    /// How long the host waits for Flex's answer once the command was sent.
    pub timeout_ms: u32,
    /// How long a command may wait in the queue before the handshake; 0 means
    /// "fail with NOT_READY at once".
    pub queue_for_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionField {
    pub name: String,
    pub ty: ActionFieldType,
    pub optional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionFieldType {
    String,
    Number,
    Boolean,
    /// A plain JSON object (task attributes, options).
    Object,
    /// An `ITask` (or a task sid string: Flex accepts either through `sid`).
    Task,
    /// Anything JSON.
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    /// The action payload key, e.g. `destination`.
    pub key: String,
    /// Keys below it, for a value set inside an object argument
    /// (`taskAttributes.crm_record_id`: `["crm_record_id"]`); empty otherwise.
    pub nested: Vec<String>,
    pub value: ArgValue,
}

impl Arg {
    /// The key as the spec writes it: `destination`, `taskAttributes.crm_record_id`.
    pub fn dotted(&self) -> String {
        std::iter::once(self.key.as_str())
            .chain(self.nested.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArgValue {
    /// `payload.<field>`: the named payload field; when that field is optional
    /// and absent, the key is left out of the action payload.
    Payload { field: Names },
    /// A literal, as JSON text (`"queue"`, `true`, `30`), already checked against
    /// the action field type. Emitters embed it as data, never as code.
    Literal { json: String },
}

/// A Flex -> host trigger: the plugin listens and forwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listen {
    pub kind: ListenKind,
    /// Event or action name as the spec names it: `taskAccepted`, `CompleteTask`.
    pub name: String,
    /// The name to register: `taskAccepted` for a manager event,
    /// `afterCompleteTask` / `beforeHangupCall` for action listeners.
    pub listener: String,
    /// What the callback's argument is.
    pub subject: Subject,
    /// All must hold for the message to be sent; in spec order, channel first.
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenKind {
    /// `manager.events.addListener(name, ...)`.
    ManagerEvent,
    /// `Actions.addListener("before" + name, ...)`.
    BeforeAction,
    /// `Actions.addListener("after" + name, ...)`.
    AfterAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The callback gets an `ITask` (task events; action payloads carrying `task`).
    Task,
    /// The callback concerns the worker (`workerActivityUpdated`, ...).
    Worker,
    /// Nothing usable (`pluginsInitialized`).
    None,
}

/// `path == equals`, compared as JSON values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub source: Source,
    /// JSON text of the expected value.
    pub equals_json: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path of `Names::new` must agree with heck on every input it
    /// takes: all strings of up to five characters over a small alphabet
    /// with both separators, digits in every position, and doubled, leading
    /// and trailing separators (validation refuses some of these later, but
    /// `Names::new` sees them first).
    #[test]
    fn ascii_names_match_heck() {
        let alphabet = ['a', 'z', '0', '9', '_', '-'];
        let mut inputs = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..5 {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(frontier.iter().cloned());
        }
        inputs.extend(
            [
                "click_to_dial",
                "acme-crm",
                "dial_10",
                "a1b2_3c",
                "x__y",
                "_lead",
                "trail_",
            ]
            .map(String::from),
        );
        let mut checked = 0;
        for input in &inputs {
            let fast = Names::ascii(input).expect("plain ASCII takes the fast path");
            let heck = Names {
                original: input.clone(),
                snake: input.to_snake_case(),
                camel: input.to_lower_camel_case(),
                pascal: input.to_upper_camel_case(),
                shouty: input.to_shouty_snake_case(),
                kebab: input.to_kebab_case(),
            };
            assert_eq!(fast, heck, "{input:?}");
            checked += 1;
        }
        assert!(checked > 9_000, "{checked}");
        // Anything else goes through heck.
        for other in ["clickToDial", "Dial", "é_x", "a b", "a.b"] {
            assert!(Names::ascii(other).is_none(), "{other}");
        }
    }
}
