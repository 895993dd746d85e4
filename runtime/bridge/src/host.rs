//! The browser side of the host bridge: listens to `message` events, posts
//! to Flex (the iframe the CRM page frames, or the parent that frames the CRM
//! page, see [`Peer`]), runs the timers, settles promises and futures, and
//! calls subscribers, all on behalf of the protocol [`Core`].
//!
//! It converts between JavaScript values and the
//! protocol's [`Value`] tree by hand (no serde format): that keeps
//! `undefined` apart from `null`, sees non-finite numbers and non-plain
//! objects for what they are, and bounds the work a message can cause.
//!
//! No borrow of the shared state is held while user code runs (a subscriber,
//! a state callback), so that code may call back into the bridge.

use std::cell::{Ref, RefCell, RefMut};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use js_sys::{Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlIFrameElement, MessageEvent, Window};

use crate::core::{Core, Effect, Spec};
use crate::error::{Ack, BridgeError, State};
use crate::fields::{Command, Payload, ILL_FORMED_STRING};
use crate::limits::{
    Budget, FieldBounds, KeyRule, ENVELOPE_SLOTS, ERROR_FIELDS, MAX_NAME_UNITS, NOT_A_SCALAR,
    OVER_BUDGET, SHARED_REFERENCE, TOO_LONG,
};
use crate::peer::Peer;
use crate::protocol_constants::PROTOCOL_NS;
use crate::text::cat;
use crate::value::Value;

#[wasm_bindgen]
extern "C" {
    /// `globalThis`: the CRM page's window.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL: JsValue;
}

/// The bridge in the browser: made from the spec's [`Spec`] and the Flex
/// iframe ([`Host::new`]) or Flex as the CRM page's parent
/// ([`Host::in_flex`]), it listens, posts, times and settles on behalf of
/// the protocol core. A generated `FlexBridge` wraps one.
///
/// A clone is another handle on the same bridge (an `Rc`, cheap): hand one
/// to each task or component. The bridge is disposed when the last handle
/// is dropped, or at once by [`Host::dispose`].
#[derive(Clone)]
pub struct Host {
    // Declared first, so dropped first: disposing needs the state alive.
    _life: Rc<Life>,
    inner: Rc<RefCell<Inner>>,
}

/// Shared by a bridge's handles: disposes the bridge when the last one goes.
struct Life(Weak<RefCell<Inner>>);

impl Drop for Life {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            dispose(&inner);
        }
    }
}

/// Why a bridge could not start: the browser refused what it needs (random
/// numbers from `crypto.getRandomValues`, a `message` or `load` listener).
#[derive(Debug, Clone)]
pub struct StartError(JsValue);

impl StartError {
    /// What the browser threw.
    pub fn cause(&self) -> &JsValue {
        &self.0
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cause = self.0.as_string().or_else(|| {
            self.0
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        });
        write!(
            f,
            "the Flex bridge could not start: {}",
            cause.as_deref().unwrap_or("the browser refused")
        )
    }
}

impl std::error::Error for StartError {}

/// To JavaScript, as what the browser threw (a constructor's exception).
impl From<StartError> for JsValue {
    fn from(error: StartError) -> JsValue {
        error.0
    }
}

struct Inner {
    core: Core,
    window: Window,
    peer: Peer,
    listeners: Option<Listeners>,
    settlers: Vec<(u64, Settler)>,
    handlers: Vec<Handler>,
    next_handler: u64,
    /// The armed wake-up: when it is due, and its `setTimeout` handle.
    timer: Option<(f64, i32)>,
    /// Abort listeners that ran, freed by the next [`run`].
    spent: Vec<Closure<dyn FnMut()>>,
}

/// The JavaScript functions the browser calls; removed by `dispose`.
struct Listeners {
    message: Closure<dyn FnMut(MessageEvent)>,
    load: Closure<dyn FnMut()>,
    timer: Closure<dyn FnMut()>,
}

/// Who waits for a command's outcome.
enum Settler {
    Js {
        resolve: Function,
        reject: Function,
        /// The caller's `AbortSignal` and the listener on it, removed once
        /// the command settles.
        abort: Option<(JsValue, Closure<dyn FnMut()>)>,
    },
    Rust(Rc<RefCell<Slot>>),
    /// Its caller stopped waiting after it was sent: the outcome is logged.
    Gone(&'static str),
}

/// A subscriber: to the events of one trigger, or (`trigger: None`) to the
/// state, which it gets as its name (`Value::String`). One shape for both
/// keeps one copy of the dispatch code in the `.wasm`.
struct Handler {
    id: u64,
    trigger: Option<&'static str>,
    call: Call,
}

/// A Rust subscriber, shared so it can be called with no borrow held.
type RustCall = Rc<RefCell<dyn FnMut(&Value)>>;

/// A subscriber's function: JavaScript, or a Rust closure.
#[derive(Clone)]
enum Call {
    Js(Function),
    Rust(RustCall),
}

impl Host {
    /// Starts talking to the Flex plugin in `iframe`: listens to `message`
    /// events and the iframe's `load`, and says hello.
    pub fn new(spec: Spec, iframe: HtmlIFrameElement) -> Result<Host, StartError> {
        Host::start(spec, global(), Peer::Frame(iframe))
    }

