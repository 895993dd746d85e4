//! The host end of the protocol: the handshake, the command queue, the
//! timeouts and duplicate detection, as a state machine free of any browser
//! API. The caller passes in what happened (a message, the time) and carries
//! out the [`Effect`]s it returns; `host.rs` is that caller in the browser.

use crate::envelope::{is_message_id, parse_envelope, Envelope};
use crate::error::{Ack, BridgeError, State};
use crate::fields::MAX_SAFE_INTEGER;
use crate::ids::{IdSource, RecentIds};
use crate::limits::FieldBounds;
use crate::protocol_constants::{
    ErrorCode, COMMAND_QUEUE_LIMIT, PROTOCOL_NS, PROTOCOL_VERSION, RECENT_IDS,
};
use crate::text::{cat, decimal};
use crate::value::Value;

/// The spec-specific part of the bridge, generated in `mod.rs`.
#[derive(Clone, Copy)]
pub struct Spec {
    /// `app.name`: two apps on one page never cross.
    pub app: &'static str,
    /// Hash of the spec both ends must be generated from.
    pub spec_hash: &'static str,
    /// The exact origin of the Flex page: the only origin heard, the only
    /// target posted to.
    pub flex_origin: &'static str,
    /// Checks the payload of a Flex -> host event and re-builds it from its
    /// declared keys; `None` when no such trigger exists.
    pub check_event: fn(&str, &Value) -> Option<Result<Value, BridgeError>>,
    /// The declared fields of a Flex -> host event's payload, with their
    /// bounds: all the host reads of it; `None` when no such trigger exists.
    pub event_fields: fn(&str) -> Option<FieldBounds>,
}

/// What the [`Core`] asks the browser side to do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Post this message to the Flex iframe, target origin `flex_origin`.
    Post(Value),
    /// Settle the command with this ticket.
    Settle(u64, Result<Ack, BridgeError>),
    /// Call the subscribers of `trigger` with this validated payload.
    Deliver { trigger: String, payload: Value },
    /// The state changed; tell the state subscribers.
    State(State),
    /// Tell the developer (console) something is wrong with the setup.
    Warn(String),
}

/// What the handshake needs from a Flex hello, whatever its version.
struct PeerHello<'a> {
    id: &'a str,
    v: f64,
    spec: &'a str,
    /// It carries `re`: an answer to our hello.
    is_answer: bool,
}

/// A command waiting for the handshake.
#[derive(Debug)]
struct Queued {
    ticket: u64,
    trigger: &'static str,
    payload: Value,
    timeout_ms: u32,
    queue_for_ms: u32,
    deadline: f64,
}

/// A command sent, waiting for Flex's reply.
#[derive(Debug)]
struct InFlight {
    ticket: u64,
    id: String,
    timeout_ms: u32,
    deadline: f64,
}

/// The protocol state machine of the host side, free of any browser API:
/// the caller passes in what happened (a message, the time) and carries out
/// the [`Effect`]s it returns.
pub struct Core {
    spec: Spec,
    state: State,
    ids: IdSource,
    seen: RecentIds,
    queued: Vec<Queued>,
    in_flight: Vec<InFlight>,
    next_ticket: u64,
    /// The plugin instance of the last hello (its ids' `f-<random>` part):
    /// a hello from another one means Flex was reloaded.
    peer: Option<String>,
}

impl Core {
    /// `random` seeds the message ids (64 random bits).
    pub fn new(spec: Spec, random: u64) -> Self {
        Core {
            spec,
            state: State::Connecting,
            ids: IdSource::new(random),
            seen: RecentIds::new(RECENT_IDS),
            queued: Vec::new(),
            in_flight: Vec::new(),
            next_ticket: 0,
            peer: None,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn flex_origin(&self) -> &'static str {
        self.spec.flex_origin
    }

    /// `app.name`: a message of another app is read no further.
    pub fn app(&self) -> &'static str {
        self.spec.app
    }

