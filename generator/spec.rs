//! YAML -> spanned spec model.
//!
//! serde-saphyr parses the text into a generic tree of spanned nodes; a
//! hand-written walk then turns that tree into the typed model below. We do not
//! derive `Deserialize` on the model because serde stops at the first error and
//! the user must see every shape error of the file at once. Every key and value
//! keeps its byte span so that `validate` can point at the exact spot.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diag::{did_you_mean, Diagnostic};
use crate::vocabulary;

pub type Span = Range<usize>;

/// A value with the byte span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct S<T> {
    pub value: T,
    pub span: Span,
}

/// An optional mapping entry: the span of its key and its (spanned) value.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<T> {
    pub key: Span,
    pub value: T,
    pub span: Span,
}

// ---------------------------------------------------------------------------
// The generic tree.

/// One YAML node, as serde-saphyr hands it over through `deserialize_any`.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        // Beyond i64 nothing in a spec is meaningful; keep it as a float so that
        // range checks still refuse it instead of wrapping around.
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// Limits that make alias bombs, deep nesting and huge inputs fail fast. A real
/// spec has a few hundred nodes and no anchors at all; the node, event and
/// byte limits leave room for 10,000 triggers.
pub const MAX_INPUT_BYTES: usize = 16 << 20;
const MAX_DEPTH: usize = 16;
const MAX_NODES: usize = 2_000_000;
const MAX_EVENTS: usize = 4_000_000;
const MAX_ALIASES: usize = 100;
const MAX_ANCHORS: usize = 100;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = MAX_EVENTS;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ANCHORS;
    budget.max_total_scalar_bytes = MAX_INPUT_BYTES;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    // YAML 1.1 reads `on`, `yes` and `no` as booleans; `on:` is a key of ours.
    options.strict_booleans = true;
    options
}

/// The byte span of a node in the source.
pub fn span_of(location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(start), Some(len)) => start as usize..(start + len) as usize,
        _ => 0..0,
    }
}

fn node_span(node: &Spanned<Node>) -> Span {
    let span = span_of(&node.referenced);
    // A block mapping reports an empty span at its first key: point at that key.
    if let (true, Node::Map(entries)) = (span.is_empty(), &node.value) {
        if let Some((key, _)) = entries.first() {
            return span_of(&key.referenced);
        }
    }
    span
}

/// Byte offset of a 1-based line and (character) column.
fn offset_of(source: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index as u64 + 1 == line {
            let chars = column.saturating_sub(1) as usize;
            let within = text
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| i);
            return offset + within;
        }
        offset += text.len();
    }
    source.len()
}

/// Parses the YAML text into the generic tree, or one located syntax error.
pub fn parse_tree(source: &str) -> Result<Spanned<Node>, Diagnostic> {
    // Files are cut at the limit when read (`source::load`); this catches
    // text built in memory, such as a spec with a trigger added.
    if source.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::new(
            format!("the spec is larger than {MAX_INPUT_BYTES} bytes (16 MiB)"),
            Some(MAX_INPUT_BYTES..MAX_INPUT_BYTES),
        )
        .label("the limit")
        .help("a spec is at most 16 MiB: split the triggers into several specs"));
    }
    serde_saphyr::from_str_with_options::<Spanned<Node>>(source, options())
        .map_err(|error| syntax_diagnostic(source, error.without_snippet()))
}

/// What a syntax error says, in the user's terms: message, caret label, help.
struct Wording {
    message: String,
    label: &'static str,
    help: String,
}

fn wording(message: impl Into<String>, label: &'static str, help: impl Into<String>) -> Wording {
    Wording {
        message: message.into(),
        label,
        help: help.into(),
    }
}

/// Turns serde-saphyr's error into one clean diagnostic: located by the
/// snippet, worded for someone editing a spec (no parser internals, no
/// "budget"), with a fix.
fn syntax_diagnostic(source: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let span = error.location().map(|location| {
        let span = span_of(&location);
        if span.is_empty() && span.start == 0 {
            let at = offset_of(source, location.line(), location.column());
            at..at
        } else {
            span
        }
    });
    let at = span.as_ref().map_or(0, |s| s.start);
    let Wording {
        message,
        label,
        help,
    } = explain(source, at, error);
    Diagnostic::new(message, span).label(label).help(help)
}

