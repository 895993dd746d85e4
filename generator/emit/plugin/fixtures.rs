// Hand-built plans for the plugin emitter's tests, equivalent to what
// `pipeline::compile` makes of the seed `triggers.yaml` and of a spec that
// exercises other actions, channels and listener kinds. They let the emitter
// (and `tests/plugin_tsc.rs`) be checked independently of the front end.
//
// Shared with `tests/plugin_tsc.rs` through `include!`: the includer brings
// the IR into scope (`crate::ir` here, `flexgen::ir` there).

fn field(name: &str, ty: FieldType, optional: bool, doc: Option<&str>) -> Field {
    let max_length = match ty {
        FieldType::E164 => Some(16),
        FieldType::Datetime => Some(40),
        FieldType::String | FieldType::Enum => Some(1024),
        _ => None,
    };
    Field {
        name: Names::new(name),
        ty,
        optional,
        doc: doc.map(str::to_string),
        max_length,
        values: Vec::new(),
        sources: Vec::new(),
    }
}

fn from(mut f: Field, path: &str, value_type: ValueType) -> Field {
    f.sources = vec![source(path, value_type)];
    f
}

fn source(path: &str, value_type: ValueType) -> Source {
    let mut parts = path.split('.');
    let root = match parts.next() {
        Some("task") => SourceRoot::Task,
        Some("worker") => SourceRoot::Worker,
        Some("action") => SourceRoot::Action,
        _ => SourceRoot::Timing,
    };
    Source {
        path: path.to_string(),
        root,
        segments: parts.map(str::to_string).collect(),
        value_type,
    }
}

fn filter(path: &str, value_type: ValueType, equals_json: &str) -> Filter {
    Filter {
        source: source(path, value_type),
        equals_json: equals_json.to_string(),
    }
}

fn action_field(name: &str, ty: ActionFieldType, optional: bool) -> ActionField {
    ActionField {
        name: name.to_string(),
        ty,
        optional,
    }
}

fn payload_arg(key: &str, field: &str) -> Arg {
    Arg {
        key: key.to_string(),
        nested: Vec::new(),
        value: ArgValue::Payload {
            field: Names::new(field),
        },
    }
}

fn literal_arg(key: &str, json: &str) -> Arg {
    Arg {
        key: key.to_string(),
        nested: Vec::new(),
        value: ArgValue::Literal {
            json: json.to_string(),
        },
    }
}

fn command(name: &str, summary: &str, payload: Vec<Field>, invoke: Invoke) -> Trigger {
    Trigger {
        name: Names::new(name),
        summary: Some(summary.to_string()),
        user_action: Some("click".to_string()),
        direction: Direction::HostToFlex,
        channel: None,
        channel_type: None,
        payload,
        invoke: Some(invoke),
        listen: None,
    }
}

fn event(name: &str, summary: &str, payload: Vec<Field>, listen: Listen) -> Trigger {
    Trigger {
        name: Names::new(name),
        summary: Some(summary.to_string()),
        user_action: None,
        direction: Direction::FlexToHost,
        channel: None,
        channel_type: None,
        payload,
        invoke: None,
        listen: Some(listen),
    }
}

fn listen(kind: ListenKind, name: &str, subject: Subject, filters: Vec<Filter>) -> Listen {
    let listener = match kind {
        ListenKind::ManagerEvent => name.to_string(),
        ListenKind::BeforeAction => format!("before{name}"),
        ListenKind::AfterAction => format!("after{name}"),
    };
    Listen {
        kind,
        name: name.to_string(),
        listener,
        subject,
        filters,
    }
}

fn plan(app: &str, origins: &[&str], dev_origins: &[&str], triggers: Vec<Trigger>) -> Plan {
    Plan {
        generator: "flexgen 0.1.0".to_string(),
        spec_file: "triggers.yaml".to_string(),
        protocol_version: 1,
        spec_hash: "0123456789abcdef".to_string(),
        app: App {
            name: Names::new(app),
            flex_origin: "https://flex.twilio.com".to_string(),
            host_origins: origins.iter().map(|o| o.to_string()).collect(),
            dev_host_origins: dev_origins.iter().map(|o| o.to_string()).collect(),
        },
        triggers,
    }
}