    /// What the payload of a message of `trigger` may hold: the fields of a
    /// Flex -> host trigger, none for anything else.
    pub fn payload_fields(&self, trigger: Option<&str>) -> FieldBounds {
        trigger.and_then(self.spec.event_fields).unwrap_or(&[])
    }

    /// Says hello; call once the message listener is in place.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state != State::Closed {
            out.push(Effect::Post(self.hello(None)));
        }
        out
    }

    /// The iframe (re)loaded: whatever plugin we talked to is gone, so a new
    /// handshake is needed. Commands it had not answered settle now with
    /// `PEER_RELOADED`: they may have run, and are never sent again (a
    /// second dial is worse than a failed one). Queued commands keep waiting.
    pub fn peer_reloaded(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state == State::Closed {
            return out;
        }
        self.lose_in_flight(&mut out);
        self.peer = None;
        self.set_state(State::Connecting, &mut out);
        out.push(Effect::Post(self.hello(None)));
        out
    }

    /// Whether a message may be read at all: from the Flex origin, exactly,
    /// and from the Flex iframe's window.
    pub fn trusts(&self, origin: &str, from_peer: bool) -> bool {
        from_peer && origin == self.spec.flex_origin
    }

    /// Handles one `message` event. `from_peer` says whether `event.source`
    /// is the Flex iframe's `contentWindow`.
    pub fn receive(
        &mut self,
        origin: &str,
        from_peer: bool,
        data: &Value,
        now: f64,
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        // Origin AND source first; a failing message is dropped without an
        // answer (an answer would help a forger probe).
        if !self.trusts(origin, from_peer) || self.state == State::Closed {
            return out;
        }
        // Not ours (another app, another library on the same window): ignored.
        let ours = data.get("ns").and_then(Value::as_str) == Some(PROTOCOL_NS)
            && data.get("app").and_then(Value::as_str) == Some(self.spec.app);
        if !ours {
            return out;
        }
        let id = data
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| is_message_id(id));
        let kind = data.get("kind").and_then(Value::as_str);
        if let Some(Value::Number(v)) = data.get("v") {
            if *v != f64::from(PROTOCOL_VERSION) {
                // Another protocol version may shape its envelopes
                // differently: only what every version shares is read, so
                // the mismatch is reported instead of being taken for a
                // malformed message.
                if let Some(id) = id.filter(|id| self.seen.add(id)) {
                    self.on_other_version(id, *v, data, now, &mut out);
                }
                return out;
            }
        }
        let envelope = match parse_envelope(data) {
            Ok(envelope) => envelope,
            Err(error) => {
                // Never answer a reply: two broken peers would ping-pong
                // forever. Nor the same id twice.
                if let (Some(id), false) = (id, kind == Some("reply")) {
                    if self.seen.add(id) {
                        out.push(Effect::Post(self.reply(id, Some(&error))));
                    }
                }
                return out;
            }
        };
        if !self.seen.add(envelope.id()) {
            return out;
        }
        match envelope {
            Envelope::Hello {
                id,
                v,
                spec,
                role,
                re,
            } => {
                if role == "flex" {
                    let hello = PeerHello {
                        id: &id,
                        v: v as f64,
                        spec: &spec,
                        is_answer: re.is_some(),
                    };
                    self.on_hello(&hello, now, &mut out);
                }
            }
            Envelope::Command { id, trigger } => {
                // Commands flow host -> Flex only.
                let error = BridgeError::new(
                    ErrorCode::UnknownTrigger,
                    cat(&[&trigger, " is not a Flex-to-host trigger"]),
                );
                out.push(Effect::Post(self.reply(&id, Some(&error))));
            }
            Envelope::Event {
                id,
                trigger,
                payload,
            } => self.on_event(&id, &trigger, payload, &mut out),
            Envelope::Reply { re, ok, error, .. } => self.on_reply(&re, ok, error, &mut out),
        }
        out
    }

    /// Sends a validated command now, queues it until the handshake, or
    /// fails it; returns its ticket (its [`Effect::Settle`] names it).
    pub fn submit(
        &mut self,
        trigger: &'static str,
        payload: Value,
        timeout_ms: u32,
        queue_for_ms: u32,
        now: f64,
    ) -> (u64, Vec<Effect>) {
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        let mut out = Vec::new();
        let failure = match self.state {
            State::Ready => {
                self.send(ticket, trigger, payload, timeout_ms, now, &mut out);
                return (ticket, out);
            }
            State::Closed => BridgeError::new(ErrorCode::NotReady, "the bridge was disposed"),
            State::VersionMismatch => version_mismatch(),
            State::Connecting if queue_for_ms == 0 => {
                BridgeError::new(ErrorCode::NotReady, "no handshake with Flex yet")
            }
            State::Connecting if self.queued.len() >= COMMAND_QUEUE_LIMIT => BridgeError::new(
                ErrorCode::NotReady,
                "no handshake with Flex yet, and the command queue is full",
            ),
            State::Connecting => {
                self.queued.push(Queued {
                    ticket,
                    trigger,
                    payload,
                    timeout_ms,
                    queue_for_ms,
                    deadline: now + f64::from(queue_for_ms),
                });
                return (ticket, out);
            }
        };
        out.push(Effect::Settle(ticket, Err(failure)));
        (ticket, out)
    }

    /// Withdraws a command still waiting for the handshake, because its
    /// caller stopped waiting (a dropped Rust future, an aborted JavaScript
    /// signal): it is never sent and never settled. Returns whether it was
    /// waiting. A command already sent stays: Flex may be running it, and
    /// its outcome still comes back.
    pub fn withdraw(&mut self, ticket: u64) -> bool {
        let waiting = self.queued.len();
        self.queued.retain(|q| q.ticket != ticket);
        self.queued.len() != waiting
    }

    /// Fails every command whose time is up.
    pub fn tick(&mut self, now: f64) -> Vec<Effect> {
        let mut out = Vec::new();
        self.queued.retain(|q| {
            if q.deadline > now {
                return true;
            }
            let limit = decimal(u64::from(q.queue_for_ms));
            let message = cat(&["no handshake with Flex within ", &limit, " ms"]);
            let error = BridgeError::new(ErrorCode::NotReady, message);
            out.push(Effect::Settle(q.ticket, Err(error)));
            false
        });
        self.in_flight.retain(|c| {
            if c.deadline > now {
                return true;
            }
            let limit = decimal(u64::from(c.timeout_ms));
            let message = cat(&["no answer from Flex within ", &limit, " ms"]);
            let error = BridgeError::new(ErrorCode::Timeout, message);
            out.push(Effect::Settle(c.ticket, Err(error)));
            false
        });
        out
    }

    /// When [`Core::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<f64> {
        let queued = self.queued.iter().map(|q| q.deadline);
        let in_flight = self.in_flight.iter().map(|c| c.deadline);
        queued.chain(in_flight).reduce(f64::min)
    }

    /// Stops for good: every open command fails, nothing is heard or sent.
    pub fn close(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.state == State::Closed {
            return out;
        }
        self.set_state(State::Closed, &mut out);
        for q in self.queued.drain(..) {
            let error = BridgeError::new(ErrorCode::NotReady, "the bridge was disposed");
            out.push(Effect::Settle(q.ticket, Err(error)));
        }
        for c in self.in_flight.drain(..) {
            let error = BridgeError::new(
                ErrorCode::Timeout,
                "the bridge was disposed before Flex answered",
            );
            out.push(Effect::Settle(c.ticket, Err(error)));
        }
        out
    }

    /// A hello or event from a Flex plugin speaking another protocol version.
    fn on_other_version(
        &mut self,
        id: &str,
        v: f64,
        data: &Value,
        now: f64,
        out: &mut Vec<Effect>,
    ) {
        let field = |key: &str| data.get(key).and_then(Value::as_str);
        match data.get("kind").and_then(Value::as_str) {
            Some("hello") if field("role") == Some("flex") => {
                let spec: String = field("spec").unwrap_or("?").chars().take(64).collect();
                let hello = PeerHello {
                    id,
                    v,
                    spec: &spec,
                    // Any `re` makes it an answer, which is never answered.
                    is_answer: !matches!(data.get("re"), None | Some(Value::Undefined)),
                };
                self.on_hello(&hello, now, out);
            }
            Some("event") => out.push(Effect::Post(self.reply(id, Some(&version_mismatch())))),
            _ => {}
        }
    }

    fn on_hello(&mut self, hello: &PeerHello, now: f64, out: &mut Vec<Effect>) {
        let instance = instance_of(hello.id);
        if self.peer.as_deref() != Some(instance) {
            // Another plugin instance: the one our commands went to is gone
            // (its iframe `load` may come after this hello, or never).
            self.lose_in_flight(out);
            self.peer = Some(instance.to_string());
        }
        // An answer carries `re` and is never answered, so two sides never
        // ping-pong.
        if !hello.is_answer {
            out.push(Effect::Post(self.hello(Some(hello.id))));
        }
        let matches = hello.v == f64::from(PROTOCOL_VERSION) && hello.spec == self.spec.spec_hash;
        if !matches {
            self.set_state(State::VersionMismatch, out);
            out.push(Effect::Warn(cat(&[
                "flexgen: Flex speaks protocol ",
                &version_text(hello.v),
                ", spec ",
                hello.spec,
                "; this bridge ",
                &decimal(u64::from(PROTOCOL_VERSION)),
                ", spec ",
                self.spec.spec_hash,
                ". Regenerate both ends from the same triggers.yaml.",
            ])));
            for q in self.queued.drain(..) {
                out.push(Effect::Settle(q.ticket, Err(version_mismatch())));
            }
            return;
        }
        self.set_state(State::Ready, out);
        for q in std::mem::take(&mut self.queued) {
            self.send(q.ticket, q.trigger, q.payload, q.timeout_ms, now, out);
        }
    }

    fn on_event(&mut self, id: &str, trigger: &str, payload: &Value, out: &mut Vec<Effect>) {
        let outcome = if self.state == State::VersionMismatch {
            Err(version_mismatch())
        } else if self.state != State::Ready {
            Err(BridgeError::new(
                ErrorCode::NotReady,
                "no handshake with this Flex yet",
            ))
        } else {
            match (self.spec.check_event)(trigger, payload) {
                None => Err(BridgeError::new(
                    ErrorCode::UnknownTrigger,
                    cat(&[trigger, " is not a Flex-to-host trigger"]),
                )),
                Some(checked) => checked,
            }
        };
        match outcome {
            Ok(payload) => {
                // Subscribers only ever see a payload that passed every check.
                out.push(Effect::Deliver {
                    trigger: trigger.to_string(),
                    payload,
                });
                out.push(Effect::Post(self.reply(id, None)));
            }
            Err(error) => out.push(Effect::Post(self.reply(id, Some(&error)))),
        }
    }

    fn on_reply(
        &mut self,
        re: &str,
        ok: bool,
        error: Option<(String, String)>,
        out: &mut Vec<Effect>,
    ) {
        let Some(i) = self.in_flight.iter().position(|c| c.id == re) else {
            return;
        };
        // Not `remove`: replies come in the order the commands went, so that
        // would move every other command each time (thousands in a burst).
        // Commands that fail together (timeouts, a reload) settle in no
        // particular order.
        let ticket = self.in_flight.swap_remove(i).ticket;
        let outcome = match error {
            _ if ok => Ok(Ack),
            Some((code, message)) => Err(match ErrorCode::parse(&code) {
                Some(code) => BridgeError::new(code, message),
                None => BridgeError::schema(cat(&[
                    "Flex answered with unknown error code ",
                    &code,
                    ": ",
                    &message,
                ])),
            }),
            None => Err(BridgeError::schema("Flex refused without an error")),
        };
        out.push(Effect::Settle(ticket, outcome));
    }

    fn send(
        &mut self,
        ticket: u64,
        trigger: &str,
        payload: Value,
        timeout_ms: u32,
        now: f64,
        out: &mut Vec<Effect>,
    ) {
        let id = self.ids.next_id();
        // One instant for both ends: the host settles `TIMEOUT` at it, and
        // the plugin refuses to start the command from it on (both read
        // `Date.now()`, one clock in one browser).
        let deadline = now + f64::from(timeout_ms);
        let mut message = self.envelope(&id, "command");
        message.push(("type".to_string(), Value::from(trigger)));
        message.push(("payload".to_string(), payload));
        message.push(("deadline".to_string(), Value::Number(deadline)));
        out.push(Effect::Post(Value::Object(message)));
        self.in_flight.push(InFlight {
            ticket,
            id,
            timeout_ms,
            deadline,
        });
    }

    /// Settles every command sent and not answered: its plugin is gone.
    fn lose_in_flight(&mut self, out: &mut Vec<Effect>) {
        for c in self.in_flight.drain(..) {
            let error = BridgeError::new(
                ErrorCode::PeerReloaded,
                "Flex reloaded before it answered: the command may or may not have run; \
                 it is not sent again",
            );
            out.push(Effect::Settle(c.ticket, Err(error)));
        }
    }

    fn set_state(&mut self, state: State, out: &mut Vec<Effect>) {
        if self.state != state {
            self.state = state;
            out.push(Effect::State(state));
        }
    }

    fn envelope(&self, id: &str, kind: &str) -> Vec<(String, Value)> {
        vec![
            ("ns".to_string(), Value::from(PROTOCOL_NS)),
            ("v".to_string(), Value::Number(f64::from(PROTOCOL_VERSION))),
            ("app".to_string(), Value::from(self.spec.app)),
            ("id".to_string(), Value::from(id)),
            ("kind".to_string(), Value::from(kind)),
        ]
    }

    fn hello(&mut self, re: Option<&str>) -> Value {
        let id = self.ids.next_id();
        let mut message = self.envelope(&id, "hello");
        message.push(("spec".to_string(), Value::from(self.spec.spec_hash)));
        message.push(("role".to_string(), Value::from("host")));
        if let Some(re) = re {
            message.push(("re".to_string(), Value::from(re)));
        }
        Value::Object(message)
    }

    fn reply(&mut self, re: &str, error: Option<&BridgeError>) -> Value {
        let id = self.ids.next_id();
        let mut message = self.envelope(&id, "reply");
        message.push(("re".to_string(), Value::from(re)));
        message.push(("ok".to_string(), Value::Bool(error.is_none())));
        if let Some(error) = error {
            let body = vec![
                ("code".to_string(), Value::from(error.code.as_str())),
                ("message".to_string(), Value::from(error.message.as_str())),
            ];
            message.push(("error".to_string(), Value::Object(body)));
        }
        Value::Object(message)
    }
}

/// A peer's protocol version, for a message. Not through `f64`'s `Display`:
/// its float formatting code alone would add some 20 KB to the `.wasm`.
fn version_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() <= MAX_SAFE_INTEGER as f64 {
        let sign = if v < 0.0 { "-" } else { "" };
        cat(&[sign, &decimal(v.abs() as u64)])
    } else {
        "(not an integer)".to_string()
    }
}

/// The sender instance of a message id: `f-<random>` of `f-<random>-<n>`.
fn instance_of(id: &str) -> &str {
    match id.bytes().rposition(|b| b == b'-') {
        Some(dash) => id.get(..dash).unwrap_or(id),
        None => id,
    }
}

fn version_mismatch() -> BridgeError {
    BridgeError::new(
        ErrorCode::VersionMismatch,
        "the two ends were generated from different specs or protocol versions",
    )
}
