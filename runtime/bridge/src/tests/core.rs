use crate::core::*;
use crate::error::*;
use crate::fields::*;
use crate::ids::*;
use crate::limits::*;
use crate::protocol_constants::*;
use crate::text::*;
use crate::value::*;

const FLEX: &str = "https://flex.example.com";
const HASH: &str = "0123456789abcdef";

/// One Flex -> host trigger, `ping { n: integer }`.
fn check_ping(trigger: &str, payload: &Value) -> Option<Result<Value, BridgeError>> {
    (trigger == "ping").then(|| {
        let mut f = Fields::of(payload)?;
        let n = f.integer("n")?;
        f.finish()?;
        let mut out = Object::new();
        out.put("n", &n);
        Ok(out.into_value())
    })
}

fn ping_fields(trigger: &str) -> Option<FieldBounds> {
    (trigger == "ping").then_some(&[("n", 0)][..])
}

fn spec() -> Spec {
    Spec {
        app: "test-app",
        spec_hash: HASH,
        flex_origin: FLEX,
        check_event: check_ping,
        event_fields: ping_fields,
    }
}

#[test]
fn a_message_budget_covers_every_declared_key_at_its_longest() {
    let fields: FieldBounds = &[("name", 100), ("n", 0), ("phone", 16)];
    let budget = Budget::for_message(fields);
    // 13 envelope keys, 2 error fields, 3 payload fields, 3 undeclared names.
    assert_eq!(budget.nodes, 13 + 2 + 3 + 3);
    let envelope: u32 = 16 + 64 + 128 + 16 + 64 + 64 + 16 + 128;
    assert_eq!(budget.units, envelope + 40 + 2000 + 116 + 3 * 64);
    // Spent by units or by nodes; once spent, nothing more is read.
    let mut b = budget;
    assert!(b.take(budget.units));
    assert!(!b.take(1));
    assert!(!b.take(0));
    let mut b = Budget {
        nodes: 2,
        units: 10,
    };
    assert!(b.take(0) && b.take(0));
    assert!(!b.take(0));
    // Every slot of the envelope is in the budget: a message of another
    // app or version is read by the same rules.
    let empty = Budget::for_message(&[]);
    assert_eq!(
        empty.nodes as usize,
        ENVELOPE_SLOTS.len() + ERROR_FIELDS.len() + 3
    );
}

#[test]
fn a_value_left_unread_fails_its_check_with_its_reason() {
    let too_long = Value::Unsupported(TOO_LONG);
    assert_eq!(check_string(&too_long, 5).unwrap_err(), "longer than 5");
    for why in [OVER_BUDGET, NOT_A_SCALAR, SHARED_REFERENCE] {
        assert!(check_string(&Value::Unsupported(why), 5).is_err());
        assert!(check_integer(&Value::Unsupported(why)).is_err());
    }
    // A payload that could not be read is refused, never delivered.
    let mut core = ready();
    let data = event("f-8", "ping", Value::Unsupported(SHARED_REFERENCE));
    let out = core.receive(FLEX, true, &data, 0.0);
    assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
    assert!(!out.iter().any(|e| matches!(e, Effect::Deliver { .. })));
}

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn common(id: &str, kind: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("ns", Value::from("flexgen")),
        ("v", Value::Number(f64::from(PROTOCOL_VERSION))),
        ("app", Value::from("test-app")),
        ("id", Value::from(id)),
        ("kind", Value::from(kind)),
    ]
}

fn hello(id: &str, spec: &str, re: Option<&str>) -> Value {
    let mut e = common(id, "hello");
    e.push(("spec", Value::from(spec)));
    e.push(("role", Value::from("flex")));
    if let Some(re) = re {
        e.push(("re", Value::from(re)));
    }
    obj(&e)
}

fn event(id: &str, trigger: &str, payload: Value) -> Value {
    let mut e = common(id, "event");
    e.push(("type", Value::from(trigger)));
    e.push(("payload", payload));
    obj(&e)
}

