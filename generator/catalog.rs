//! The Flex catalog, as data: what a spec may name and what each name means.
//!
//! Flex types action names as plain strings and payloads as `any`, so a typo
//! compiles fine against `@twilio/flex-ui`; every bit of name and payload safety
//! comes from these tables. Read off `@twilio/flex-ui` 2.17.1 (`src/actions/*.d.ts`,
//! `src/OutboundCalling.d.ts`, `src/FlexEvents.d.ts`, `src/models/CommonModels.d.ts`,
//! `src/flex-ui-core/src/actions/RegisterActions.d.ts`). Grow the tables, not code.

use crate::ir::{ActionFieldType as A, SourceRoot, Subject, ValueType as V};

/// One key of a Flex action's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadField {
    pub name: &'static str,
    pub ty: A,
    pub optional: bool,
}

/// A built-in Flex action the spec may invoke or listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub name: &'static str,
    pub fields: &'static [PayloadField],
    /// What a before/after listener's payload concerns: `Task` exactly when the
    /// payload carries `task`/`sid` (Flex resolves one into the other).
    pub subject: Subject,
}

const fn req(name: &'static str, ty: A) -> PayloadField {
    PayloadField {
        name,
        ty,
        optional: false,
    }
}
const fn opt(name: &'static str, ty: A) -> PayloadField {
    PayloadField {
        name,
        ty,
        optional: true,
    }
}

/// `WorkerActionPayload`: a task by object or by reservation sid.
const TASK: PayloadField = opt("task", A::Task);
const SID: PayloadField = opt("sid", A::String);
const REASON: PayloadField = opt("reason", A::String);

const WORKER_ACTION: &[PayloadField] = &[TASK, SID, REASON];
/// `VoiceActionPayload`.
const VOICE_ACTION: &[PayloadField] = &[TASK, SID];

/// Built-in actions, alphabetical.
pub const ACTIONS: &[Action] = &[
    Action {
        name: "AcceptTask",
        // `conferenceOptions` is typed `any` (not optional) in the .d.ts, but
        // Flex fills it in when it is left out.
        fields: &[TASK, SID, REASON, opt("conferenceOptions", A::Object)],
        subject: Subject::Task,
    },
    Action {
        name: "CompleteTask",
        fields: WORKER_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "EndConferenceForAll",
        fields: VOICE_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "HangupCall",
        fields: VOICE_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "HoldCall",
        fields: &[
            TASK,
            SID,
            opt("participantCallSid", A::String),
            opt("holdMusicUrl", A::String),
            opt("holdMusicMethod", A::String),
        ],
        subject: Subject::Task,
    },
    Action {
        name: "NavigateToView",
        fields: &[req("viewName", A::String)],
        subject: Subject::None,
    },
    Action {
        name: "RejectTask",
        fields: WORKER_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "SelectTask",
        fields: WORKER_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "SendDTMFDigits",
        fields: &[TASK, SID, REASON, req("digits", A::String)],
        subject: Subject::Task,
    },
    Action {
        name: "SendMessage",
        fields: &[
            req("body", A::String),
            opt("messageAttributes", A::Any),
            opt("subject", A::String),
            opt("conversationSid", A::String),
        ],
        subject: Subject::None,
    },
    Action {
        name: "SendRichContentMessage",
        fields: &[
            req("contentSid", A::String),
            opt("contentVariables", A::Any),
            opt("messageAttributes", A::Any),
            opt("conversationSid", A::String),
        ],
        subject: Subject::None,
    },
    Action {
        name: "SetActivity",
        fields: &[
            opt("activityAvailable", A::Boolean),
            opt("activityName", A::String),
            opt("activitySid", A::String),
            opt("options", A::Object),
        ],
        subject: Subject::Worker,
    },
    Action {
        name: "SetComponentState",
        fields: &[req("name", A::String), req("state", A::Any)],
        subject: Subject::None,
    },
    Action {
        name: "SetInputText",
        fields: &[
            req("body", A::String),
            opt("conversationSid", A::String),
            opt("selectionStart", A::Number),
            opt("selectionEnd", A::Number),
        ],
        subject: Subject::None,
    },
    Action {
        name: "SetTaskAttributes",
        fields: &[
            TASK,
            SID,
            REASON,
            req("attributes", A::Object),
            req("mergeExisting", A::Boolean),
        ],
        subject: Subject::Task,
    },
    Action {
        name: "SetWorkerAttributes",
        fields: &[
            req("attributes", A::Object),
            req("mergeExisting", A::Boolean),
        ],
        subject: Subject::Worker,
    },
    Action {
        name: "StartExternalWarmTransfer",
        fields: &[
            TASK,
            SID,
            req("callerId", A::String),
            req("phoneNumber", A::String),
        ],
        subject: Subject::Task,
    },
    Action {
        name: "StartOutboundCall",
        fields: &[
            req("destination", A::String),
            opt("queueSid", A::String),
            opt("callerId", A::String),
            opt("taskAttributes", A::Object),
        ],
        subject: Subject::None,
    },
    Action {
        name: "ToggleMute",
        fields: VOICE_ACTION,
        subject: Subject::Task,
    },
    Action {
        name: "ToggleSidebar",
        fields: &[opt("open", A::Boolean)],
        subject: Subject::None,
    },
    Action {
        name: "TransferTask",
        fields: &[
            TASK,
            SID,
            REASON,
            req("targetSid", A::String),
            opt("options", A::Object),
        ],
        subject: Subject::Task,
    },
    Action {
        name: "UnholdCall",
        fields: &[TASK, SID, opt("participantCallSid", A::String)],
        subject: Subject::Task,
    },
    Action {
        name: "WrapupTask",
        fields: WORKER_ACTION,
        subject: Subject::Task,
    },
];

