//! The tera engine shared by all emitters, with the escaping filters that make
//! user text land as data in every target language.
//!
//! Autoescaping is off (we do not emit HTML); instead every free-text value in a
//! template goes through exactly one of these filters, chosen by where it lands:
//! - `ts_str` / `rs_str`: a complete, quoted string literal (TS or Rust);
//! - `comment`: text inside a `//` or `/** */` comment;
//! - `rs_doc`: text in a Rust doc comment (`///`, `//!`);
//! - `md`: text in a Markdown table cell or paragraph.

use std::fmt::Write as _;

use tera::{Context, Kwargs, State, Tera};

use super::EmitError;

/// Builds an engine holding the given `(name, source)` templates.
pub fn engine(templates: &[(&str, &str)]) -> Result<Tera, EmitError> {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("ts_str", |s: &str, _: Kwargs, _: &State| ts_string(s));
    tera.register_filter("rs_str", |s: &str, _: Kwargs, _: &State| rust_string(s));
    tera.register_filter("comment", |s: &str, _: Kwargs, _: &State| comment_text(s));
    tera.register_filter("md", |s: &str, _: Kwargs, _: &State| markdown_text(s));
    tera.register_filter("rs_doc", |s: &str, _: Kwargs, _: &State| rust_doc(s));
    for (name, source) in templates {
        tera.add_raw_template(name, source)
            .map_err(|e| EmitError::Template {
                template: (*name).to_string(),
                message: format!("{e:#}"),
            })?;
    }
    Ok(tera)
}

/// A target's templates: `(template name, output path, source)`.
pub type Templates<'a> = &'a [(&'a str, &'a str, &'a str)];

/// The files of one target: static files and rendered templates under its
/// generated folder, each with `head`; user templates under `user_dir`,
/// without it, their path passed through `user_path`.
pub struct Target<'a> {
    pub generated_dir: &'a str,
    pub user_dir: &'a str,
    pub statics: &'a [(&'a str, &'a str)],
    pub generated: Templates<'a>,
    pub user: Templates<'a>,
}

impl Target<'_> {
    pub fn emit<T: serde::Serialize>(
        &self,
        head: &str,
        view: &T,
        user_path: impl Fn(&str) -> String,
    ) -> Result<Vec<super::OutFile>, EmitError> {
        use super::{OutFile, Owner};
        let templates: Vec<(&str, &str)> = self
            .generated
            .iter()
            .chain(self.user)
            .map(|(name, _, source)| (*name, *source))
            .collect();
        let tera = engine(&templates)?;
        // One context for every template of the target: turning the view into
        // tera values costs as much as rendering a template from it.
        let context = context(view)?;
        let mut files = Vec::new();
        for (name, source) in self.statics {
            files.push(OutFile {
                path: format!("{}/{name}", self.generated_dir),
                contents: format!("{head}{source}"),
                owner: Owner::Generated,
            });
        }
        for (name, file, _) in self.generated {
            files.push(OutFile {
                path: format!("{}/{file}", self.generated_dir),
                contents: render_into(head.to_string(), &tera, name, &context)?,
                owner: Owner::Generated,
            });
        }
        for (name, file, _) in self.user {
            files.push(OutFile {
                path: format!("{}/{}", self.user_dir, user_path(file)),
                contents: render_into(String::new(), &tera, name, &context)?,
                owner: Owner::User,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }
}

fn template_error(name: &str, e: tera::Error) -> EmitError {
    EmitError::Template {
        template: name.to_string(),
        message: format!("{e:#}"),
    }
}

/// The tera context of a serialisable view.
pub fn context<T: serde::Serialize>(view: &T) -> Result<Context, EmitError> {
    Context::from_serialize(view).map_err(|e| template_error("(view)", e))
}

/// Renders one template with a serialisable context.
pub fn render<T: serde::Serialize>(tera: &Tera, name: &str, ctx: &T) -> Result<String, EmitError> {
    render_into(String::new(), tera, name, &context(ctx)?)
}

/// Renders one template after `prefix` (a header), straight into one buffer,
/// so a large file is never copied to be prefixed.
pub fn render_into(
    prefix: String,
    tera: &Tera,
    name: &str,
    context: &Context,
) -> Result<String, EmitError> {
    let mut out = prefix.into_bytes();
    tera.render_to(name, context, &mut out)
        .map_err(|e| template_error(name, e))?;
    String::from_utf8(out).map_err(|e| EmitError::Template {
        template: name.to_string(),
        message: e.to_string(),
    })
}

/// Text for a Rust doc comment (`///`, `//!`): one line and inert like
/// [`comment_text`], and no HTML tag (rustdoc passes raw HTML through into
/// the rendered docs; without `<` nothing opens a tag).
pub fn rust_doc(s: &str) -> String {
    comment_text(s).replace('<', "&lt;")
}

/// A double-quoted TypeScript/JavaScript string literal. Escapes everything that
/// could end the literal or the enclosing script (`</script>`, line separators),
/// and every control or bidi character, so the text is inert wherever it lands.
pub fn ts_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            c if needs_unicode_escape(c) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A double-quoted Rust string literal, with the same policy as `ts_string`.
pub fn rust_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_unicode_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text that is safe inside `//` and `/* */` comments in TS and Rust, and inside
/// doc comments: one line, no comment terminators, no control or bidi characters.
pub fn comment_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if needs_unicode_escape(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    // `*/` would close a block comment; `/*` would open a nested one in Rust.
    out.replace("*/", "* /").replace("/*", "/ *")
}

/// Text for a Markdown table cell or paragraph: one line, Markdown and HTML
/// metacharacters backslash-escaped or entity-encoded.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in comment_text(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '{' | '}' | '(' | ')' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Control characters, the Unicode line/paragraph separators, the BOM and
/// every bidi control (Trojan Source, CVE-2021-42574): the marks (U+200E,
/// U+200F, and U+061C, the Arabic letter mark), embeddings and overrides
/// (U+202A..U+202E) and isolates (U+2066..U+2069).
fn needs_unicode_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_string_is_inert() {
        assert_eq!(ts_string("a\"b"), r#""a\"b""#);
        assert_eq!(ts_string("</script>"), r#""\u003c/script\u003e""#);
        assert_eq!(ts_string("x\u{2028}y"), r#""x\u2028y""#);
        assert_eq!(ts_string("`${x}`"), r#""`${x}`""#);
        assert_eq!(ts_string("\u{1f600}"), "\"\u{1f600}\"");
    }

    #[test]
    fn rust_string_is_inert() {
        assert_eq!(rust_string("a\"b\\"), r#""a\"b\\""#);
        assert_eq!(rust_string("\u{202e}"), r#""\u{202e}""#);
        assert_eq!(rust_string("\0"), r#""\u{0}""#);
        assert_eq!(rust_string("\u{61c}\u{2069}"), r#""\u{61c}\u{2069}""#);
    }

    #[test]
    fn every_bidi_control_is_escaped_or_replaced() {
        let bidi = "\u{61c}\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}";
        for out in [ts_string(bidi), rust_string(bidi)] {
            assert!(out.is_ascii(), "{out}");
        }
        assert_eq!(ts_string("\u{61c}"), r#""\u061c""#);
        assert_eq!(comment_text(bidi), "\u{fffd}".repeat(12));
    }

    #[test]
    fn comments_cannot_close() {
        assert_eq!(comment_text("a */ b /* c\nd"), "a * / b / * c d");
    }

    #[test]
    fn markdown_escapes_html_and_tables() {
        assert_eq!(markdown_text("<b>|x"), "&lt;b&gt;\\|x");
    }
}
