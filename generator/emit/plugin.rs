//! Emitter for the Flex plugin shim (TypeScript).
//!
//! Generated (rewritten every run, under `flex-plugin/src/flexgen/`):
//! - `runtime/`: flexgen's plugin runtime, the modules of `runtime/plugin/src/`
//!   (`plugin_runtime`) and the protocol's constants (`constants`); the
//!   generated files import its `index.ts` only;
//! - `triggers.ts`: payload types, schemas, the `FlexgenHooks` interface;
//! - `actions.ts`: payload interfaces of the Flex actions the spec invokes;
//! - `wiring.ts`: `startFlexgen(flex, manager, hooks)`.
//!
//! Scaffolded once for the user (`flex-plugin/`): `package.json`,
//! `tsconfig.json`, `src/index.ts`, `src/<App>Plugin.ts`, `src/hooks.ts`,
//! `public/appConfig.js`.
//!
//! The templates lay the files out; this module turns the IR into a view whose
//! values are ready to drop in. Free text goes through the `render` escaping
//! filters (in the templates, or `render::ts_string` where a value is built
//! here), so a spec cannot inject code or close a comment.

use serde::Serialize;
use serde_json::Value;

use super::layout::ts::{self, Arg};
use super::{header, render, EmitError, OutFile};
use crate::ir::{
    ActionField, ActionFieldType, App, ArgValue, CrmUrl, Direction, Field, FieldType, Filter,
    Invoke, Listen, ListenKind, Plan, Show, ShownValue, Source, SourceRoot, Subject, Trigger,
    UrlPart, ValueType,
};
use crate::vocabulary::{ChannelKey, CHANNEL_FILTERS};

/// Where the generated files go, relative to the output folder.
const GENERATED_DIR: &str = "flex-plugin/src/flexgen";

/// Generated templates: (template name, file name under `GENERATED_DIR`).
const GENERATED_TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "triggers.ts",
        "triggers.ts",
        include_str!("../../templates/plugin/triggers.ts.tera"),
    ),
    (
        "actions.ts",
        "actions.ts",
        include_str!("../../templates/plugin/actions.ts.tera"),
    ),
    (
        "wiring.ts",
        "wiring.ts",
        include_str!("../../templates/plugin/wiring.ts.tera"),
    ),
];

/// Written only when the spec has `show:` triggers.
const TABS_TEMPLATE: (&str, &str, &str) = (
    "tabs.tsx",
    "tabs.tsx",
    include_str!("../../templates/plugin/tabs.tsx.tera"),
);

/// User-owned templates: (template name, path under `flex-plugin/`; `{Plugin}`
/// stands for the plugin class name).
const USER_TEMPLATES: &[(&str, &str, &str)] = &[
    // Twilio's Flex UI 2 plugin dependencies (the Plugins CLI 7 migration
    // guide lists `@twilio-paste/core` ^15.3.1 and `@twilio-paste/icons`
    // ^9.2.0, the Paste of Flex UI 2.x, which "Use Twilio Paste with a Flex
    // Plugin" on twilio.com recommends too; a `show:` tab imports Paste, and
    // `@types/react` types its TSX), but for two lines, so that a plain `npm
    // install` works on a fresh machine (the workspace README says why to
    // users): `webpack` ^4.47 in devDependencies, because
    // @twilio/flex-plugin-webpack 7.1.2 needs webpack 4 (its package.json)
    // while npm auto-installs babel-loader's peer webpack as 5 and hoists it
    // (then "Cannot find module 'webpack/lib/LoaderTargetPlugin'"); and no
    // `postinstall: flex-plugin pre-script-check`, which reads
    // ~/.twilio-cli/package.json (@twilio/flex-dev-utils 7.1.2, dist/fs.js
    // getCliPaths uses os.homedir()) and so fails without the Twilio CLI,
    // which runs the check itself before every start, build and deploy.
    // tests/plugin_builder.rs installs and builds it with Twilio's tools.
    (
        "package.json",
        "package.json",
        include_str!("../../templates/plugin/user/package.json.tera"),
    ),
    (
        "tsconfig.json",
        "tsconfig.json",
        include_str!("../../templates/plugin/user/tsconfig.json.tera"),
    ),
    (
        "index.ts",
        "src/index.ts",
        include_str!("../../templates/plugin/user/index.ts.tera"),
    ),
    (
        "Plugin.ts",
        "src/{Plugin}.ts",
        include_str!("../../templates/plugin/user/Plugin.ts.tera"),
    ),
    (
        "hooks.ts",
        "src/hooks.ts",
        include_str!("../../templates/plugin/user/hooks.ts.tera"),
    ),
    // Flex Plugin Builder's local run (`npm start`) loads it.
    (
        "appConfig.js",
        "public/appConfig.js",
        include_str!("../../templates/plugin/user/appConfig.js.tera"),
    ),
];

pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let view = View::new(plan);
    let mut generated = GENERATED_TEMPLATES.to_vec();
    if view.has_shows {
        generated.push(TABS_TEMPLATE);
    }
    let target = render::Target {
        generated_dir: GENERATED_DIR,
        user_dir: "flex-plugin",
        statics: &[],
        generated: &generated,
        user: USER_TEMPLATES,
    };
    let head = header(plan, "//");
    let mut files = target.emit(&head, &view, |file| {
        file.replace("{Plugin}", &view.plugin_class)
    })?;
    files.extend(super::plugin_runtime::emit(&head, plan));
    files.push(super::constants::typescript(plan));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Everything the templates read.
