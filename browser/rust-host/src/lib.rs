//! The seed's CRM logic in Rust, on the generated bridge's Rust API, with a
//! small JavaScript face for the test that drives it
//! (browser/tests/rust-api.mjs). Each method exercises one promise of that
//! API the way a Rust front end (Leptos, Yew) relies on it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use acme_crm_bridge::{
    BridgeError, ClickToDialPayload, ErrorCode, FlexBridge, StartError, Subscription,
};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local};
use web_sys::HtmlIFrameElement;

/// The page's state: one bridge handle, the screen pops seen while the
/// subscription is kept, and the outcomes of spawned commands.
#[wasm_bindgen]
pub struct RustHost {
    bridge: FlexBridge,
    pops: Rc<Cell<u32>>,
    pop_subscription: Option<Subscription>,
    outcomes: Rc<RefCell<Vec<String>>>,
}

fn dial(number: &str) -> ClickToDialPayload {
    ClickToDialPayload {
        phone_number: number.to_string(),
        caller_id: None,
        crm_record_id: None,
    }
}

/// An outcome as the test reads it: `ok`, or the error code, found by a
/// `match` on the typed code (with the `_` arm `#[non_exhaustive]` asks for).
fn outcome_text(outcome: &Result<acme_crm_bridge::Ack, BridgeError>) -> String {
    match outcome {
        Ok(_) => "ok".to_string(),
        Err(error) => match error.code {
            ErrorCode::FlexActionFailed => "FLEX_ACTION_FAILED".to_string(),
            ErrorCode::NotReady => "NOT_READY".to_string(),
            ErrorCode::Timeout => "TIMEOUT".to_string(),
            other => format!("other: {other}"),
        },
    }
}

#[wasm_bindgen]
impl RustHost {
    /// Starts the bridge on the Flex `iframe`; a failure is the typed
    /// `StartError`, whose text the page shows.
    #[wasm_bindgen(constructor)]
    pub fn new(iframe: HtmlIFrameElement) -> Result<RustHost, JsValue> {
        let bridge: Result<FlexBridge, StartError> = FlexBridge::new(iframe);
        let bridge = bridge.map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(RustHost {
            bridge,
            pops: Rc::new(Cell::new(0)),
            pop_subscription: None,
            outcomes: Rc::new(RefCell::new(Vec::new())),
        })
    }

    /// The bridge's state, as the protocol names it.
    pub fn state(&self) -> String {
        self.bridge.state().as_str().to_string()
    }

    /// Counts screen pops while the subscription is kept.
    pub fn keep_pops(&mut self) {
        let pops = Rc::clone(&self.pops);
        self.pop_subscription = Some(self.bridge.on_screen_pop(move |_| {
            pops.set(pops.get() + 1);
        }));
    }

    /// Drops the subscription: no callback after this.
    pub fn drop_pops(&mut self) {
        self.pop_subscription = None;
    }

    pub fn pops(&self) -> u32 {
        self.pops.get()
    }

    /// Dials from a task of its own, on a clone of the bridge moved into
    /// it (the future borrows nothing); the outcome lands in `outcomes`.
    pub fn dial_in_task(&self, number: String) {
        let bridge = self.bridge.clone();
        let outcomes = Rc::clone(&self.outcomes);
        spawn_local(async move {
            let outcome = bridge.click_to_dial(dial(&number)).await;
            outcomes
                .borrow_mut()
                .push(format!("{number}: {}", outcome_text(&outcome)));
        });
    }

    /// Starts a dial and drops its future at once: before the handshake,
    /// the command is withdrawn and never reaches Flex.
    pub fn dial_and_drop(&self, number: String) {
        drop(self.bridge.click_to_dial(dial(&number)));
    }

    /// The outcomes of `dial_in_task`, in the order they settled.
    pub fn outcomes(&self) -> Vec<String> {
        self.outcomes.borrow().clone()
    }

    /// Dials and resolves with the outcome's text.
    pub fn dial(&self, number: String) -> Promise {
        let reply = self.bridge.click_to_dial(dial(&number));
        future_to_promise(async move { Ok(JsValue::from_str(&outcome_text(&reply.await))) })
    }

    /// Drops this handle: with the page's other handles gone too, the
    /// bridge is disposed.
    pub fn close(self) {}
}
