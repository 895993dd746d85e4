//! Every rule of docs/spec.md, checked against the catalog; all errors at once.
//!
//! The walk in `spec` has already settled the shape (keys, value kinds); this
//! stage checks meaning: names, origins, directions, catalog look-ups, source
//! paths and types. What it resolves on the way (directions, field types,
//! actions, listeners, sources, filters, args) it hands on as [`Validated`],
//! which `lower` turns into the IR without looking anything up again.

mod crm_url;

use std::collections::HashMap;

use crate::catalog::{self, Action, SourceField};
use crate::diag::{did_you_mean, Diagnostic};
use crate::ir::{
    ActionFieldType, BridgeMember, CrmUrl, Direction, Embedding, FieldType, Names, ShowPlace,
    Source, Subject, ValueType,
};
use crate::spec::{self, ArgSpec, Item, Literal, OnKind, Span, Spec, Trigger, S};
use crate::vocabulary::{
    self, field_type, field_type_name as type_name, is_identifier, is_path_key, ChannelFilter,
    ChannelKey, Length, Range, ARG_FITS, CHANNEL_FILTERS, DANGEROUS_KEYS, FLEX_TO_HOST,
    HOST_TO_FLEX, MAX_LABEL_LEN, MAX_LENGTH, MAX_NAME_LEN, MAX_SHOWN_FIELDS, QUEUE_FOR_MS,
    SHOW_PLACES, SOURCE_FITS, TIMEOUT_MS,
};

/// What a flex_to_host trigger listens to, resolved against the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ListenContext {
    pub subject: Subject,
    pub action: Option<&'static Action>,
}

/// Resolves an `on:` against the catalog.
pub fn listen_context(kind: OnKind, name: &str) -> Option<ListenContext> {
    match kind {
        OnKind::Event => catalog::event(name).map(|e| ListenContext {
            subject: e.subject,
            action: None,
        }),
        OnKind::Before | OnKind::After => catalog::action(name).map(|a| ListenContext {
            subject: a.subject,
            action: Some(a),
        }),
    }
}

/// Why a source path does not resolve: (message, label, help).
type PathError = (String, &'static str, String);

/// Resolves `task.attributes.from` and friends. `Ok` carries the source and
/// whether it may be absent at run time.
pub fn resolve_source(path: &str, ctx: &ListenContext) -> Result<(Source, bool), PathError> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err((
            format!("`{path}` is not a source path"),
            "empty path segment",
            "write `root.field`, e.g. `task.taskSid` or `task.attributes.from`".into(),
        ));
    }
    let root_names: Vec<&str> = catalog::ROOTS.iter().map(|r| r.name).collect();
    let Some(root) = catalog::root(segments[0]) else {
        let filter_key = CHANNEL_FILTERS.iter().any(|f| f.key == segments[0]);
        let help = if filter_key && segments.len() == 1 {
            format!(
                "use the trigger's own `{}:` key to filter on it",
                segments[0]
            )
        } else {
            suggest(segments[0], &root_names, "source roots")
        };
        return Err((
            format!("unknown source root `{}` in `{path}`", segments[0]),
            "unknown root",
            help,
        ));
    };
    if root.needs_task && ctx.subject != Subject::Task {
        return Err((
            format!(
                "`{}` is not available here: this listener has no task",
                root.name
            ),
            "no task here",
            "read `worker.*` or `timing.*`, or listen to a task event such as `taskAccepted`"
                .into(),
        ));
    }
    if root.needs_action && ctx.action.is_none() {
        return Err((
            "`action.*` is only available to `on: { before: X }` and `on: { after: X }` listeners"
                .into(),
            "no action here",
            "listen to an action, or read `task.*`, `worker.*` or `timing.*`".into(),
        ));
    }
    let fields = catalog::root_fields(root.root, ctx.action);
    // A catalog value below an object Flex hands out (`sourceObject.x`),
    // named whole: the object itself is not readable.
    let whole = segments[1..].join(".");
    if let Some(field) = fields
        .iter()
        .find(|f| f.name.contains('.') && f.name == whole)
    {
        return Ok((
            Source {
                path: path.to_string(),
                root: root.root,
                segments: segments[1..].iter().map(|s| s.to_string()).collect(),
                value_type: field.ty,
            },
            field.optional,
        ));
    }
    let Some(name) = segments.get(1) else {
        return Err((
            format!("`{path}` names a whole object, not a value"),
            "needs a field",
            format!("name a field: {}", field_list(root.name, &fields)),
        ));
    };
    let Some(field) = fields.iter().find(|f| f.name == *name) else {
        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        return Err((
            format!("unknown field `{name}` in `{path}`"),
            "not in the catalog",
            suggest(name, &names, &format!("`{}` fields", root.name)),
        ));
    };
    let rest = &segments[2..];
    if !field.free_form && !rest.is_empty() {
        return Err((
            format!(
                "`{}.{}` is a plain value: it has no `{}`",
                root.name, name, rest[0]
            ),
            "nothing below this",
            format!("write `{}.{}`", root.name, name),
        ));
    }
    if field.free_form && rest.is_empty() {
        return Err((
            format!("`{path}` is a free-form object, not a value"),
            "needs a key below it",
            format!("name a key below it, e.g. `{path}.from`"),
        ));
    }
    if let Some(bad) = rest.iter().find(|s| !is_path_key(s)) {
        return Err((
            format!("`{bad}` cannot be read from `{path}`"),
            "not allowed",
            "path keys are letters, digits, `_` and `-`; `__proto__`, `constructor` and `prototype` are refused".into(),
        ));
    }
    Ok((
        Source {
            path: path.to_string(),
            root: root.root,
            segments: segments[1..].iter().map(|s| s.to_string()).collect(),
            value_type: field.ty,
        },
        field.optional,
    ))
}

fn field_list(root: &str, fields: &[SourceField]) -> String {
    fields
        .iter()
        .map(|f| format!("`{root}.{}`", f.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "did you mean" when one is close, else the list of what is allowed.
fn suggest(word: &str, allowed: &[&str], what: &str) -> String {
    match did_you_mean(word, allowed.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!(
            "known {what}: {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What [`validate`] found.
#[derive(Debug, Default)]
pub struct Findings<'s> {
    /// Every error; none means `lower` may run.
    pub errors: Vec<Diagnostic>,
    /// Sound but risky choices (a production build trusting a page on this
    /// machine): printed, and generation goes on.
    pub warnings: Vec<Diagnostic>,
    /// What the checks resolved: present exactly when `errors` is empty.
    pub validated: Option<Validated<'s>>,
}

/// A spec without errors, with everything its checks resolved: what `lower`
/// needs besides the spec's own text (names, docs, numbers).
#[derive(Debug)]
pub struct Validated<'s> {
    pub app: ValidApp<'s>,
    /// In spec order.
    pub triggers: Vec<ValidTrigger<'s>>,
}

#[derive(Debug)]
pub struct ValidApp<'s> {
    pub name: &'s str,
    pub flex_origin: &'s str,
    pub host_origins: Vec<&'s str>,
    pub dev_host_origins: Vec<&'s str>,
    pub embedding: Embedding,
    /// Present exactly with `host_in_flex`.
    pub crm_url: Option<CrmUrl>,
    /// `app.hide_crm_panel`, its default applied: never with `host_in_flex`.
    pub hide_crm_panel: bool,
}

#[derive(Debug)]
pub struct ValidTrigger<'s> {
    /// The trigger as written (summary, channel, ...).
    pub spec: &'s Trigger,
    pub name: &'s str,
    /// In spec order.
    pub fields: Vec<ValidField<'s>>,
    pub end: End<'s>,
}

impl ValidTrigger<'_> {
    pub fn direction(&self) -> Direction {
        match self.end {
            End::Invoke(_) | End::Show(_) => Direction::HostToFlex,
            End::Listen(_) => Direction::FlexToHost,
        }
    }
}

/// What a trigger does at the Flex end, by direction.
#[derive(Debug)]
pub enum End<'s> {
    /// host_to_flex: the action the plugin invokes.
    Invoke(ValidInvoke<'s>),
    /// flex_to_host: what the plugin listens to.
    Listen(ValidListen<'s>),
    /// host_to_flex with `show:`: what Flex shows of the data, and where.
    Show(ValidShow<'s>),
}

#[derive(Debug)]
pub struct ValidShow<'s> {
    pub place: ShowPlace,
    pub label: &'s str,
    /// The payload field naming the task.
    pub task_field: &'s str,
    /// Label and value, in spec order.
    pub fields: Vec<(&'s str, ValidShown<'s>)>,
}

#[derive(Debug)]
pub enum ValidShown<'s> {
    /// The payload field's name.
    Payload(&'s str),
    Task(Source),
}

#[derive(Debug)]
pub struct ValidField<'s> {
    /// The field as written (optional, doc, values, max_length).
    pub spec: &'s spec::Field,
    pub name: &'s str,
    pub ty: FieldType,
    /// The resolved `from:` paths, in order (flex_to_host only).
    pub sources: Vec<Source>,
}

#[derive(Debug)]
pub struct ValidInvoke<'s> {
    /// `invoke:` as written (timeout_ms).
    pub spec: &'s spec::Invoke,
    pub action: &'static Action,
    /// In spec order.
    pub args: Vec<ValidArg<'s>>,
}