#[derive(Serialize)]
struct View<'a> {
    spec_file: &'a str,
    app: &'a str,
    app_kebab: &'a str,
    plugin_class: String,
    spec_hash: &'a str,
    flex_origin: &'a str,
    /// `export const HOST_ORIGINS ...`, laid out as prettier would.
    host_origins_decl: String,
    /// The spec has `dev_host_origins`: `HOST_ORIGINS` depends on the build.
    has_dev_host_origins: bool,
    triggers: Vec<TriggerView<'a>>,
    /// The first trigger, for the example in `hooks.ts`'s comment.
    example_hook: &'a str,
    example_wire: &'a str,
    /// One payload interface per distinct Flex action invoked.
    actions: Vec<ActionView<'a>>,
    /// The wiring's imports, each naming only what the wiring uses (so that
    /// it also passes a user's `noUnusedLocals`), laid out as prettier would.
    actions_import: String,
    runtime_import: String,
    /// The CRM frame's import (`app.embedding: host_in_flex`), or empty.
    frame_import: String,
    triggers_import: String,
    /// `triggers.ts`'s import of the runtime: `Hook` and the schema building
    /// blocks it uses.
    schema_import: String,
    /// `startFlexgen`'s parameters, `_`-prefixed when this spec has no use
    /// for them (`noUnusedParameters`).
    flex_param: &'static str,
    manager_param: &'static str,
    /// `actions.ts` needs `ITask` for task-typed action fields.
    actions_need_itask: bool,
    /// Install the accepted-at tracker (some field reads timing.acceptedAt/talkSeconds).
    track_accepts: bool,
    has_commands: bool,
    has_events: bool,
    /// Some command invokes a Flex action (`actions.ts` has an interface).
    has_actions: bool,
    /// Some command has `show:`: the wiring keeps data per task, and
    /// `tabs.tsx` shows it.
    has_shows: bool,
    /// The wiring listens to manager events (events, or tasks ending).
    needs_on: bool,
    /// `tabs.tsx`'s import of `triggers.ts`.
    tabs_triggers_import: String,
    /// `const CRM_URL: CrmUrl = { ... };` with `app.embedding: host_in_flex`.
    crm_url: Option<String>,
    /// `app.hide_crm_panel`: hide Flex's CRM panel when the bridge starts.
    hide_crm_panel: bool,
}

#[derive(Serialize)]
struct TriggerView<'a> {
    wire: &'a str,
    camel: &'a str,
    pascal: &'a str,
    shouty: &'a str,
    summary: Option<&'a str>,
    user_action: Option<&'a str>,
    channel: Option<&'a str>,
    channel_type: Option<&'a str>,
    is_command: bool,
    fields: Vec<FieldView<'a>>,
    invoke: Option<InvokeView<'a>>,
    listen: Option<ListenView>,
    show: Option<ShowView<'a>>,
    /// A command's time limit (`invoke.timeout_ms`, or the default for `show`).
    timeout_ms: u32,
}

/// A `show:` trigger: its tab and what the command does.
#[derive(Serialize)]
struct ShowView<'a> {
    /// `flexgen-customer-card`: the tab's key and unique name in Flex.
    key: String,
    label: &'a str,
    /// The payload field naming the task.
    task_field: &'a str,
    /// `  when: (task) => ...,`: which tasks the tab is for (the trigger's
    /// channel), laid out.
    when: String,
    /// The rows' array: `{ label, read }` each, `read` being
    /// `(_task, data) => data.name` or `(task) => readPath(task, [...])`.
    rows: String,
}

#[derive(Serialize)]
struct FieldView<'a> {
    name: &'a str,
    optional: bool,
    doc: Option<&'a str>,
    /// The interface member: `  name?: type;`.
    member: String,
    /// The schema table entry: `    name: required(checks.e164()),`.
    schema_entry: String,
    /// Where a Flex -> host field is read: `read("task.taskSid")`.
    source: Option<String>,
}

#[derive(Serialize)]
struct InvokeView<'a> {
    action: &'a str,
    payload_type: String,
    timeout_ms: u32,
    queue_for_ms: u32,
    /// Always present: key -> TS expression.
    set: Vec<Entry>,
    /// From optional payload fields: key -> payload field, left out when absent.
    optional: Vec<Entry>,
    /// Values set inside object arguments, after the rest, in spec order.
    nested: Vec<NestedView>,
}

/// `setIn(args, ["taskAttributes", "crm_record_id"], value);`, and when the
/// value is an optional payload field, the field it depends on.
#[derive(Serialize)]
struct NestedView {
    /// The whole statement, laid out as prettier would at its indent.
    call: String,
    /// The optional payload field that must be present, if any.
    when: Option<String>,
}

/// A key and what goes with it (templates cannot index tuples).
#[derive(Serialize, PartialEq)]
struct Entry {
    key: String,
    value: String,
}

fn entry(key: String, value: impl Into<String>) -> Entry {
    Entry {
        key,
        value: value.into(),
    }
}

#[derive(Serialize)]
struct ActionFieldView<'a> {
    name: &'a str,
    optional: bool,
    ts_type: &'static str,
}

#[derive(Serialize)]
struct ActionView<'a> {
    action: &'a str,
    payload_type: String,
    fields: Vec<ActionFieldView<'a>>,
}

#[derive(Serialize)]
struct ListenView {
    /// `manager.events` or `flex.Actions`.
    emitter: &'static str,
    listener: String,
    /// Human text: "the taskAccepted manager event".
    describe: String,
    /// The listener's parameter list (empty when nothing reads the argument)
    /// and what becomes `task` / `action` in the context.
    params: &'static str,
    task: &'static str,
    action: &'static str,
    /// Quoted path -> TS literal.
    when: Vec<Entry>,
}