/// The seed: click to dial, screen pop, interaction log.
pub fn seed() -> Plan {
    use FieldType as F;
    use ValueType as V;
    let mut click = command(
        "click_to_dial",
        "Agent clicks a phone number in the CRM; Flex places the call.",
        vec![
            field("phone_number", F::E164, false, Some("Number to dial.")),
            field("caller_id", F::E164, true, Some("Caller ID to present.")),
        ],
        Invoke {
            action: "StartOutboundCall".to_string(),
            action_fields: vec![
                action_field("destination", ActionFieldType::String, false),
                action_field("queueSid", ActionFieldType::String, true),
                action_field("callerId", ActionFieldType::String, true),
                action_field("taskAttributes", ActionFieldType::Object, true),
            ],
            args: vec![
                payload_arg("destination", "phone_number"),
                payload_arg("callerId", "caller_id"),
            ],
            timeout_ms: 15000,
            queue_for_ms: 5000,
        },
    );
    click.channel = Some("voice".to_string());
    click.user_action = Some("click a phone number".to_string());

    let mut pop = event(
        "screen_pop",
        "An inbound voice call was accepted; the CRM shows the caller's record.",
        vec![
            from(
                field("caller", F::E164, false, Some("The caller's number.")),
                "task.attributes.from",
                V::Unknown,
            ),
            from(
                field("task_sid", F::String, false, None),
                "task.taskSid",
                V::String,
            ),
            from(
                field("reservation_sid", F::String, false, None),
                "task.sid",
                V::String,
            ),
            from(
                field("channel", F::String, false, None),
                "task.taskChannelUniqueName",
                V::String,
            ),
            from(
                field("queue", F::String, false, None),
                "task.queueName",
                V::String,
            ),
        ],
        listen(
            ListenKind::ManagerEvent,
            "taskAccepted",
            Subject::Task,
            vec![
                filter("task.taskChannelUniqueName", V::String, "\"voice\""),
                filter("task.attributes.direction", V::Unknown, "\"inbound\""),
            ],
        ),
    );
    pop.channel = Some("voice".to_string());

    let mut direction = field("direction", F::Enum, true, None);
    direction.values = vec!["inbound".to_string(), "outbound".to_string()];
    let logged = event(
        "interaction_logged",
        "An interaction reached wrap-up; the CRM records it in the activity history.",
        vec![
            from(
                field("from", F::String, true, None),
                "task.attributes.from",
                V::Unknown,
            ),
            from(
                field("to", F::String, true, None),
                "task.attributes.to",
                V::Unknown,
            ),
            from(direction, "task.attributes.direction", V::Unknown),
            from(
                field("channel", F::String, false, None),
                "task.taskChannelUniqueName",
                V::String,
            ),
            from(
                field("channel_type", F::String, true, None),
                "task.channelType",
                V::String,
            ),
            from(
                field("task_sid", F::String, false, None),
                "task.taskSid",
                V::String,
            ),
            from(
                field("agent", F::String, false, None),
                "worker.identity",
                V::String,
            ),
            from(
                field(
                    "created_at",
                    F::Datetime,
                    false,
                    Some("When the task was created."),
                ),
                "task.dateCreated",
                V::Date,
            ),
            from(
                field("accepted_at", F::Datetime, true, None),
                "timing.acceptedAt",
                V::Date,
            ),
            from(
                field("ended_at", F::Datetime, false, None),
                "timing.eventAt",
                V::Date,
            ),
            from(
                field("talk_seconds", F::Integer, true, None),
                "timing.talkSeconds",
                V::Number,
            ),
        ],
        listen(
            ListenKind::ManagerEvent,
            "taskWrapup",
            Subject::Task,
            vec![],
        ),
    );
    plan(
        "acme-crm",
        &["https://crm.acme.example"],
        &["http://localhost:8080"],
        vec![click, pop, logged],
    )
}