    /// Starts talking to the Flex plugin that frames this page (the CRM page
    /// in Flex's CRM panel): listens to `message` events from
    /// `window.parent` only, and says hello to it. A page that is not framed
    /// has no Flex to talk to: the bridge stays `connecting`, and commands
    /// fail `NOT_READY`.
    pub fn in_flex(spec: Spec) -> Result<Host, StartError> {
        let window = global();
        let peer = Peer::parent_of(&window);
        if matches!(peer, Peer::Parent(None)) {
            web_sys::console::warn_1(&JsValue::from_str(
                "flexgen: this page is not framed by Flex; bridge idle",
            ));
        }
        Host::start(spec, window, peer)
    }

    fn start(spec: Spec, window: Window, peer: Peer) -> Result<Host, StartError> {
        let core = Core::new(spec, random_u64(&window).map_err(StartError)?);
        let inner = Rc::new(RefCell::new(Inner {
            core,
            window,
            peer,
            listeners: None,
            settlers: Vec::new(),
            handlers: Vec::new(),
            next_handler: 0,
            timer: None,
            spent: Vec::new(),
        }));
        // The listeners hold the state weakly: once the bridge is gone they
        // do nothing.
        let weak = Rc::downgrade(&inner);
        let listeners = Listeners {
            message: Closure::own_aborting({
                let weak = weak.clone();
                move |event: MessageEvent| {
                    if let Some(inner) = weak.upgrade() {
                        on_message(&inner, &event);
                    }
                }
            }),
            load: Closure::own_aborting({
                let weak = weak.clone();
                move || {
                    if let Some(inner) = weak.upgrade() {
                        let effects = exclusive(&inner).core.peer_reloaded();
                        run(&inner, effects);
                    }
                }
            }),
            timer: Closure::own_aborting(move || {
                if let Some(inner) = weak.upgrade() {
                    let effects = {
                        let mut this = exclusive(&inner);
                        this.timer = None;
                        this.core.tick(now())
                    };
                    run(&inner, effects);
                }
            }),
        };
        {
            let this = shared(&inner);
            let message = listeners.message.as_ref().unchecked_ref();
            this.window
                .add_event_listener_with_callback("message", message)
                .map_err(StartError)?;
            if let Peer::Frame(iframe) = &this.peer {
                let load = listeners.load.as_ref().unchecked_ref();
                if let Err(error) = iframe.add_event_listener_with_callback("load", load) {
                    let _ = this
                        .window
                        .remove_event_listener_with_callback("message", message);
                    return Err(StartError(error));
                }
            }
        }
        exclusive(&inner).listeners = Some(listeners);
        let effects = exclusive(&inner).core.start();
        run(&inner, effects);
        Ok(Host {
            _life: Rc::new(Life(Rc::downgrade(&inner))),
            inner,
        })
    }

    /// Where the bridge stands with Flex.
    pub fn state(&self) -> State {
        shared(&self.inner).core.state()
    }

    /// Sends a command from Rust; the future settles with Flex's answer.
    ///
    /// The future borrows nothing (`'static`): spawn it, store it, race it.
    /// Dropped before the command was sent (while the bridge waits for the
    /// handshake), it withdraws the command, which then never reaches
    /// Flex; dropped after, Flex still runs it and the outcome goes to the
    /// console.
    pub fn command<C: Command>(&self, payload: &C) -> Reply {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let value = payload.to_value();
        let mut pending = None;
        match C::from_value(&value) {
            Ok(_) => {
                let ticket = self.submit(
                    C::TRIGGER,
                    C::TIMEOUT_MS,
                    C::QUEUE_FOR_MS,
                    value,
                    Settler::Rust(Rc::clone(&slot)),
                );
                pending = Some((ticket, Rc::downgrade(&self.inner), C::TRIGGER));
            }
            Err(error) => exclusive(&slot).outcome = Some(Err(error)),
        }
        Reply { slot, pending }
    }