impl<'a> View<'a> {
    fn new(plan: &'a Plan) -> Self {
        let triggers: Vec<TriggerView<'a>> = plan.triggers.iter().map(TriggerView::new).collect();
        let mut actions: Vec<ActionView<'a>> = Vec::new();
        for invoke in plan.triggers.iter().filter_map(|t| t.invoke.as_ref()) {
            if !actions.iter().any(|a| a.action == invoke.action) {
                actions.push(ActionView::new(invoke));
            }
        }
        actions.sort_by(|a, b| a.action.cmp(b.action));
        let actions_need_itask = plan
            .triggers
            .iter()
            .filter_map(|t| t.invoke.as_ref())
            .flat_map(|i| &i.action_fields)
            .any(|f| f.ty == ActionFieldType::Task);
        let track_accepts = plan
            .triggers
            .iter()
            .flat_map(|t| t.payload.iter().flat_map(|f| &f.sources))
            .chain(plan.triggers.iter().flat_map(|t| {
                t.listen
                    .iter()
                    .flat_map(|l| l.filters.iter().map(|f| &f.source))
            }))
            .any(|s| {
                s.root == SourceRoot::Timing
                    && matches!(
                        s.segments.first().map(String::as_str),
                        Some("acceptedAt" | "talkSeconds")
                    )
            });
        let actions_import = ts::import_decl(
            "import type ",
            actions.iter().map(|a| a.payload_type.clone()),
            " from \"./actions\";",
        );
        let has_commands = triggers.iter().any(|t| t.is_command);
        let has_events = triggers.iter().any(|t| !t.is_command);
        let has_shows = triggers.iter().any(|t| t.show.is_some());
        let frames_crm = plan.app.crm_url.is_some();
        let imports = WiringImports::new(
            &triggers,
            has_commands,
            has_events,
            track_accepts,
            frames_crm,
        );
        let mut tabs_names: Vec<String> = triggers
            .iter()
            .filter(|t| t.show.is_some())
            .map(|t| format!("{}Payload", t.pascal))
            .collect();
        tabs_names.extend(["FlexgenHooks", "ShownRow", "TabView"].map(String::from));
        let tabs_triggers_import = ts::import_decl(
            "import type ",
            tabs_names.into_iter(),
            " from \"./triggers\";",
        );
        let fields = || plan.triggers.iter().flat_map(|t| &t.payload);
        let mut schema_names = vec!["type Hook", "type PayloadSchema", "type Validated"];
        if fields().next().is_some() {
            schema_names.push("checks");
        }
        if fields().any(|f| f.optional) {
            schema_names.push("optional");
        }
        if fields().any(|f| !f.optional) {
            schema_names.push("required");
        }
        schema_names.push("validatePayload");
        let uses_flex = has_commands
            || frames_crm
            || plan.app.hide_crm_panel
            || plan
                .triggers
                .iter()
                .filter_map(|t| t.listen.as_ref())
                .any(|l| l.kind != ListenKind::ManagerEvent);
        View {
            schema_import: ts::import_decl(
                "import ",
                schema_names.into_iter().map(str::to_string),
                " from \"./runtime\";",
            ),
            flex_param: if uses_flex { "flex" } else { "_flex" },
            manager_param: if has_events || has_shows {
                "manager"
            } else {
                "_manager"
            },
            actions_import,
            runtime_import: imports.runtime,
            frame_import: imports.frame,
            triggers_import: imports.triggers,
            spec_file: &plan.spec_file,
            example_hook: plan.triggers.first().map_or("", |t| t.name.camel.as_str()),
            example_wire: plan.triggers.first().map_or("", |t| t.name.snake.as_str()),
            app: &plan.app.name.original,
            app_kebab: &plan.app.name.kebab,
            plugin_class: format!("{}Plugin", plan.app.name.pascal),
            spec_hash: &plan.spec_hash,
            flex_origin: &plan.app.flex_origin,
            host_origins_decl: host_origins_decl(&plan.app),
            has_dev_host_origins: !plan.app.dev_host_origins.is_empty(),
            has_commands,
            has_events,
            has_actions: !actions.is_empty(),
            has_shows,
            needs_on: has_events || has_shows,
            tabs_triggers_import,
            triggers,
            actions,
            actions_need_itask,
            track_accepts,
            crm_url: plan.app.crm_url.as_ref().map(crm_url_decl),
            hide_crm_panel: plan.app.hide_crm_panel,
        }
    }
}

/// `const CRM_URL: CrmUrl = { origin, parts };`: `app.crm_url` as
/// validation parsed it, literal text as string literals and each task value
/// as its path into the task.
fn crm_url_decl(url: &CrmUrl) -> String {
    let parts = url
        .parts
        .iter()
        .map(|part| match part {
            UrlPart::Text(text) => Arg::Plain(render::ts_string(text)),
            UrlPart::Task(path) => Arg::strings(path.iter().map(|s| render::ts_string(s))),
        })
        .collect();
    ts::object_decl(
        "const CRM_URL: CrmUrl =",
        &[
            ("origin", Arg::Plain(render::ts_string(&url.origin))),
            ("parts", Arg::Array(parts)),
        ],
    )
}

/// Import names in the order the generated files list them: by name, `type`
/// or not, capitals first (as `sort` orders ASCII).
fn sort_imports(names: &mut [&str]) {
    names.sort_by_key(|n| n.strip_prefix("type ").unwrap_or(n).to_string());
}

/// The wiring's import declarations.
struct WiringImports {
    runtime: String,
    /// `runtime/host_in_flex`'s, or empty.
    frame: String,
    triggers: String,
}