/// `taskAttributes.crm_record_id: payload.crm_record_id`, split.
#[derive(Debug)]
pub struct ValidArg<'s> {
    /// The action payload key: `taskAttributes`.
    pub key: &'s str,
    /// Keys below it: `["crm_record_id"]`.
    pub nested: Vec<&'s str>,
    pub value: ValidArgValue<'s>,
}

#[derive(Debug)]
pub enum ValidArgValue<'s> {
    /// The name of the payload field that feeds it.
    Payload(&'s str),
    Literal(&'s serde_json::Value),
}

#[derive(Debug)]
pub struct ValidListen<'s> {
    pub kind: OnKind,
    /// The event or action name.
    pub name: &'s str,
    pub context: ListenContext,
    /// Channel filters first (in [`CHANNEL_FILTERS`] order), then `when:`.
    pub filters: Vec<ValidFilter>,
}

#[derive(Debug)]
pub struct ValidFilter {
    pub source: Source,
    pub equals: serde_json::Value,
}

/// Checks the whole spec.
pub fn validate<'s>(spec: &'s Spec, source: &str) -> Findings<'s> {
    let mut c = Checker {
        errors: Vec::new(),
        warnings: Vec::new(),
        source,
    };
    let resolved = c.spec(spec);
    let validated = match resolved {
        _ if !c.errors.is_empty() => None,
        Some(validated) => Some(validated),
        None => {
            // Every check that leaves something unresolved reports why; the
            // walk in `spec` reports what is missing. A bug otherwise.
            c.errors.push(
                Diagnostic::new(
                    "internal error: the spec passed every check but did not resolve",
                    None,
                )
                .help("please report this with the spec that caused it"),
            );
            None
        }
    };
    Findings {
        errors: c.errors,
        warnings: c.warnings,
        validated,
    }
}

struct Checker<'s> {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    source: &'s str,
}