    /// Queues or sends a command. It takes the command type's constants, not
    /// the type, so that it is compiled once rather than once per command
    /// of the spec (BENCHMARKS.md, "Sizes before and after a change").
    fn submit(
        &self,
        trigger: &'static str,
        timeout_ms: u32,
        queue_for_ms: u32,
        payload: Value,
        settler: Settler,
    ) -> u64 {
        let (ticket, effects) = {
            let mut this = exclusive(&self.inner);
            let (ticket, effects) =
                this.core
                    .submit(trigger, payload, timeout_ms, queue_for_ms, now());
            this.settlers.push((ticket, settler));
            (ticket, effects)
        };
        run(&self.inner, effects);
        ticket
    }

    /// Calls `f` with every valid `P` event from Flex.
    pub fn on<P: Payload + 'static>(&self, mut f: impl FnMut(P) + 'static) -> Subscription {
        let call = move |value: &Value| {
            // Already checked by the core; re-read into the Rust type.
            if let Ok(payload) = P::from_value(value) {
                f(payload);
            }
        };
        self.subscribe(Some(P::TRIGGER), Call::Rust(Rc::new(RefCell::new(call))))
    }

    /// Calls `f` with the new state on every change.
    pub fn on_state_change(&self, mut f: impl FnMut(State) + 'static) -> Subscription {
        let call = move |name: &Value| {
            let states = [
                State::Connecting,
                State::Ready,
                State::VersionMismatch,
                State::Closed,
            ];
            if let Some(state) = states
                .into_iter()
                .find(|s| name.as_str() == Some(s.as_str()))
            {
                f(state);
            }
        };
        self.subscribe(None, Call::Rust(Rc::new(RefCell::new(call))))
    }

    /// Calls the JavaScript `callback` with the new state's name on every
    /// change; returns a function that unsubscribes.
    pub fn js_on_state_change(&self, callback: Function) -> JsValue {
        self.subscribe(None, Call::Js(callback)).into_js()
    }

    fn subscribe(&self, trigger: Option<&'static str>, call: Call) -> Subscription {
        let mut this = exclusive(&self.inner);
        this.next_handler += 1;
        let id = this.next_handler;
        this.handlers.push(Handler { id, trigger, call });
        Subscription {
            inner: Rc::downgrade(&self.inner),
            id,
        }
    }

    /// Removes the listeners and timer and fails every open command, for
    /// every handle of the bridge; safe to call more than once, and from
    /// inside a callback.
    pub fn dispose(&self) {
        dispose(&self.inner);
    }
}

/// [`Host::dispose`], also run when the last handle is dropped.
fn dispose(inner: &Rc<RefCell<Inner>>) {
    let (effects, listeners) = {
        let mut this = exclusive(inner);
        let listeners = this.listeners.take();
        if let Some(listeners) = &listeners {
            let message = listeners.message.as_ref().unchecked_ref();
            let _ = this
                .window
                .remove_event_listener_with_callback("message", message);
            if let Peer::Frame(iframe) = &this.peer {
                let load = listeners.load.as_ref().unchecked_ref();
                let _ = iframe.remove_event_listener_with_callback("load", load);
            }
        }
        if let Some((_, handle)) = this.timer.take() {
            this.window.clear_timeout_with_handle(handle);
        }
        (this.core.close(), listeners)
    };
    run(inner, effects);
    // Dropped with no borrow held: a callback may own the bridge's last
    // handle, whose drop disposes (again, which does nothing).
    let handlers = std::mem::take(&mut exclusive(inner).handlers);
    drop(handlers);
    // Dropped last: one of them may be the function running right now
    // (wasm-bindgen frees it once it returns).
    drop(listeners);
}

/// Sends a command from JavaScript: the promise resolves with `{ ok: true }`
/// or rejects with a `FlexBridgeError`. `options.signal`, an `AbortSignal`,
/// withdraws the command when it aborts before the command was sent (it
/// then never reaches Flex); after, Flex still runs it and the outcome goes
/// to the console. Either way the promise rejects with the signal's reason,
/// as `fetch` does. (A free function, so that the generated callers stay
/// short whatever the payload type's name.)
pub fn js_command<C: Command>(host: &Host, payload: &JsValue, options: &JsValue) -> Promise {
    js_command_of(
        host,
        &read_payload(payload, C::FIELDS),
        options,
        C::clean,
        C::TRIGGER,
        C::TIMEOUT_MS,
        C::QUEUE_FOR_MS,
    )
}

