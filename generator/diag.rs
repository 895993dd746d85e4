//! Diagnostics: located, rustc-style error reports, all of a file's at once.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How many diagnostics a report shows in full; the rest are counted. A spec
/// pasted into the wrong file can have a million errors, and the first few
/// say what is wrong.
pub const MAX_SHOWN: usize = 50;

/// Every problem found in one spec file.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The file name as the user gave it, for `--> file:line:col`.
    pub file: String,
    pub source: String,
    pub items: Vec<Diagnostic>,
}

/// How bad a diagnostic is: an error stops the run (exit 1, nothing
/// generated); a warning is printed and the run goes on (exit 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Byte range in `source` the message points at, when known.
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// How to fix it, including "did you mean".
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: shown(message.into()),
            span,
            label: None,
            help: None,
        }
    }

    /// The same diagnostic as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(shown(label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shown(help.into()));
        self
    }
}

impl Diagnostics {
    /// Wraps `items` in source order (stable: equal spans keep their order).
    pub fn new(file: &str, source: &str, mut items: Vec<Diagnostic>) -> Self {
        items.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.start));
        Diagnostics {
            file: shown(file.to_string()),
            source: source.to_string(),
            items,
        }
    }

    /// The report as the CLI prints it on stderr (no colour): one block per
    /// diagnostic (the first [`MAX_SHOWN`]), then a one-line summary.
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for d in self.items.iter().take(MAX_SHOWN) {
            out.push_str(&renderer.render(&[self.group(d)]).to_string());
            out.push_str("\n\n");
        }
        let count = self.items.len();
        if count > MAX_SHOWN {
            out.push_str(&format!(
                "note: {} more errors not shown; fix the ones above and run again\n\n",
                count - MAX_SHOWN
            ));
        }
        let noun = if count == 1 { "error" } else { "errors" };
        out.push_str(&format!(
            "error: {}: {count} {noun}, nothing generated\n",
            self.file
        ));
        out
    }

    /// Warnings as the CLI prints them on stderr before going on: one block
    /// each (the first [`MAX_SHOWN`]), no summary (the command's own status
    /// line counts them). Empty when there are none.
    pub fn render_warnings(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for d in self.items.iter().take(MAX_SHOWN) {
            out.push_str(&renderer.render(&[self.group(d)]).to_string());
            out.push_str("\n\n");
        }
        if self.items.len() > MAX_SHOWN {
            out.push_str(&format!(
                "note: {} more warnings not shown\n\n",
                self.items.len() - MAX_SHOWN
            ));
        }
        out
    }

    fn group<'a>(&'a self, d: &'a Diagnostic) -> Group<'a> {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(d.message.as_str()));
        if let Some(span) = &d.span {
            let span = self.clamp(span.clone());
            // Only the lines the span touches go to the renderer: it walks all
            // the text it is given, and a spec may be megabytes with
            // thousands of errors.
            let first = self.source[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let mut last = self.source[span.end..]
                .find('\n')
                .map_or(self.source.len(), |i| span.end + i);
            // A CRLF line ends before its `\r`, as it does for the renderer.
            if last > span.end && self.source.as_bytes()[last - 1] == b'\r' {
                last -= 1;
            }
            let line = self.source[..first].matches('\n').count() + 1;
            let mut annotation = AnnotationKind::Primary.span(span.start - first..span.end - first);
            if let Some(label) = &d.label {
                annotation = annotation.label(label.as_str());
            }
            group = group.element(
                Snippet::source(&self.source[first..last])
                    .line_start(line)
                    .path(self.file.as_str())
                    .annotation(annotation),
            );
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        group
    }

    /// Keeps a span inside the source and on character boundaries, so that a
    /// wrong offset can never make rendering panic.
    fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let fix = |mut at: usize| {
            at = at.min(self.source.len());
            while !self.source.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = fix(span.start);
        start..fix(span.end).max(start)
    }

    /// `file:line:col` of a diagnostic (1-based, columns in characters), for
    /// tests and tools that want the location without the snippet.
    pub fn location(&self, d: &Diagnostic) -> Option<(usize, usize)> {
        let span = self.clamp(d.span.clone()?);
        let before = &self.source[..span.start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Some((line, column))
    }
}

/// Text for the terminal: messages quote spec values, and a value may hold
/// a line break (a message that spans lines misleads), an escape sequence
/// (it would drive the terminal) or bidi and invisible characters (the shown
/// name would not be the real one). Each such character is written as its
/// `\u{..}` escape.
pub fn shown(text: String) -> String {
    if !text.chars().any(is_invisible) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Controls (tab and newline too: a message is one line), Unicode line and
/// paragraph separators, bidi controls, zero-width characters and the BOM.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// The closest candidate to `word`, when it is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_invisible_characters_as_escapes() {
        let d = Diagnostic::new("`a\nb\u{1b}[31m\u{202e}c\u{200b}`", None)
            .label("x\u{2028}y")
            .help("é 😀 `\u{feff}`");
        assert_eq!(d.message, "`a\\u{a}b\\u{1b}[31m\\u{202e}c\\u{200b}`");
        assert_eq!(d.label.as_deref(), Some("x\\u{2028}y"));
        assert_eq!(d.help.as_deref(), Some("é 😀 `\\u{feff}`"));
        let all = Diagnostics::new("a\nb.yaml", "x: 1\n", vec![d]).render();
        assert!(
            !all.contains('\u{1b}') && !all.contains('\u{202e}'),
            "{all:?}"
        );
        assert!(all.contains("a\\u{a}b.yaml"), "{all}");
    }

    #[test]
    fn did_you_mean_finds_close_names_only() {
        let actions = ["StartOutboundCall", "HangupCall", "AcceptTask"];
        assert_eq!(
            did_you_mean("StartOutbondCall", actions),
            Some("StartOutboundCall")
        );
        assert_eq!(did_you_mean("acceptTask", actions), Some("AcceptTask"));
        assert_eq!(did_you_mean("Frobnicate", actions), None);
    }

    #[test]
    fn render_is_rustc_style_with_summary() {
        let source = "version: 1\napp:\n  nme: x\n";
        let d = Diagnostic::new("unknown key `nme` in `app`", Some(18..21))
            .label("unknown key")
            .help("did you mean `name`?");
        let report = Diagnostics::new("triggers.yaml", source, vec![d]).render();
        assert!(
            report.starts_with("error: unknown key `nme` in `app`\n"),
            "{report}"
        );
        assert!(report.contains(" --> triggers.yaml:3:3\n"), "{report}");
        assert!(report.contains("3 |   nme: x\n"), "{report}");
        assert!(report.contains("^^^ unknown key"), "{report}");
        assert!(report.contains("= help: did you mean `name`?"), "{report}");
        assert!(
            report.ends_with("error: triggers.yaml: 1 error, nothing generated\n"),
            "{report}"
        );
    }

    #[test]
    fn warnings_render_as_warnings_without_a_summary() {
        let source = "app:\n  host_origins: [http://localhost:8080]\n";
        let d = Diagnostic::new("trusts a local page", Some(22..43))
            .label("loopback")
            .help("move it to `dev_host_origins`")
            .warning();
        assert_eq!(d.severity, Severity::Warning);
        let report = Diagnostics::new("triggers.yaml", source, vec![d]).render_warnings();
        assert!(
            report.starts_with("warning: trusts a local page\n"),
            "{report}"
        );
        assert!(report.contains(" --> triggers.yaml:2:18\n"), "{report}");
        assert!(
            report.contains("= help: move it to `dev_host_origins`"),
            "{report}"
        );
        assert!(!report.contains("error"), "{report}");
        assert_eq!(Diagnostics::new("t.yaml", "", vec![]).render_warnings(), "");
    }

    #[test]
    fn diagnostics_are_sorted_by_position_and_spans_clamped() {
        let source = "a: é\n";
        let items = vec![
            Diagnostic::new("second", Some(3..99)),
            Diagnostic::new("first", Some(0..1)),
            Diagnostic::new("no span", None),
        ];
        let ds = Diagnostics::new("f.yaml", source, items);
        let order: Vec<_> = ds.items.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["first", "second", "no span"]);
        assert_eq!(ds.location(&ds.items[1]), Some((1, 4)));
        // Rendering a span that ends past the text (or inside `é`) must not panic.
        let report = ds.render();
        assert!(report.contains("3 errors, nothing generated"), "{report}");
    }
}