impl Checker<'_> {
    fn error(
        &mut self,
        message: impl Into<String>,
        span: &Span,
        label: &str,
        help: impl Into<String>,
    ) {
        self.errors.push(
            Diagnostic::new(message, Some(span.clone()))
                .label(label)
                .help(help),
        );
    }

    /// A finding that does not stop generation (see [`Findings`]).
    fn warn(
        &mut self,
        message: impl Into<String>,
        span: &Span,
        label: &str,
        help: impl Into<String>,
    ) {
        self.warnings.push(
            Diagnostic::new(message, Some(span.clone()))
                .label(label)
                .help(help)
                .warning(),
        );
    }

    /// Looks a spec keyword up in the vocabulary; reports it, with the
    /// closest spelling, when it is not there.
    fn keyword<T>(
        &mut self,
        lookup: fn(&str) -> Option<T>,
        names: fn() -> Vec<&'static str>,
        word: &Item<String>,
        what: &str,
    ) -> Option<T> {
        let found = lookup(&word.value);
        if found.is_none() {
            let names = names();
            self.error(
                format!("unknown {what} `{}`", word.value),
                &word.span,
                &format!("not a {what}"),
                suggest(&word.value, &names, &format!("{what}s")),
            );
        }
        found
    }

    fn line_of(&self, span: &Span) -> usize {
        self.source[..span.start.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn spec<'s>(&mut self, spec: &'s Spec) -> Option<Validated<'s>> {
        if let Some(v) = &spec.version {
            if v.value != 1 {
                self.error(
                    format!("unsupported version {}", v.value),
                    &v.span,
                    "only version 1 exists",
                    "write `version: 1`",
                );
            }
        }
        let app = spec.app.as_ref().and_then(|app| self.app(&app.value));
        self.unique_names(
            spec.triggers.iter().filter_map(|t| t.name.as_ref()),
            "trigger",
            true,
        );
        // Every trigger is checked, whatever the ones before it resolved to.
        let triggers: Vec<Option<ValidTrigger>> =
            spec.triggers.iter().map(|t| self.trigger(t)).collect();
        self.bridge_members(&spec.triggers);
        self.plugin_names(&spec.triggers);
        Some(Validated {
            app: app?,
            triggers: triggers.into_iter().collect::<Option<_>>()?,
        })
    }

    /// A trigger's message type constant shares the plugin's module scope
    /// with the plugin's own constants.
    fn plugin_names(&mut self, triggers: &[Trigger]) {
        for name in triggers.iter().filter_map(|t| t.name.as_ref()) {
            let shouty = Names::new(&name.value).shouty;
            if catalog::PLUGIN_MODULE_NAMES.contains(&shouty.as_str()) {
                self.error(
                    format!(
                        "trigger `{}` would name its message type `{shouty}` in the Flex plugin, \
                         a name the plugin already uses",
                        name.value
                    ),
                    &name.span,
                    "clashes in the plugin",
                    format!(
                        "rename the trigger, e.g. `{}_changed`: {} are the plugin's own",
                        name.value,
                        catalog::PLUGIN_MODULE_NAMES
                            .iter()
                            .map(|n| format!("`{}`", n.to_lowercase()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }

    /// Each trigger becomes members of the host's `FlexBridge` (a command
    /// `x`: `x`, `js_x`, JS `x`; an event `x`: `on_x`, `js_on_x`, JS `onX`).
    /// They must not clash with the class's fixed members or each other, or
    /// the bridge would not compile.
    fn bridge_members(&mut self, triggers: &[Trigger]) {
        // Rust and JS members live in separate namespaces; `None` marks a
        // member every FlexBridge has, `Some` the trigger that took it.
        let fixed = |list: &[&'static str]| -> HashMap<String, Option<String>> {
            list.iter().map(|m| (m.to_string(), None)).collect()
        };
        const RUST: usize = 0;
        const JS: usize = 1;
        let mut members = [
            fixed(catalog::BRIDGE_RUST_MEMBERS),
            fixed(catalog::BRIDGE_JS_MEMBERS),
        ];
        for t in triggers {
            let (Some(name), Some(d)) = (&t.name, &t.direction) else {
                continue;
            };
            let Some(dir) = vocabulary::direction(&d.value) else {
                continue;
            };
            let m = BridgeMember::of(&Names::new(&name.value), dir);
            for (space, member) in [(RUST, m.rust), (JS, m.js), (RUST, m.js_export)] {
                let Some(taken) = members[space].get(&member) else {
                    members[space].insert(member, Some(name.value.clone()));
                    continue;
                };
                let (why, help) = match taken {
                    // A duplicate trigger name is reported on its own.
                    Some(other) if *other == name.value => break,
                    Some(other) => (
                        format!("trigger `{other}` has it too"),
                        format!("rename `{}` or `{other}`", name.value),
                    ),
                    None => (
                        "a member every FlexBridge has".to_string(),
                        "rename the trigger: `new`, `state`, `onStateChange` (an event \
                         `state_change`), `dispose` and `free` are the bridge's own"
                            .to_string(),
                    ),
                };
                self.error(
                    format!(
                        "trigger `{}` would give the host bridge a second member `{member}`: {why}",
                        name.value
                    ),
                    &name.span,
                    "clashes in FlexBridge",
                    help,
                );
                break;
            }
        }
    }

    fn app<'s>(&mut self, app: &'s spec::App) -> Option<ValidApp<'s>> {
        if let Some(name) = &app.name {
            let n = &name.value;
            if let Err((message, help)) = check_app_name(n) {
                self.error(message, &name.span, "not an app name", help);
            } else {
                let names = Names::new(n);
                self.reserved(
                    &names,
                    &[&names.snake, &names.pascal],
                    &name.span,
                    "app name",
                );
            }
        }
        if let Some(origin) = &app.flex_origin {
            if self.origin(&origin.value, &origin.span) && is_development_origin(&origin.value) {
                self.warn(
                    format!(
                        "`flex_origin` is the local origin `{}`: the host bridge would take \
                         any page served there for Flex",
                        origin.value
                    ),
                    &origin.span,
                    "a loopback or plain-http origin",
                    "use your hosted Flex (e.g. `https://flex.twilio.com`) in the spec you \
                     deploy: the host bridge has no development-only list like the plugin's \
                     `dev_host_origins` (`flexgen preview` points `flex_origin` at its \
                     simulator by itself)",
                );
            }
        }
        let hosts = app.host_origins.as_ref();
        let devs = app.dev_host_origins.as_ref();
        let mut seen: HashMap<&str, &Span> = HashMap::new();
        for origin in hosts.map(|h| h.value.as_slice()).unwrap_or_default() {
            let valid = self.origin(&origin.value, &origin.span);
            if let Some(first) = seen.insert(&origin.value, &origin.span) {
                let line = self.line_of(first);
                self.error(
                    format!("duplicate host origin `{}`", origin.value),
                    &origin.span,
                    "listed twice",
                    format!("remove it: it is already listed on line {line}"),
                );
            } else if valid && is_development_origin(&origin.value) {
                self.warn(
                    format!(
                        "a production build of the plugin trusts the local origin `{}`",
                        origin.value
                    ),
                    &origin.span,
                    "a loopback or plain-http origin",
                    "move it to `dev_host_origins`: development builds (`npm start`, \
                     `flexgen preview`) trust those as well, production builds (`npm run \
                     build`, `npm run deploy`) do not, so a deployed plugin never talks to a \
                     page on this machine's port",
                );
            }
        }
        if let Some(hosts) = hosts.filter(|h| h.value.is_empty()) {
            // (Empty with no development origins either is the walk's error.)
            if devs.is_some_and(|d| !d.value.is_empty()) {
                self.warn(
                    "no production host origin; a production build trusts no CRM page",
                    &hosts.span,
                    "empty",
                    "add the exact origin of the CRM page that embeds Flex in production, e.g. \
                     `host_origins: [https://crm.example.com]`; `dev_host_origins` are trusted \
                     by development builds only",
                );
            }
        }
        let mut seen_dev: HashMap<&str, &Span> = HashMap::new();
        for origin in devs.map(|d| d.value.as_slice()).unwrap_or_default() {
            if !self.origin(&origin.value, &origin.span) {
                continue;
            }
            if let Some(first) = seen_dev.insert(&origin.value, &origin.span) {
                let line = self.line_of(first);
                self.error(
                    format!("duplicate development host origin `{}`", origin.value),
                    &origin.span,
                    "listed twice",
                    format!("remove it: it is already listed on line {line}"),
                );
            } else if !is_loopback_origin(&origin.value) {
                self.error(
                    format!(
                        "`{}` in `dev_host_origins` is not a loopback origin",
                        origin.value
                    ),
                    &origin.span,
                    "not localhost, 127.0.0.1 or [::1]",
                    "`dev_host_origins` holds pages on this machine only (localhost, 127.0.0.1, \
                     [::1]); list the CRM's real origins under `host_origins`",
                );
            } else if let Some(first) = seen.get(origin.value.as_str()) {
                let line = self.line_of(first);
                self.error(
                    format!(
                        "`{}` is in both `host_origins` and `dev_host_origins`",
                        origin.value
                    ),
                    &origin.span,
                    "also a production origin",
                    format!(
                        "remove it from `host_origins` (line {line}), so that only \
                         development builds trust it"
                    ),
                );
            }
        }
        let texts = |list: Option<&'s Item<Vec<S<String>>>>| -> Vec<&'s str> {
            list.iter()
                .flat_map(|l| &l.value)
                .map(|o| o.value.as_str())
                .collect()
        };
        let trusted: Vec<&str> = texts(hosts).into_iter().chain(texts(devs)).collect();
        let (embedding, crm_url) = self.embedding(app, &trusted)?;
        let hide_crm_panel = self.hide_crm_panel(app, embedding)?;
        Some(ValidApp {
            name: &app.name.as_ref()?.value,
            flex_origin: &app.flex_origin.as_ref()?.value,
            host_origins: texts(hosts),
            dev_host_origins: texts(devs),
            embedding,
            crm_url,
            hide_crm_panel,
        })
    }

    /// `app.hide_crm_panel`: Flex's CRM panel is dead space when the CRM
    /// page frames Flex (hidden by default), and holds the CRM page when the
    /// plugin frames it there (never hidden).
    fn hide_crm_panel(&mut self, app: &spec::App, embedding: Embedding) -> Option<bool> {
        let written = app.hide_crm_panel.as_ref();
        match (embedding, written) {
            (Embedding::FlexInHost, None) => Some(true),
            (_, Some(item)) if !item.value => Some(false),
            (Embedding::FlexInHost, Some(_)) => Some(true),
            (Embedding::HostInFlex, None) => Some(false),
            (Embedding::HostInFlex, Some(item)) => {
                self.error(
                    format!(
                        "`hide_crm_panel: true` would hide the CRM page with `embedding: {}`",
                        vocabulary::HOST_IN_FLEX
                    ),
                    &item.span,
                    "the CRM panel holds the CRM page here",
                    format!(
                        "remove `hide_crm_panel` (or write `false`): with `{}` the plugin shows \
                         `crm_url` in Flex's CRM panel; it hides the panel only with `{}`, \
                         where the CRM page frames Flex",
                        vocabulary::HOST_IN_FLEX,
                        vocabulary::FLEX_IN_HOST
                    ),
                );
                None
            }
        }
    }

    /// `app.embedding` and the `crm_url` that `host_in_flex` needs (and
    /// only it takes); `trusted` are the origins the plugin may trust.
    fn embedding(
        &mut self,
        app: &spec::App,
        trusted: &[&str],
    ) -> Option<(Embedding, Option<CrmUrl>)> {
        let embedding = match &app.embedding {
            None => Embedding::default(),
            Some(word) => match vocabulary::embedding(&word.value) {
                Some(embedding) => embedding,
                None => {
                    let names = vocabulary::embedding_names();
                    let meanings: Vec<String> = vocabulary::EMBEDDINGS
                        .iter()
                        .map(|w| format!("`{}`: {}", w.name, w.gloss))
                        .collect();
                    self.error(
                        format!("unknown embedding `{}`", word.value),
                        &word.span,
                        "not an embedding",
                        format!(
                            "write {} under `app` ({})",
                            vocabulary::or_list(
                                &names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>()
                            ),
                            meanings.join("; ")
                        ),
                    );
                    return None;
                }
            },
        };
        let example = "https://crm.example.com/flex?task={task.taskSid}";
        match (embedding, &app.crm_url) {
            (Embedding::HostInFlex, None) => {
                let span = app.embedding.as_ref().map(|e| &e.span)?;
                self.error(
                    format!("`{}` needs `crm_url`", vocabulary::HOST_IN_FLEX),
                    span,
                    "no CRM page to frame",
                    format!(
                        "add the URL of the CRM page the plugin shows for each task under \
                         `app`, e.g. `crm_url: \"{example}\"`"
                    ),
                );
                None
            }
            (Embedding::HostInFlex, Some(url)) => match crm_url::parse(&url.value, trusted) {
                Ok(parsed) => Some((embedding, Some(parsed))),
                Err((message, label, help)) => {
                    self.error(message, &url.span, label, help);
                    None
                }
            },
            (Embedding::FlexInHost, Some(url)) => {
                self.error(
                    format!(
                        "`crm_url` is only used with `embedding: {}`",
                        vocabulary::HOST_IN_FLEX
                    ),
                    &url.span,
                    "Flex is framed by the CRM page here",
                    format!(
                        "remove `crm_url`, or add `embedding: {}` under `app` to have the \
                         plugin frame the CRM page inside Flex",
                        vocabulary::HOST_IN_FLEX
                    ),
                );
                None
            }
            (Embedding::FlexInHost, None) => Some((embedding, None)),
        }
    }

    /// Checks an origin's form; `true` when it is an exact origin.
    fn origin(&mut self, origin: &str, span: &Span) -> bool {
        match check_origin(origin) {
            Ok(()) => true,
            Err((message, help)) => {
                self.error(message, span, "not an exact origin", help);
                false
            }
        }
    }

    /// Identifier rules for trigger and field names.
    fn name(&mut self, name: &Item<String>, what: &str, pascal: bool) -> bool {
        let n = &name.value;
        if !is_identifier(n) || n.len() > MAX_NAME_LEN {
            let suggestion = heck::ToSnakeCase::to_snake_case(n.as_str());
            let help = if n.len() > MAX_NAME_LEN {
                format!("shorten it to at most {MAX_NAME_LEN} characters")
            } else if suggestion != *n
                && !suggestion.is_empty()
                && suggestion.starts_with(|c: char| c.is_ascii_lowercase())
            {
                format!("use snake_case: `{suggestion}`")
            } else {
                "use snake_case: `[a-z][a-z0-9_]*`, no double or trailing `_`".to_string()
            };
            self.error(
                format!("`{n}` is not a valid {what} name"),
                &name.span,
                "not a snake_case identifier",
                help,
            );
            return false;
        }
        let names = Names::new(n);
        let mut forms = vec![&names.snake, &names.camel];
        if pascal {
            forms.push(&names.pascal);
        }
        self.reserved(&names, &forms, &name.span, &format!("{what} name"))
    }

    fn reserved(&mut self, names: &Names, forms: &[&String], span: &Span, what: &str) -> bool {
        let Some(word) = forms.iter().find(|f| catalog::is_reserved(f)) else {
            return true;
        };
        let language = match (
            catalog::TS_RESERVED.contains(&word.as_str()),
            catalog::RUST_RESERVED.contains(&word.as_str()),
        ) {
            (true, true) => "TypeScript and Rust",
            (true, false) => "TypeScript",
            _ => "Rust",
        };
        let via = if **word == names.original {
            String::new()
        } else {
            format!(" (as `{word}`)")
        };
        self.error(
            format!(
                "{what} `{}` is a reserved word in {language}{via}",
                names.original
            ),
            span,
            "reserved word",
            format!("choose another name, e.g. `{}_value`", names.snake),
        );
        false
    }

    /// Exact duplicates and names that collide once converted to other cases.
    fn unique_names<'a>(
        &mut self,
        names: impl Iterator<Item = &'a Item<String>>,
        what: &str,
        pascal: bool,
    ) {
        let mut seen: HashMap<String, (&'a Item<String>, &'static str)> = HashMap::new();
        for item in names {
            let names = Names::new(&item.value);
            let mut forms = vec![
                (names.original.clone(), "as written"),
                (names.snake.clone(), "in snake_case"),
                (names.camel.clone(), "in camelCase"),
                (names.shouty.clone(), "in SHOUTY_CASE"),
            ];
            if pascal {
                forms.push((names.pascal.clone(), "in PascalCase"));
            }
            // One report per name, for the first form that clashes.
            let clash = forms
                .iter()
                .find_map(|(form, how)| seen.get(form).map(|(first, _)| (*first, *how, form)));
            if let Some((first, how, form)) = clash {
                let line = self.line_of(&first.span);
                let message = if first.value == item.value {
                    format!("duplicate {what} name `{}`", item.value)
                } else {
                    format!(
                        "{what} name `{}` collides with `{}` {how} (`{form}`)",
                        item.value, first.value
                    )
                };
                self.error(
                    message,
                    &item.span,
                    "name already used",
                    format!("rename one of them: `{}` is on line {line}", first.value),
                );
                continue;
            }
            for (form, how) in forms {
                seen.entry(form).or_insert((item, how));
            }
        }
    }

    fn trigger<'s>(&mut self, t: &'s Trigger) -> Option<ValidTrigger<'s>> {
        if let Some(name) = &t.name {
            self.name(name, "trigger", true);
        }
        let direction = t.direction.as_ref().and_then(|d| {
            self.keyword(
                vocabulary::direction,
                vocabulary::direction_names,
                d,
                "direction",
            )
        });
        self.channel(t);
        let keyed_names: Vec<Item<String>> = t
            .payload
            .iter()
            .map(|(name, _)| Item {
                key: name.span.clone(),
                value: name.value.clone(),
                span: name.span.clone(),
            })
            .collect();
        self.unique_names(keyed_names.iter(), "payload field", false);
        let mut types = Vec::new();
        for (name, field) in &t.payload {
            let item = Item {
                key: name.span.clone(),
                value: name.value.clone(),
                span: name.span.clone(),
            };
            self.name(&item, "payload field", false);
            types.push(self.field(name, field, direction));
        }
        let (end, mut sources) = match direction? {
            Direction::HostToFlex => (self.host_to_flex(t), vec![Vec::new(); t.payload.len()]),
            Direction::FlexToHost => match self.flex_to_host(t) {
                Some((listen, sources)) => (Some(End::Listen(listen)), sources),
                None => (None, Vec::new()),
            },
        };
        sources.resize(t.payload.len(), Vec::new());
        let fields = t
            .payload
            .iter()
            .zip(types)
            .zip(sources)
            .map(|(((name, field), ty), sources)| {
                Some(ValidField {
                    spec: field,
                    name: &name.value,
                    ty: ty?,
                    sources,
                })
            })
            .collect::<Option<_>>()?;
        Some(ValidTrigger {
            spec: t,
            name: &t.name.as_ref()?.value,
            fields,
            end: end?,
        })
    }

    fn channel(&mut self, t: &Trigger) {
        if let Some(channel) = &t.channel {
            if !catalog::CHANNELS.contains(&channel.value.as_str()) {
                let help = if catalog::CHANNEL_TYPES.contains(&channel.value.as_str()) {
                    format!(
                        "`{}` is a channel type of chat tasks: write `channel: chat` and `channel_type: {}`",
                        channel.value, channel.value
                    )
                } else {
                    suggest(&channel.value, catalog::CHANNELS, "task channels")
                };
                self.error(
                    format!("unknown task channel `{}`", channel.value),
                    &channel.span,
                    "not a task channel",
                    help,
                );
            }
        }
        if let Some(ct) = &t.channel_type {
            if !catalog::CHANNEL_TYPES.contains(&ct.value.as_str()) {
                self.error(
                    format!("unknown channel type `{}`", ct.value),
                    &ct.span,
                    "not a channel type",
                    suggest(&ct.value, catalog::CHANNEL_TYPES, "channel types"),
                );
            }
            if let Some(channel) = &t.channel {
                if channel.value != catalog::CHANNEL_TYPE_CHANNEL
                    && catalog::CHANNELS.contains(&channel.value.as_str())
                {
                    self.error(
                        format!(
                            "`channel_type` needs `channel: chat`, not `{}`",
                            channel.value
                        ),
                        &ct.key,
                        "only chat tasks have a channel type",
                        "write `channel: chat`, or remove `channel_type`",
                    );
                }
            }
        }
    }

    /// Checks a payload field; its type when it has a known one.
    fn field(
        &mut self,
        name: &S<String>,
        f: &spec::Field,
        direction: Option<Direction>,
    ) -> Option<FieldType> {
        let ty = f.ty.as_ref().and_then(|t| {
            self.keyword(
                vocabulary::field_type,
                vocabulary::field_type_names,
                t,
                "field type",
            )
        });
        if let (Some(ml), Some(ty)) = (&f.max_length, ty) {
            let word = vocabulary::field_type_word(ty);
            if word.length != Length::Bounded {
                let why = match word.length {
                    Length::Fixed(n) => {
                        format!("{} is always at most {n} characters", word.noun)
                    }
                    Length::LongestValue => {
                        format!("{} is bounded by its longest value", word.noun)
                    }
                    _ => "only strings have a length".to_string(),
                };
                self.error(
                    "`max_length` only applies to `type: string`",
                    &ml.key,
                    "not for this type",
                    format!("remove it: {why}"),
                );
            } else {
                self.range(ml, "max_length", MAX_LENGTH);
            }
        }
        match (&f.values, ty) {
            (Some(values), Some(t)) if t != FieldType::Enum => {
                self.error(
                    "`values` only applies to `type: enum`",
                    &values.key,
                    "not an enum",
                    "remove `values`, or write `type: enum`",
                );
            }
            (Some(values), _) => {
                let mut seen: HashMap<&str, &Span> = HashMap::new();
                for v in &values.value {
                    if v.value.is_empty() {
                        self.error(
                            "enum values may not be empty",
                            &v.span,
                            "empty value",
                            "remove it or give it a name",
                        );
                    } else if let Some(first) = seen.insert(&v.value, &v.span) {
                        let line = self.line_of(first);
                        self.error(
                            format!("duplicate enum value `{}`", v.value),
                            &v.span,
                            "listed twice",
                            format!("remove it: it is already listed on line {line}"),
                        );
                    } else if v.value.encode_utf16().count() > MAX_LENGTH.max as usize {
                        // Counted as JavaScript counts `length` (UTF-16 units),
                        // like every other max_length the two ends check.
                        self.error(
                            "enum value is too long",
                            &v.span,
                            "too long",
                            format!(
                                "keep it to {} UTF-16 units (JavaScript's `length`)",
                                MAX_LENGTH.max
                            ),
                        );
                    }
                }
            }
            (None, Some(FieldType::Enum)) => {
                let at = f.ty.as_ref().map_or(&name.span, |t| &t.span);
                self.error(
                    format!("enum field `{}` has no `values`", name.value),
                    at,
                    "needs `values`",
                    "add `values: [first, second]` with one or more distinct values",
                );
            }
            _ => {}
        }
        match (direction, &f.from) {
            (Some(Direction::HostToFlex), Some(from)) => self.error(
                format!("`from` is only for {FLEX_TO_HOST} payload fields"),
                &from.key,
                &format!("{HOST_TO_FLEX} field"),
                "remove `from`: the host page supplies this value when it sends the command",
            ),
            (Some(Direction::FlexToHost), None) => self.error(
                format!(
                    "payload field `{}` of a {FLEX_TO_HOST} trigger has no `from`",
                    name.value
                ),
                &name.span,
                "`from` missing",
                "add `from:` with the source path the plugin reads, e.g. `from: task.taskSid`",
            ),
            _ => {}
        }
        ty
    }

    fn range(&mut self, item: &Item<i64>, key: &str, Range { min, max, .. }: Range) {
        if !(min..=max).contains(&item.value) {
            self.error(
                format!(
                    "`{key}` must be between {min} and {max}, found {}",
                    item.value
                ),
                &item.span,
                "out of range",
                format!("write a value from {min} to {max}"),
            );
        }
    }

    /// A key that only belongs to the other direction.
    fn misplaced(&mut self, key: Option<&Span>, name: &str, direction: Direction, help: &str) {
        if let Some(span) = key {
            let direction = vocabulary::direction_name(direction);
            self.error(
                format!("`{name}` is not allowed on a {direction} trigger"),
                span,
                "wrong direction",
                help,
            );
        }
    }

    fn host_to_flex<'s>(&mut self, t: &'s Trigger) -> Option<End<'s>> {
        self.misplaced(
            t.on.as_ref().map(|i| &i.key),
            "on",
            Direction::HostToFlex,
            &format!(
                "remove `on`: {HOST_TO_FLEX} triggers `invoke` a Flex action; use \
                 `direction: {FLEX_TO_HOST}` to listen"
            ),
        );
        self.misplaced(
            t.when.as_ref().map(|i| &i.key),
            "when",
            Direction::HostToFlex,
            &format!("remove `when`: filters only apply to {FLEX_TO_HOST} triggers"),
        );
        if let Some(inr) = &t.if_not_ready {
            if let Some(q) = &inr.value.queue_for_ms {
                self.range(q, "queue_for_ms", QUEUE_FOR_MS);
            }
        }
        if let (Some(_), Some(show)) = (&t.invoke, &t.show) {
            self.error(
                "`show` and `invoke` cannot both be set",
                &show.key,
                "a second thing to do",
                "a trigger either runs a Flex action (`invoke`) or shows data in Flex (`show`): split it into two triggers",
            );
            return None;
        }
        if let Some(show) = &t.show {
            return self.show(t, &show.value, &show.key).map(End::Show);
        }
        let Some(invoke) = &t.invoke else {
            let at = t.direction.as_ref().map_or(&t.span, |d| &d.key);
            self.error(
                format!("a {HOST_TO_FLEX} trigger needs `invoke` or `show`"),
                at,
                "no `invoke`",
                "add `invoke: { action: <FlexAction>, args: { ... } }` to run a Flex action, or `show: { label: ..., task: payload.<field>, fields: { ... } }` to show the data in Flex",
            );
            return None;
        };
        let inv = &invoke.value;
        if let Some(timeout) = &inv.timeout_ms {
            self.range(timeout, "timeout_ms", TIMEOUT_MS);
        }
        let action_name = inv.action.as_ref()?;
        let Some(action) = catalog::action(&action_name.value) else {
            self.error(
                format!("unknown Flex action `{}`", action_name.value),
                &action_name.span,
                "not in the catalog",
                suggest(&action_name.value, &catalog::action_names(), "actions"),
            );
            return None;
        };
        let payload: HashMap<&str, &spec::Field> = t
            .payload
            .iter()
            .map(|(n, f)| (n.value.as_str(), f))
            .collect();
        let mut args = Vec::new();
        for (key, arg) in &inv.args {
            let (head, below) = match key.value.split_once('.') {
                Some((head, below)) => (head, Some(below)),
                None => (key.value.as_str(), None),
            };
            let Some(target) = action.fields.iter().find(|f| f.name == head) else {
                let names: Vec<&str> = action.fields.iter().map(|f| f.name).collect();
                self.error(
                    format!("`{head}` is not a payload key of `{}`", action.name),
                    &key.span,
                    "unknown key",
                    suggest(head, &names, &format!("`{}` keys", action.name)),
                );
                args.push(None);
                continue;
            };
            match (below, arg) {
                (Some(below), _) => self.nested_arg(key, below, target, action, arg, &payload),
                (None, ArgSpec::Path(path)) => self.payload_arg(path, target, action, &payload),
                (None, ArgSpec::Literal(lit)) => self.literal_arg(lit, target),
            }
            // A path that is not `payload.<field>` has been reported above.
            let value = match arg {
                ArgSpec::Path(path) => path
                    .value
                    .strip_prefix("payload.")
                    .map(ValidArgValue::Payload),
                ArgSpec::Literal(lit) => Some(ValidArgValue::Literal(&lit.value)),
            };
            args.push(value.map(|value| ValidArg {
                key: head,
                nested: below.map_or_else(Vec::new, |b| b.split('.').collect()),
                value,
            }));
        }
        // Keys below a non-object argument already have their own error.
        let settable: Vec<(S<String>, ArgSpec)> = inv
            .args
            .iter()
            .filter(|(k, _)| {
                !k.value.contains('.')
                    || action.fields.iter().any(|f| {
                        k.value.split('.').next() == Some(f.name)
                            && matches!(f.ty, ActionFieldType::Object | ActionFieldType::Any)
                    })
            })
            .cloned()
            .collect();
        self.args_overlap(&settable);
        for required in action.fields.iter().filter(|f| !f.optional) {
            let given: Vec<&(S<String>, ArgSpec)> = inv
                .args
                .iter()
                .filter(|(k, _)| k.value.split('.').next() == Some(required.name))
                .collect();
            // Given only key by key, each key from an optional payload
            // field: without them Flex would get an empty object (for
            // `SetTaskAttributes.attributes` with `mergeExisting: false`,
            // a task stripped of its attributes).
            let may_be_empty = !given.is_empty()
                && given.iter().all(|(k, arg)| {
                    k.value.contains('.')
                        && matches!(arg, ArgSpec::Path(path) if path
                            .value
                            .strip_prefix("payload.")
                            .and_then(|name| payload.get(name))
                            .is_some_and(|f| f.is_optional()))
                });
            if may_be_empty {
                let (first, _) = given[0];
                self.error(
                    format!(
                        "`{}.{}` is required, but every value set inside it may be absent",
                        action.name, required.name
                    ),
                    &first.span,
                    "only optional fields below",
                    format!(
                        "make one of those payload fields required, set a key inside `{}` to a literal, or give `{}` whole",
                        required.name, required.name
                    ),
                );
            }
            if given.is_empty() {
                self.error(
                    format!("`{}` needs `{}` in its args", action.name, required.name),
                    &action_name.span,
                    "required key missing",
                    format!(
                        "add `{}: payload.<field>` (or a literal) under `args`",
                        required.name
                    ),
                );
            }
        }
        Some(End::Invoke(ValidInvoke {
            spec: inv,
            action,
            args: args.into_iter().collect::<Option<_>>()?,
        }))
    }

    /// `show:`: where, the label, the task, and each row's source.
    fn show<'s>(
        &mut self,
        t: &'s Trigger,
        show: &'s spec::Show,
        key: &Span,
    ) -> Option<ValidShow<'s>> {
        let place = match &show.place {
            None => SHOW_PLACES[0].place,
            // An unknown place is reported; the rest is still checked.
            Some(p) => self
                .keyword(
                    vocabulary::show_place,
                    vocabulary::show_place_names,
                    p,
                    "place",
                )
                .unwrap_or(SHOW_PLACES[0].place),
        };
        let label = show.label.as_ref()?;
        self.label(&label.value, &label.span, "`show.label`");
        let payload: HashMap<&str, &spec::Field> = t
            .payload
            .iter()
            .map(|(n, f)| (n.value.as_str(), f))
            .collect();
        let task = show.task.as_ref()?;
        let task_field = self.task_field(task, &payload);
        if show.fields.is_empty() {
            self.error(
                "`show.fields` is empty",
                key,
                "nothing to show",
                "add one or more `Label: payload.<field>` or `Label: task.<path>` lines",
            );
        }
        if show.fields.len() > MAX_SHOWN_FIELDS {
            self.error(
                format!("`show.fields` has {} rows", show.fields.len()),
                key,
                "too many",
                format!("show at most {MAX_SHOWN_FIELDS}; a tab is not a record page"),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut fields = Vec::new();
        for (label, path) in &show.fields {
            self.label(&label.value, &label.span, "a `show.fields` label");
            if seen.contains(&label.value.as_str()) {
                self.error(
                    format!("`{}` labels two rows", label.value),
                    &label.span,
                    "second row with this label",
                    "give each row its own label",
                );
            }
            seen.push(&label.value);
            fields.push(
                self.shown(path, &payload)
                    .map(|v| (label.value.as_str(), v)),
            );
        }
        Some(ValidShow {
            place,
            label: &label.value,
            task_field: task_field?,
            fields: fields.into_iter().collect::<Option<_>>()?,
        })
    }

    /// A tab or row label: text of 1 to [`MAX_LABEL_LEN`] characters.
    fn label(&mut self, text: &str, span: &Span, what: &str) {
        let len = text.chars().count();
        if text.trim().is_empty() || len > MAX_LABEL_LEN || text.chars().any(char::is_control) {
            self.error(
                format!("{what} must be 1 to {MAX_LABEL_LEN} characters of text on one line"),
                span,
                if len > MAX_LABEL_LEN {
                    "too long"
                } else {
                    "not a label"
                },
                "write a short title, e.g. `Customer` or `CRM id`",
            );
        }
    }

    /// `task: payload.<field>`: a required string field.
    fn task_field<'s>(
        &mut self,
        task: &'s Item<String>,
        payload: &HashMap<&str, &spec::Field>,
    ) -> Option<&'s str> {
        let help = "write `task: payload.<field>`, naming a required `type: string` payload field that carries the task sid (`WT...`) or reservation sid (`WR...`)";
        let Some(name) = task.value.strip_prefix("payload.") else {
            self.error(
                format!("`{}` does not name a payload field", task.value),
                &task.span,
                "not `payload.<field>`",
                help,
            );
            return None;
        };
        let Some(field) = payload.get(name) else {
            self.error(
                format!("`{name}` is not a payload field of this trigger"),
                &task.span,
                "no such field",
                help,
            );
            return None;
        };
        let string = field
            .ty
            .as_ref()
            .is_some_and(|t| field_type(&t.value) == Some(FieldType::String));
        if !string || field.is_optional() {
            self.error(
                format!("`{name}` must be a required string to name the task"),
                &task.span,
                "not a required string",
                help,
            );
            return None;
        }
        Some(name)
    }

    /// One `show.fields` value: `payload.<field>` or `task.<path>`.
    fn shown<'s>(
        &mut self,
        path: &'s S<String>,
        payload: &HashMap<&str, &spec::Field>,
    ) -> Option<ValidShown<'s>> {
        if let Some(name) = path.value.strip_prefix("payload.") {
            if !payload.contains_key(name) {
                let names: Vec<&str> = payload.keys().copied().collect();
                self.error(
                    format!("`{name}` is not a payload field of this trigger"),
                    &path.span,
                    "no such field",
                    suggest(name, &names, "payload fields"),
                );
                return None;
            }
            return Some(ValidShown::Payload(name));
        }
        if !path.value.starts_with("task.") {
            self.error(
                format!("`{}` is neither `payload.<field>` nor `task.<path>`", path.value),
                &path.span,
                "not a shown value",
                "show what the CRM sent (`payload.<field>`) or what Flex has for the task (`task.<path>`, e.g. `task.attributes.from`)",
            );
            return None;
        }
        let ctx = ListenContext {
            subject: Subject::Task,
            action: None,
        };
        match resolve_source(&path.value, &ctx) {
            Ok((source, _)) => Some(ValidShown::Task(source)),
            Err((message, label, help)) => {
                self.error(message, &path.span, label, help);
                None
            }
        }
    }

    fn payload_arg(
        &mut self,
        path: &S<String>,
        target: &catalog::PayloadField,
        action: &Action,
        payload: &HashMap<&str, &spec::Field>,
    ) {
        let Some(field_name) = path.value.strip_prefix("payload.") else {
            self.error(
                format!("`{}` is not a payload path", path.value),
                &path.span,
                "expected `payload.<field>`",
                format!(
                    "write `payload.<field>`; a string literal goes in `{{ value: \"{}\" }}`",
                    path.value
                ),
            );
            return;
        };
        let Some(field) = payload.get(field_name) else {
            let names: Vec<&str> = payload.keys().copied().collect();
            let mut sorted = names.clone();
            sorted.sort();
            self.error(
                format!("this trigger has no payload field `{field_name}`"),
                &path.span,
                "unknown payload field",
                if sorted.is_empty() {
                    "declare it under `payload:` first".to_string()
                } else {
                    suggest(field_name, &sorted, "payload fields")
                },
            );
            return;
        };
        let Some(ty) = field.ty.as_ref().and_then(|t| field_type(&t.value)) else {
            return;
        };
        if target.ty == ActionFieldType::Task {
            self.error(
                format!(
                    "`{}.task` takes a task object, which the host cannot send",
                    action.name
                ),
                &path.span,
                "not a task",
                "pass the reservation sid (WR...) through `sid` instead",
            );
            return;
        }
        let fits = ARG_FITS
            .iter()
            .find(|(t, _)| *t == target.ty)
            .is_none_or(|(_, ok)| ok.contains(&ty));
        if !fits {
            self.error(
                format!(
                    "field type `{}` cannot feed `{}.{}`, which takes {}",
                    type_name(ty),
                    action.name,
                    target.name,
                    action_type_name(target.ty)
                ),
                &path.span,
                "type mismatch",
                match target.ty {
                    ActionFieldType::Object => {
                        "pass an object literal: `{ value: { ... } }`".to_string()
                    }
                    _ => format!(
                        "declare the payload field with a type that fits {}",
                        action_type_name(target.ty)
                    ),
                },
            );
        }
        let optional = field.is_optional();
        if optional && !target.optional {
            self.error(
                format!(
                    "optional payload field `{field_name}` feeds `{}.{}`, which is required",
                    action.name, target.name
                ),
                &path.span,
                "may be absent",
                format!("remove `optional: true` from `{field_name}`, or pass a literal"),
            );
        }
    }

    /// `taskAttributes.crm_record_id: payload.crm_record_id`: a value set
    /// below an object argument. Any payload type fits (the object is JSON).
    fn nested_arg(
        &mut self,
        key: &S<String>,
        below: &str,
        target: &catalog::PayloadField,
        action: &Action,
        arg: &ArgSpec,
        payload: &HashMap<&str, &spec::Field>,
    ) {
        if !matches!(target.ty, ActionFieldType::Object | ActionFieldType::Any) {
            self.error(
                format!(
                    "`{}.{}` takes {}: it has no keys to set",
                    action.name,
                    target.name,
                    action_type_name(target.ty)
                ),
                &key.span,
                "not an object",
                format!("write `{}: payload.<field>` or a literal", target.name),
            );
            return;
        }
        if let Some(bad) = below.split('.').find(|s| s.is_empty() || !is_path_key(s)) {
            self.error(
                format!("`{bad}` cannot be a key of `{}.{}`", action.name, target.name),
                &key.span,
                "not allowed",
                "keys are letters, digits, `_` and `-`, joined by `.`; `__proto__`, `constructor` and `prototype` are refused",
            );
            return;
        }
        match arg {
            ArgSpec::Path(path) => self.payload_arg(path, &INSIDE_OBJECT, action, payload),
            ArgSpec::Literal(lit) => self.literal_arg(lit, &INSIDE_OBJECT),
        }
    }

    /// Two args that set the same place: `a.b` and `a.b.c`, or a key that a
    /// literal object given for `a` already holds.
    fn args_overlap(&mut self, args: &[(S<String>, ArgSpec)]) {
        for (i, (key, _)) in args.iter().enumerate() {
            let path: Vec<&str> = key.value.split('.').collect();
            for (other, value) in &args[..i] {
                let earlier: Vec<&str> = other.value.split('.').collect();
                let (short, long, literal) = if earlier.len() <= path.len() {
                    (&earlier, &path, value)
                } else {
                    (&path, &earlier, &args[i].1)
                };
                if !long.starts_with(short) {
                    continue;
                }
                // A literal object may take keys below it that it lacks.
                let room = match literal {
                    ArgSpec::Literal(lit) if short.len() < long.len() => {
                        free_below(&lit.value, &long[short.len()..])
                    }
                    _ => false,
                };
                if !room {
                    let line = self.line_of(&other.span);
                    self.error(
                        format!("`{}` is set twice", long.join(".")),
                        &key.span,
                        "set twice",
                        format!("keep one: `{}` on line {line} sets it too", other.value),
                    );
                }
            }
        }
    }

    fn literal_arg(&mut self, lit: &Literal, target: &catalog::PayloadField) {
        use serde_json::Value;
        let fits = match target.ty {
            ActionFieldType::String => lit.value.is_string(),
            ActionFieldType::Number => lit.value.is_number(),
            ActionFieldType::Boolean => lit.value.is_boolean(),
            ActionFieldType::Object => lit.value.is_object(),
            ActionFieldType::Task => false,
            ActionFieldType::Any => !matches!(lit.value, Value::Null),
        };
        if !fits {
            self.error(
                format!(
                    "`{}` takes {}, found {}",
                    target.name,
                    action_type_name(target.ty),
                    json_kind(&lit.value)
                ),
                &lit.span,
                "type mismatch",
                match target.ty {
                    ActionFieldType::Task => {
                        "pass the reservation sid through `sid` instead".to_string()
                    }
                    ActionFieldType::String => {
                        "write a string literal as `{ value: \"...\" }`".to_string()
                    }
                    _ => format!("give {}", action_type_name(target.ty)),
                },
            );
        }
        if has_dangerous_key(&lit.value) {
            self.error(
                "literal objects may not use `__proto__`, `constructor` or `prototype` as keys",
                &lit.span,
                "dangerous key",
                "rename the key",
            );
        }
    }

    /// Checks a flex_to_host trigger; what it listens to, with its filters,
    /// and the sources of each payload field (in payload order).
    fn flex_to_host<'s>(&mut self, t: &'s Trigger) -> Option<(ValidListen<'s>, Vec<Vec<Source>>)> {
        self.misplaced(
            t.invoke.as_ref().map(|i| &i.key),
            "invoke",
            Direction::FlexToHost,
            &format!(
                "remove `invoke`: {FLEX_TO_HOST} triggers listen with `on`; use \
                 `direction: {HOST_TO_FLEX}` to run a Flex action"
            ),
        );
        self.misplaced(
            t.show.as_ref().map(|i| &i.key),
            "show",
            Direction::FlexToHost,
            &format!(
                "remove `show`: data Flex shows comes from the CRM; use `direction: {HOST_TO_FLEX}`"
            ),
        );
        self.misplaced(
            t.if_not_ready.as_ref().map(|i| &i.key),
            "if_not_ready",
            Direction::FlexToHost,
            &format!("remove `if_not_ready`: it only applies to {HOST_TO_FLEX} commands"),
        );
        let Some(on) = &t.on else {
            let at = t.direction.as_ref().map_or(&t.span, |d| &d.key);
            self.error(
                format!("a {FLEX_TO_HOST} trigger needs `on`"),
                at,
                "no `on`",
                "add `on: { event: taskAccepted }` (or `{ after: Action }` / `{ before: Action }`)",
            );
            return None;
        };
        let on = &on.value;
        if let (OnKind::Event, Some(never)) =
            (on.kind.value, catalog::unobservable_event(&on.name.value))
        {
            self.error(
                format!("a plugin cannot listen to `{}`", never.name),
                &on.name.span,
                "never reaches a plugin",
                format!(
                    "{}; listen to `pluginsInitialized` to act once Flex and its plugins are up",
                    never.why
                ),
            );
            return None;
        }
        let Some(ctx) = listen_context(on.kind.value, &on.name.value) else {
            let (what, names) = match on.kind.value {
                OnKind::Event => ("Flex event", catalog::event_names()),
                _ => ("Flex action", catalog::action_names()),
            };
            let mut help = suggest(&on.name.value, &names, &format!("{what}s"));
            // A name of the other kind is a common mix-up.
            if on.kind.value == OnKind::Event && catalog::action(&on.name.value).is_some() {
                help = format!(
                    "`{0}` is an action: write `on: {{ after: {0} }}`",
                    on.name.value
                );
            } else if on.kind.value != OnKind::Event && catalog::event(&on.name.value).is_some() {
                help = format!(
                    "`{0}` is an event: write `on: {{ event: {0} }}`",
                    on.name.value
                );
            }
            self.error(
                format!("unknown {what} `{}`", on.name.value),
                &on.name.span,
                "not in the catalog",
                help,
            );
            return None;
        };
        if ctx.subject != Subject::Task {
            for filter in CHANNEL_FILTERS {
                let key = filter.key;
                if let Some(item) = channel_item(t, filter) {
                    self.error(
                        format!(
                            "`{key}` cannot filter `{}`: it concerns no task",
                            on.name.value
                        ),
                        &item.key,
                        "no task to filter",
                        format!("remove `{key}`, or listen to a task event"),
                    );
                }
            }
        }
        let sources: Vec<Option<Vec<Source>>> = t
            .payload
            .iter()
            .map(|(name, field)| match &field.from {
                Some(from) => self.source_field(name, field, from, &ctx),
                None => Some(Vec::new()),
            })
            .collect();
        let mut filters = Vec::new();
        let mut resolved = true;
        for filter in CHANNEL_FILTERS {
            let Some(item) = channel_item(t, filter) else {
                continue;
            };
            // Without a task this is an error reported above.
            match resolve_source(filter.path, &ctx) {
                Ok((source, _)) => filters.push(ValidFilter {
                    source,
                    equals: serde_json::Value::String(item.value.clone()),
                }),
                Err(_) => resolved = false,
            }
        }
        if let Some(when) = &t.when {
            for (path, lit) in &when.value {
                match resolve_source(&path.value, &ctx) {
                    Err((message, label, help)) => {
                        self.error(message, &path.span, label, help);
                        resolved = false;
                    }
                    Ok((source, _)) => {
                        self.filter_literal(&source, lit);
                        self.filter_twice(t, &source, &path.span);
                        filters.push(ValidFilter {
                            source,
                            equals: lit.value.clone(),
                        });
                    }
                }
            }
        }
        let sources = sources.into_iter().collect::<Option<_>>()?;
        resolved.then_some((
            ValidListen {
                kind: on.kind.value,
                name: &on.name.value,
                context: ctx,
                filters,
            },
            sources,
        ))
    }

    /// `channel:` and `channel_type:` are filters on task paths too; a `when`
    /// on the same path would be a second, conflicting test of one value.
    fn filter_twice(&mut self, t: &Trigger, source: &Source, span: &Span) {
        for filter in CHANNEL_FILTERS {
            let (key, path) = (filter.key, filter.path);
            if let (Some(item), true) = (channel_item(t, filter), source.path == path) {
                self.error(
                    format!(
                        "`{path}` is filtered twice: by `{key}: {}` and here",
                        item.value
                    ),
                    span,
                    "filtered twice",
                    format!("keep one: remove this filter, or `{key}:`"),
                );
            }
        }
    }

    /// Checks a field's `from:`; its sources when every one resolves.
    fn source_field(
        &mut self,
        name: &S<String>,
        field: &spec::Field,
        from: &Item<Vec<S<String>>>,
        ctx: &ListenContext,
    ) -> Option<Vec<Source>> {
        let ty = field.ty.as_ref().and_then(|t| field_type(&t.value));
        let mut sources = Vec::new();
        let mut seen: HashMap<&str, &Span> = HashMap::new();
        // Absent at run time only when every source may be.
        let mut all_optional = true;
        let mut all_resolved = true;
        for path in &from.value {
            if let Some(first) = seen.insert(&path.value, &path.span) {
                let line = self.line_of(first);
                self.error(
                    format!("`{}` is listed twice in `from`", path.value),
                    &path.span,
                    "listed twice",
                    format!("remove it: it is already tried on line {line}"),
                );
                continue;
            }
            let (source, source_optional) = match resolve_source(&path.value, ctx) {
                Ok(found) => found,
                Err((message, label, help)) => {
                    self.error(message, &path.span, label, help);
                    all_resolved = false;
                    continue;
                }
            };
            all_optional &= source_optional;
            let value_type = source.value_type;
            sources.push(source);
            let Some(ty) = ty else { continue };
            if let Some((_, fits)) = SOURCE_FITS.iter().find(|(v, _)| *v == value_type) {
                if !fits.contains(&ty) {
                    let want: Vec<&str> = fits.iter().map(|t| type_name(*t)).collect();
                    self.error(
                        format!(
                            "`{}` is a {}, which cannot feed a field of type `{}`",
                            path.value,
                            value_type_name(value_type),
                            type_name(ty)
                        ),
                        &path.span,
                        "type mismatch",
                        format!(
                            "declare `{}` as {}",
                            name.value,
                            want.iter()
                                .map(|w| format!("`type: {w}`"))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ),
                    );
                }
            }
        }
        let optional = field.is_optional();
        if all_resolved && all_optional && !from.value.is_empty() && !optional {
            let (what, at) = match from.value.as_slice() {
                [one] => (format!("`{}` may be absent", one.value), &one.span),
                _ => (
                    "every source in `from` may be absent".to_string(),
                    &from.span,
                ),
            };
            self.error(
                format!("{what}, but field `{}` is required", name.value),
                at,
                "may be absent",
                format!("add `optional: true` to `{}`", name.value),
            );
        }
        all_resolved.then_some(sources)
    }

    fn filter_literal(&mut self, source: &Source, lit: &Literal) {
        let fits = match source.value_type {
            ValueType::String => lit.value.is_string(),
            ValueType::Number => lit.value.is_number(),
            ValueType::Boolean => lit.value.is_boolean(),
            ValueType::Date => false,
            ValueType::Unknown => !lit.value.is_null(),
        };
        if !fits {
            self.error(
                format!(
                    "`{}` is a {}: it can never equal {}",
                    source.path,
                    value_type_name(source.value_type),
                    json_kind(&lit.value)
                ),
                &lit.span,
                "type mismatch",
                if source.value_type == ValueType::Date {
                    "dates cannot be filtered on; filter on another field".to_string()
                } else {
                    format!("compare it with a {}", value_type_name(source.value_type))
                },
            );
        }
        if has_dangerous_key(&lit.value) {
            self.error(
                "literal objects may not use `__proto__`, `constructor` or `prototype` as keys",
                &lit.span,
                "dangerous key",
                "rename the key",
            );
        }
    }
}