/// [`js_command`] past the payload's type, compiled once (as
/// [`Host::submit`]).
fn js_command_of(
    host: &Host,
    payload: &Value,
    options: &JsValue,
    clean: fn(&Value) -> Result<Value, BridgeError>,
    trigger: &'static str,
    timeout_ms: u32,
    queue_for_ms: u32,
) -> Promise {
    let mut settler = None;
    let promise = Promise::new(&mut |resolve, reject| settler = Some((resolve, reject)));
    let Some((resolve, reject)) = settler else {
        return promise;
    };
    let signal = property(options, "signal").filter(JsValue::is_object);
    if let Some(signal) = &signal {
        if property(signal, "aborted").is_some_and(|a| a.is_truthy()) {
            let _ = reject.call1(&JsValue::UNDEFINED, &abort_reason(signal));
            return promise;
        }
    }
    let value = match clean(payload) {
        Ok(value) => value,
        Err(error) => {
            let _ = reject.call1(&JsValue::UNDEFINED, &js_error(&error));
            return promise;
        }
    };
    let settler = Settler::Js {
        resolve,
        reject,
        abort: None,
    };
    let ticket = host.submit(trigger, timeout_ms, queue_for_ms, value, settler);
    if let Some(signal) = signal {
        listen_for_abort(&host.inner, ticket, trigger, signal);
    }
    promise
}

/// Withdraws the command `ticket` when `signal` aborts, unless it settled
/// first (then the listener is gone).
fn listen_for_abort(
    inner: &Rc<RefCell<Inner>>,
    ticket: u64,
    trigger: &'static str,
    signal: JsValue,
) {
    let weak = Rc::downgrade(inner);
    let reason_of = signal.clone();
    let on_abort = Closure::<dyn FnMut()>::own_aborting(move || {
        let Some(inner) = weak.upgrade() else {
            return;
        };
        if let Some(Settler::Js { reject, abort, .. }) = withdraw(&inner, ticket, trigger) {
            let _ = reject.call1(&JsValue::UNDEFINED, &abort_reason(&reason_of));
            // Not dropped here: it is the function running now. The next
            // run of the bridge frees it.
            if let (Some((_, listener)), Ok(mut this)) = (abort, inner.try_borrow_mut()) {
                this.spent.push(listener);
            }
        }
    });
    let added = property(&signal, "addEventListener")
        .and_then(|f| f.dyn_into::<Function>().ok())
        .map(|add| add.call2(&signal, &JsValue::from_str("abort"), on_abort.as_ref()));
    if !matches!(added, Some(Ok(_))) {
        return;
    }
    let mut this = exclusive(inner);
    if let Some((_, Settler::Js { abort, .. })) =
        this.settlers.iter_mut().find(|(t, _)| *t == ticket)
    {
        *abort = Some((signal, on_abort));
    } else {
        // Settled already (refused at once): nothing to abort.
        drop(this);
        remove_abort_listener(&signal, &on_abort);
    }
}

/// The rejection of an aborted command: the signal's `reason`, as `fetch`
/// rejects (an `AbortError` unless the caller gave one).
fn abort_reason(signal: &JsValue) -> JsValue {
    property(signal, "reason").unwrap_or(JsValue::UNDEFINED)
}

/// `js[key]`, inherited or own (an `AbortSignal`'s `aborted` is a getter of
/// its prototype); `None` for a value that is not an object.
fn property(js: &JsValue, key: &str) -> Option<JsValue> {
    if !js.is_object() {
        return None;
    }
    Reflect::get(js, &JsValue::from_str(key)).ok()
}

fn remove_abort_listener(signal: &JsValue, listener: &Closure<dyn FnMut()>) {
    if let Some(remove) =
        property(signal, "removeEventListener").and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = remove.call2(signal, &JsValue::from_str("abort"), listener.as_ref());
    }
}

/// The command `ticket`'s caller stopped waiting: withdrawn if it was
/// still waiting for the handshake, else its settler becomes
/// [`Settler::Gone`]. Returns the caller's settler, `None` when the
/// command has settled already.
fn withdraw(inner: &Rc<RefCell<Inner>>, ticket: u64, trigger: &'static str) -> Option<Settler> {
    let mut this = inner.try_borrow_mut().ok()?;
    let i = this.settlers.iter().position(|(t, _)| *t == ticket)?;
    if this.core.withdraw(ticket) {
        Some(this.settlers.swap_remove(i).1)
    } else {
        Some(std::mem::replace(
            &mut this.settlers[i].1,
            Settler::Gone(trigger),
        ))
    }
}

/// Calls the JavaScript `callback` with every valid `P` event from Flex;
/// returns a function that unsubscribes.
pub fn js_on<P: Payload>(host: &Host, callback: Function) -> JsValue {
    host.subscribe(Some(P::TRIGGER), Call::Js(callback))
        .into_js()
}

