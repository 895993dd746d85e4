//! Diagnostics: located, rustc-style error reports, all of a file's at once.
//! (Stub: written by the front-end work.)

/// Every problem found in one spec file.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The file name as the user gave it, for `--> file:line:col`.
    pub file: String,
    pub source: String,
    pub items: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    /// Byte range in `source` the message points at, when known.
    pub span: Option<std::ops::Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// How to fix it, including "did you mean".
    pub help: Option<String>,
}

impl Diagnostics {
    /// The report as the CLI prints it on stderr (no colour).
    pub fn render(&self) -> String {
        self.items.iter().map(|d| format!("error: {}\n", d.message)).collect()
    }
}
