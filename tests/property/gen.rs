//! Random *valid* specs for the property test, from a seeded PRNG.
//!
//! Every spec this writes must pass `flexgen check`: a refusal means the
//! generator or the validator is wrong. The generator reads the catalog's
//! tables (actions, events, source fields) as data, and the case styles of
//! names from `Names`, but decides validity by docs/spec.md's rules written
//! out here, not by calling the validator.
//!
//! Trigger kinds are dealt from a shuffled deck (every action as a command,
//! every event, every action as a before and an after listener), shared by
//! every spec of a run, so a few specs cover the whole catalog.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use flexgen::catalog::{self, Action, SourceField};
use flexgen::ir::{ActionFieldType as A, BridgeMember, Direction, Names, Subject, ValueType as V};

/// splitmix64: tiny, fast, and every seed gives a full-period stream.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// An integer in `lo..=hi`, the bounds themselves a fifth of the time.
    pub fn edgy(&mut self, lo: i64, hi: i64) -> i64 {
        match self.below(10) {
            0 => lo,
            1 => hi,
            _ => self.range(lo, hi),
        }
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// What a trigger does: the deck's cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Invoke(&'static str),
    Event(&'static str),
    Before(&'static str),
    After(&'static str),
}

/// What a run of the generator covered (the test checks it).
#[derive(Debug, Default)]
pub struct Coverage {
    pub kinds: BTreeSet<Kind>,
    pub field_types: BTreeSet<&'static str>,
    pub roots: BTreeSet<&'static str>,
    pub arg_kinds: BTreeSet<&'static str>,
    pub name_lengths: BTreeSet<usize>,
    pub channels: BTreeSet<&'static str>,
    pub channel_types: BTreeSet<&'static str>,
    pub filters: usize,
    pub non_ascii_texts: usize,
}

pub struct Generator {
    pub rng: Rng,
    deck: Vec<Kind>,
    apps: BTreeSet<String>,
    pub coverage: Coverage,
}

/// Words that generated code is likely to use for itself: field and trigger
/// names drawn from here probe clashes with the emitters' own identifiers.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "payload", "data", "value", "values", "result", "reply", "ok", "err", "error", "errors",
    "callback", "state", "message", "msg", "kind", "id", "ts", "to", "from", "event", "events",
    "origin", "source", "window", "json", "map", "serde", "validate", "parse", "default_value",
    "len", "length", "name", "names", "action", "invoke", "hook", "hooks", "task", "worker",
    "timing", "flex", "manager", "bridge", "host", "plugin", "sid", "body", "options", "args",
    "field", "fields", "out", "key", "keys", "obj", "raw", "wire", "command", "commands",
    "pending", "queue", "timeout", "ready", "spec", "version", "hash", "nonce", "seq", "ack",
    "reason", "code", "detail", "details", "phone", "phone_number", "caller", "channel",
    "channel_type", "direction", "at", "i", "x", "v1", "a1b2", "js", "wasm", "web", "sys",
    "io", "fmt", "vec", "box_value", "option", "some_value", "none_value", "string_value",
    "number_value", "date", "time", "utc", "e164", "enum_value", "on", "off", "handler",
    "listener", "listeners", "send", "post", "post_message", "reply_to", "unsubscribe",
    "dispose_all", "config", "app", "now", "self_value", "try_from", "into", "from_js",
    "to_js", "clone", "debug", "eq", "hash_code", "tests", "test", "super_value", "crate_name",
];

const CHANNELS: &[&str] = catalog::CHANNELS;

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: Rng::new(seed),
            deck: Vec::new(),
            apps: BTreeSet::new(),
            coverage: Coverage::default(),
        }
    }

    fn deal(&mut self) -> Kind {
        if self.deck.is_empty() {
            let mut deck: Vec<Kind> = catalog::ACTIONS
                .iter()
                .flat_map(|a| {
                    [
                        Kind::Invoke(a.name),
                        Kind::Before(a.name),
                        Kind::After(a.name),
                    ]
                })
                .chain(catalog::EVENTS.iter().map(|e| Kind::Event(e.name)))
                .collect();
            self.rng.shuffle(&mut deck);
            self.deck = deck;
        }
        self.deck.pop().unwrap()
    }

    /// One random valid spec, as YAML text. `max_triggers` >= 1.
    pub fn spec(&mut self, max_triggers: usize) -> String {
        let mut y = String::new();
        if self.rng.chance(30) {
            y.push_str("# yaml-language-server: $schema=./triggers.schema.json\n");
        }
        if self.rng.chance(50) {
            let _ = writeln!(y, "# {}", self.text(12).replace('\n', " "));
        }
        y.push_str("version: 1\napp:\n");
        let app = self.app_name();
        let _ = writeln!(y, "  name: {}", quote_maybe(&mut self.rng, &app));
        let flex = self.origin();
        let _ = writeln!(y, "  flex_origin: {}", quote_maybe(&mut self.rng, &flex));
        let mut hosts: Vec<String> = Vec::new();
        for _ in 0..self.rng.range(1, 4) {
            let o = self.origin();
            if !hosts.contains(&o) {
                hosts.push(o);
            }
        }
        if self.rng.chance(50) {
            let list: Vec<String> = hosts.iter().map(|h| json_str(h)).collect();
            let _ = writeln!(y, "  host_origins: [{}]", list.join(", "));
        } else {
            y.push_str("  host_origins:\n");
            for h in &hosts {
                let _ = writeln!(y, "    - {}", quote_maybe(&mut self.rng, h));
            }
        }
        let app_end = y.len();
        y.push_str("triggers:\n");
        // Single-trigger specs are an edge worth a share of their own.
        let count = if self.rng.chance(15) {
            1
        } else {
            self.rng.range(1, max_triggers as i64) as usize
        };
        let mut taken = Taken::default();
        // The host bridge's own members are taken before any trigger.
        let fixed = catalog::BRIDGE_RUST_MEMBERS
            .iter()
            .chain(catalog::BRIDGE_JS_MEMBERS);
        taken.triggers.extend(fixed.map(|m| m.to_string()));
        // So are the plugin's own constants, which SHOUTY forms could take.
        let constants = catalog::PLUGIN_MODULE_NAMES.iter();
        taken.triggers.extend(constants.map(|m| m.to_string()));
        for _ in 0..count {
            self.trigger(&mut y, &mut taken);
        }
        // Development origins are drawn last, so that a seed's triggers are
        // what they were before the key existed.
        if self.rng.chance(30) {
            let mut devs: Vec<String> = Vec::new();
            for _ in 0..self.rng.range(1, 3) {
                let host = self
                    .rng
                    .pick(&["localhost", "127.0.0.1", "[::1]"])
                    .to_string();
                let scheme = if self.rng.chance(70) { "http" } else { "https" };
                let port = self.rng.range(1024, 65000);
                let o = format!("{scheme}://{host}:{port}");
                if !hosts.contains(&o) && !devs.contains(&o) {
                    devs.push(o);
                }
            }
            let list: Vec<String> = devs.iter().map(|d| json_str(d)).collect();
            y.insert_str(
                app_end,
                &format!("  dev_host_origins: [{}]\n", list.join(", ")),
            );
        }
        y
    }

    fn app_name(&mut self) -> String {
        loop {
            let len = match self.rng.below(6) {
                0 => 1,
                1 => 64,
                _ => self.rng.range(2, 30) as usize,
            };
            const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
            const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
            let mut name = String::new();
            name.push(*self.rng.pick(FIRST) as char);
            while name.len() < len {
                name.push(*self.rng.pick(REST) as char);
            }
            let names = Names::new(&name);
            // The crate names of a run must differ too: the bridges share
            // one Cargo target dir.
            if names.snake.is_empty()
                || catalog::is_reserved(&names.snake)
                || catalog::is_reserved(&names.pascal)
                || !self.apps.insert(names.snake.clone())
            {
                continue;
            }
            return name;
        }
    }

    fn origin(&mut self) -> String {
        const HOSTS: &[&str] = &[
            "flex.twilio.com",
            "crm.acme.example",
            "a.b",
            "x-1.example.org",
            "sub.domain.example.co.uk",
            "192.0.2.7",
            "xn--bcher-kva.example",
        ];
        const LOCAL: &[&str] = &["localhost", "127.0.0.1", "[::1]"];
        let port = |rng: &mut Rng| match rng.below(4) {
            0 => String::new(),
            1 => ":1".to_string(),
            2 => ":65535".to_string(),
            _ => format!(":{}", rng.range(1024, 65000)),
        };
        if self.rng.chance(25) {
            let host = self.rng.pick(LOCAL).to_string();
            let scheme = if self.rng.chance(70) { "http" } else { "https" };
            let p = port(&mut self.rng);
            let p = if p == ":80" { String::new() } else { p };
            format!("{scheme}://{host}{p}")
        } else {
            let host = self.rng.pick(HOSTS).to_string();
            let p = port(&mut self.rng);
            format!("https://{host}{p}")
        }
    }

    /// A valid snake_case name of 1 to 64 characters that clashes with no
    /// name in `used` (in any case style) and is no reserved word.
    fn name(
        &mut self,
        used: &mut BTreeSet<String>,
        extra: impl Fn(&Names) -> Vec<String>,
    ) -> String {
        loop {
            let name = match self.rng.below(9) {
                0 | 1 => self.rng.pick(WORDS).to_string(),
                // Compounds such as `state_change` or `payload_reply` probe
                // the names the emitters derive (`...Payload`, `on...`).
                8 => {
                    let n = self.rng.range(2, 3);
                    let words: Vec<&str> = (0..n).map(|_| *self.rng.pick(WORDS)).collect();
                    let joined = words.join("_");
                    if joined.len() > 64 {
                        continue;
                    }
                    joined
                }
                2 => ident(&mut self.rng, 1),
                3 => ident(&mut self.rng, 64),
                _ => {
                    let len = self.rng.range(2, 40) as usize;
                    ident(&mut self.rng, len)
                }
            };
            let names = Names::new(&name);
            let mut forms = vec![
                names.original.clone(),
                names.snake.clone(),
                names.camel.clone(),
                names.pascal.clone(),
                names.shouty.clone(),
            ];
            forms.extend(extra(&names));
            if forms
                .iter()
                .any(|f| catalog::is_reserved(f) || used.contains(f))
            {
                continue;
            }
            used.extend(forms);
            self.coverage.name_lengths.insert(name.len());
            return name;
        }
    }

    fn trigger(&mut self, y: &mut String, taken: &mut Taken) {
        let kind = self.deal();
        self.coverage.kinds.insert(kind);
        let direction = match kind {
            Kind::Invoke(_) => Direction::HostToFlex,
            _ => Direction::FlexToHost,
        };
        let name = self.name(&mut taken.triggers, |n| {
            let m = BridgeMember::of(n, direction);
            vec![m.rust, m.js, m.js_export]
        });
        let _ = writeln!(y, "  - name: {name}");
        if self.rng.chance(70) {
            let t = self.line(20);
            let _ = writeln!(y, "    summary: {}", yaml_str(&mut self.rng, &t));
        }
        let dir = match direction {
            Direction::HostToFlex => "host_to_flex",
            Direction::FlexToHost => "flex_to_host",
        };
        let _ = writeln!(y, "    direction: {dir}");
        if self.rng.chance(40) {
            let t = self.line(8);
            let _ = writeln!(y, "    user_action: {}", yaml_str(&mut self.rng, &t));
        }
        let subject = match kind {
            Kind::Invoke(a) => catalog::action(a).unwrap().subject,
            Kind::Event(e) => catalog::event(e).unwrap().subject,
            Kind::Before(a) | Kind::After(a) => catalog::action(a).unwrap().subject,
        };
        // Channels filter flex_to_host triggers, which needs a task to filter;
        // `when` may not test the same paths again.
        let mut filtered = Vec::new();
        if direction == Direction::HostToFlex || subject == Subject::Task {
            let channel = if self.rng.chance(50) {
                let c = *self.rng.pick(CHANNELS);
                self.coverage.channels.insert(c);
                let _ = writeln!(y, "    channel: {c}");
                filtered.push("task.taskChannelUniqueName");
                Some(c)
            } else {
                None
            };
            if channel.is_none_or(|c| c == catalog::CHANNEL_TYPE_CHANNEL) && self.rng.chance(40) {
                let ct = *self.rng.pick(catalog::CHANNEL_TYPES);
                self.coverage.channel_types.insert(ct);
                let _ = writeln!(y, "    channel_type: {ct}");
                filtered.push("task.channelType");
            }
        }
        match kind {
            Kind::Invoke(action) => self.command(y, catalog::action(action).unwrap()),
            Kind::Event(_) | Kind::Before(_) | Kind::After(_) => {
                self.listener(y, kind, subject, &filtered)
            }
        }
    }

    fn command(&mut self, y: &mut String, action: &Action) {
        let mut used = BTreeSet::new();
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut args: Vec<(String, String)> = Vec::new();
        for target in action.fields {
            if target.ty == A::Task || (target.optional && self.rng.chance(50)) {
                continue;
            }
            let by_field = match target.ty {
                A::Object => false,
                _ => self.rng.chance(60),
            };
            if by_field {
                let types: &[&str] = match target.ty {
                    A::String => &["string", "e164", "enum", "datetime"],
                    A::Number => &["integer", "number"],
                    A::Boolean => &["boolean"],
                    _ => &[
                        "string", "e164", "enum", "datetime", "integer", "number", "boolean",
                    ],
                };
                let ty = *self.rng.pick(types);
                let optional = target.optional && self.rng.chance(50);
                let name = self.name(&mut used, |_| Vec::new());
                let body = self.field_body(ty, optional, None);
                fields.push((name.clone(), body));
                args.push((target.name.to_string(), format!("payload.{name}")));
                self.coverage.arg_kinds.insert("payload");
            } else {
                let lit = self.arg_literal(target.ty);
                args.push((target.name.to_string(), lit));
            }
        }
        // Fields the action does not take reach the hook only.
        for _ in 0..self.rng.range(0, 3) {
            let ty = *self.rng.pick(FIELD_TYPES);
            let name = self.name(&mut used, |_| Vec::new());
            let optional = self.rng.chance(40);
            let body = self.field_body(ty, optional, None);
            fields.push((name, body));
        }
        self.rng.shuffle(&mut fields);
        self.payload(y, &fields);
        y.push_str("    invoke:\n");
        let _ = writeln!(y, "      action: {}", action.name);
        if !args.is_empty() || self.rng.chance(50) {
            if args.is_empty() {
                y.push_str("      args: {}\n");
            } else {
                y.push_str("      args:\n");
                for (k, v) in &args {
                    let _ = writeln!(y, "        {k}: {v}");
                }
            }
        }
        if self.rng.chance(50) {
            let t = self.rng.edgy(1000, 120_000);
            let _ = writeln!(y, "      timeout_ms: {t}");
        }
        if self.rng.chance(50) {
            let q = self.rng.edgy(0, 60_000);
            let _ = writeln!(y, "    if_not_ready: {{ queue_for_ms: {q} }}");
        }
    }

    /// A literal for an action payload key of type `ty`, in one of the
    /// spec's literal forms.
    fn arg_literal(&mut self, ty: A) -> String {
        let (kind, text) = match ty {
            A::String => (
                "string",
                format!("{{ value: {} }}", json_str(&self.text(8))),
            ),
            A::Number => {
                let n = self.number();
                if self.rng.chance(50) {
                    ("number", n)
                } else {
                    ("number", format!("{{ value: {n} }}"))
                }
            }
            A::Boolean => {
                let b = self.rng.chance(50);
                if self.rng.chance(50) {
                    ("boolean", b.to_string())
                } else {
                    ("boolean", format!("{{ value: {b} }}"))
                }
            }
            A::Object => ("object", format!("{{ value: {} }}", self.json_object(2))),
            A::Any | A::Task => ("any", format!("{{ value: {} }}", self.json_value(2))),
        };
        self.coverage.arg_kinds.insert(kind);
        text
    }

    fn listener(&mut self, y: &mut String, kind: Kind, subject: Subject, filtered: &[&str]) {
        let (on, action) = match kind {
            Kind::Event(e) => (format!("{{ event: {e} }}"), None),
            Kind::Before(a) => (format!("{{ before: {a} }}"), catalog::action(a)),
            Kind::After(a) => (format!("{{ after: {a} }}"), catalog::action(a)),
            Kind::Invoke(_) => unreachable!(),
        };
        let _ = writeln!(y, "    on: {on}");
        let sources = sources(subject, action);
        let mut used = BTreeSet::new();
        let mut fields = Vec::new();
        for _ in 0..self.rng.range(0, 7) {
            let (root, f) = *self.rng.pick(&sources);
            self.coverage.roots.insert(root);
            let path = self.source_path(root, &f);
            let types: &[&str] = match f.ty {
                V::String => &["string", "e164", "enum"],
                V::Number => &["integer", "number"],
                V::Boolean => &["boolean"],
                V::Date => &["datetime"],
                V::Unknown => FIELD_TYPES,
            };
            let ty = *self.rng.pick(types);
            let optional = f.optional || self.rng.chance(30);
            let name = self.name(&mut used, |_| Vec::new());
            let body = self.field_body(ty, optional, Some(&path));
            fields.push((name, body));
        }
        self.payload(y, &fields);
        let mut paths = BTreeSet::new();
        let mut filters = Vec::new();
        for _ in 0..self.rng.range(0, 3) {
            let (root, f) = *self.rng.pick(&sources);
            if f.ty == V::Date {
                continue; // dates cannot be filtered on
            }
            let path = self.source_path(root, &f);
            if filtered.contains(&path.as_str()) || !paths.insert(path.clone()) {
                continue;
            }
            let lit = match f.ty {
                V::String => json_str(&self.text(20)),
                V::Number => self.number(),
                V::Boolean => self.rng.chance(50).to_string(),
                _ => match self.rng.below(4) {
                    0 => json_str(&self.text(20)),
                    1 => self.number(),
                    2 => self.rng.chance(50).to_string(),
                    _ => format!("{{ value: {} }}", self.json_value(2)),
                },
            };
            filters.push((path, lit));
        }
        if !filters.is_empty() {
            self.coverage.filters += filters.len();
            y.push_str("    when:\n");
            for (p, l) in filters {
                let _ = writeln!(y, "      {}: {l}", quote_maybe(&mut self.rng, &p));
            }
        }
    }

    /// `root.field`, with a random key path below free-form fields.
    fn source_path(&mut self, root: &str, f: &SourceField) -> String {
        let mut path = format!("{root}.{}", f.name);
        if f.free_form {
            for _ in 0..self.rng.range(1, 3) {
                const KEY: &[u8] =
                    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
                let len = self.rng.range(1, 12);
                let key: String = (0..len).map(|_| *self.rng.pick(KEY) as char).collect();
                path.push('.');
                path.push_str(&key);
            }
        }
        path
    }

    fn payload(&mut self, y: &mut String, fields: &[(String, String)]) {
        if fields.is_empty() {
            if self.rng.chance(30) {
                y.push_str("    payload: {}\n");
            }
            return;
        }
        y.push_str("    payload:\n");
        for (name, body) in fields {
            let _ = writeln!(y, "      {name}: {body}");
        }
    }

    /// A field's flow mapping.
    fn field_body(&mut self, ty: &'static str, optional: bool, from: Option<&str>) -> String {
        self.coverage.field_types.insert(ty);
        let mut parts = vec![format!("type: {ty}")];
        if optional {
            parts.push("optional: true".into());
        } else if self.rng.chance(15) {
            parts.push("optional: false".into());
        }
        if ty == "string" && self.rng.chance(50) {
            parts.push(format!("max_length: {}", self.rng.edgy(1, 65_536)));
        }
        if ty == "enum" {
            let mut values: Vec<String> = Vec::new();
            for _ in 0..self.rng.range(1, 6) {
                let v = if self.rng.chance(50) {
                    let len = self.rng_len(1, 20);
                    ident(&mut self.rng, len)
                } else {
                    self.line(6)
                };
                if !v.is_empty() && !values.contains(&v) {
                    values.push(v);
                }
            }
            if values.is_empty() {
                values.push("only".into());
            }
            let list: Vec<String> = values.iter().map(|v| json_str(v)).collect();
            parts.push(format!("values: [{}]", list.join(", ")));
        }
        if let Some(from) = from {
            parts.push(format!("from: {}", json_str(from)));
        }
        if self.rng.chance(50) {
            parts.push(format!("doc: {}", json_str(&self.text(25))));
        }
        self.rng.shuffle(&mut parts);
        format!("{{ {} }}", parts.join(", "))
    }

    fn rng_len(&mut self, lo: i64, hi: i64) -> usize {
        self.rng.range(lo, hi) as usize
    }

    fn number(&mut self) -> String {
        match self.rng.below(6) {
            0 => "0".into(),
            1 => "-1".into(),
            2 => "9007199254740991".into(),
            3 => format!("{}.5", self.rng.range(-1000, 1000)),
            _ => self.rng.range(-100_000, 100_000).to_string(),
        }
    }

    fn json_value(&mut self, depth: u32) -> String {
        match self.rng.below(if depth == 0 { 3 } else { 5 }) {
            0 => json_str(&self.text(20)),
            1 => self.number(),
            2 => self.rng.chance(50).to_string(),
            3 => {
                let items: Vec<String> = (0..self.rng.range(0, 3))
                    .map(|_| self.json_value(depth - 1))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            _ => self.json_object(depth - 1),
        }
    }

    fn json_object(&mut self, depth: u32) -> String {
        let mut keys = BTreeSet::new();
        let mut entries = Vec::new();
        for _ in 0..self.rng.range(0, 3) {
            let key = ident(&mut self.rng, 6);
            if matches!(key.as_str(), "constructor" | "prototype") || !keys.insert(key.clone()) {
                continue;
            }
            let v = if depth == 0 {
                json_str(&self.text(10))
            } else {
                self.json_value(depth - 1)
            };
            entries.push(format!("{}: {v}", json_str(&key)));
        }
        format!("{{ {} }}", entries.join(", "))
    }

    /// Free text on one line.
    pub fn line(&mut self, max_words: usize) -> String {
        self.text(max_words).replace('\n', " ")
    }

    /// Ordinary free text: words in many scripts, emoji (astral, ZWJ
    /// sequences), combining marks, common punctuation and quotes. Hostile
    /// text (comment closers, `${`, bidi controls, ...) is another test's job.
    pub fn text(&mut self, max_words: usize) -> String {
        #[rustfmt::skip]
        const WORDS: &[&str] = &[
            "Agent", "clicks", "a", "phone", "number", "the", "CRM", "opens", "record", "call",
            "Flex", "task", "wrap-up", "ends", "naïve", "café", "Ångström", "Zoë", "Grüße",
            "straße", "élève", "Ελληνικά", "Привет", "мир", "日本語", "中文", "한국어", "עברית",
            "العربية", "हिन्दी", "ไทย", "📞", "☎️", "🇫🇷", "👩‍💻", "e\u{301}", "½", "№", "€5",
            "$10", "50%", "R&D", "x < 5", "a > b", "(optional)", "[note]", "don't", "\"Open\"",
            "'quoted'", "«guillemets»", "„Anführung“", "“curly”", "‘single’", "—", "–", "…",
            "e.g.", "i.e.:", "#1", "@agent", "a/b", "key=value", "C:", "::", "semi;colon",
            "comma,", "a+b", "~tilde", "^caret", "|pipe|", "under_score", "WR0123", "+14155550100",
            "ⅷ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🙂", "ﬁ", "Ǆ", "ǅ", "İstanbul", "ß", "ﾊﾟ",
        ];
        let n = match self.rng.below(10) {
            0 => self.rng.range(60, 300) as usize,
            _ => self.rng.range(1, max_words.max(1) as i64) as usize,
        };
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push(if self.rng.chance(3) { '\n' } else { ' ' });
            }
            let word = *self.rng.pick(WORDS);
            out.push_str(word);
        }
        if !out.is_ascii() {
            self.coverage.non_ascii_texts += 1;
        }
        out
    }
}