/// The value a trigger gives a channel filter's key, if any.
fn channel_item<'t>(t: &'t Trigger, filter: &ChannelFilter) -> Option<&'t Item<String>> {
    match filter.which {
        ChannelKey::Channel => t.channel.as_ref(),
        ChannelKey::ChannelType => t.channel_type.as_ref(),
    }
}

/// An action payload key's place below an object argument: any JSON.
const INSIDE_OBJECT: catalog::PayloadField = catalog::PayloadField {
    name: "(a key inside an object argument)",
    ty: ActionFieldType::Any,
    optional: true,
};

/// Whether `keys` below the literal `value` are free to set: each step is an
/// object (or absent) and the last key is not there yet.
fn free_below(value: &serde_json::Value, keys: &[&str]) -> bool {
    match (value, keys) {
        (serde_json::Value::Object(map), [last]) => !map.contains_key(*last),
        (serde_json::Value::Object(map), [first, rest @ ..]) => {
            map.get(*first).is_none_or(|v| free_below(v, rest))
        }
        _ => false,
    }
}

fn has_dangerous_key(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| DANGEROUS_KEYS.contains(&k.as_str()) || has_dangerous_key(v)),
        serde_json::Value::Array(items) => items.iter().any(has_dangerous_key),
        _ => false,
    }
}