fn explain(source: &str, at: usize, error: &serde_saphyr::Error) -> Wording {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::Error;
    const WRITE_IT_OUT: &str =
        "write the repeated parts out in full: a spec needs few anchors and aliases, if any";
    const TOO_BIG: &str = "a spec of 10,000 triggers stays well inside this: look for aliases \
         that refer to aliases (an alias bomb), or check that the path names your triggers.yaml";
    const ONE_DOCUMENT: &str =
        "a spec is one YAML document: remove this `---` and what follows it, or move that to its own file";
    let too_deep = || {
        wording(
            format!("the YAML nests deeper than {MAX_DEPTH} levels"),
            "too deep",
            "a spec nests about 6 levels: look for unclosed `[` or `{`, or indentation that keeps growing",
        )
    };
    match error {
        #[allow(deprecated)]
        Error::AliasError { error, .. } => explain(source, at, error),
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => too_deep(),
            BudgetBreach::Documents { .. } => wording(
                "more than one YAML document",
                "a second document",
                ONE_DOCUMENT,
            ),
            BudgetBreach::Aliases { .. } => wording(
                format!("more than {MAX_ALIASES} aliases (`*name`)"),
                "one too many",
                WRITE_IT_OUT,
            ),
            BudgetBreach::Anchors { .. } => wording(
                format!("more than {MAX_ANCHORS} anchors (`&name`)"),
                "one too many",
                WRITE_IT_OUT,
            ),
            BudgetBreach::Nodes { .. } => wording(
                format!("more than {MAX_NODES} YAML values, counting every copy an alias makes"),
                "limit reached here",
                TOO_BIG,
            ),
            BudgetBreach::Events { .. } => wording(
                format!("more than {MAX_EVENTS} YAML elements, counting every copy an alias makes"),
                "limit reached here",
                TOO_BIG,
            ),
            BudgetBreach::ScalarBytes { .. } => wording(
                "more than 16 MiB of text in values, counting every copy an alias makes",
                "limit reached here",
                TOO_BIG,
            ),
            // The rest guard alias expansion (alias-to-anchor ratio, replay
            // sizes): an alias bomb by another route.
            _ => wording(
                "the YAML expands too much: its aliases copy more than a spec can hold",
                "limit reached here",
                WRITE_IT_OUT,
            ),
        },
        Error::MultipleDocuments { .. } => wording(
            "more than one YAML document",
            "a second document",
            ONE_DOCUMENT,
        ),
        Error::DuplicateMappingKey { key, .. } => wording(
            match key {
                Some(key) => format!("duplicate key `{key}`"),
                None => "duplicate key".to_string(),
            },
            "already given above",
            "each key may appear only once in a mapping: remove or rename one of them",
        ),
        Error::UnknownAnchor { .. } => {
            let name: String = source
                .get(at..)
                .unwrap_or("")
                .chars()
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect();
            wording(
                format!("alias `{name}` refers to no anchor"),
                "no anchor of this name above",
                "define the anchor (`&name value`) before its alias, or write the value out in full",
            )
        }
        Error::NullIntoString { .. } => wording(
            "a mapping key is missing: nothing before the `:`",
            "no key",
            "write a key before the `:` (e.g. `name: value`), or remove the stray `:`",
        ),
        Error::Unexpected { .. } => wording(
            "a mapping key must be a plain name, not a list or a mapping",
            "not a plain name",
            "write keys as plain names, e.g. `name:`; a spec has no `?` complex keys",
        ),
        Error::NonFiniteFloat { value, .. } => wording(
            format!("`{value}` is not a finite number"),
            "not finite",
            "write a finite number",
        ),
        _ => explain_text(source, at, &error.to_string()),
    }
}

/// Wording for the scanner's own errors, which only carry text.
fn explain_text(source: &str, at: usize, text: &str) -> Wording {
    // The location travels in the snippet; drop it (and what follows) here.
    let text = text.split(" at line ").next().unwrap_or(text);
    let found = source.get(at..).and_then(|rest| rest.chars().next());
    if text.contains("tabs") {
        wording(
            format!("invalid YAML: {text}"),
            "tab here",
            "indent with spaces: YAML does not allow tabs for indentation",
        )
    } else if text.contains("recursion limit") {
        wording(
            format!("the YAML nests deeper than {MAX_DEPTH} levels"),
            "too deep",
            "a spec nests about 6 levels: look for unclosed `[` or `{`, or indentation that keeps growing",
        )
    } else if text.contains("BOM") {
        wording(
            "a byte order mark (U+FEFF) inside the file",
            "invisible U+FEFF here",
            "delete the invisible character here: a byte order mark may only be the file's first character",
        )
    } else if let Some(c) = found.filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        wording(
            format!("invalid YAML: control character U+{:04X}", c as u32),
            "control character",
            "delete it: YAML text allows no control characters other than tab and line breaks",
        )
    } else {
        wording(
            format!("invalid YAML: {text}"),
            "here",
            "fix the YAML syntax (check indentation, quotes and brackets)",
        )
    }
}

