//! The command line: parse arguments, call the library, map outcomes to exit codes.
//! (Stub: written by the CLI work.)
pub fn run() -> i32 {
    0
}