fn reply(id: &str, re: &str, error: Option<(&str, &str)>) -> Value {
    let mut e = common(id, "reply");
    e.push(("re", Value::from(re)));
    e.push(("ok", Value::Bool(error.is_none())));
    if let Some((code, message)) = error {
        let body = obj(&[
            ("code", Value::from(code)),
            ("message", Value::from(message)),
        ]);
        e.push(("error", body));
    }
    obj(&e)
}

fn ping(n: f64) -> Value {
    obj(&[("n", Value::Number(n))])
}

fn posts(effects: &[Effect]) -> Vec<&Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Post(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn field<'a>(message: &'a Value, key: &str) -> &'a str {
    message.get(key).and_then(Value::as_str).unwrap_or("")
}

fn error_code(message: &Value) -> &str {
    message.get("error").map_or("", |e| field(e, "code"))
}

/// A core that finished the handshake.
fn ready() -> Core {
    let mut core = Core::new(spec(), 7);
    core.start();
    core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
    assert_eq!(core.state(), State::Ready);
    core
}

fn settled(effects: &[Effect]) -> Vec<(u64, Result<Ack, BridgeError>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Settle(t, r) => Some((*t, r.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn says_hello_with_its_spec() {
    let mut core = Core::new(spec(), 0xabc);
    let out = core.start();
    let sent = posts(&out);
    assert_eq!(sent.len(), 1);
    let message = sent[0];
    assert_eq!(field(message, "kind"), "hello");
    assert_eq!(field(message, "role"), "host");
    assert_eq!(field(message, "spec"), HASH);
    assert_eq!(field(message, "id"), "h-0000000000000abc-1");
    assert_eq!(message.get("re"), None);
    assert_eq!(core.state(), State::Connecting);
    assert_eq!(core.flex_origin(), FLEX);
}

#[test]
fn answers_a_hello_once_and_is_ready() {
    let mut core = Core::new(spec(), 1);
    core.start();
    let out = core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
    let sent = posts(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(field(sent[0], "kind"), "hello");
    assert_eq!(field(sent[0], "re"), "f-1");
    assert!(out.contains(&Effect::State(State::Ready)));
    // An answer to our hello is not answered again.
    let out = core.receive(FLEX, true, &hello("f-2", HASH, Some("h-1")), 0.0);
    assert!(posts(&out).is_empty());
    assert_eq!(core.state(), State::Ready);
}

#[test]
fn drops_messages_from_the_wrong_origin_or_window() {
    for (origin, from_peer) in [
        ("https://evil.example.com", true),
        ("https://flex.example.com/", true),
        ("https://FLEX.example.com", true),
        ("http://flex.example.com", true),
        ("null", true),
        (FLEX, false),
    ] {
        let mut core = Core::new(spec(), 1);
        assert!(!core.trusts(origin, from_peer));
        let out = core.receive(origin, from_peer, &hello("f-1", HASH, None), 0.0);
        assert!(out.is_empty(), "{origin} {from_peer}: {out:?}");
        // Not even a malformed message gets an answer.
        let out = core.receive(origin, from_peer, &obj(&common("f-2", "bogus")), 0.0);
        assert!(out.is_empty());
        assert_eq!(core.state(), State::Connecting);
    }
}

#[test]
fn ignores_other_namespaces_and_apps() {
    let mut core = Core::new(spec(), 1);
    let mut other_app = common("f-1", "hello");
    other_app[2] = ("app", Value::from("other-app"));
    let mut other_ns = common("f-1", "hello");
    other_ns[0] = ("ns", Value::from("not-flexgen"));
    for data in [
        obj(&other_app),
        obj(&other_ns),
        Value::from("hello"),
        Value::Null,
    ] {
        assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
    }
}

#[test]
fn refuses_malformed_envelopes_with_schema_invalid() {
    let mut core = ready();
    let mut extra = common("f-9", "hello");
    extra.push(("spec", Value::from(HASH)));
    extra.push(("role", Value::from("flex")));
    extra.push(("token", Value::from("secret")));
    let mut bad_hash = common("f-10", "hello");
    bad_hash.push(("spec", Value::from("XYZ")));
    bad_hash.push(("role", Value::from("flex")));
    let mut string_version = common("f-11", "event");
    string_version[1] = ("v", Value::from("1"));
    string_version.push(("type", Value::from("ping")));
    string_version.push(("payload", ping(1.0)));
    for data in [obj(&extra), obj(&bad_hash), obj(&string_version)] {
        let out = core.receive(FLEX, true, &data, 0.0);
        let sent = posts(&out);
        assert_eq!(sent.len(), 1, "{data:?}");
        assert_eq!(field(sent[0], "kind"), "reply");
        assert_eq!(field(sent[0], "re"), field(&data, "id"));
        assert_eq!(error_code(sent[0]), "SCHEMA_INVALID");
    }
    // A broken reply, or a message without a usable id, is never answered.
    let mut broken_reply = common("f-12", "reply");
    broken_reply.push(("re", Value::from("h-1")));
    let mut no_id = common("not an id!", "hello");
    no_id.push(("spec", Value::from(HASH)));
    for data in [obj(&broken_reply), obj(&no_id)] {
        assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
    }
}

#[test]
fn version_mismatch_is_reported_and_refuses_commands() {
    let mut core = Core::new(spec(), 1);
    let (ticket, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert!(out.is_empty());
    let out = core.receive(FLEX, true, &hello("f-1", "ffffffffffffffff", None), 0.0);
    assert_eq!(core.state(), State::VersionMismatch);
    assert!(out.contains(&Effect::State(State::VersionMismatch)));
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Warn(w) if w.contains("Regenerate"))));
    // Still answered, so Flex learns of the mismatch too.
    assert_eq!(field(posts(&out)[0], "kind"), "hello");
    let failed = settled(&out);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, ticket);
    assert_eq!(
        failed[0].1.as_ref().unwrap_err().code,
        ErrorCode::VersionMismatch
    );
    let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert_eq!(
        settled(&out)[0].1.as_ref().unwrap_err().code,
        ErrorCode::VersionMismatch
    );
    // Events are refused, not delivered.
    let out = core.receive(FLEX, true, &event("f-2", "ping", ping(1.0)), 0.0);
    assert!(!out.iter().any(|e| matches!(e, Effect::Deliver { .. })));
    assert_eq!(error_code(posts(&out)[0]), "VERSION_MISMATCH");
    // A matching plugin (regenerated, reloaded) makes it ready again.
    core.receive(FLEX, true, &hello("f-3", HASH, None), 0.0);
    assert_eq!(core.state(), State::Ready);
}

#[test]
fn another_protocol_version_is_a_mismatch_not_a_malformed_message() {
    let mut core = Core::new(spec(), 1);
    // A hello of the next version may carry keys this one does not know.
    let next = f64::from(PROTOCOL_VERSION + 1);
    let mut hello2 = common("f-1", "hello");
    hello2[1] = ("v", Value::Number(next));
    hello2.push(("spec", Value::from(HASH)));
    hello2.push(("role", Value::from("flex")));
    hello2.push(("features", Value::Array(vec![])));
    let out = core.receive(FLEX, true, &obj(&hello2), 0.0);
    assert_eq!(core.state(), State::VersionMismatch);
    assert_eq!(field(posts(&out)[0], "kind"), "hello");
    assert_eq!(field(posts(&out)[0], "re"), "f-1");
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Warn(w) if w.contains("protocol 3"))));
    let mut event2 = common("f-2", "event");
    event2[1] = ("v", Value::Number(next));
    event2.push(("type", Value::from("ping")));
    event2.push(("payload", Value::Array(vec![])));
    let out = core.receive(FLEX, true, &obj(&event2), 0.0);
    assert_eq!(error_code(posts(&out)[0]), "VERSION_MISMATCH");
    // Seen ids are not answered again; replies and bad ids never are.
    assert!(core.receive(FLEX, true, &obj(&event2), 0.0).is_empty());
    let mut reply2 = common("f-3", "reply");
    reply2[1] = ("v", Value::Number(next));
    let mut bad_id = common("no id!", "event");
    bad_id[1] = ("v", Value::Number(next));
    for data in [obj(&reply2), obj(&bad_id)] {
        assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
    }
}