fn value_type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string",
        ValueType::Number => "number",
        ValueType::Boolean => "boolean",
        ValueType::Date => "Date",
        ValueType::Unknown => "free-form value",
    }
}

fn action_type_name(t: ActionFieldType) -> &'static str {
    match t {
        ActionFieldType::String => "a string",
        ActionFieldType::Number => "a number",
        ActionFieldType::Boolean => "a boolean",
        ActionFieldType::Object => "an object",
        ActionFieldType::Task => "a task object",
        ActionFieldType::Any => "any JSON value",
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Letters, digits, `-` or `_`, starting with a letter; `Err((message, help))`
/// otherwise. (Reserved words are checked with the spec, in every case style.)
pub fn check_app_name(n: &str) -> Result<(), (String, String)> {
    let ok = n.len() <= MAX_NAME_LEN
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    Err((
        format!("`{n}` is not a valid app name"),
        format!("use letters, digits, `-` or `_`, starting with a letter, at most {MAX_NAME_LEN} characters (e.g. `acme-crm`)"),
    ))
}

/// `scheme://host[:port]`, nothing else; `Err((message, help))` otherwise.
pub fn check_origin(origin: &str) -> Result<(), (String, String)> {
    let fail =
        |why: &str, help: String| Err((format!("`{origin}` is not an exact origin: {why}"), help));
    let example = "write `https://host[:port]`, e.g. `https://crm.example.com`";
    if origin.contains('*') {
        return fail(
            "wildcards are not allowed",
            "list every origin exactly, e.g. `https://crm.example.com`".into(),
        );
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return fail("no scheme", format!("add the scheme: `https://{origin}`"));
    };
    if scheme != scheme.to_ascii_lowercase() {
        return fail(
            "uppercase scheme",
            format!("write `{}://{rest}`", scheme.to_ascii_lowercase()),
        );
    }
    if scheme != "https" && scheme != "http" {
        return fail(
            "the scheme must be https (or http for localhost)",
            example.into(),
        );
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let bare = format!("{scheme}://{authority}");
    if let Some(first) = tail.chars().next() {
        let why = match first {
            '/' if tail == "/" => "trailing `/`",
            '/' => "it has a path",
            '?' => "it has a query",
            _ => "it has a fragment",
        };
        return fail(
            why,
            format!("write `{bare}`: browsers compare the origin only"),
        );
    }
    if let Some((_, host)) = authority.rsplit_once('@') {
        return fail("it has user info", format!("write `{scheme}://{host}`"));
    }
    let (host, port) = split_port(authority);
    if host.is_empty() {
        return fail("no host", example.into());
    }
    if host != host.to_ascii_lowercase() {
        let lower = format!("{scheme}://{}", authority.to_ascii_lowercase());
        return fail(
            "uppercase host",
            format!("write `{lower}`: browsers report origins in lowercase"),
        );
    }
    let host_ok = if host.starts_with('[') {
        host.ends_with(']')
            && host[1..host.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        host.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
    };
    if !host_ok {
        return fail("invalid host", example.into());
    }
    if let Some(port) = port {
        let number = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0 && !port.starts_with('0'));
        let Some(number) = number else {
            return fail("invalid port", "write a port from 1 to 65535".into());
        };
        if (scheme, number) == ("https", 443) || (scheme, number) == ("http", 80) {
            return fail(
                "default port",
                format!(
                    "write `{scheme}://{host}`: browsers drop the default port from `event.origin`"
                ),
            );
        }
    }
    if scheme == "http" && !LOOPBACK_HOSTS.contains(&host) {
        return fail(
            "plain http outside localhost",
            format!("write `https://{authority}`: http is only for localhost, 127.0.0.1 and [::1]"),
        );
    }
    Ok(())
}

pub use crate::vocabulary::LOOPBACK_HOSTS;

/// Whether a checked origin is on this machine (any scheme or port).
pub fn is_loopback_origin(origin: &str) -> bool {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    LOOPBACK_HOSTS.contains(&split_port(rest).0)
}

/// Whether a checked origin is one a production build should not trust: on
/// this machine, or plain `http` (which `check_origin` allows only there).
pub fn is_development_origin(origin: &str) -> bool {
    origin.starts_with("http://") || is_loopback_origin(origin)
}

/// `host:port` -> (host, Some(port)); IPv6 hosts keep their brackets.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    let host_end = if authority.starts_with('[') {
        authority.find(']').map_or(authority.len(), |i| i + 1)
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, rest) = authority.split_at(host_end);
    (host, rest.strip_prefix(':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::SourceRoot;

    #[test]
    fn enum_values_are_bounded_in_utf16_units_like_every_max_length() {
        // 40,000 characters but 80,000 UTF-16 units: over the bound.
        let long = "\u{1D11E}".repeat(40_000);
        let spec = format!(
            "version: 1\napp:\n  name: a\n  flex_origin: https://flex.twilio.com\n  \
             host_origins: [https://crm.example.com]\ntriggers:\n  - name: t\n    \
             direction: host_to_flex\n    payload:\n      \
             s: {{ type: enum, values: [ok, \"{long}\"] }}\n    invoke:\n      \
             action: SetActivity\n      args: {{ activityName: payload.s }}\n"
        );
        let err = crate::pipeline::compile("t.yaml", &spec).expect_err("over the bound");
        assert!(
            err.render().contains("enum value is too long"),
            "{}",
            err.render()
        );
        let fits = spec.replace(&long, &"\u{1D11E}".repeat(30_000));
        let plan = crate::pipeline::compile("t.yaml", &fits).expect("60,000 units fit");
        assert_eq!(plan.triggers[0].payload[0].max_length, Some(60_000));
    }

    /// Found by tests/property.rs: both made a plugin that did not compile.
    #[test]
    fn plugin_constant_clashes_and_double_filters_are_refused() {
        let spec = |name: &str, extra: &str| {
            format!(
                "version: 1\napp:\n  name: a\n  flex_origin: https://flex.twilio.com\n  \
                 host_origins: [https://crm.example.com]\ntriggers:\n  - name: {name}\n    \
                 direction: flex_to_host\n    on: {{ event: taskAccepted }}\n{extra}"
            )
        };
        for name in ["events", "spec_hash", "app_name", "host_origins", "schemas"] {
            let err = crate::pipeline::compile("t.yaml", &spec(name, "")).expect_err(name);
            assert!(
                err.render().contains("a name the plugin already uses"),
                "{}",
                err.render()
            );
        }
        crate::pipeline::compile("t.yaml", &spec("events_seen", "")).expect("a fine name");
        for extra in [
            "    channel: chat\n    when: { task.taskChannelUniqueName: chat }\n",
            "    channel_type: sms\n    when: { task.channelType: web }\n",
        ] {
            let err = crate::pipeline::compile("t.yaml", &spec("t", extra)).expect_err(extra);
            assert!(
                err.render().contains("is filtered twice"),
                "{}",
                err.render()
            );
        }
        let other = "    channel: chat\n    when: { task.channelType: sms }\n";
        crate::pipeline::compile("t.yaml", &spec("t", other)).expect("different paths");
    }

    /// Each would give `FlexBridge` two members of one name; the emitter
    /// trusts validation to refuse them.
    #[test]
    fn bridge_member_clashes_are_refused() {
        let spec = |name: &str, direction: &str| {
            let end = if direction == "host_to_flex" {
                "    invoke: { action: CompleteTask, args: { sid: { value: WRx } } }\n"
            } else {
                "    on: { event: taskAccepted }\n"
            };
            format!(
                "version: 1\napp:\n  name: a\n  flex_origin: https://flex.twilio.com\n  \
                 host_origins: [https://crm.example.com]\ntriggers:\n  - name: screen_pop\n    \
                 direction: flex_to_host\n    on: {{ event: taskAccepted }}\n  - name: {name}\n    \
                 direction: {direction}\n{end}"
            )
        };
        for (name, direction) in [
            ("dispose", "host_to_flex"),
            ("state", "host_to_flex"),
            ("free", "host_to_flex"),
            ("state_change", "flex_to_host"),
            ("on_screen_pop", "host_to_flex"),
        ] {
            let err = crate::pipeline::compile("t.yaml", &spec(name, direction)).expect_err(name);
            assert!(
                err.render()
                    .contains("would give the host bridge a second member"),
                "{name}: {}",
                err.render()
            );
        }
        // An event named `state` is `onState`: no clash.
        crate::pipeline::compile("t.yaml", &spec("state", "flex_to_host")).expect("no clash");
    }

    #[test]
    fn validation_hands_lower_what_it_resolved() {
        let source = include_str!("../triggers.yaml");
        let spec = crate::spec::parse(source).unwrap();
        let findings = validate(&spec, source);
        assert!(findings.errors.is_empty(), "{:?}", findings.errors);
        let validated = findings.validated.expect("resolved");
        assert_eq!(validated.triggers.len(), spec.triggers.len());
        for (valid, t) in validated.triggers.iter().zip(&spec.triggers) {
            assert_eq!(Some(valid.name), t.name.as_ref().map(|n| n.value.as_str()));
            assert_eq!(
                Some(valid.direction()),
                vocabulary::direction(&t.direction.as_ref().unwrap().value)
            );
            assert_eq!(valid.fields.len(), t.payload.len());
        }
        // An error anywhere: nothing resolved is handed on.
        let broken = source.replacen("type: e164", "type: phone", 1);
        let spec = crate::spec::parse(&broken).unwrap();
        let findings = validate(&spec, &broken);
        assert!(!findings.errors.is_empty() && findings.validated.is_none());
    }

    #[test]
    fn origins() {
        for ok in [
            "https://flex.twilio.com",
            "http://localhost:8080",
            "http://127.0.0.1:3000",
            "http://[::1]:5173",
            "https://crm.acme.example:8443",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("*", "wildcard"),
            ("https://*.example.com", "wildcard"),
            ("https://crm.example.com/", "trailing"),
            ("https://crm.example.com/app", "path"),
            ("https://crm.example.com?x=1", "query"),
            ("https://crm.example.com#top", "fragment"),
            ("https://user@crm.example.com", "user info"),
            ("https://crm.example.com:443", "default port"),
            ("http://localhost:80", "default port"),
            ("https://CRM.example.com", "uppercase host"),
            ("HTTPS://crm.example.com", "uppercase scheme"),
            ("http://crm.example.com", "plain http"),
            ("crm.example.com", "no scheme"),
            ("ftp://crm.example.com", "scheme must be"),
            ("https://crm.example.com:99999", "invalid port"),
            ("https://", "no host"),
        ] {
            let err = check_origin(bad).expect_err(bad);
            assert!(err.0.contains(why), "{bad}: {}", err.0);
        }
    }

    #[test]
    fn sources_resolve_by_subject() {
        let task = ListenContext {
            subject: Subject::Task,
            action: None,
        };
        let worker = ListenContext {
            subject: Subject::Worker,
            action: None,
        };
        let (s, optional) = resolve_source("task.attributes.from", &task).unwrap();
        assert_eq!(
            (s.root, s.segments.clone(), s.value_type, optional),
            (
                SourceRoot::Task,
                vec!["attributes".into(), "from".into()],
                ValueType::Unknown,
                false
            )
        );
        assert!(resolve_source("timing.acceptedAt", &worker).unwrap().1);
        assert!(resolve_source("task.taskSid", &worker)
            .unwrap_err()
            .0
            .contains("no task"));
        assert!(resolve_source("task.taskSId", &task)
            .unwrap_err()
            .2
            .contains("`taskSid`"));
        assert!(resolve_source("task.attributes", &task).is_err());
        assert!(resolve_source("task.sid.x", &task).is_err());
        assert!(resolve_source("task.attributes.__proto__", &task).is_err());
        assert!(resolve_source("action.destination", &task)
            .unwrap_err()
            .0
            .contains("only available"));
        let after = listen_context(OnKind::After, "StartOutboundCall").unwrap();
        assert_eq!(
            resolve_source("action.destination", &after)
                .unwrap()
                .0
                .value_type,
            ValueType::String
        );
        assert!(resolve_source("manager.user.token", &task).is_err());
    }
}