/// A manager event (`manager.events.addListener(name, ...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub name: &'static str,
    pub subject: Subject,
}

pub const EVENTS: &[Event] = &[
    Event {
        name: "taskReceived",
        subject: Subject::Task,
    },
    Event {
        name: "taskAccepted",
        subject: Subject::Task,
    },
    Event {
        name: "taskUpdated",
        subject: Subject::Task,
    },
    Event {
        name: "taskWrapup",
        subject: Subject::Task,
    },
    Event {
        name: "taskCompleted",
        subject: Subject::Task,
    },
    Event {
        name: "taskCanceled",
        subject: Subject::Task,
    },
    Event {
        name: "taskRejected",
        subject: Subject::Task,
    },
    Event {
        name: "taskRescinded",
        subject: Subject::Task,
    },
    Event {
        name: "taskTimeout",
        subject: Subject::Task,
    },
    Event {
        name: "workerActivityUpdated",
        subject: Subject::Worker,
    },
    Event {
        name: "workerAttributesUpdated",
        subject: Subject::Worker,
    },
    Event {
        name: "pluginsInitialized",
        subject: Subject::None,
    },
];

/// A Flex event a plugin can name but never observe, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnobservableEvent {
    pub name: &'static str,
    pub why: &'static str,
}

/// Events of `FlexEvent` (`src/FlexEvents.d.ts`) that a plugin's listener
/// would never see: a spec naming one is refused with the reason.
pub const UNOBSERVABLE_EVENTS: &[UnobservableEvent] = &[UnobservableEvent {
    name: "userLoggedIn",
    // FlexEvents.d.ts: "since the userLoggedIn event occurs before
    // instantiation of manager, listeners for this event are added to the
    // class itself"; Flex loads plugins after the login, so it has fired
    // before any plugin's `init` runs.
    why: "it fires when the agent logs in, before Flex loads any plugin: a plugin's listener never sees it",
}];

/// A readable value under a source root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceField {
    pub name: &'static str,
    pub ty: V,
    /// May be absent at run time (a required payload field cannot read it).
    pub optional: bool,
    /// Free-form below it (`attributes.<any.path>`): any sub-path is allowed.
    pub free_form: bool,
}

const fn value(name: &'static str, ty: V) -> SourceField {
    SourceField {
        name,
        ty,
        optional: false,
        free_form: false,
    }
}
const fn maybe(name: &'static str, ty: V) -> SourceField {
    SourceField {
        name,
        ty,
        optional: true,
        free_form: false,
    }
}
const fn free(name: &'static str) -> SourceField {
    SourceField {
        name,
        ty: V::Unknown,
        optional: false,
        free_form: true,
    }
}

/// `ITask` fields a trigger may read (`models/CommonModels.d.ts`).
pub const TASK_FIELDS: &[SourceField] = &[
    value("sid", V::String),
    value("taskSid", V::String),
    free("attributes"),
    value("taskChannelUniqueName", V::String),
    value("channelType", V::String),
    value("queueName", V::String),
    value("queueSid", V::String),
    value("status", V::String),
    value("taskStatus", V::String),
    value("age", V::Number),
    value("dateCreated", V::Date),
    value("dateUpdated", V::Date),
    value("priority", V::Number),
    value("workerSid", V::String),
    value("workflowName", V::String),
    // "the reason the Task was completed or canceled, if applicable": absent
    // before then. A cancelled outbound call carries Flex's failure reason.
    maybe("reason", V::String),
    // The TaskRouter reservation behind the task (`ITask.sourceObject`):
    // only this value of it is readable, never the object (it leads to the
    // worker and its token). Set when the reservation was cancelled with a
    // reason: for a call placed with StartOutboundCall, the Twilio error
    // code of its failure, which Flex's own notifications read
    // (`handleOutboundTaskCancelledEvent`: 45303 busy, 45305 no answer,
    // 13223/21211 invalid number, 21210 caller ID not verified).
    maybe("sourceObject.canceledReasonCode", V::Number),
];

