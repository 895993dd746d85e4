//! (Stub: see generator/lib.rs for this stage's job.)