/// Other actions, chat + WhatsApp, a worker event, before/after listeners, a
/// literal arg and a payload-less command.
pub fn omnichannel() -> Plan {
    use FieldType as F;
    use ValueType as V;
    let string = |name: &str, max: u32| {
        let mut f = field(name, F::String, false, None);
        f.max_length = Some(max);
        f
    };
    let mut reply = command(
        "send_whatsapp_reply",
        "Agent sends a canned reply from the CRM into a WhatsApp conversation.",
        vec![string("conversation_sid", 34), string("body", 1600)],
        Invoke {
            action: "SendMessage".to_string(),
            action_fields: vec![
                action_field("body", ActionFieldType::String, false),
                action_field("messageAttributes", ActionFieldType::Object, true),
                action_field("subject", ActionFieldType::String, true),
                action_field("conversationSid", ActionFieldType::String, true),
            ],
            args: vec![
                payload_arg("conversationSid", "conversation_sid"),
                payload_arg("body", "body"),
                literal_arg(
                    "messageAttributes",
                    r#"{"source":"crm","canned":true,"rank":2}"#,
                ),
            ],
            timeout_ms: 10000,
            queue_for_ms: 3000,
        },
    );
    reply.channel = Some("chat".to_string());
    reply.channel_type = Some("whatsapp".to_string());

    let transfer = command(
        "transfer_conversation",
        "Agent transfers the current conversation to a queue or worker.",
        vec![string("task_sid", 34), string("target_sid", 34)],
        Invoke {
            action: "TransferTask".to_string(),
            action_fields: vec![
                action_field("task", ActionFieldType::Task, true),
                action_field("sid", ActionFieldType::String, true),
                action_field("targetSid", ActionFieldType::String, false),
                action_field("options", ActionFieldType::Object, true),
            ],
            args: vec![
                payload_arg("sid", "task_sid"),
                payload_arg("targetSid", "target_sid"),
            ],
            timeout_ms: 20000,
            queue_for_ms: 0,
        },
    );

    let mut activity = field(
        "activity",
        F::Enum,
        false,
        Some("TaskRouter activity name."),
    );
    activity.values = ["Available", "Unavailable", "Break"]
        .map(String::from)
        .to_vec();
    let set_activity = command(
        "set_agent_activity",
        "Agent picks a status in the CRM; Flex switches the worker's activity.",
        vec![activity],
        Invoke {
            action: "SetActivity".to_string(),
            action_fields: vec![
                action_field("activityAvailable", ActionFieldType::Boolean, true),
                action_field("activityName", ActionFieldType::String, true),
                action_field("activitySid", ActionFieldType::String, true),
                action_field("options", ActionFieldType::Object, true),
            ],
            args: vec![
                payload_arg("activityName", "activity"),
                literal_arg("activityAvailable", "true"),
            ],
            timeout_ms: 10000,
            queue_for_ms: 10000,
        },
    );

    let open_desktop = command(
        "open_agent_desktop",
        "Agent clicks \"Open desktop\" in the CRM; Flex shows its agent desktop.",
        vec![],
        Invoke {
            action: "NavigateToView".to_string(),
            action_fields: vec![action_field("viewName", ActionFieldType::String, false)],
            args: vec![literal_arg("viewName", "\"agent-desktop\"")],
            timeout_ms: 5000,
            queue_for_ms: 0,
        },
    );

    let mut accepted = event(
        "whatsapp_conversation_accepted",
        "A WhatsApp conversation was accepted; the CRM pops the customer record.",
        vec![
            from(
                field("customer", F::String, false, None),
                "task.attributes.from",
                V::Unknown,
            ),
            from(
                field("customer_name", F::String, true, None),
                "task.attributes.customerName",
                V::Unknown,
            ),
            from(
                field("task_sid", F::String, false, None),
                "task.taskSid",
                V::String,
            ),
            from(
                field("priority", F::Integer, false, None),
                "task.priority",
                V::Number,
            ),
        ],
        listen(
            ListenKind::ManagerEvent,
            "taskAccepted",
            Subject::Task,
            vec![
                filter("task.taskChannelUniqueName", V::String, "\"chat\""),
                filter("task.attributes.channelType", V::Unknown, "\"whatsapp\""),
            ],
        ),
    );
    accepted.channel = Some("chat".to_string());
    accepted.channel_type = Some("whatsapp".to_string());

    let completed = event(
        "sms_conversation_completed",
        "An SMS conversation was completed by the agent; the CRM closes the case.",
        vec![
            from(
                field("task_sid", F::String, false, None),
                "task.taskSid",
                V::String,
            ),
            from(
                field("agent", F::String, false, None),
                "worker.identity",
                V::String,
            ),
            from(
                field("completed_at", F::Datetime, false, None),
                "timing.eventAt",
                V::Date,
            ),
            from(
                field("handle_seconds", F::Integer, true, None),
                "timing.talkSeconds",
                V::Number,
            ),
        ],
        listen(
            ListenKind::AfterAction,
            "CompleteTask",
            Subject::Task,
            vec![filter("task.attributes.channelType", V::Unknown, "\"sms\"")],
        ),
    );

    // Enums long enough that prettier breaks their lines, at two depths.
    let mut status = field("status", F::Enum, true, None);
    status.values = [
        "Available",
        "Unavailable",
        "Break",
        "Offline",
        "Lunch",
        "Training",
    ]
    .map(String::from)
    .to_vec();
    let mut mood = field("mood", F::Enum, true, None);
    mood.values = ["cheerful", "focused", "tired", "distracted"]
        .map(String::from)
        .to_vec();
    let changed = event(
        "agent_activity_changed",
        "The worker's activity changed; the CRM updates its status badge.",
        vec![
            from(
                field("agent", F::String, false, None),
                "worker.identity",
                V::String,
            ),
            from(
                field("activity", F::String, false, None),
                "worker.activityName",
                V::String,
            ),
            from(
                field("available", F::Boolean, true, None),
                "worker.attributes.available",
                V::Unknown,
            ),
            from(
                field("changed_at", F::Datetime, false, None),
                "timing.eventAt",
                V::Date,
            ),
            from(status, "worker.attributes.status", V::Unknown),
            from(mood, "worker.attributes.mood", V::Unknown),
        ],
        listen(
            ListenKind::ManagerEvent,
            "workerActivityUpdated",
            Subject::Worker,
            vec![],
        ),
    );

    let hanging_up = event(
        "call_hanging_up",
        "The agent hangs up a voice call in Flex; the CRM starts its call notes.",
        vec![
            from(
                field("task_sid", F::String, false, None),
                "task.taskSid",
                V::String,
            ),
            from(
                field("started_at", F::Datetime, false, None),
                "task.dateCreated",
                V::Date,
            ),
        ],
        listen(
            ListenKind::BeforeAction,
            "HangupCall",
            Subject::Task,
            vec![filter(
                "task.attributes.direction",
                V::Unknown,
                "\"outbound\"",
            )],
        ),
    );

    plan(
        "omnichannel-desk",
        &["https://desk.example.com"],
        &[],
        vec![
            reply,
            transfer,
            set_activity,
            open_desktop,
            accepted,
            completed,
            changed,
            hanging_up,
        ],
    )
}