/// The logged-in worker. There is deliberately no path to `manager.user.token`.
pub const WORKER_FIELDS: &[SourceField] = &[
    value("identity", V::String),
    value("sid", V::String),
    value("activityName", V::String),
    free("attributes"),
];

/// Times the plugin observes itself.
pub const TIMING_FIELDS: &[SourceField] = &[
    value("eventAt", V::Date),
    maybe("acceptedAt", V::Date),
    maybe("talkSeconds", V::Number),
];

/// Source roots and when each is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Root {
    pub name: &'static str,
    pub root: SourceRoot,
    /// Only for listeners whose subject is a task.
    pub needs_task: bool,
    /// Only for before/after action listeners.
    pub needs_action: bool,
}

pub const ROOTS: &[Root] = &[
    Root {
        name: "task",
        root: SourceRoot::Task,
        needs_task: true,
        needs_action: false,
    },
    Root {
        name: "worker",
        root: SourceRoot::Worker,
        needs_task: false,
        needs_action: false,
    },
    Root {
        name: "action",
        root: SourceRoot::Action,
        needs_task: false,
        needs_action: true,
    },
    Root {
        name: "timing",
        root: SourceRoot::Timing,
        needs_task: false,
        needs_action: false,
    },
];

/// TaskRouter task channel unique names.
pub const CHANNELS: &[&str] = &["voice", "chat", "sms", "email", "video", "default"];

/// `attributes.channelType` values of `chat` tasks.
pub const CHANNEL_TYPES: &[&str] = &[
    "whatsapp", "sms", "facebook", "gbm", "apple", "web", "chat", "email",
];

/// The only channel whose tasks carry a channel type.
pub const CHANNEL_TYPE_CHANNEL: &str = "chat";

/// TypeScript/JavaScript words a generated identifier may not be: reserved and
/// strict-mode reserved words, names strict mode cannot bind, TS type keywords,
/// and the keys that reach an object's prototype.
pub const TS_RESERVED: &[&str] = &[
    "abstract",
    "any",
    "arguments",
    "as",
    "async",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "infer",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "object",
    "package",
    "private",
    "protected",
    "prototype",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "__proto__",
    // PascalCase forms that would shadow a global type in generated TS.
    "Array",
    "Boolean",
    "Function",
    "Number",
    "Object",
    "Promise",
    "String",
    "Symbol",
];

/// Rust strict, reserved and path keywords, plus prelude names a PascalCase form
/// must not shadow.
pub const RUST_RESERVED: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "Box",
    "Err", "None", "Ok", "Option", "Result", "Some", "String", "Vec",
];

pub fn action(name: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// Every action's name, in catalog order (for completion, help and schema).
pub fn action_names() -> Vec<&'static str> {
    ACTIONS.iter().map(|a| a.name).collect()
}

/// Every observable event's name, in catalog order.
pub fn event_names() -> Vec<&'static str> {
    EVENTS.iter().map(|e| e.name).collect()
}

pub fn event(name: &str) -> Option<&'static Event> {
    EVENTS.iter().find(|e| e.name == name)
}

pub fn unobservable_event(name: &str) -> Option<&'static UnobservableEvent> {
    UNOBSERVABLE_EVENTS.iter().find(|e| e.name == name)
}

pub fn root(name: &str) -> Option<&'static Root> {
    ROOTS.iter().find(|r| r.name == name)
}

/// The fields readable under a root; for `action`, those of the observed action.
pub fn root_fields(root: SourceRoot, action: Option<&Action>) -> Vec<SourceField> {
    match root {
        SourceRoot::Task => TASK_FIELDS.to_vec(),
        SourceRoot::Worker => WORKER_FIELDS.to_vec(),
        SourceRoot::Timing => TIMING_FIELDS.to_vec(),
        SourceRoot::Action => action
            .map(|a| a.fields.iter().map(action_source_field).collect())
            .unwrap_or_default(),
    }
}

/// How an action payload key reads as a source: objects are free-form below.
fn action_source_field(f: &PayloadField) -> SourceField {
    let (ty, free_form) = match f.ty {
        A::String => (V::String, false),
        A::Number => (V::Number, false),
        A::Boolean => (V::Boolean, false),
        A::Object | A::Task | A::Any => (V::Unknown, true),
    };
    SourceField {
        name: f.name,
        ty,
        optional: f.optional,
        free_form,
    }
}