// ---------------------------------------------------------------------------
// The typed model.

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    pub version: Option<Item<i64>>,
    pub app: Option<Item<App>>,
    pub triggers: Vec<Trigger>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct App {
    pub name: Option<Item<String>>,
    pub flex_origin: Option<Item<String>>,
    /// The production list: trusted by every build of the plugin.
    pub host_origins: Option<Item<Vec<S<String>>>>,
    /// Loopback origins trusted by development builds only.
    pub dev_host_origins: Option<Item<Vec<S<String>>>>,
    /// `flex_in_host` (the default) or `host_in_flex`.
    pub embedding: Option<Item<String>>,
    /// The CRM page's URL template, for `host_in_flex`.
    pub crm_url: Option<Item<String>>,
    /// Hide Flex's own CRM panel (default: with `flex_in_host`).
    pub hide_crm_panel: Option<Item<bool>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trigger {
    /// Where the list item starts (its first key), for "missing key" reports.
    pub span: Span,
    pub name: Option<Item<String>>,
    pub summary: Option<Item<String>>,
    pub direction: Option<Item<String>>,
    pub user_action: Option<Item<String>>,
    pub channel: Option<Item<String>>,
    pub channel_type: Option<Item<String>>,
    pub payload: Vec<(S<String>, Field)>,
    pub invoke: Option<Item<Invoke>>,
    pub show: Option<Item<Show>>,
    pub if_not_ready: Option<Item<IfNotReady>>,
    pub on: Option<Item<On>>,
    pub when: Option<Item<Filters>>,
}

/// `show:`: a host_to_flex trigger whose data Flex shows for a task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Show {
    /// `in:` where in Flex (`task_canvas_tab`).
    pub place: Option<Item<String>>,
    pub label: Option<Item<String>>,
    /// `task: payload.<field>`: the field naming the task.
    pub task: Option<Item<String>>,
    /// `fields:` label -> source path (`payload.x`, `task.y`), in spec order.
    pub fields: Vec<(S<String>, S<String>)>,
}

/// `when:` entries: source path -> literal, in spec order.
pub type Filters = Vec<(S<String>, Literal)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Field {
    /// The span of the field's value (its mapping).
    pub span: Span,
    pub ty: Option<Item<String>>,
    pub optional: Option<Item<bool>>,
    pub doc: Option<Item<String>>,
    pub max_length: Option<Item<i64>>,
    pub values: Option<Item<Vec<S<String>>>>,
    /// One source path, or several (`[a, b]`: the first value present that
    /// fits the field is sent).
    pub from: Option<Item<Vec<S<String>>>>,
}

impl Field {
    /// `optional: true` (absent or `false` means required).
    pub fn is_optional(&self) -> bool {
        self.optional.as_ref().is_some_and(|o| o.value)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invoke {
    pub action: Option<Item<String>>,
    pub args: Vec<(S<String>, ArgSpec)>,
    pub timeout_ms: Option<Item<i64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgSpec {
    /// `payload.<field>` (or any other string: validation says what is wrong).
    Path(S<String>),
    Literal(Literal),
}

/// A literal JSON value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: serde_json::Value,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IfNotReady {
    pub queue_for_ms: Option<Item<i64>>,
}

pub use crate::vocabulary::OnKind;

#[derive(Debug, Clone, PartialEq)]
pub struct On {
    /// The `event` / `before` / `after` key.
    pub kind: S<OnKind>,
    pub name: S<String>,
}

// ---------------------------------------------------------------------------
// The walk: tree -> model, collecting every shape error.

// The keys allowed at each level: the vocabulary's (documentation order,
// for "allowed keys" help).
pub use crate::vocabulary::{
    APP_KEYS, FIELD_KEYS, IF_NOT_READY_KEYS, INVOKE_KEYS, ROOT_KEYS, SHOW_KEYS, TRIGGER_KEYS,
};

/// Parses `source` into the spec model, or every shape error found.
pub fn parse(source: &str) -> Result<Spec, Vec<Diagnostic>> {
    let tree = parse_tree(source).map_err(|d| vec![d])?;
    let mut walker = Walker {
        source,
        errors: Vec::new(),
    };
    let spec = walker.spec(&tree);
    if walker.errors.is_empty() {
        Ok(spec)
    } else {
        Err(walker.errors)
    }
}

type Entries<'n> = Vec<(&'n Spanned<String>, &'n Spanned<Node>)>;

struct Walker<'s> {
    /// The text, to see how a number was written.
    source: &'s str,
    errors: Vec<Diagnostic>,
}

/// How a node's kind is named in "expected X, found Y".
fn kind_name(node: &Node) -> &'static str {
    match node {
        Node::Null => "nothing",
        Node::Bool(_) => "a boolean",
        Node::Int(_) | Node::Float(_) => "a number",
        Node::Str(_) => "a string",
        Node::Seq(_) => "a list",
        Node::Map(_) => "a mapping",
    }
}