#[test]
fn a_malformed_message_is_answered_once() {
    let mut core = ready();
    let data = event("f-9", "ping", Value::from("not an object"));
    let out = core.receive(FLEX, true, &data, 0.0);
    assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
    assert!(core.receive(FLEX, true, &data, 0.0).is_empty());
}

#[test]
fn commands_wait_for_the_handshake_within_their_queue_time() {
    let mut core = Core::new(spec(), 1);
    core.start();
    let (at_once, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
    let failed = settled(&out);
    assert_eq!(failed[0].0, at_once);
    assert_eq!(failed[0].1.as_ref().unwrap_err().code, ErrorCode::NotReady);

    let (queued, out) = core.submit("dial", obj(&[("x", Value::from("1"))]), 1000, 5000, 0.0);
    assert!(out.is_empty());
    let (late, _) = core.submit("dial", obj(&[]), 1000, 100, 0.0);
    assert_eq!(core.next_deadline(), Some(100.0));
    let out = core.tick(100.0);
    assert_eq!(settled(&out)[0].0, late);
    assert_eq!(
        settled(&out)[0].1.as_ref().unwrap_err().code,
        ErrorCode::NotReady
    );

    let out = core.receive(FLEX, true, &hello("f-1", HASH, None), 200.0);
    let sent = posts(&out);
    // Our answer first, so the plugin is ready before the command arrives.
    assert_eq!(field(sent[0], "kind"), "hello");
    assert_eq!(field(sent[1], "kind"), "command");
    assert_eq!(field(sent[1], "type"), "dial");
    assert_eq!(
        sent[1].get("payload"),
        Some(&obj(&[("x", Value::from("1"))]))
    );
    // The Flex time limit starts when the command is sent, and the
    // command carries it: the plugin never starts it later.
    assert_eq!(core.next_deadline(), Some(1200.0));
    assert_eq!(sent[1].get("deadline"), Some(&Value::Number(1200.0)));
    let id = field(sent[1], "id").to_string();
    let out = core.receive(FLEX, true, &reply("f-2", &id, None), 300.0);
    assert_eq!(settled(&out), vec![(queued, Ok(Ack))]);
    assert_eq!(core.next_deadline(), None);
}

#[test]
fn a_withdrawn_command_is_never_sent_nor_settled_but_a_sent_one_stays() {
    let mut core = Core::new(spec(), 1);
    core.start();
    let (kept, _) = core.submit("dial", obj(&[("x", Value::from("1"))]), 1000, 5000, 0.0);
    let (dropped, _) = core.submit("dial", obj(&[("x", Value::from("2"))]), 1000, 5000, 0.0);
    assert!(core.withdraw(dropped));
    assert!(!core.withdraw(dropped), "withdrawn twice");
    let out = core.receive(FLEX, true, &hello("f-1", HASH, None), 200.0);
    let commands: Vec<&Value> = posts(&out)
        .into_iter()
        .filter(|m| field(m, "kind") == "command")
        .collect();
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(
        commands[0].get("payload"),
        Some(&obj(&[("x", Value::from("1"))]))
    );
    assert!(settled(&out).is_empty());
    // Sent: no longer withdrawn, and Flex's answer still settles it.
    assert!(!core.withdraw(kept));
    let id = field(commands[0], "id").to_string();
    let out = core.receive(FLEX, true, &reply("f-2", &id, None), 300.0);
    assert_eq!(settled(&out), vec![(kept, Ok(Ack))]);
    // Nothing is left to time out.
    assert_eq!(core.next_deadline(), None);
    assert!(settled(&core.tick(10_000.0)).is_empty());
}

#[test]
fn a_full_queue_fails_at_once() {
    let mut core = Core::new(spec(), 1);
    for _ in 0..COMMAND_QUEUE_LIMIT {
        let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
        assert!(out.is_empty());
    }
    let (ticket, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert_eq!(settled(&out)[0].0, ticket);
    assert!(settled(&out)[0]
        .1
        .as_ref()
        .unwrap_err()
        .message
        .contains("full"));
}

#[test]
fn commands_settle_with_flex_answer_or_timeout() {
    let mut core = ready();
    let (ok, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
    let ok_id = field(posts(&out)[0], "id").to_string();
    let (failed, out) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
    let failed_id = field(posts(&out)[0], "id").to_string();
    let (timed_out, _) = core.submit("dial", obj(&[]), 1000, 0, 0.0);
    assert_ne!(ok_id, failed_id);

    let out = core.receive(FLEX, true, &reply("f-2", &ok_id, None), 10.0);
    assert_eq!(settled(&out), vec![(ok, Ok(Ack))]);
    let error = Some(("FLEX_ACTION_FAILED", "invalid destination"));
    let out = core.receive(FLEX, true, &reply("f-3", &failed_id, error), 10.0);
    let expected = BridgeError::new(ErrorCode::FlexActionFailed, "invalid destination");
    assert_eq!(settled(&out), vec![(failed, Err(expected))]);
    // A second answer to the same command, or to an unknown one, is ignored.
    assert!(core
        .receive(FLEX, true, &reply("f-4", &ok_id, None), 10.0)
        .is_empty());
    assert!(core
        .receive(FLEX, true, &reply("f-5", "h-x-99", None), 10.0)
        .is_empty());

    assert!(core.tick(999.0).is_empty());
    let out = core.tick(1000.0);
    assert_eq!(settled(&out)[0].0, timed_out);
    assert_eq!(
        settled(&out)[0].1.as_ref().unwrap_err().code,
        ErrorCode::Timeout
    );
    assert!(core.tick(5000.0).is_empty());
}

#[test]
fn events_are_validated_before_delivery() {
    let mut core = Core::new(spec(), 1);
    // Before the handshake: refused.
    let out = core.receive(FLEX, true, &event("f-0", "ping", ping(1.0)), 0.0);
    assert_eq!(error_code(posts(&out)[0]), "NOT_READY");
    let mut core = ready();
    let out = core.receive(FLEX, true, &event("f-2", "ping", ping(3.0)), 0.0);
    let delivered = Effect::Deliver {
        trigger: "ping".to_string(),
        payload: ping(3.0),
    };
    assert_eq!(out[0], delivered);
    assert_eq!(field(posts(&out)[0], "re"), "f-2");
    assert_eq!(posts(&out)[0].get("ok"), Some(&Value::Bool(true)));

    let bad_payloads = [
        ping(1.5),
        obj(&[]),
        obj(&[("n", Value::Number(1.0)), ("token", Value::from("x"))]),
        obj(&[("n", Value::Number(1.0)), ("__proto__", obj(&[]))]),
    ];
    for (i, payload) in bad_payloads.into_iter().enumerate() {
        let out = core.receive(FLEX, true, &event(&format!("f-b{i}"), "ping", payload), 0.0);
        assert!(
            !out.iter().any(|e| matches!(e, Effect::Deliver { .. })),
            "{out:?}"
        );
        assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
    }
    let out = core.receive(FLEX, true, &event("f-3", "pong", ping(1.0)), 0.0);
    assert_eq!(error_code(posts(&out)[0]), "UNKNOWN_TRIGGER");
    // Commands flow the other way only.
    let mut command = common("f-4", "command");
    command.push(("type", Value::from("ping")));
    command.push(("payload", ping(1.0)));
    command.push(("deadline", Value::Number(1000.0)));
    let out = core.receive(FLEX, true, &obj(&command), 0.0);
    assert_eq!(error_code(posts(&out)[0]), "UNKNOWN_TRIGGER");
    // A command without its deadline is malformed.
    command.pop();
    command[3] = ("id", Value::from("f-5"));
    let out = core.receive(FLEX, true, &obj(&command), 0.0);
    assert_eq!(error_code(posts(&out)[0]), "SCHEMA_INVALID");
}

#[test]
fn duplicate_ids_are_dropped() {
    let mut core = ready();
    let first = core.receive(FLEX, true, &event("f-7", "ping", ping(1.0)), 0.0);
    assert_eq!(first.len(), 2);
    assert!(core
        .receive(FLEX, true, &event("f-7", "ping", ping(1.0)), 0.0)
        .is_empty());
}

#[test]
fn recent_ids_are_bounded() {
    let mut ids = RecentIds::new(2);
    assert!(ids.add("a"));
    assert!(!ids.add("a"));
    assert!(ids.add("b"));
    assert!(ids.add("c"));
    assert!(ids.add("a"), "the oldest id is forgotten");
}

#[test]
fn a_reload_needs_a_new_handshake() {
    let mut core = ready();
    let out = core.peer_reloaded();
    assert_eq!(out[0], Effect::State(State::Connecting));
    assert_eq!(field(posts(&out)[0], "kind"), "hello");
    let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert!(out.is_empty(), "queued until the new plugin says hello");
}

fn code_of(settled: &(u64, Result<Ack, BridgeError>)) -> ErrorCode {
    settled.1.as_ref().unwrap_err().code
}

#[test]
fn a_reload_settles_commands_in_flight_once_and_never_resends_them() {
    let mut core = ready();
    let (sent, out) = core.submit("dial", obj(&[]), 5000, 0, 0.0);
    let id = field(posts(&out)[0], "id").to_string();
    let out = core.peer_reloaded();
    let lost = settled(&out);
    assert_eq!(lost.len(), 1);
    assert_eq!(
        (lost[0].0, code_of(&lost[0])),
        (sent, ErrorCode::PeerReloaded)
    );
    assert!(lost[0]
        .1
        .as_ref()
        .unwrap_err()
        .message
        .contains("not sent again"));
    assert_eq!(core.next_deadline(), None, "no timeout left to fire");
    // The new plugin's hello: ready again, and nothing is sent but the answer.
    let out = core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 10.0);
    assert_eq!(core.state(), State::Ready);
    let sent_now = posts(&out);
    assert_eq!(sent_now.len(), 1);
    assert_eq!(field(sent_now[0], "kind"), "hello");
    // A late answer to the lost command settles nothing a second time.
    let out = core.receive(FLEX, true, &reply("f-1a", &id, None), 20.0);
    assert!(settled(&out).is_empty());
}

#[test]
fn a_hello_from_another_plugin_instance_means_flex_reloaded() {
    let mut core = Core::new(spec(), 1);
    core.start();
    core.receive(FLEX, true, &hello("f-aaaa-1", HASH, None), 0.0);
    let (first, out) = core.submit("dial", obj(&[]), 5000, 0, 0.0);
    assert_eq!(posts(&out).len(), 1);
    // The same instance answering again (our hello after an iframe `load`
    // it had already beaten) loses nothing.
    let out = core.receive(FLEX, true, &hello("f-aaaa-2", HASH, Some("h-9")), 1.0);
    assert!(settled(&out).is_empty());
    // Another instance: the first one's command is lost, not resent.
    let out = core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 2.0);
    let lost = settled(&out);
    assert_eq!(lost.len(), 1);
    assert_eq!(
        (lost[0].0, code_of(&lost[0])),
        (first, ErrorCode::PeerReloaded)
    );
    assert_eq!(posts(&out).len(), 1, "only the answering hello");
    assert_eq!(core.state(), State::Ready);
}

#[test]
fn a_matching_plugin_after_a_mismatch_makes_the_bridge_ready() {
    let mut core = Core::new(spec(), 1);
    core.start();
    core.receive(
        FLEX,
        true,
        &hello("f-aaaa-1", "ffffffffffffffff", None),
        0.0,
    );
    assert_eq!(core.state(), State::VersionMismatch);
    let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert_eq!(code_of(&settled(&out)[0]), ErrorCode::VersionMismatch);
    assert!(posts(&out).is_empty(), "not half-applied: nothing sent");
    core.peer_reloaded();
    core.receive(FLEX, true, &hello("f-bbbb-1", HASH, None), 5.0);
    assert_eq!(core.state(), State::Ready);
}

#[test]
fn close_fails_open_commands_and_stops_listening() {
    let mut core = Core::new(spec(), 1);
    let (queued, _) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    core.receive(FLEX, true, &hello("f-1", HASH, None), 0.0);
    let (in_flight, _) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    let _ = queued;
    let out = core.close();
    assert_eq!(out[0], Effect::State(State::Closed));
    let tickets: Vec<u64> = settled(&out).iter().map(|(t, _)| *t).collect();
    assert_eq!(tickets.len(), 2);
    assert!(tickets.contains(&in_flight));
    assert!(core.close().is_empty());
    assert!(core
        .receive(FLEX, true, &hello("f-2", HASH, None), 0.0)
        .is_empty());
    assert!(core.peer_reloaded().is_empty());
    let (_, out) = core.submit("dial", obj(&[]), 1000, 5000, 0.0);
    assert_eq!(
        settled(&out)[0].1.as_ref().unwrap_err().code,
        ErrorCode::NotReady
    );
}

#[test]
fn field_checks_follow_the_spec() {
    let lone = check_string(&Value::Unsupported(ILL_FORMED_STRING), 10);
    assert_eq!(
        lone.unwrap_err(),
        "not well-formed UTF-16 (a lone surrogate)"
    );
    assert_eq!(
        check_string(&Value::from("\u{FFFD}"), 10).as_deref(),
        Ok("\u{FFFD}"),
        "a real U+FFFD is a character like any other"
    );
    assert!(is_e164("+15551234567"));
    assert!(is_e164("+12"));
    assert!(!is_e164("+1"));
    assert!(!is_e164("+0123"));
    assert!(!is_e164("+1234567890123456"));
    assert!(!is_e164("+1555123456a"));
    assert!(is_iso_datetime("2026-11-23T10:00:00.000Z"));
    assert!(is_iso_datetime("2026-11-23T10:00:00Z"));
    assert!(!is_iso_datetime("2026-11-23T10:00:00.00Z"));
    assert!(!is_iso_datetime("2026-00-23T10:00:00Z"));
    assert!(!is_iso_datetime("2026-11-23t10:00:00Z"));
    assert!(!is_iso_datetime("２026-11-23T10:00:00Z"));
    assert_eq!(check_integer(&Value::Number(-0.0)), Ok(0));
    assert!(check_integer(&Value::Number(9007199254740992.0)).is_err());
    assert_eq!(utf16_len("a\u{1f600}"), 3);
    assert_eq!(
        check_string(&Value::from("\u{1f600}"), 1),
        Err("longer than 1".to_string())
    );
    assert_eq!(
        check_one_of(&Value::from("c"), &["a", "b"]),
        Err("expected one of a, b".to_string())
    );
}

#[test]
fn reasons_are_bounded_and_quote_keys() {
    let long = "k".repeat(500);
    let value = obj(&[(long.as_str(), Value::Null)]);
    let error = Fields::of(&value).unwrap().finish().unwrap_err();
    assert_eq!(error.message.chars().count(), MAX_REASON);
    let value = obj(&[("a\"b\n", Value::Null)]);
    let error = Fields::of(&value).unwrap().finish().unwrap_err();
    assert_eq!(error.message, "\"a\\\"b\\u000a\": unknown key");
    let value = obj(&[("__proto__", Value::Null)]);
    let error = Fields::of(&value).err().unwrap();
    assert_eq!(error.message, "__proto__: key not allowed");
}
