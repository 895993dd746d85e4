//! Emitter for the protocol's constants files, one per runtime:
//! `protocol_constants.rs` of the bridge runtime crate and
//! `protocol_constants.ts` of the plugin runtime. Both are written from
//! [`crate::protocol`], the one source of the version, the namespace, the
//! error codes and the limits; the runtimes (`runtime/` in flexgen's
//! repository, vendored into every workspace) import them and spell none of
//! these values themselves. The repository's copies are these files' bodies
//! (no `@generated` header): `runtime/bridge/src/protocol_constants.rs` and
//! `runtime/plugin/src/protocol_constants.ts`, so that each runtime compiles
//! and is tested there (tests/protocol.rs holds them equal).

use super::{header, OutFile, Owner};
use crate::ir::Plan;
use crate::protocol::{End, ERROR_CODES, FORBIDDEN_KEYS, LIMITS, PROTOCOL_NS, PROTOCOL_VERSION};

/// Where the bridge's constants go: into the vendored runtime crate.
pub const RUST_PATH: &str = "bridge/flexgen-runtime/src/protocol_constants.rs";
/// Where the plugin's constants go.
pub const TS_PATH: &str = "flex-plugin/src/flexgen/runtime/protocol_constants.ts";
/// The repository's copy of the bridge's constants (no header).
pub const RUST_REPO_PATH: &str = "runtime/bridge/src/protocol_constants.rs";
/// The repository's copy of the plugin's constants (no header).
pub const TS_REPO_PATH: &str = "runtime/plugin/src/protocol_constants.ts";

/// `text` as comment lines of at most `width` columns, each `prefix` first.
fn comment(prefix: &str, text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + 1 + line.len() + 1 + word.len() > width {
            out.push_str(&format!("{prefix} {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{prefix} {line}\n"));
    }
    out
}

