//! Layout: one helper per target language, so the emitters' views carry
//! data and the choices a formatter would make live in one place.

pub mod rust;
pub mod ts;