/// Rust members the generated host bridge's `FlexBridge` has whatever the
/// spec. A trigger's own members (`click_to_dial`, `on_screen_pop` and their
/// `js_` exports) must not take one of these names.
pub const BRIDGE_RUST_MEMBERS: &[&str] = &[
    "new",
    "state",
    "js_state",
    "on_state_change",
    "js_on_state_change",
    "dispose",
    "drop",
];

/// JavaScript members of the `FlexBridge` class whatever the spec (some
/// written by wasm-bindgen).
pub const BRIDGE_JS_MEMBERS: &[&str] = &[
    "constructor",
    "state",
    "onStateChange",
    "dispose",
    "free",
    "__destroy_into_raw",
    "__wbg_ptr",
];

/// Module-level names of the generated plugin's `triggers.ts` and
/// `wiring.ts`, where each trigger also declares its message type as a
/// constant named in SHOUTY_CASE (`CLICK_TO_DIAL`): a trigger whose SHOUTY
/// form is one of these would declare it twice.
pub const PLUGIN_MODULE_NAMES: &[&str] =
    &["APP_NAME", "EVENTS", "HOST_ORIGINS", "SCHEMAS", "SPEC_HASH"];

pub fn is_reserved(word: &str) -> bool {
    TS_RESERVED.contains(&word) || RUST_RESERVED.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn brief_actions_are_all_there() {
        for name in [
            "AcceptTask",
            "RejectTask",
            "CompleteTask",
            "WrapupTask",
            "SelectTask",
            "TransferTask",
            "SetTaskAttributes",
            "SetActivity",
            "HangupCall",
            "ToggleMute",
            "EndConferenceForAll",
            "HoldCall",
            "UnholdCall",
            "StartExternalWarmTransfer",
            "SendDTMFDigits",
            "StartOutboundCall",
            "SendMessage",
            "SetInputText",
            "SendRichContentMessage",
            "NavigateToView",
            "ToggleSidebar",
            "SetComponentState",
        ] {
            assert!(action(name).is_some(), "{name} missing from the catalog");
        }
        let out = action("StartOutboundCall").unwrap();
        assert_eq!(out.fields[0], req("destination", A::String));
        assert!(out.fields[1..].iter().all(|f| f.optional));
    }

    #[test]
    fn names_are_unique_and_action_subjects_follow_their_payload() {
        let names: BTreeSet<_> = ACTIONS.iter().map(|a| a.name).collect();
        assert_eq!(names.len(), ACTIONS.len());
        let events: BTreeSet<_> = EVENTS.iter().map(|e| e.name).collect();
        assert_eq!(events.len(), EVENTS.len());
        for a in ACTIONS {
            let carries_task = a.fields.iter().any(|f| f.name == "task" || f.name == "sid");
            assert_eq!(carries_task, a.subject == Subject::Task, "{}", a.name);
            let keys: BTreeSet<_> = a.fields.iter().map(|f| f.name).collect();
            assert_eq!(keys.len(), a.fields.len(), "{} has a duplicate key", a.name);
        }
    }

    #[test]
    fn event_subjects() {
        assert_eq!(event("taskAccepted").unwrap().subject, Subject::Task);
        assert_eq!(
            event("workerActivityUpdated").unwrap().subject,
            Subject::Worker
        );
        assert_eq!(event("pluginsInitialized").unwrap().subject, Subject::None);
        assert!(event("TaskAccepted").is_none());
    }

    #[test]
    fn sources_and_reserved_words() {
        let task = root_fields(SourceRoot::Task, None);
        assert!(task.iter().any(|f| f.name == "attributes" && f.free_form));
        assert_eq!(
            task.iter().find(|f| f.name == "dateCreated").unwrap().ty,
            V::Date
        );
        let transfer = root_fields(SourceRoot::Action, action("TransferTask"));
        let target = transfer.iter().find(|f| f.name == "targetSid").unwrap();
        assert_eq!((target.ty, target.optional), (V::String, false));
        assert!(
            transfer
                .iter()
                .find(|f| f.name == "options")
                .unwrap()
                .free_form
        );
        assert!(!WORKER_FIELDS.iter().any(|f| f.name.contains("token")));
        for word in [
            "type",
            "class",
            "self",
            "Self",
            "fn",
            "async",
            "constructor",
            "__proto__",
            "crate",
        ] {
            assert!(is_reserved(word), "{word}");
        }
        for word in ["from", "to", "channel", "caller", "direction"] {
            assert!(!is_reserved(word), "{word} is a fine field name");
        }
    }
}