/// A subscription made from Rust: it lasts as long as this value, like
/// gloo's `EventListener`. Dropping it (or [`unsubscribe`]) stops the calls
/// and drops the callback; [`forget`] keeps the callback for the bridge's
/// life.
///
/// [`unsubscribe`]: Subscription::unsubscribe
/// [`forget`]: Subscription::forget
#[must_use = "the callback stops when the Subscription is dropped: keep it, or call .forget()"]
pub struct Subscription {
    inner: Weak<RefCell<Inner>>,
    id: u64,
}

impl Subscription {
    /// Stops the calls; the callback is dropped. (Dropping does the same.)
    pub fn unsubscribe(self) {}

    /// Keeps the callback for as long as the bridge lives.
    pub fn forget(mut self) {
        self.inner = Weak::new();
    }

    /// As a JavaScript function that unsubscribes (calling it again does
    /// nothing); the subscription lasts until it is called, whether or not
    /// JavaScript keeps the function.
    fn into_js(self) -> JsValue {
        let inner = self.inner.clone();
        let id = self.id;
        self.forget();
        let off = Closure::<dyn FnMut()>::own_aborting(move || unsubscribe(&inner, id));
        off.into_js_value()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        unsubscribe(&self.inner, self.id);
    }
}

fn unsubscribe(inner: &Weak<RefCell<Inner>>, id: u64) {
    let Some(inner) = inner.upgrade() else {
        return;
    };
    let removed = match inner.try_borrow_mut() {
        Ok(mut this) => {
            let at = this.handlers.iter().position(|h| h.id == id);
            at.map(|i| this.handlers.remove(i))
        }
        Err(_) => None,
    };
    // Dropped with no borrow held: the callback may own the bridge's last
    // handle, whose drop disposes the bridge.
    drop(removed);
}

/// Flex's answer to one command sent from Rust.
#[derive(Default)]
struct Slot {
    outcome: Option<Result<Ack, BridgeError>>,
    waker: Option<Waker>,
}