/// The seed with hostile free text in every place free text can go.
pub fn hostile() -> Plan {
    const EVIL: &str = "x\" */ </script> `${alert(1)}` \u{2028} \u{202e} \\ \n // ' end";
    let mut plan = seed();
    plan.spec_file = format!("evil{EVIL}.yaml");
    for trigger in &mut plan.triggers {
        trigger.summary = Some(EVIL.to_string());
        trigger.user_action = Some(EVIL.to_string());
        for field in &mut trigger.payload {
            field.doc = Some(EVIL.to_string());
        }
    }
    let direction = &mut plan.triggers[2].payload[2];
    direction.values = vec![EVIL.to_string(), "b".to_string()];
    if let Some(listen) = &mut plan.triggers[1].listen {
        listen.filters[1].equals_json = serde_json::to_string(EVIL).unwrap();
    }
    plan
}

/// Only host -> Flex triggers: the wiring has no listeners, no event table.
pub fn commands_only() -> Plan {
    let mut plan = omnichannel();
    plan.app.name = Names::new("commands-only");
    plan.triggers
        .retain(|t| t.direction == Direction::HostToFlex);
    plan
}

/// Only Flex -> host triggers: no command table, no action payloads.
pub fn events_only() -> Plan {
    let mut plan = omnichannel();
    plan.app.name = Names::new("events-only");
    plan.triggers
        .retain(|t| t.direction == Direction::FlexToHost);
    plan
}
