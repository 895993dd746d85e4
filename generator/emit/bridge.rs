//! Emitter for the host bridge crate (Rust -> WASM). (Stub.)
use super::{EmitError, OutFile};
use crate::ir::Plan;

pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let _ = plan;
    Ok(Vec::new())
}