impl WiringImports {
    fn new(
        triggers: &[TriggerView<'_>],
        has_commands: bool,
        has_events: bool,
        track_accepts: bool,
        frames_crm: bool,
    ) -> Self {
        let sources = || {
            triggers
                .iter()
                .flat_map(|t| t.fields.iter().filter_map(|f| f.source.as_deref()))
        };
        // Source paths hold no parentheses, so these find the calls only.
        let uses_read = sources().any(|s| s.contains("read("));
        let uses_iso = sources().any(|s| s.contains("iso("));
        let uses_first_of = sources().any(|s| s.starts_with("firstOf("));
        let sets_nested = triggers
            .iter()
            .filter_map(|t| t.invoke.as_ref())
            .any(|i| !i.nested.is_empty());
        let uses_task_of_action = triggers
            .iter()
            .filter_map(|t| t.listen.as_ref())
            .any(|l| l.task == TASK_OF_ACTION);

        let mut runtime = vec!["PluginEndpoint", "unknownCommand"];
        if has_commands {
            runtime.extend([
                "ProtocolError",
                "type Validated",
                "allowCommand",
                "beforeDeadline",
                "hasOwn",
            ]);
        }
        if track_accepts {
            runtime.push("AcceptTimes");
        }
        runtime.push("type Hook");
        if has_events {
            runtime.extend([
                "type EventSource",
                "type SourceContext",
                "deliverEvent",
                "readTiming",
                "readWorker",
            ]);
        }
        if uses_first_of {
            runtime.push("firstOf");
        }
        if uses_iso {
            runtime.push("iso");
        }
        if uses_read {
            runtime.push("read");
        }
        if sets_nested {
            runtime.push("setIn");
        }
        if uses_task_of_action {
            runtime.push("taskOfAction");
        }
        sort_imports(&mut runtime);

        let mut names: Vec<&str> = triggers.iter().map(|t| t.shouty).collect();
        names.extend(["type FlexgenHooks", "HOST_ORIGINS", "APP_NAME", "SPEC_HASH"]);
        if has_events {
            names.push("SCHEMAS");
        }
        if has_commands {
            names.push("validate");
        }

        let decl = |names: Vec<&str>, module: &str| {
            ts::import_decl(
                "import ",
                names.into_iter().map(str::to_string),
                &format!(" from \"./{module}\";"),
            )
        };
        // The CRM frame's part of the runtime, which only `host_in_flex`
        // workspaces get (`plugin_runtime::FILES`).
        let frame = if frames_crm {
            decl(
                vec!["type CrmUrl", "FramePeer", "showCrmFrame"],
                "runtime/host_in_flex",
            )
        } else {
            String::new()
        };
        WiringImports {
            runtime: decl(runtime, "runtime"),
            frame,
            triggers: decl(names, "triggers"),
        }
    }
}

impl<'a> TriggerView<'a> {
    fn new(t: &'a Trigger) -> Self {
        TriggerView {
            wire: &t.name.snake,
            camel: &t.name.camel,
            pascal: &t.name.pascal,
            shouty: &t.name.shouty,
            summary: t.summary.as_deref(),
            user_action: t.user_action.as_deref(),
            channel: t.channel.as_deref(),
            channel_type: t.channel_type.as_deref(),
            is_command: t.direction == Direction::HostToFlex,
            fields: t.payload.iter().map(FieldView::new).collect(),
            invoke: t.invoke.as_ref().map(|i| InvokeView::new(i, &t.payload)),
            listen: t.listen.as_ref().map(ListenView::new),
            show: t.show.as_ref().map(|s| ShowView::new(t, s)),
            timeout_ms: t.time_limits().0,
        }
    }
}

impl<'a> ShowView<'a> {
    fn new(t: &'a Trigger, s: &'a Show) -> Self {
        let mut tests: Vec<String> = Vec::new();
        for filter in CHANNEL_FILTERS {
            let value = match filter.which {
                ChannelKey::Channel => t.channel.as_deref(),
                ChannelKey::ChannelType => t.channel_type.as_deref(),
            };
            if let Some(value) = value {
                let path = filter.path.trim_start_matches("task.");
                tests.push(format!(
                    "readPath(task, [{}]) === {}",
                    render::ts_string(path),
                    render::ts_string(value)
                ));
            }
        }
        let when = if tests.is_empty() {
            "  when: () => true,".to_string()
        } else {
            ts::arrow_member(2, "when", "(task)", &tests)
        };
        let rows: Vec<Vec<(&str, String)>> = s
            .fields
            .iter()
            .map(|f| {
                let read = match &f.value {
                    ShownValue::Payload(name) => format!("(_task, data) => data.{name}"),
                    ShownValue::Task(source) => {
                        let path: Vec<String> = source
                            .segments
                            .iter()
                            .map(|k| render::ts_string(k))
                            .collect();
                        format!("(task) => readPath(task, [{}])", path.join(", "))
                    }
                };
                vec![("label", render::ts_string(&f.label)), ("read", read)]
            })
            .collect();
        ShowView {
            key: format!("flexgen-{}", t.name.kebab),
            label: &s.label,
            task_field: &s.task_field.snake,
            when,
            rows: ts::object_array(2, "rows", &rows),
        }
    }
}

impl<'a> FieldView<'a> {
    fn new(f: &'a Field) -> Self {
        // Lowering bounds every string-like field; the others ignore it.
        let max = f.max_length.unwrap_or_default();
        let quoted: Vec<String> = f.values.iter().map(|v| render::ts_string(v)).collect();
        // (TS type, check function, its arguments)
        let (ts_type, check, args) = match f.ty {
            FieldType::String => ("string".to_string(), "checks.string", Args::Number(max)),
            FieldType::E164 => ("string".to_string(), "checks.e164", Args::None),
            FieldType::Integer => ("number".to_string(), "checks.integer", Args::None),
            FieldType::Number => ("number".to_string(), "checks.number", Args::None),
            FieldType::Boolean => ("boolean".to_string(), "checks.boolean", Args::None),
            FieldType::Datetime => ("string".to_string(), "checks.datetime", Args::Number(max)),
            FieldType::Enum => (
                quoted.join(" | "),
                "checks.oneOf",
                Args::Strings(quoted.clone()),
            ),
        };
        let name = f.name.snake.as_str();
        let presence = if f.optional { "optional" } else { "required" };
        let mark = if f.optional { "?" } else { "" };
        FieldView {
            name,
            optional: f.optional,
            doc: f.doc.as_deref(),
            member: ts::union_member(
                &format!("  {name}{mark}:"),
                &ts_type,
                &quoted,
                f.ty == FieldType::Enum,
            ),
            schema_entry: schema_entry(name, presence, check, &args),
            source: source_rule(name, &f.sources),
        }
    }
}

/// Where a Flex -> host field is read: `read("task.taskSid")`, `iso(...)`
/// for a `Date` (the wire carries ISO strings), and
/// `firstOf(read(a), read(b))` for a list of sources, one per line when the
/// `      name: ...,` entry of the wiring's table would be too long.
fn source_rule(name: &str, sources: &[Source]) -> Option<String> {
    let reads: Vec<String> = sources
        .iter()
        .map(|s| {
            let read = if s.value_type == ValueType::Date {
                "iso"
            } else {
                "read"
            };
            format!("{read}({})", render::ts_string(&s.path))
        })
        .collect();
    match reads.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        many => {
            let args: Vec<Arg> = many.iter().cloned().map(Arg::Plain).collect();
            Some(ts::call(6, &format!("{name}: "), "firstOf", &args, ","))
        }
    }
}

/// Arguments of a field check.
enum Args {
    None,
    Number(u32),
    Strings(Vec<String>),
}

/// `    name: required(checks.x(...)),` in the schema table.
fn schema_entry(name: &str, presence: &str, check: &str, args: &Args) -> String {
    let args = match args {
        Args::None => vec![],
        Args::Number(n) => vec![Arg::Plain(n.to_string())],
        Args::Strings(items) => vec![Arg::strings(items.clone())],
    };
    let value = [Arg::Call(check.to_string(), args)];
    let lead = format!("{name}: ");
    format!("    {lead}{},", ts::call(4, &lead, presence, &value, ","))
}