fn key_span(key: &Spanned<String>) -> Span {
    span_of(&key.referenced)
}

impl Walker<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn wrong_type(&mut self, node: &Spanned<Node>, expected: &str) {
        let found = kind_name(&node.value);
        let help = match (&node.value, expected) {
            (Node::Int(_) | Node::Float(_) | Node::Bool(_), "a string") => {
                "quote it: write the value in quotes".to_string()
            }
            (Node::Null, _) => format!("give {expected} here"),
            _ => format!("write {expected} here"),
        };
        let quote = if matches!(node.value, Node::Int(_) | Node::Float(_) | Node::Bool(_))
            && expected == "a string"
        {
            ": quote it"
        } else {
            ""
        };
        self.error(
            Diagnostic::new(
                format!("expected {expected}, found {found}{quote}"),
                Some(node_span(node)),
            )
            .label(format!("expected {expected}"))
            .help(help),
        );
    }

    /// The entries of a mapping, after reporting keys outside `allowed`.
    fn mapping<'n>(
        &mut self,
        node: &'n Spanned<Node>,
        allowed: &[&str],
        what: &str,
    ) -> Option<Entries<'n>> {
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping");
            return None;
        };
        let mut known = Vec::new();
        for (key, value) in entries {
            if allowed.contains(&key.value.as_str()) {
                known.push((key, value));
            } else {
                self.unknown_key(key, value, allowed, what);
            }
        }
        Some(known)
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<String>,
        value: &Spanned<Node>,
        allowed: &[&str],
        what: &str,
    ) {
        // `{ doc: Seen, then kept }` splits at the comma: the rest becomes a key
        // without a value. Say so, since the YAML looks fine to a human.
        let split_by_comma = matches!(value.value, Node::Null) && key.value.contains(' ');
        let help = match did_you_mean(&key.value, allowed.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if split_by_comma => "a comma ends a plain value inside `{ ... }`: quote the value before it, e.g. `doc: \"Seen, then kept.\"`".to_string(),
            None => format!("allowed keys here: {}", quoted_list(allowed)),
        };
        self.error(
            Diagnostic::new(
                format!("unknown key `{}` in {what}", key.value),
                Some(key_span(key)),
            )
            .label("unknown key")
            .help(help),
        );
    }

    fn missing(&mut self, owner: Span, key: &str, what: &str, help: &str) {
        self.error(
            Diagnostic::new(
                format!("missing required key `{key}` in {what}"),
                Some(owner),
            )
            .label(format!("`{key}` missing here"))
            .help(help.to_string()),
        );
    }

    fn string(&mut self, node: &Spanned<Node>) -> Option<S<String>> {
        match &node.value {
            Node::Str(s) => Some(S {
                value: s.clone(),
                span: node_span(node),
            }),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    fn int(&mut self, node: &Spanned<Node>) -> Option<i64> {
        let value = match &node.value {
            Node::Int(i) => *i,
            Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => *f as i64,
            _ => {
                self.wrong_type(node, "a whole number");
                return None;
            }
        };
        let span = node_span(node);
        let written = self.source.get(span.clone()).unwrap_or("");
        if !not_decimal(written) {
            return Some(value);
        }
        // `010` is 8 in YAML 1.1 and 10 in YAML 1.2; hex and octal are legal
        // YAML, but a timeout written in them is a slip, not a choice.
        self.error(
            Diagnostic::new(
                format!("`{written}` is not a plain decimal number"),
                Some(span),
            )
            .label("write it in decimal")
            .help(
                "write whole numbers in decimal digits only (no leading zero, `0x`, `0o` or `_`)",
            ),
        );
        None
    }

    fn bool(&mut self, node: &Spanned<Node>) -> Option<bool> {
        match &node.value {
            Node::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(node, "`true` or `false`");
                None
            }
        }
    }

    fn item<T>(
        &mut self,
        key: &Spanned<String>,
        value: &Spanned<Node>,
        read: impl FnOnce(&mut Self, &Spanned<Node>) -> Option<T>,
    ) -> Option<Item<T>> {
        read(self, value).map(|v| Item {
            key: key_span(key),
            value: v,
            span: node_span(value),
        })
    }

    fn string_item(
        &mut self,
        key: &Spanned<String>,
        value: &Spanned<Node>,
    ) -> Option<Item<String>> {
        self.item(key, value, |w, n| w.string(n).map(|s| s.value))
    }

    /// A list of strings; `min_one` reports an empty list.
    fn strings(&mut self, node: &Spanned<Node>, min_one: Option<&str>) -> Option<Vec<S<String>>> {
        let Node::Seq(items) = &node.value else {
            self.wrong_type(node, "a list");
            return None;
        };
        if let (true, Some(what)) = (items.is_empty(), min_one) {
            self.error(
                Diagnostic::new(format!("`{what}` is empty"), Some(node_span(node)))
                    .label("needs at least one entry")
                    .help(format!("list one or more entries under `{what}`")),
            );
        }
        Some(items.iter().filter_map(|item| self.string(item)).collect())
    }

    fn spec(&mut self, tree: &Spanned<Node>) -> Spec {
        let mut spec = Spec::default();
        if let Node::Null = tree.value {
            self.error(
                Diagnostic::new("the spec is empty", Some(0..0))
                    .label("nothing here")
                    .help("start with `version: 1`, `app:` and `triggers:` (see docs/spec.md)"),
            );
            return spec;
        }
        let Some(entries) = self.mapping(tree, ROOT_KEYS, "the spec") else {
            return spec;
        };
        for (key, value) in entries {
            match key.value.as_str() {
                "version" => spec.version = self.item(key, value, Self::int),
                "app" => spec.app = self.item(key, value, |w, n| w.app(n, key_span(key))),
                "triggers" => spec.triggers = self.triggers(value),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        let root = node_span(tree);
        self.require_keys(
            tree,
            root.start..root.start,
            "the spec",
            &[
                ("version", "add `version: 1` at the top"),
                (
                    "app",
                    "add `app:` with `name`, `flex_origin` and `host_origins`",
                ),
                ("triggers", "add `triggers:` with one or more triggers"),
            ],
        );
        spec
    }

    /// Reports each of `keys` that the mapping `node` lacks. A key that is
    /// there with a bad value has its own error, so only absence counts.
    fn require_keys(
        &mut self,
        node: &Spanned<Node>,
        owner: Span,
        what: &str,
        keys: &[(&str, &str)],
    ) {
        let Node::Map(entries) = &node.value else {
            return;
        };
        for (key, help) in keys {
            if !entries.iter().any(|(k, _)| k.value == *key) {
                self.missing(owner.clone(), key, what, help);
            }
        }
    }

    fn app(&mut self, node: &Spanned<Node>, owner: Span) -> Option<App> {
        let entries = self.mapping(node, APP_KEYS, "`app`")?;
        let mut app = App::default();
        for (key, value) in entries {
            match key.value.as_str() {
                "name" => app.name = self.string_item(key, value),
                "flex_origin" => app.flex_origin = self.string_item(key, value),
                "host_origins" => {
                    app.host_origins = self.item(key, value, |w, n| w.strings(n, None));
                }
                "dev_host_origins" => {
                    app.dev_host_origins = self.item(key, value, |w, n| w.strings(n, None));
                }
                "embedding" => app.embedding = self.string_item(key, value),
                "crm_url" => app.crm_url = self.string_item(key, value),
                "hide_crm_panel" => app.hide_crm_panel = self.item(key, value, Self::bool),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        // `host_origins: []` is fine while development origins exist (a
        // workspace with no production CRM yet; `validate` warns); with
        // neither, no build of the plugin would trust any page.
        let listed = |list: &Option<Item<Vec<S<String>>>>| {
            list.as_ref().is_some_and(|l| !l.value.is_empty())
        };
        if let Some(hosts) = &app.host_origins {
            if hosts.value.is_empty() && !listed(&app.dev_host_origins) {
                self.error(
                    Diagnostic::new("`host_origins` is empty", Some(hosts.span.clone()))
                        .label("needs at least one entry")
                        .help(
                            "list the exact origin of your CRM page, e.g. \
                             `host_origins: [https://crm.example.com]` (loopback origins \
                             for local development go under `dev_host_origins`)",
                        ),
                );
            }
        }
        self.require_keys(
            node,
            owner,
            "`app`",
            &[
                ("name", "add `name: my-app` (letters, digits, `-`, `_`)"),
                ("flex_origin", "add `flex_origin: https://flex.twilio.com`"),
                (
                    "host_origins",
                    "add `host_origins: [https://crm.example.com]`",
                ),
            ],
        );
        Some(app)
    }

    fn triggers(&mut self, node: &Spanned<Node>) -> Vec<Trigger> {
        let Node::Seq(items) = &node.value else {
            self.wrong_type(node, "a list");
            return Vec::new();
        };
        if items.is_empty() {
            self.error(
                Diagnostic::new("`triggers` is empty", Some(node_span(node)))
                    .label("needs at least one trigger")
                    .help("add one or more triggers (see docs/spec.md)"),
            );
        }
        items.iter().filter_map(|item| self.trigger(item)).collect()
    }

    fn trigger(&mut self, node: &Spanned<Node>) -> Option<Trigger> {
        let entries = self.mapping(node, TRIGGER_KEYS, "a trigger")?;
        let mut t = Trigger {
            span: node_span(node),
            ..Trigger::default()
        };
        for (key, value) in entries {
            match key.value.as_str() {
                "name" => t.name = self.string_item(key, value),
                "summary" => t.summary = self.string_item(key, value),
                "direction" => t.direction = self.string_item(key, value),
                "user_action" => t.user_action = self.string_item(key, value),
                "channel" => t.channel = self.string_item(key, value),
                "channel_type" => t.channel_type = self.string_item(key, value),
                "payload" => t.payload = self.payload(value),
                "invoke" => t.invoke = self.item(key, value, |w, n| w.invoke(n, key_span(key))),
                "show" => t.show = self.item(key, value, |w, n| w.show(n, key_span(key))),
                "if_not_ready" => t.if_not_ready = self.item(key, value, Self::if_not_ready),
                "on" => t.on = self.item(key, value, Self::on),
                "when" => t.when = self.item(key, value, Self::when),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        let directions: Vec<String> = vocabulary::direction_names()
            .iter()
            .map(|d| format!("`direction: {d}`"))
            .collect();
        let direction_help = format!("add {}", vocabulary::or_list(&directions));
        self.require_keys(
            node,
            t.span.clone(),
            "a trigger",
            &[
                ("name", "add `name: my_trigger` (snake_case)"),
                ("direction", &direction_help),
            ],
        );
        Some(t)
    }

    fn payload(&mut self, node: &Spanned<Node>) -> Vec<(S<String>, Field)> {
        if let Node::Null = node.value {
            return Vec::new();
        }
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping");
            return Vec::new();
        };
        let mut fields = Vec::new();
        for (key, value) in entries {
            let name = S {
                value: key.value.clone(),
                span: key_span(key),
            };
            if let Some(field) = self.field(value, &name) {
                fields.push((name, field));
            }
        }
        fields
    }

    fn field(&mut self, node: &Spanned<Node>, name: &S<String>) -> Option<Field> {
        let what = format!("payload field `{}`", name.value);
        let entries = self.mapping(node, FIELD_KEYS, &what)?;
        let mut f = Field {
            span: node_span(node),
            ..Field::default()
        };
        for (key, value) in entries {
            match key.value.as_str() {
                "type" => f.ty = self.string_item(key, value),
                "optional" => f.optional = self.item(key, value, Self::bool),
                "doc" => f.doc = self.string_item(key, value),
                "max_length" => f.max_length = self.item(key, value, Self::int),
                "values" => f.values = self.item(key, value, |w, n| w.strings(n, Some("values"))),
                "from" => f.from = self.item(key, value, Self::sources),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        let type_help = format!(
            "add `type:` ({})",
            vocabulary::or_list(&vocabulary::field_type_names())
        );
        self.require_keys(node, name.span.clone(), &what, &[("type", &type_help)]);
        Some(f)
    }

    /// `from:`: a source path, or a list of them tried in order.
    fn sources(&mut self, node: &Spanned<Node>) -> Option<Vec<S<String>>> {
        match &node.value {
            Node::Seq(_) => self.strings(node, Some("from")),
            Node::Str(_) => self.string(node).map(|s| vec![s]),
            _ => {
                self.wrong_type(node, "a source path or a list of them");
                None
            }
        }
    }

    fn invoke(&mut self, node: &Spanned<Node>, owner: Span) -> Option<Invoke> {
        let entries = self.mapping(node, INVOKE_KEYS, "`invoke`")?;
        let mut invoke = Invoke::default();
        for (key, value) in entries {
            match key.value.as_str() {
                "action" => invoke.action = self.string_item(key, value),
                "args" => invoke.args = self.args(value),
                "timeout_ms" => invoke.timeout_ms = self.item(key, value, Self::int),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        self.require_keys(
            node,
            owner,
            "`invoke`",
            &[(
                "action",
                "add `action:` with a Flex action name, e.g. `StartOutboundCall`",
            )],
        );
        Some(invoke)
    }

    fn show(&mut self, node: &Spanned<Node>, owner: Span) -> Option<Show> {
        let entries = self.mapping(node, SHOW_KEYS, "`show`")?;
        let mut show = Show::default();
        for (key, value) in entries {
            match key.value.as_str() {
                "in" => show.place = self.string_item(key, value),
                "label" => show.label = self.string_item(key, value),
                "task" => show.task = self.string_item(key, value),
                "fields" => show.fields = self.shown_fields(value),
                _ => unreachable!("filtered by mapping()"),
            }
        }
        self.require_keys(
            node,
            owner,
            "`show`",
            &[
                ("label", "add `label: Customer` (the tab's title in Flex)"),
                (
                    "task",
                    "add `task: payload.task_sid` (the payload field naming the task)",
                ),
                (
                    "fields",
                    "add `fields:` with `Label: payload.<field>` or `Label: task.<path>` lines",
                ),
            ],
        );
        Some(show)
    }

    /// `fields:` under `show`: label -> source path.
    fn shown_fields(&mut self, node: &Spanned<Node>) -> Vec<(S<String>, S<String>)> {
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping of labels to source paths");
            return Vec::new();
        };
        let mut fields = Vec::new();
        for (key, value) in entries {
            let Some(path) = self.string(value) else {
                continue;
            };
            let label = S {
                value: key.value.clone(),
                span: key_span(key),
            };
            fields.push((label, path));
        }
        fields
    }

    fn args(&mut self, node: &Spanned<Node>) -> Vec<(S<String>, ArgSpec)> {
        if let Node::Null = node.value {
            return Vec::new();
        }
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping");
            return Vec::new();
        };
        let mut args = Vec::new();
        for (key, value) in entries {
            let arg = match &value.value {
                Node::Str(s) => Some(ArgSpec::Path(S {
                    value: s.clone(),
                    span: node_span(value),
                })),
                Node::Map(_) => self.boxed_literal(value).map(ArgSpec::Literal),
                Node::Int(_) | Node::Float(_) | Node::Bool(_) => {
                    self.literal(value).map(ArgSpec::Literal)
                }
                _ => {
                    self.error(
                        Diagnostic::new(
                            format!("expected an argument, found {}", kind_name(&value.value)),
                            Some(node_span(value)),
                        )
                        .label("not an argument")
                        .help(
                            "write `payload.<field>`, a number, `true`/`false`, or `{ value: ... }` for any other literal",
                        ),
                    );
                    None
                }
            };
            if let Some(arg) = arg {
                args.push((
                    S {
                        value: key.value.clone(),
                        span: key_span(key),
                    },
                    arg,
                ));
            }
        }
        args
    }

    /// `{ value: <any JSON> }`.
    fn boxed_literal(&mut self, node: &Spanned<Node>) -> Option<Literal> {
        let entries = self.mapping(node, &["value"], "a literal")?;
        match entries.first() {
            Some((_, value)) => Some(Literal {
                value: self.json(value)?,
                span: node_span(value),
            }),
            None => {
                self.missing(
                    node_span(node),
                    "value",
                    "a literal",
                    "write the literal as `{ value: ... }`",
                );
                None
            }
        }
    }

    /// A plain scalar literal (`when` values, numeric and boolean args).
    fn literal(&mut self, node: &Spanned<Node>) -> Option<Literal> {
        match &node.value {
            Node::Map(_) => self.boxed_literal(node),
            Node::Seq(_) | Node::Null => {
                self.wrong_type(node, "a string, number or boolean");
                None
            }
            _ => Some(Literal {
                value: self.json(node)?,
                span: node_span(node),
            }),
        }
    }

    fn json(&mut self, node: &Spanned<Node>) -> Option<serde_json::Value> {
        use serde_json::Value;
        Some(match &node.value {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    self.error(
                        Diagnostic::new("not a finite number", Some(node_span(node)))
                            .label("NaN and infinities have no JSON form")
                            .help("write a finite number"),
                    );
                    return None;
                }
            },
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => {
                Value::Array(items.iter().map(|i| self.json(i)).collect::<Option<_>>()?)
            }
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Some((k.value.clone(), self.json(v)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    fn if_not_ready(&mut self, node: &Spanned<Node>) -> Option<IfNotReady> {
        let entries = self.mapping(node, IF_NOT_READY_KEYS, "`if_not_ready`")?;
        let mut value = IfNotReady::default();
        for (key, v) in entries {
            value.queue_for_ms = self.item(key, v, Self::int);
        }
        Some(value)
    }

    fn on(&mut self, node: &Spanned<Node>) -> Option<On> {
        let allowed = vocabulary::on_keys();
        let entries = self.mapping(node, &allowed, "`on`")?;
        let help = "write exactly one of `{ event: taskAccepted }`, `{ after: CompleteTask }` or `{ before: HangupCall }`";
        if entries.len() > 1 {
            let (second, _) = entries[1];
            self.error(
                Diagnostic::new(
                    "`on` takes exactly one of `event`, `before`, `after`",
                    Some(key_span(second)),
                )
                .label("a second listener")
                .help(format!("{help}; use one trigger per listener")),
            );
            return None;
        }
        let Some((key, value)) = entries.first() else {
            if matches!(&node.value, Node::Map(e) if e.is_empty()) {
                self.missing(node_span(node), "event", "`on`", help);
            }
            return None;
        };
        let kind = vocabulary::on_kind(&key.value)?;
        let name = self.string(value)?;
        Some(On {
            kind: S {
                value: kind,
                span: key_span(key),
            },
            name,
        })
    }

    fn when(&mut self, node: &Spanned<Node>) -> Option<Filters> {
        let Node::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping");
            return None;
        };
        let mut filters = Vec::new();
        for (key, value) in entries {
            if let Some(literal) = self.literal(value) {
                filters.push((
                    S {
                        value: key.value.clone(),
                        span: key_span(key),
                    },
                    literal,
                ));
            }
        }
        Some(filters)
    }
}

/// Whether an integer was written other than as plain decimal digits: hex,
/// octal, a leading zero or digit separators.
fn not_decimal(written: &str) -> bool {
    let digits = written.trim_start_matches(['+', '-']);
    digits.contains('_')
        || (digits.len() > 1
            && digits.starts_with('0')
            && digits[1..].starts_with(|c: char| c.is_ascii_alphanumeric()))
}

/// `` `a`, `b`, `c` `` for help texts.
pub fn quoted_list<'a>(items: impl IntoIterator<Item = &'a &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_must_be_written_in_decimal() {
        for written in ["0x10", "0o10", "010", "1_000", "-0x1", "+010"] {
            let errors = parse(&format!("version: {written}\n")).expect_err(written);
            assert_eq!(
                errors[0].message,
                format!("`{written}` is not a plain decimal number"),
                "{written}"
            );
            assert_eq!(errors[0].span, Some(9..9 + written.len()), "{written}");
        }
        for written in ["0", "10", "-5", "+7", "15000"] {
            // Only the missing `app` and `triggers` are reported.
            let errors = parse(&format!("version: {written}\n")).unwrap_err();
            assert_eq!(errors.len(), 2, "{written}: {errors:?}");
            assert!(errors.iter().all(|e| e.message.starts_with("missing")));
        }
    }
}
