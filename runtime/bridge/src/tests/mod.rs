//! The runtime's unit tests, native: every rule of the protocol's host end.
//! flexgen leaves this folder out of the copy it writes into a workspace.

mod core;