const FIELD_TYPES: &[&str] = &[
    "string", "e164", "enum", "datetime", "integer", "number", "boolean",
];

/// The names of trigger and field names taken so far, in every case style.
#[derive(Default)]
struct Taken {
    triggers: BTreeSet<String>,
}

/// Every readable (root, field) for a listener of `subject` on `action`.
fn sources(subject: Subject, action: Option<&'static Action>) -> Vec<(&'static str, SourceField)> {
    let mut out = Vec::new();
    for root in catalog::ROOTS {
        if (root.needs_task && subject != Subject::Task) || (root.needs_action && action.is_none())
        {
            continue;
        }
        for f in catalog::root_fields(root.root, action) {
            out.push((root.name, f));
        }
    }
    out
}

/// A snake_case identifier of exactly `len` characters: `[a-z][a-z0-9_]*`,
/// no double or trailing `_`.
fn ident(rng: &mut Rng, len: usize) -> String {
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut s = String::new();
    s.push((b'a' + rng.below(26) as u8) as char);
    while s.len() < len {
        let c = *rng.pick(REST) as char;
        let last = s.len() + 1 == len;
        if c == '_' && (s.ends_with('_') || last) {
            continue;
        }
        s.push(c);
    }
    s
}

/// A JSON string literal, which is also a YAML double-quoted scalar.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Free text in one of YAML's string styles that can hold it.
fn yaml_str(rng: &mut Rng, s: &str) -> String {
    if s.contains('\n') || rng.chance(60) {
        json_str(s)
    } else {
        // Single-quoted: only `'` needs escaping (doubled).
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// A scalar that needs no quotes, written plain or double-quoted at random.
fn quote_maybe(rng: &mut Rng, s: &str) -> String {
    if rng.chance(50) {
        s.to_string()
    } else {
        json_str(s)
    }
}
