//! Emitter for the Flex plugin shim (TypeScript). (Stub.)
use super::{EmitError, OutFile};
use crate::ir::Plan;

pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let _ = plan;
    Ok(Vec::new())
}