/// The outcome of a command sent from Rust, as a future that borrows
/// nothing (`'static`). Dropped before the command was sent, it withdraws
/// the command (see [`Host::command`]).
#[must_use = "a command waiting for the handshake is withdrawn when its Reply is dropped"]
pub struct Reply {
    slot: Rc<RefCell<Slot>>,
    /// Until it is settled: the command's ticket, the bridge and the
    /// trigger, to withdraw the command when the caller stops waiting.
    pending: Option<(u64, Weak<RefCell<Inner>>, &'static str)>,
}

impl Future for Reply {
    type Output = Result<Ack, BridgeError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut slot = exclusive(&this.slot);
        match slot.outcome.take() {
            Some(outcome) => {
                this.pending = None;
                Poll::Ready(outcome)
            }
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        let Some((ticket, inner, trigger)) = self.pending.take() else {
            return;
        };
        let settled = self.slot.try_borrow().map_or(true, |s| s.outcome.is_some());
        if let (false, Some(inner)) = (settled, inner.upgrade()) {
            withdraw(&inner, ticket, trigger);
        }
    }
}

fn on_message(inner: &Rc<RefCell<Inner>>, event: &MessageEvent) {
    let effects = {
        let mut this = exclusive(inner);
        let origin = event.origin();
        let from_peer = match (event.source(), this.peer.window()) {
            (Some(source), Some(peer)) => Object::is(&source, &peer),
            _ => false,
        };
        // Checked before the data is even read.
        if !this.core.trusts(&origin, from_peer) {
            return;
        }
        let data = read_message(&event.data(), &this.core);
        this.core.receive(&origin, from_peer, &data, now())
    };
    run(inner, effects);
}

/// Carries out the core's effects in order, then re-arms the timer.
fn run(inner: &Rc<RefCell<Inner>>, effects: Vec<Effect>) {
    drop(std::mem::take(&mut exclusive(inner).spent));
    for effect in effects {
        match effect {
            Effect::Post(message) => post(&shared(inner), &message),
            Effect::Settle(ticket, outcome) => {
                let settler = {
                    let mut this = exclusive(inner);
                    // Order does not matter here: `swap_remove` moves one entry.
                    let i = this.settlers.iter().position(|(t, _)| *t == ticket);
                    i.map(|i| this.settlers.swap_remove(i).1)
                };
                if let Some(settler) = settler {
                    settle(settler, outcome);
                }
            }
            Effect::Deliver { trigger, payload } => notify(inner, Some(&trigger), &payload),
            Effect::State(state) => notify(inner, None, &Value::from(state.as_str())),
            Effect::Warn(text) => web_sys::console::warn_1(&JsValue::from_str(&text)),
        }
    }
    arm(inner);
}

/// Calls the subscribers of `trigger` (`None`: of the state) with `value`;
/// a throwing or re-entered one does not stop the others.
fn notify(inner: &Rc<RefCell<Inner>>, trigger: Option<&str>, value: &Value) {
    let calls: Vec<Call> = shared(inner)
        .handlers
        .iter()
        .filter(|h| h.trigger == trigger)
        .map(|h| h.call.clone())
        .collect();
    for call in calls {
        match call {
            Call::Js(f) => {
                // A fresh copy each: one subscriber cannot change what the
                // next one gets.
                if let Err(error) = f.call1(&JsValue::UNDEFINED, &to_js(value)) {
                    let what = JsValue::from_str("flexgen: a subscriber threw");
                    web_sys::console::error_2(&what, &error);
                }
            }
            Call::Rust(f) => {
                if let Ok(mut f) = f.try_borrow_mut() {
                    f(value);
                }
            }
        }
    }
}

fn settle(settler: Settler, outcome: Result<Ack, BridgeError>) {
    match settler {
        Settler::Rust(slot) => {
            let waker = {
                let mut slot = exclusive(&slot);
                slot.outcome = Some(outcome);
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        Settler::Js {
            resolve,
            reject,
            abort,
        } => {
            if let Some((signal, listener)) = &abort {
                remove_abort_listener(signal, listener);
            }
            let result: Result<JsValue, JsValue> = match outcome {
                Ok(Ack) => {
                    let ack = to_js(&Value::Object(vec![("ok".to_string(), Value::Bool(true))]));
                    resolve.call1(&JsValue::UNDEFINED, &ack)
                }
                Err(error) => reject.call1(&JsValue::UNDEFINED, &js_error(&error)),
            };
            // Settling a promise only throws if the engine is broken.
            let _ = result;
        }
        Settler::Gone(trigger) => {
            let (code, message) = match &outcome {
                Ok(Ack) => ("ok", ""),
                Err(error) => (error.code.as_str(), error.message.as_str()),
            };
            let text = cat(&[
                "flexgen: ",
                trigger,
                " was sent before its caller stopped waiting; Flex answered ",
                code,
                if message.is_empty() { "" } else { ": " },
                message,
            ]);
            web_sys::console::info_1(&JsValue::from_str(&text));
        }
    }
}

/// A JavaScript `Error` named `FlexBridgeError`, with the protocol's `code`.
fn js_error(error: &BridgeError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("FlexBridgeError");
    let _ = Reflect::set(
        &js,
        &JsValue::from_str("code"),
        &JsValue::from_str(error.code.as_str()),
    );
    js.into()
}

fn post(this: &Inner, message: &Value) {
    let Some(target) = this.peer.window() else {
        return;
    };
    // Only ever the spec's exact Flex origin, never "*": if the iframe shows
    // anything else (a login page, an error page) the browser drops it.
    if let Err(error) = target.post_message(&to_js(message), this.core.flex_origin()) {
        let what = JsValue::from_str("flexgen: postMessage failed");
        web_sys::console::error_2(&what, &error);
    }
}

/// The page's global (not `web_sys::window()`, whose global-object lookups
/// cost the `.wasm` more than this one import).
fn global() -> Window {
    GLOBAL.with(JsValue::clone).unchecked_into()
}

/// Keeps one `setTimeout` armed no later than the core's next deadline.
fn arm(inner: &Rc<RefCell<Inner>>) {
    let mut this = exclusive(inner);
    let next = this.core.next_deadline();
    match (next, this.timer) {
        (Some(at), Some((armed, _))) if armed <= at => {}
        // Nothing due: an armed timer is left to fire for nothing rather
        // than cleared, so that a command answered in time costs no
        // `clearTimeout` and the next one (due later) no `setTimeout`.
        (None, _) => {}
        (next, current) => {
            if let Some((_, handle)) = current {
                this.window.clear_timeout_with_handle(handle);
            }
            this.timer = None;
            let (Some(at), Some(listeners)) = (next, &this.listeners) else {
                return;
            };
            // One millisecond late rather than early: a wake-up before the
            // deadline would expire nothing (and simply re-arm).
            let delay = ((at - now()).max(0.0).ceil() + 1.0).min(f64::from(i32::MAX)) as i32;
            let callback = listeners.timer.as_ref().unchecked_ref();
            let armed = this
                .window
                .set_timeout_with_callback_and_timeout_and_arguments_0(callback, delay);
            if let Ok(handle) = armed {
                this.timer = Some((at, handle));
            }
        }
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// 64 bits from `crypto.getRandomValues`, for unguessable message ids.
fn random_u64(window: &Window) -> Result<u64, JsValue> {
    let mut bytes = [0u8; 8];
    window
        .crypto()?
        .get_random_values_with_u8_array(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

/// A message from Flex as the protocol's tree, read by the rules of
/// `limits.rs` (what a message from Flex may hold): `ns` and `app` first
/// (another app's message is read no further), then the other envelope keys,
/// then only the declared fields of the payload of its `type`, all charged
/// against one [`Budget`].
fn read_message(data: &JsValue, core: &Core) -> Value {
    if !is_plain(data) {
        return Value::Unsupported("not a plain object");
    }
    // A short string, by its length first.
    let get = |key: &str| {
        let value = own(data, key)?.dyn_into::<JsString>().ok()?;
        (value.length() <= MAX_NAME_UNITS).then(|| String::from(value))
    };
    if get("ns").as_deref() != Some(PROTOCOL_NS) || get("app").as_deref() != Some(core.app()) {
        return Value::Object(Vec::new());
    }
    let trigger = get("type");
    let fields = core.payload_fields(trigger.as_deref());
    let mut reader = Reader::new(data, Budget::for_message(fields));
    let payload: Vec<(&str, KeyRule)> = fields
        .iter()
        .map(|(k, u)| (*k, KeyRule::Scalar(*u)))
        .collect();
    reader.object(data, &ENVELOPE_SLOTS, &payload)
}

/// A payload handed to the bridge by the page's own code, read like one
/// from Flex: its declared fields only.
fn read_payload(payload: &JsValue, fields: FieldBounds) -> Value {
    if !is_plain(payload) {
        return Value::Unsupported("not a plain object");
    }
    let mut reader = Reader::new(payload, Budget::for_message(fields));
    let slots: Vec<(&str, KeyRule)> = fields
        .iter()
        .map(|(k, u)| (*k, KeyRule::Scalar(*u)))
        .collect();
    reader.object(payload, &slots, &[])
}

/// Reads one message within its budget.
struct Reader {
    budget: Budget,
    /// The objects read so far: none may be reached twice.
    objects: Vec<JsValue>,
}

impl Reader {
    fn new(root: &JsValue, budget: Budget) -> Self {
        Reader {
            budget,
            // The root counts as read: a payload that is the envelope is a cycle.
            objects: vec![root.clone()],
        }
    }

    /// The declared keys of the plain object `js` (the root, or a payload or
    /// error), each read by its slot, plus the first undeclared key, if any,
    /// so that the checks can name it (its value is not read).
    fn object(
        &mut self,
        js: &JsValue,
        slots: &[(&str, KeyRule)],
        payload: &[(&str, KeyRule)],
    ) -> Value {
        let mut entries = Vec::new();
        for (key, slot) in slots {
            let Some(value) = own(js, key) else {
                continue;
            };
            let value = match slot {
                KeyRule::Scalar(units) => self.scalar(&value, *units),
                KeyRule::Payload => self.nested(&value, payload),
                KeyRule::Error => {
                    let error = ERROR_FIELDS.map(|(k, u)| (k, KeyRule::Scalar(u)));
                    self.nested(&value, &error)
                }
            };
            entries.push((key.to_string(), value));
        }
        if let Some(name) = self.undeclared(js, slots, entries.len()) {
            entries.push((name, Value::Unsupported("an undeclared key")));
        }
        Value::Object(entries)
    }

    /// A payload or error: a plain object not read before.
    fn nested(&mut self, js: &JsValue, slots: &[(&str, KeyRule)]) -> Value {
        if !is_plain(js) {
            return Value::Unsupported(if js.is_object() {
                "an object that is not plain"
            } else {
                "not an object"
            });
        }
        if self.objects.iter().any(|seen| Object::is(seen, js)) {
            return Value::Unsupported(SHARED_REFERENCE);
        }
        self.objects.push(js.clone());
        self.object(js, slots, &[])
    }

    /// The name of a key of `js` that `slots` does not declare, when it has
    /// more keys than the `found` declared ones: among its first `found + 1`
    /// keys there is one.
    fn undeclared(
        &mut self,
        js: &JsValue,
        slots: &[(&str, KeyRule)],
        found: usize,
    ) -> Option<String> {
        let keys = Reflect::own_keys(js).ok()?;
        if keys.length() as usize <= found {
            return None;
        }
        for key in keys.iter().take(found + 1) {
            let Some(key) = key.dyn_ref::<JsString>() else {
                return Some("(a symbol)".to_string());
            };
            // Named by its first units at most: names are short.
            let units = key.length().min(MAX_NAME_UNITS);
            let name = String::from(key.slice(0, units));
            if !slots.iter().any(|(declared, _)| *declared == name) {
                return Some(if self.budget.take(units) {
                    name
                } else {
                    OVER_BUDGET.to_string()
                });
            }
        }
        None
    }

    /// A string of at most `max_units` UTF-16 units, a number, a boolean,
    /// `null` or `undefined`; an object here is not looked into.
    fn scalar(&mut self, js: &JsValue, max_units: u32) -> Value {
        if let Some(s) = js.dyn_ref::<JsString>() {
            // By its length alone: nothing of it is copied.
            let units = s.length();
            if units > max_units {
                return Value::Unsupported(TOO_LONG);
            }
            if !self.budget.take(units) {
                return Value::Unsupported(OVER_BUDGET);
            }
            // `String::from` replaces a lone surrogate with U+FFFD: a string
            // that has one after the conversion is checked again, code unit by
            // unit.
            let text = String::from(s);
            if has_replacement_char(&text) && !well_formed(s) {
                return Value::Unsupported(ILL_FORMED_STRING);
            }
            return Value::String(text);
        }
        if !self.budget.take(0) {
            return Value::Unsupported(OVER_BUDGET);
        }
        if js.is_undefined() {
            Value::Undefined
        } else if js.is_null() {
            Value::Null
        } else if let Some(b) = js.as_bool() {
            Value::Bool(b)
        } else if let Some(n) = js.as_f64() {
            Value::Number(n)
        } else if js.is_object() {
            Value::Unsupported(NOT_A_SCALAR)
        } else {
            Value::Unsupported("a bigint, symbol or function")
        }
    }
}

/// The value of `key` when `js` has it as an own key.
fn own(js: &JsValue, key: &str) -> Option<JsValue> {
    let key = JsValue::from_str(key);
    if !js.is_object() {
        return None;
    }
    // Not `dyn_ref`: its `instanceof Object` fails for an object without a
    // prototype.
    let object: &Object = js.unchecked_ref();
    if !Object::has_own(object, &key) {
        return None;
    }
    Reflect::get(js, &key).ok()
}

/// An object literal or a structured clone of one: not an array, not a
/// `Date`, `Map` or class instance.
fn is_plain(js: &JsValue) -> bool {
    if !js.is_object() {
        return false;
    }
    let proto = Object::get_prototype_of(js);
    proto.is_null() || Object::is(&proto, &Object::get_prototype_of(&Object::new()))
}

/// Whether `text` holds U+FFFD, byte by byte (`str::contains` with a
/// non-ASCII char brings a substring searcher into the `.wasm`).
fn has_replacement_char(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w == "\u{FFFD}".as_bytes())
}

/// Whether `s` has no lone surrogate. (`JsString::is_valid_utf16` would do,
/// with a UTF-16 decoder in the `.wasm`; only code units matter here.)
fn well_formed(s: &JsString) -> bool {
    let surrogate = |i: u32| {
        let unit = s.char_code_at(i);
        ((0xD800 as f64)..(0xE000 as f64))
            .contains(&unit)
            .then_some(unit < 0xDC00 as f64)
    };
    let (mut i, n) = (0, s.length());
    while i < n {
        match surrogate(i) {
            // A high surrogate must come before a low one.
            Some(true) if surrogate(i + 1) == Some(false) => i += 2,
            Some(_) => return false,
            None => i += 1,
        }
    }
    true
}

/// The protocol's tree as plain JavaScript data (fresh objects, declared
/// keys only: `undefined` members are left out).
fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Undefined | Value::Unsupported(_) => JsValue::UNDEFINED,
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::String(s) => JsValue::from_str(s),
        // Never built: `to_value` reads no array, and no message has one.
        Value::Array(_) => JsValue::UNDEFINED,
        Value::Object(entries) => {
            let object = Object::new();
            for (key, item) in entries {
                // Never a prototype setter: the core only builds declared keys.
                if matches!(item, Value::Undefined) || key == "__proto__" {
                    continue;
                }
                let _ = Reflect::set(&object, &JsValue::from_str(key), &to_js(item));
            }
            object.into()
        }
    }
}

/// `cell.borrow_mut()`, with a panic of a fixed message: the standard one
/// formats the `BorrowMutError`, and with every call site inlined that
/// formatting costs the `.wasm` some 150 bytes gzipped (BENCHMARKS.md). It
/// never panics: no borrow is held while user code runs (see the module
/// documentation).
fn exclusive<T: ?Sized>(cell: &RefCell<T>) -> RefMut<'_, T> {
    match cell.try_borrow_mut() {
        Ok(borrowed) => borrowed,
        Err(_) => panic!("flexgen bridge: state borrowed twice"),
    }
}

/// `cell.borrow()`, for the same reason as [`exclusive`].
fn shared<T: ?Sized>(cell: &RefCell<T>) -> Ref<'_, T> {
    match cell.try_borrow() {
        Ok(borrowed) => borrowed,
        Err(_) => panic!("flexgen bridge: state borrowed twice"),
    }
}
