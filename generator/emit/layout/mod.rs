//! Layout: one helper per target language. The emitters hand each helper a
//! construct's data (a call and its arguments, an object's members, a
//! union's members) and get it back laid out as the language's formatter
//! (rustfmt, prettier) lays it out, so the output needs no formatter pass.
//! No emitter tests a width itself (tests/module_graph.rs holds them to it).

pub mod rust;
pub mod ts;