/// A number as both languages write it best: `64`, `2000`, `10_000`.
fn number(n: u32) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// A meaning as a sentence: capitalised, ending with a full stop.
fn sentence(meaning: &str) -> String {
    let mut chars = meaning.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// The bridge's `protocol_constants.rs`.
pub fn rust(plan: &Plan) -> OutFile {
    let mut contents = header(plan, "//");
    contents.push_str(&rust_body());
    OutFile {
        path: RUST_PATH.to_string(),
        contents,
        owner: Owner::Generated,
    }
}

/// The bridge's `protocol_constants.rs` without its header: the bridge
/// runtime's repository copy.
pub fn rust_body() -> String {
    let mut out = String::from(
        "//! The wire protocol's constants, host side (docs/protocol.md): the version,\n\
         //! the namespace, the error codes and the limits, written by flexgen from its\n\
         //! one source of them. The runtime's modules read them from here.\n\n",
    );
    out.push_str(&format!(
        "/// Protocol version; a peer with another one is reported, not served.\n\
         pub const PROTOCOL_VERSION: u32 = {PROTOCOL_VERSION};\n\n\
         /// Namespace of every flexgen message; anything else is not ours.\n\
         pub const PROTOCOL_NS: &str = {PROTOCOL_NS:?};\n\n\
         /// Keys that could reach or shadow prototypes: refused everywhere.\n\
         pub const FORBIDDEN_KEYS: [&str; {}] = [{}];\n",
        FORBIDDEN_KEYS.len(),
        FORBIDDEN_KEYS.map(|k| format!("{k:?}")).join(", ")
    ));
    for limit in LIMITS.iter().filter(|l| l.ends.contains(&End::Bridge)) {
        out.push('\n');
        out.push_str(&comment("///", limit.doc, 80));
        out.push_str(&format!(
            "pub const {}: {} = {};\n",
            limit.name,
            limit.rust_type,
            number(limit.value)
        ));
    }
    out.push_str(
        "\n/// Error codes a command may fail with (docs/protocol.md, \"Error codes\").\n\
         /// Later protocol versions may add codes: match with a `_` arm.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n\
         #[non_exhaustive]\n\
         pub enum ErrorCode {\n",
    );
    for code in ERROR_CODES {
        out.push_str(&comment("    ///", &sentence(code.meaning), 80));
        out.push_str(&format!("    {},\n", code.variant));
    }
    out.push_str(&format!(
        "}}\n\nimpl ErrorCode {{\n    /// Every code, in this order.\n    \
         pub const ALL: [ErrorCode; {}] = [\n",
        ERROR_CODES.len()
    ));
    for code in ERROR_CODES {
        out.push_str(&format!("        ErrorCode::{},\n", code.variant));
    }
    out.push_str(
        "    ];\n\n    /// The code as it travels on the wire: `SCHEMA_INVALID`, ...\n    \
         pub fn as_str(self) -> &'static str {\n        match self {\n",
    );
    for code in ERROR_CODES {
        out.push_str(&format!(
            "            ErrorCode::{} => {:?},\n",
            code.variant, code.code
        ));
    }
    out.push_str(
        "        }\n    }\n\n    /// The code a wire string names, if any.\n    \
         pub fn parse(code: &str) -> Option<Self> {\n        \
         Self::ALL.into_iter().find(|c| c.as_str() == code)\n    }\n}\n",
    );
    out
}

/// The plugin's `protocol_constants.ts`: the header, then
/// [`typescript_body`].
pub fn typescript(plan: &Plan) -> OutFile {
    let mut out = header(plan, "//");
    out.push_str(&typescript_body());
    OutFile {
        path: TS_PATH.to_string(),
        contents: out,
        owner: Owner::Generated,
    }
}

/// The plugin's `protocol_constants.ts` without its header: the same for
/// every spec, and the repository's copy at [`TS_REPO_PATH`].
pub fn typescript_body() -> String {
    let mut out = String::from(
        "/**\n * The wire protocol's constants, plugin side (docs/protocol.md): the version,\n \
         * the namespace, the error codes and the limits, written by flexgen from its\n \
         * one source of them. The runtime's modules read them from here.\n */\n\n",
    );
    out.push_str(&format!(
        "/** Protocol version; a peer with another one is reported, not served. */\n\
         export const PROTOCOL_VERSION = {PROTOCOL_VERSION};\n\n\
         /** Namespace of every flexgen message; anything else is not ours. */\n\
         export const PROTOCOL_NS = {PROTOCOL_NS:?};\n\n\
         /** Keys that could reach or shadow prototypes: refused everywhere. */\n\
         export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([\n{}]);\n\n\
         /** Error codes a reply may carry (docs/protocol.md, \"Error codes\"). */\n\
         export const ERROR_CODES = [\n",
        FORBIDDEN_KEYS.map(|k| format!("  {k:?},\n")).concat()
    ));
    for code in ERROR_CODES {
        out.push_str(&format!("  {:?},\n", code.code));
    }
    out.push_str(
        "] as const;\n\n/** One of `ERROR_CODES`. */\n\
         export type ErrorCode = (typeof ERROR_CODES)[number];\n",
    );
    for limit in LIMITS.iter().filter(|l| l.ends.contains(&End::Plugin)) {
        out.push('\n');
        let doc = comment(" *", limit.doc, 80);
        if doc.lines().count() == 1 && limit.doc.len() + 7 <= 80 {
            out.push_str(&format!("/** {} */\n", limit.doc));
        } else {
            out.push_str(&format!("/**\n{doc} */\n"));
        }
        out.push_str(&format!(
            "export const {} = {};\n",
            limit.name,
            number(limit.value)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_comments_read_as_written_by_hand() {
        assert_eq!(number(64), "64");
        assert_eq!(number(2000), "2000");
        assert_eq!(number(10_000), "10_000");
        assert_eq!(number(65_536), "65_536");
        let wrapped = comment("///", &"word ".repeat(30), 40);
        assert!(wrapped
            .lines()
            .all(|l| l.len() <= 40 && l.starts_with("/// ")));
        assert_eq!(sentence("no answer"), "No answer.");
    }
}