impl<'a> InvokeView<'a> {
    fn new(i: &'a Invoke, payload: &'a [Field]) -> Self {
        let mut set = Vec::new();
        let mut optional = Vec::new();
        let mut nested = Vec::new();
        for arg in i.args.iter().filter(|a| !a.nested.is_empty()) {
            let (value, when) = match &arg.value {
                ArgValue::Payload { field } => {
                    let is_optional = payload
                        .iter()
                        .any(|f| f.name.snake == field.snake && f.optional);
                    (
                        format!("payload.{}", field.snake),
                        is_optional.then(|| field.snake.clone()),
                    )
                }
                ArgValue::Literal { json } => (ts_literal(json), None),
            };
            let path: Vec<String> = std::iter::once(&arg.key)
                .chain(&arg.nested)
                .map(|k| render::ts_string(k))
                .collect();
            let indent = if when.is_some() { 8 } else { 6 };
            nested.push(NestedView {
                call: set_in_call(&path, &value, indent),
                when,
            });
        }
        // A required object argument given only key by key starts empty.
        for key in i
            .args
            .iter()
            .filter(|a| !a.nested.is_empty())
            .map(|a| &a.key)
        {
            let whole = i.args.iter().any(|a| a.nested.is_empty() && &a.key == key);
            let required = i
                .action_fields
                .iter()
                .any(|f| &f.name == key && !f.optional);
            let entry = entry(property_key(key), "{}");
            if required && !whole && !set.contains(&entry) {
                set.push(entry);
            }
        }
        for arg in i.args.iter().filter(|a| a.nested.is_empty()) {
            match &arg.value {
                ArgValue::Payload { field } => {
                    let is_optional = payload
                        .iter()
                        .any(|f| f.name.snake == field.snake && f.optional);
                    if is_optional {
                        optional.push(entry(property_key(&arg.key), field.snake.as_str()));
                    } else {
                        set.push(entry(
                            property_key(&arg.key),
                            format!("payload.{}", field.snake),
                        ));
                    }
                }
                ArgValue::Literal { json } => {
                    set.push(entry(property_key(&arg.key), ts_literal(json)))
                }
            }
        }
        InvokeView {
            action: &i.action,
            payload_type: format!("{}ActionPayload", i.action),
            timeout_ms: i.timeout_ms,
            queue_for_ms: i.queue_for_ms,
            set,
            optional,
            nested,
        }
    }
}

/// `setIn(args, [path], value);` at `indent` spaces.
fn set_in_call(path: &[String], value: &str, indent: usize) -> String {
    let args = [
        Arg::Plain("args".to_string()),
        Arg::strings(path.to_vec()),
        Arg::Plain(value.to_string()),
    ];
    format!(
        "{}{};",
        " ".repeat(indent),
        ts::call(indent, "", "setIn", &args, ";")
    )
}

impl<'a> ActionView<'a> {
    fn new(i: &'a Invoke) -> Self {
        ActionView {
            action: &i.action,
            payload_type: format!("{}ActionPayload", i.action),
            fields: i
                .action_fields
                .iter()
                .map(|f: &'a ActionField| ActionFieldView {
                    name: &f.name,
                    optional: f.optional,
                    ts_type: action_ts_type(f.ty),
                })
                .collect(),
        }
    }
}

/// TypeScript types of Flex action payload fields.
fn action_ts_type(ty: ActionFieldType) -> &'static str {
    match ty {
        ActionFieldType::String => "string",
        ActionFieldType::Number => "number",
        ActionFieldType::Boolean => "boolean",
        ActionFieldType::Object => "Record<string, unknown>",
        // Flex resolves a task from the object or from its reservation sid.
        ActionFieldType::Task => "ITask | string",
        ActionFieldType::Any => "unknown",
    }
}

/// How each listener kind is registered: (emitter, what it is).
fn listen_kind(kind: ListenKind) -> (&'static str, &'static str) {
    match kind {
        ListenKind::ManagerEvent => ("manager.events", "manager event"),
        ListenKind::BeforeAction => ("flex.Actions", "before-action listener"),
        ListenKind::AfterAction => ("flex.Actions", "after-action listener"),
    }
}

/// The task of an action listener: `payload.task`, or looked up by `payload.sid`.
const TASK_OF_ACTION: &str = "taskOfAction(flex, payload)";

impl ListenView {
    fn new(l: &Listen) -> Self {
        let (emitter, what) = listen_kind(l.kind);
        let is_action = l.kind != ListenKind::ManagerEvent;
        // Manager task events pass the task; action listeners pass the payload
        // that names it. Other subjects carry nothing a path can read.
        let task = match (l.subject, is_action) {
            (Subject::Task, false) => "subject",
            (Subject::Task, true) => TASK_OF_ACTION,
            _ => "undefined",
        };
        // Before-listeners also get `abort`: it is never taken, so a trigger
        // can observe an action but never cancel it.
        let params = if is_action {
            "(payload: unknown)"
        } else if task == "subject" {
            "(subject: unknown)"
        } else {
            "()"
        };
        let mut when: Vec<Entry> = Vec::new();
        for Filter {
            source,
            equals_json,
        } in &l.filters
        {
            let condition = entry(render::ts_string(&source.path), ts_literal(equals_json));
            // Duplicate keys would not compile; the same condition twice is one.
            if !when.contains(&condition) {
                when.push(condition);
            }
        }
        ListenView {
            emitter,
            listener: render::ts_string(&l.listener),
            describe: format!("the {} {what}", l.listener),
            params,
            task,
            action: if is_action { "payload" } else { "undefined" },
            when,
        }
    }
}

/// The build constant that tells a development build from a production one.
/// Every bundler replaces it with a string literal: the Flex plugin builder
/// through webpack's `mode` (`"development"` for `flex-plugin start`,
/// `"production"` for `flex-plugin build` and `deploy`), esbuild through
/// `define` (the browser harness and `flexgen preview`). A production
/// bundle's minifier then drops the branch it can never take, and with it
/// the development origins.
pub const BUILD_MODE_TEST: &str = "process.env.NODE_ENV === \"development\"";

