//! The front half of the pipeline: source text -> checked, lowered plan.
use crate::diag::Diagnostics;
use crate::ir::Plan;

/// Parses, validates and lowers one spec. `file` is the path as the user named
/// it (for diagnostics); only its file name reaches the generated output.
pub fn compile(file: &str, source: &str) -> Result<Plan, Diagnostics> {
    let _ = (file, source);
    todo!("front-end work")
}
