//! flexgen: one `triggers.yaml` in, both ends of a typed, origin-checked
//! postMessage bridge between a CRM page and Twilio Flex out.
//!
//! The pipeline runs one way, one stage per module:
//! `spec` (YAML -> spanned model) -> `validate` (all errors at once, against the
//! `catalog`) -> `lower` (-> `ir::Plan`) -> `emit` (pure: IR -> files, each
//! generated one `seal`ed with a checksum) -> `write` (crash-safe,
//! write-if-changed, stale removal, hand edits refused, `--check` diff). `pipeline` strings the
//! front half together; `vocabulary` (the spec's spellings, type rules and
//! limits) and `catalog` (Flex's names) are shared by every stage. Beside it:
//! `scaffold` lays down a new workspace (`flexgen new`), `edit` splices a trigger into a spec (`flexgen
//! add-trigger`), `preview` serves the browser harness for a workspace
//! (`flexgen preview`); `cli` is the thin command-line edge. `protocol` is
//! the one source of the wire protocol's version, error codes and limits,
//! which `emit` writes into both runtimes' constants files.

pub mod catalog;
pub mod diag;
pub mod edit;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod pipeline;
pub mod preview;
pub mod protocol;
pub mod scaffold;
pub mod seal;
pub mod source;
pub mod spec;
pub mod validate;
pub mod vocabulary;
pub mod write;