/// `HOST_ORIGINS`: `app.host_origins`, and with `app.dev_host_origins` a
/// conditional on [`BUILD_MODE_TEST`] whose development branch lists both,
/// laid out as prettier would.
fn host_origins_decl(app: &App) -> String {
    let head = "export const HOST_ORIGINS: readonly string[] =";
    let production: Vec<String> = app
        .host_origins
        .iter()
        .map(|o| render::ts_string(o))
        .collect();
    if app.dev_host_origins.is_empty() {
        return ts::array_decl(&format!("{head} "), production.into_iter());
    }
    let development: Vec<String> = production
        .iter()
        .cloned()
        .chain(app.dev_host_origins.iter().map(|o| render::ts_string(o)))
        .collect();
    ts::conditional_arrays(head, BUILD_MODE_TEST, &development, &production)
}

/// An object key: bare when it is an identifier (as prettier leaves it), else quoted.
fn property_key(key: &str) -> String {
    let mut chars = key.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        key.to_string()
    } else {
        render::ts_string(key)
    }
}

/// A JSON literal as TypeScript data: strings through `ts_string`, so nothing
/// in it can act as code. Invalid JSON (the IR promises it is not) becomes a
/// string holding the text.
fn ts_literal(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => ts_value(&value),
        Err(_) => render::ts_string(json),
    }
}

fn ts_value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => render::ts_string(s),
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(ts_value).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", property_key(k), ts_value(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// The plans the emitters' unit tests run on, each compiled from a spec file
/// of the repository through the real front end (spec -> validate ->
/// lower): the seed, the fixture specs of tests/cases/fixtures/ (another
/// shape of spec each) and one full of hostile text.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::ir::Plan;

    /// `path` (relative to the repository) compiled as `spec_file`.
    fn compile(path: &str, spec_file: &str) -> Plan {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let source =
            std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
        crate::pipeline::compile(spec_file, &source)
            .unwrap_or_else(|d| panic!("{path} does not compile:\n{}", d.render()))
    }

    /// The seed: the repository's triggers.yaml.
    pub fn seed() -> Plan {
        compile("triggers.yaml", "triggers.yaml")
    }

    /// Other actions, chat + WhatsApp, a worker event, before/after
    /// listeners, literal args and a payload-less command.
    pub fn omnichannel() -> Plan {
        compile(
            "tests/cases/fixtures/omnichannel/triggers.yaml",
            "triggers.yaml",
        )
    }

    /// The seed's triggers with hostile free text in every place free text
    /// can go, read from a file whose name is hostile too.
    pub fn hostile() -> Plan {
        compile(
            "tests/cases/fixtures/hostile/triggers.yaml",
            "evilx\" */ </script> `${alert(1)}` \u{2028} \u{202e} \\ \n // ' end.yaml",
        )
    }

    /// Only host -> Flex triggers: the wiring has no listeners, no event table.
    pub fn commands_only() -> Plan {
        compile(
            "tests/cases/fixtures/commands-only/triggers.yaml",
            "triggers.yaml",
        )
    }

    /// The seed's triggers with the CRM page framed inside Flex
    /// (`app.embedding: host_in_flex`).
    pub fn crm_in_flex() -> Plan {
        compile(
            "tests/cases/fixtures/crm-in-flex/triggers.yaml",
            "triggers.yaml",
        )
    }

    /// Only Flex -> host triggers: no command table, no action payloads.
    pub fn events_only() -> Plan {
        compile(
            "tests/cases/fixtures/events-only/triggers.yaml",
            "triggers.yaml",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::Owner;

    fn find<'a>(files: &'a [OutFile], path: &str) -> &'a OutFile {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} not emitted"))
    }

    #[test]
    fn emits_the_documented_file_set() {
        let files = emit(&fixtures::seed()).unwrap();
        let paths: Vec<(&str, Owner)> = files.iter().map(|f| (f.path.as_str(), f.owner)).collect();
        assert_eq!(
            paths,
            vec![
                ("flex-plugin/package.json", Owner::User),
                ("flex-plugin/public/appConfig.js", Owner::User),
                ("flex-plugin/src/AcmeCrmPlugin.ts", Owner::User),
                ("flex-plugin/src/flexgen/actions.ts", Owner::Generated),
                (
                    "flex-plugin/src/flexgen/runtime/checks.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/commands.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/endpoint.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/envelopes.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/errors.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/events.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/flex_reads.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/hello_targets.ts",
                    Owner::Generated
                ),
                ("flex-plugin/src/flexgen/runtime/hooks.ts", Owner::Generated),
                ("flex-plugin/src/flexgen/runtime/ids.ts", Owner::Generated),
                ("flex-plugin/src/flexgen/runtime/index.ts", Owner::Generated),
                (
                    "flex-plugin/src/flexgen/runtime/objects.ts",
                    Owner::Generated
                ),
                ("flex-plugin/src/flexgen/runtime/peer.ts", Owner::Generated),
                (
                    "flex-plugin/src/flexgen/runtime/protocol_constants.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/schema.ts",
                    Owner::Generated
                ),
                (
                    "flex-plugin/src/flexgen/runtime/sources.ts",
                    Owner::Generated
                ),
                ("flex-plugin/src/flexgen/triggers.ts", Owner::Generated),
                ("flex-plugin/src/flexgen/wiring.ts", Owner::Generated),
                ("flex-plugin/src/hooks.ts", Owner::User),
                ("flex-plugin/src/index.ts", Owner::User),
                ("flex-plugin/tsconfig.json", Owner::User),
            ]
        );
        let head = header(&fixtures::seed(), "//");
        assert!(head.contains("@generated by flexgen"), "{head}");
        for file in &files {
            let generated = file.contents.starts_with(&head);
            assert_eq!(generated, file.owner == Owner::Generated, "{}", file.path);
            assert!(
                !file.contents.contains("\n\n\n"),
                "{}: double blank line",
                file.path
            );
            assert!(
                file.contents.ends_with('\n') && !file.contents.ends_with("\n\n"),
                "{}",
                file.path
            );
        }
    }

    #[test]
    fn only_a_host_in_flex_workspace_gets_the_crm_frame_s_runtime() {
        let paths = |plan: &Plan| -> Vec<String> {
            emit(plan).unwrap().into_iter().map(|f| f.path).collect()
        };
        let in_host = paths(&fixtures::seed());
        let in_flex = paths(&fixtures::crm_in_flex());
        let only_in_flex: Vec<&str> = in_flex
            .iter()
            .filter(|p| !in_host.contains(p))
            .filter_map(|p| p.strip_prefix("flex-plugin/src/flexgen/runtime/"))
            .collect();
        assert_eq!(
            only_in_flex,
            [
                "crm_frame.ts",
                "crm_url.ts",
                "frame_peer.ts",
                "host_in_flex.ts"
            ]
        );
        let wiring = |plan: &Plan| {
            emit(plan)
                .unwrap()
                .into_iter()
                .find(|f| f.path.ends_with("/wiring.ts"))
                .unwrap()
                .contents
        };
        let import =
            "import { type CrmUrl, FramePeer, showCrmFrame } from \"./runtime/host_in_flex\";";
        assert!(wiring(&fixtures::crm_in_flex()).contains(import));
        assert!(!wiring(&fixtures::seed()).contains("host_in_flex"));
    }

    /// Twilio's plugin builder (`flex-plugin pre-script-check` in
    /// @twilio/flex-plugin-scripts 7.1.2, which the Twilio CLI runs before
    /// every build, start and deploy) counts `/\.loadPlugin\(/g` in `src/index.*` and
    /// stops unless it finds exactly one: a bare `loadPlugin(X)` counts zero.
    #[test]
    fn index_ts_passes_the_plugin_builders_pre_script_check() {
        let files = emit(&fixtures::seed()).unwrap();
        let index = &find(&files, "flex-plugin/src/index.ts").contents;
        assert_eq!(index.matches(".loadPlugin(").count(), 1, "{index}");
        assert!(
            index.contains("FlexPlugin.loadPlugin(AcmeCrmPlugin);"),
            "{index}"
        );
    }

    /// A plain `npm install` must work without the Twilio CLI and must put
    /// webpack 4 at the top of node_modules (see USER_TEMPLATES).
    #[test]
    fn package_json_installs_without_the_twilio_cli() {
        let files = emit(&fixtures::seed()).unwrap();
        let text = &find(&files, "flex-plugin/package.json").contents;
        let pkg: Value = serde_json::from_str(text).unwrap();
        assert_eq!(pkg["scripts"].get("postinstall"), None, "{text}");
        assert_eq!(pkg["devDependencies"]["webpack"], "^4.47.0", "{text}");
        assert_eq!(
            pkg["scripts"]["build"], "twilio flex:plugins:build",
            "{text}"
        );
    }

    fn all_fixtures() -> Vec<Plan> {
        vec![
            fixtures::seed(),
            fixtures::omnichannel(),
            fixtures::hostile(),
            fixtures::commands_only(),
            fixtures::events_only(),
        ]
    }

    #[test]
    fn emit_is_deterministic() {
        for plan in all_fixtures() {
            assert_eq!(emit(&plan).unwrap(), emit(&plan.clone()).unwrap());
        }
    }

    #[test]
    fn wiring_maps_payload_to_action_args() {
        let files = emit(&fixtures::seed()).unwrap();
        let wiring = &find(&files, "flex-plugin/src/flexgen/wiring.ts").contents;
        assert!(wiring.contains("const args: StartOutboundCallActionPayload = {\n        destination: payload.phone_number,\n      };"), "{wiring}");
        assert!(wiring.contains("if (payload.caller_id !== undefined) {\n        args.callerId = payload.caller_id;\n      }"));
        assert!(wiring.contains("await flex.Actions.invokeAction(\"StartOutboundCall\", args);"));
        assert!(wiring.contains("on(manager.events, \"taskAccepted\", (subject: unknown) => {"));
        assert!(wiring.contains("\"task.attributes.direction\": \"inbound\","));
        assert!(wiring.contains("accepted_at: iso(\"timing.acceptedAt\"),"));
        // timing.acceptedAt is used, so the tracker is installed.
        assert!(wiring.contains("new AcceptTimes()"));
        let runtime = &find(&files, "flex-plugin/src/flexgen/runtime/flex_reads.ts").contents;
        for code in [wiring, runtime] {
            assert!(
                !code.contains(".token") && !code.contains("[\"token\"]"),
                "reads a token"
            );
            assert!(code.contains("manager.user.identity") || code == wiring);
        }
        assert!(!wiring.contains("\"*\""));
    }

    #[test]
    fn literals_and_listeners_of_other_kinds() {
        let files = emit(&fixtures::omnichannel()).unwrap();
        let wiring = &find(&files, "flex-plugin/src/flexgen/wiring.ts").contents;
        assert!(wiring.contains("viewName: \"agent-desktop\","), "{wiring}");
        assert!(wiring.contains("activityAvailable: true,"));
        assert!(wiring.contains("messageAttributes: { canned: true, rank: 2, source: \"crm\" },"));
        assert!(wiring.contains("on(flex.Actions, \"afterCompleteTask\", (payload: unknown) => {"));
        assert!(wiring.contains("on(flex.Actions, \"beforeHangupCall\", (payload: unknown) => {"));
        assert!(wiring.contains("task: taskOfAction(flex, payload),"));
        assert!(!wiring.contains("new AcceptTimes()") || wiring.contains("talkSeconds"));
        let triggers = &find(&files, "flex-plugin/src/flexgen/triggers.ts").contents;
        assert!(triggers.contains("export type OpenAgentDesktopPayload = Record<string, never>;"));
        assert!(triggers.contains("activity: \"Available\" | \"Unavailable\" | \"Break\";"));
        let actions = &find(&files, "flex-plugin/src/flexgen/actions.ts").contents;
        assert!(actions.contains("task?: ITask | string;"));
    }

    #[test]
    fn hostile_text_lands_inert() {
        let files = emit(&fixtures::hostile()).unwrap();
        let mut seen_literal = false;
        for file in &files {
            let text = &file.contents;
            assert!(
                !text.contains('\u{2028}') && !text.contains('\u{202e}'),
                "{}: raw separator or bidi",
                file.path
            );
            for line in text.lines() {
                let code = line.trim_start();
                let in_comment =
                    code.starts_with("//") || code.starts_with('*') || code.starts_with("/*");
                if in_comment {
                    // Comment text cannot close the comment it sits in.
                    let body = code.trim_end_matches("*/");
                    assert!(!body.contains("*/"), "{}: {line}", file.path);
                    continue;
                }
                assert!(
                    !line.contains("</script>"),
                    "{}: raw </script> in code: {line}",
                    file.path
                );
                if line.contains("alert(1)") {
                    // Outside comments the text only exists as one escaped
                    // double-quoted literal: quote, backslash and newline escaped.
                    assert!(line.contains(r#""x\" */ \u003c/script\u003e `${alert(1)}` \u2028 \u202e \\ \n // ' end""#), "{}: {line}", file.path);
                    seen_literal = true;
                }
            }
        }
        assert!(
            seen_literal,
            "the hostile enum value and filter literal must be emitted"
        );
    }

    /// The names of every `import { ... } from "./x";` of a generated file.
    fn imported_names(code: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = code;
        while let Some(start) = rest.find("import ") {
            rest = &rest[start + "import ".len()..];
            let Some(open) = rest.find('{') else { break };
            let Some(close) = rest.find('}') else { break };
            if !rest[..open].trim().is_empty() && rest[..open].trim() != "type" {
                continue;
            }
            for name in rest[open + 1..close].split(',') {
                let name = name.trim().trim_start_matches("type ").trim();
                if !name.is_empty() {
                    names.push(name.to_string());
                }
            }
            rest = &rest[close..];
        }
        names
    }

    /// Every imported name is used (a user's `noUnusedLocals` must not trip
    /// on generated code), for every shape of spec.
    #[test]
    fn imports_are_all_used() {
        for plan in all_fixtures() {
            let app = plan.app.name.original.clone();
            for file in emit(&plan).unwrap() {
                if file.owner != Owner::Generated {
                    continue;
                }
                for name in imported_names(&file.contents) {
                    let uses = file
                        .contents
                        .match_indices(name.as_str())
                        .filter(|(i, _)| {
                            let before = file.contents[..*i].chars().next_back();
                            let after = file.contents[i + name.len()..].chars().next();
                            let ident = |c: Option<char>| {
                                c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                            };
                            !ident(before) && !ident(after)
                        })
                        .count();
                    assert!(
                        uses >= 2,
                        "{app}: {}: {name} imported, never used",
                        file.path
                    );
                }
            }
        }
    }

    #[test]
    fn wiring_fits_the_shape_of_the_spec() {
        let files = emit(&fixtures::commands_only()).unwrap();
        let wiring = &find(&files, "flex-plugin/src/flexgen/wiring.ts").contents;
        assert!(wiring.contains("  _manager: Flex.Manager,"), "{wiring}");
        assert!(!wiring.contains("const EVENTS"));
        assert!(!wiring.contains("const fire"));
        assert!(wiring.contains("const commands"));

        let files = emit(&fixtures::events_only()).unwrap();
        let wiring = &find(&files, "flex-plugin/src/flexgen/wiring.ts").contents;
        assert!(wiring.contains("  flex: typeof Flex,"), "{wiring}");
        assert!(!wiring.contains("const commands"));
        assert!(wiring.contains("onCommand: (type) => Promise.reject(unknownCommand(type)),"));
        // A worker event's argument is never read, so it is not declared.
        assert!(wiring.contains("on(manager.events, \"workerActivityUpdated\", () => {"));
        let actions = &find(&files, "flex-plugin/src/flexgen/actions.ts").contents;
        assert!(actions.ends_with(" */\n\nexport {};\n"), "{actions}");
    }

    /// A listener of ours must never throw into Flex (it would reject the
    /// observed action or skip other listeners), and never aborts an action.
    #[test]
    fn listeners_are_guarded_and_never_abort() {
        for plan in all_fixtures() {
            let files = emit(&plan).unwrap();
            let wiring = &find(&files, "flex-plugin/src/flexgen/wiring.ts").contents;
            assert!(!wiring.contains("abort("), "{wiring}");
            let registrations = wiring.matches("emitter.addListener(").count();
            if wiring.contains("const on = ") {
                assert_eq!(registrations, 1, "{wiring}");
                assert!(wiring.contains("emitter.addListener(name, guarded);"));
                assert!(wiring.contains("} catch (error) {"));
            } else {
                assert_eq!(registrations, 0);
                assert!(!wiring.contains("on(manager.events"));
            }
        }
    }

    #[test]
    fn host_origins_depend_on_the_build_only_with_development_origins() {
        let decl = |hosts: &[&str], devs: &[&str]| {
            let mut plan = fixtures::seed();
            plan.app.host_origins = hosts.iter().map(|o| o.to_string()).collect();
            plan.app.dev_host_origins = devs.iter().map(|o| o.to_string()).collect();
            host_origins_decl(&plan.app)
        };
        // No development origins: one list, no build constant anywhere.
        let plain = decl(&["https://a.example"], &[]);
        assert_eq!(
            plain,
            "export const HOST_ORIGINS: readonly string[] = [\"https://a.example\"];"
        );
        let files = emit(&fixtures::omnichannel()).unwrap();
        let triggers = &find(&files, "flex-plugin/src/flexgen/triggers.ts").contents;
        assert!(!triggers.contains("process"), "{triggers}");
        // With them: the layouts prettier 3 gives (checked against it).
        assert_eq!(
            decl(&[], &["http://localhost:8080"]),
            "export const HOST_ORIGINS: readonly string[] =\n  \
             process.env.NODE_ENV === \"development\" ? [\"http://localhost:8080\"] : [];"
        );
        assert_eq!(
            decl(&["https://crm.acme.example"], &["http://localhost:8080"]),
            "export const HOST_ORIGINS: readonly string[] =\n  \
             process.env.NODE_ENV === \"development\"\n    \
             ? [\"https://crm.acme.example\", \"http://localhost:8080\"]\n    \
             : [\"https://crm.acme.example\"];"
        );
        assert_eq!(
            decl(
                &["https://crm.acme.example.very.long.name.example"],
                &["http://localhost:8080", "http://127.0.0.1:8080"]
            ),
            "export const HOST_ORIGINS: readonly string[] =\n  \
             process.env.NODE_ENV === \"development\"\n    \
             ? [\n        \
             \"https://crm.acme.example.very.long.name.example\",\n        \
             \"http://localhost:8080\",\n        \
             \"http://127.0.0.1:8080\",\n      \
             ]\n    \
             : [\"https://crm.acme.example.very.long.name.example\"];"
        );
        let files = emit(&fixtures::seed()).unwrap();
        let triggers = &find(&files, "flex-plugin/src/flexgen/triggers.ts").contents;
        assert!(
            triggers.contains(
                "declare const process: { readonly env: { readonly NODE_ENV?: string } };"
            ),
            "{triggers}"
        );
    }
}
