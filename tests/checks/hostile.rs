//! Hostile input in every free-text and name field (issue 6, part 1).
//!
//! The `hostile-*` checks of tests/cases.rs: `corpus.json` of the case
//! (tests/cases/hostile/corpus/) holds the strings. Names go into every name
//! field (app, trigger, payload field), one spec each: each is accepted, or
//! refused with exit 1, a `file:line:col` at the name, a help line, nothing
//! written, and no raw control or bidi character on the terminal.
//!
//! Free text goes into every free-text field at once: one spec with two
//! triggers per corpus string, each carrying it in its summary, user action,
//! field docs, enum values, `when:` literal and `invoke` literals, read from
//! a file whose name is hostile too (the generated headers name it). The
//! generated tree is then checked structurally (a small lexer of TS, JS and
//! Rust finds every string literal and comment: each enum value and literal
//! decodes back to the corpus string, and no corpus payload is ever code),
//! and by the toolchains: tsc over the plugin, `node --check` over the host
//! page, `cargo build --target wasm32-unknown-unknown` of the bridge. The
//! browser run carries the same kind of payloads through real frames: the
//! `hostile` case of browser/tests/run.mjs (spec: tests/cases/hostile/browser/triggers.yaml,
//! run by tests/browser_e2e.rs) checks that none of them ran in either frame.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{self, flexgen, repo, run, ts_tool};

/// The marker every code-running payload of the corpus sets.
const PWNED: &str = "__flexgen_pwned";

fn corpus(case: &Path) -> Value {
    let path = case.join("corpus.json");
    let text = fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(id, text)` of every free-text entry, `repeat` entries built here.
fn texts(case: &Path) -> Vec<(String, String)> {
    corpus(case)["text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let id = e["id"].as_str().unwrap().to_string();
            let text = match (e["text"].as_str(), e["repeat"].as_str()) {
                (Some(t), _) => t.to_string(),
                (None, Some(r)) => r.repeat(e["times"].as_u64().unwrap() as usize),
                _ => panic!("corpus entry {id} has neither text nor repeat"),
            };
            (id, text)
        })
        .collect()
}

/// A YAML double-quoted scalar holding exactly `s`.
fn yaml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c == '\n' || invisible(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that must never reach a generated file or the terminal raw:
/// controls (bar newline), line/paragraph separators, bidi controls, BOM.
fn invisible(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{feff}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn raw_invisible(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| invisible(*c))
}

// ---------------------------------------------------------------- names --

/// A spec with one name of each kind; `field` is an extra optional field.
fn name_spec(app: &str, trigger: &str, field: &str) -> String {
    format!(
        "version: 1\n\
         app:\n  name: {}\n  flex_origin: https://flex.twilio.com\n  host_origins: [http://localhost:8080]\n\
         triggers:\n  - name: {}\n    direction: host_to_flex\n    payload:\n      \
         phone_number: {{ type: e164 }}\n      {}: {{ type: string, optional: true }}\n    \
         invoke:\n      action: StartOutboundCall\n      args:\n        destination: payload.phone_number\n",
        yaml_str(app),
        yaml_str(trigger),
        yaml_str(field)
    )
}

/// Line of each name in `name_spec`.
const APP_LINE: usize = 3;
const TRIGGER_LINE: usize = 7;
const FIELD_LINE: usize = 11;

/// Runs `generate` on `spec`; returns (exit code, stderr, whether anything was written).
fn generate(spec: &str) -> (Option<i32>, String, bool) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("triggers.yaml"), spec).unwrap();
    let out = flexgen(dir.path())
        .args(["generate", "triggers.yaml", "--out", "out"])
        .output()
        .unwrap();
    let written = dir.path().join("out").exists();
    (out.status.code(), common::stderr(&out), written)
}

/// A refusal: exit 1, the place, a help line, nothing written, a terminal-safe message.
fn assert_refused(what: &str, (code, stderr, written): &(Option<i32>, String, bool), line: usize) {
    assert_eq!(*code, Some(1), "{what}: expected exit 1:\n{stderr}");
    assert!(!written, "{what}: refused, yet something was written");
    let place = format!("triggers.yaml:{line}:");
    assert!(
        stderr.contains(&place),
        "{what}: no `{place}` in:\n{stderr}"
    );
    assert!(stderr.contains("help: "), "{what}: no help in:\n{stderr}");
    assert!(
        raw_invisible(stderr).is_none(),
        "{what}: a raw control or bidi character reaches the terminal: {stderr:?}"
    );
    // The message never breaks its own line: the first line is the whole title.
    let title = stderr.lines().next().unwrap_or_default();
    assert!(
        title.starts_with("error: ") && stderr.lines().nth(1).is_some_and(|l| l.contains("-->")),
        "{what}: the title spans more than one line:\n{stderr}"
    );
}

pub fn every_hostile_name_is_refused_at_its_place_or_accepted(case: &Path) {
    let mut accepted = Vec::new();
    let mut failures = Vec::new();
    for entry in corpus(case)["names"].as_array().unwrap() {
        let id = entry["id"].as_str().unwrap();
        let times = entry["times"].as_u64().unwrap_or(1) as usize;
        let name = entry["text"].as_str().unwrap().repeat(times);
        let ok = entry["ok"].as_bool().unwrap_or(false);
        let app_ok = ok || entry["app_ok"].as_bool().unwrap_or(false);
        let cases = [
            (
                "app.name",
                name_spec(&name, "click_to_dial", "note"),
                APP_LINE,
                app_ok,
            ),
            (
                "trigger name",
                name_spec("acme", &name, "note"),
                TRIGGER_LINE,
                ok,
            ),
            (
                "field name",
                name_spec("acme", "click_to_dial", &name),
                FIELD_LINE,
                ok,
            ),
        ];
        for (place, spec, line, ok) in cases {
            let what = format!("{id} as {place}");
            let result = generate(&spec);
            if ok {
                assert_eq!(result.0, Some(0), "{what}: expected success:\n{}", result.1);
                assert!(result.2, "{what}: accepted but nothing written");
                accepted.push(what);
            } else if let Err(e) = std::panic::catch_unwind(|| assert_refused(&what, &result, line))
            {
                failures.push(e.downcast_ref::<String>().cloned().unwrap_or_default());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        accepted.len() >= 9,
        "the corpus lost its valid names: {accepted:?}"
    );
}

/// Pairs of names that collide after case conversion are refused where the
/// second one stands; pairs that do not are accepted here and compiled in
/// `hostile_text_lands_as_data_and_the_output_builds`.
pub fn names_that_collide_after_case_conversion_are_refused(case: &Path) {
    let mut refused = 0;
    for (id, a, b) in collisions(case) {
        let triggers = two_triggers(&a, &b);
        let fields = name_spec("acme", "click_to_dial", &a).replace(
            "      phone_number: { type: e164 }\n",
            &format!(
                "      phone_number: {{ type: e164 }}\n      {}: {{ type: string, optional: true }}\n",
                yaml_str(&b)
            ),
        );
        // Fields have no PascalCase form (no type is named after one).
        for (place, spec, line, pascal) in [
            ("triggers", triggers, 16, true),
            ("fields", fields, 12, false),
        ] {
            let what = format!("{id} ({a} / {b}) as {place}");
            let result = generate(&spec);
            if result.0 == Some(0) {
                assert!(
                    apart(&a, &b, pascal),
                    "{what}: accepted although a case form meets"
                );
            } else {
                assert_refused(&what, &result, line);
                assert!(
                    result.1.contains("collides") || result.1.contains("duplicate"),
                    "{what}: the message does not say what collides:\n{}",
                    result.1
                );
                refused += 1;
            }
        }
    }
    assert!(refused >= 8, "only {refused} collisions refused");
}

fn collisions(case: &Path) -> Vec<(String, String, String)> {
    corpus(case)["collisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("id"), s("a"), s("b"))
        })
        .collect()
}

/// `name_spec` with a second trigger named `b` (its name on line 16).
fn two_triggers(a: &str, b: &str) -> String {
    let first = name_spec("acme", a, "note");
    let second = name_spec("acme", b, "note");
    let tail = second.split_once("triggers:\n").unwrap().1;
    format!("{first}{tail}")
}

// ------------------------------------------------------------ free text --

/// A file name with what a header comment must survive (no `/`, no NUL).
const SPEC_FILE: &str =
    "evil \"q\" 'q' `${globalThis.__flexgen_pwned=1}` <script> <!-- \\ \u{202e}\u{2028}\n*.yaml";

/// The longest enum value the spec allows (UTF-16 units).
const MAX_ENUM_VALUE: usize = 65536;

/// Whether `t` may be an enum value (non-empty, bounded: docs/spec.md).
fn enum_ok(t: &str) -> bool {
    !t.is_empty() && t.encode_utf16().count() <= MAX_ENUM_VALUE
}

/// The spec carrying every corpus text, and the pairs of names that
/// `collisions(case)` lets through as extra triggers and fields.
fn hostile_spec(case: &Path, texts: &[(String, String)]) -> String {
    let mut spec = String::from(
        "version: 1\napp:\n  name: Hostile-App_\n  flex_origin: https://flex.twilio.com\n  \
         host_origins: [http://localhost:8080]\ntriggers:\n",
    );
    for (i, (_, t)) in texts.iter().enumerate() {
        let q = yaml_str(t);
        let mood = if enum_ok(t) {
            format!("      mood: {{ type: enum, values: [{q}, plain], doc: {q} }}\n")
        } else {
            String::new()
        };
        let key = if q.chars().count() < 1000
            && !["__proto__", "constructor", "prototype"].contains(&t.as_str())
        {
            format!("{q}: {q}, ")
        } else {
            String::new()
        };
        spec.push_str(&format!(
            "  - name: command_{i}\n    summary: {q}\n    user_action: {q}\n    \
             direction: host_to_flex\n    channel: voice\n    payload:\n      \
             phone_number: {{ type: e164, doc: {q} }}\n{mood}      \
             note: {{ type: string, optional: true, doc: {q} }}\n    invoke:\n      \
             action: StartOutboundCall\n      args:\n        destination: payload.phone_number\n        \
             queueSid: {{ value: {q} }}\n        taskAttributes: {{ value: {{ {key}list: [{q}] }} }}\n  \
             - name: event_{i}\n    summary: {q}\n    user_action: {q}\n    direction: flex_to_host\n    \
             on: {{ event: taskAccepted }}\n    when:\n      task.attributes.hostile: {q}\n    \
             payload:\n      caller: {{ type: string, from: task.attributes.from, doc: {q} }}\n",
        ));
    }
    // Names that differ only in ways case conversion keeps apart: as two
    // triggers, and as two fields of one more trigger per pair.
    let mut trigger_names: Vec<String> = Vec::new();
    let command = |name: &str, fields: &str| {
        format!(
            "  - name: {name}\n    direction: host_to_flex\n    payload:\n      \
             phone_number: {{ type: e164 }}\n{fields}    invoke:\n      \
             action: StartOutboundCall\n      args:\n        destination: payload.phone_number\n",
        )
    };
    for (i, (_, a, b)) in collisions(case).into_iter().enumerate() {
        if apart(&a, &b, false) {
            let fields = format!(
                "      {a}: {{ type: string, optional: true }}\n      {b}: {{ type: string, optional: true }}\n"
            );
            spec.push_str(&command(&format!("pair_fields_{i}"), &fields));
        }
        let clear = |n: &str| trigger_names.iter().all(|t| apart(t, n, true));
        if apart(&a, &b, true) && clear(&a) && clear(&b) {
            for name in [a, b] {
                spec.push_str(&command(&name, ""));
                trigger_names.push(name);
            }
        }
    }
    assert!(
        !trigger_names.is_empty(),
        "the corpus has no pair of names that may coexist"
    );
    spec
}

/// Whether two names stay apart in every case style the generator uses
/// for them (PascalCase: trigger names only).
fn apart(a: &str, b: &str, pascal: bool) -> bool {
    let forms = |n: &str| {
        let n = flexgen::ir::Names::new(n);
        let pascal = if pascal { n.pascal } else { n.snake.clone() };
        [n.original, n.snake, n.camel, pascal, n.shouty]
    };
    let (fa, fb) = (forms(a), forms(b));
    fa.iter().all(|f| !fb.contains(f))
}

/// What the lexer found in one source file.
#[derive(Default)]
struct Lexed {
    /// Everything outside literals and comments.
    code: String,
    strings: BTreeSet<String>,
    comments: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Ts,
    Rust,
}

/// A small lexer of the generated TS/JS and Rust: enough of each language
/// to tell code from string literals and comments, following the
/// language's own rules (so a comment ended early by a raw line separator,
/// or a literal ended early by a quote, shows up as code).
fn lex(src: &str, lang: Lang) -> Lexed {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Lexed::default();
    let mut i = 0;
    lex_into(&chars, &mut i, lang, &mut out, false);
    out
}

fn ts_line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Lexes until the end, or (in a template substitution) the matching `}`.
fn lex_into(s: &[char], i: &mut usize, lang: Lang, out: &mut Lexed, in_subst: bool) {
    let mut depth = 0usize;
    while *i < s.len() {
        let c = s[*i];
        let next = s.get(*i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                let start = *i;
                while *i < s.len() && !(ts_line_end(s[*i]) && (lang == Lang::Ts || s[*i] == '\n')) {
                    *i += 1;
                }
                out.comments.push(s[start..*i].iter().collect());
            }
            '/' if next == Some('*') => {
                let start = *i;
                *i += 2;
                let mut nest = 1;
                while nest > 0 {
                    assert!(*i < s.len(), "unterminated block comment");
                    if s[*i] == '*' && s.get(*i + 1) == Some(&'/') {
                        nest -= 1;
                        *i += 2;
                    } else if lang == Lang::Rust && s[*i] == '/' && s.get(*i + 1) == Some(&'*') {
                        nest += 1;
                        *i += 2;
                    } else {
                        *i += 1;
                    }
                }
                out.comments.push(s[start..*i].iter().collect());
            }
            '"' => {
                *i += 1;
                let text = quoted(s, i, '"', lang);
                out.strings.insert(text);
                out.code.push_str("\"\"");
            }
            '\'' if lang == Lang::Ts => {
                *i += 1;
                let text = quoted(s, i, '\'', lang);
                out.strings.insert(text);
                out.code.push_str("''");
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
                let is_char = next == Some('\\') || s.get(*i + 2) == Some(&'\'');
                if is_char {
                    *i += 1;
                    quoted(s, i, '\'', lang);
                    out.code.push_str("' '");
                } else {
                    out.code.push(c);
                    *i += 1;
                }
            }
            'r' if lang == Lang::Rust
                && matches!(next, Some('#') | Some('"'))
                && !s[..*i]
                    .last()
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                let mut j = *i + 1;
                let mut hashes = 0;
                while s.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if s.get(j) != Some(&'"') {
                    out.code.push(c);
                    *i += 1;
                    continue;
                }
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let rest: String = s[j + 1..].iter().collect();
                let end = rest.find(&close).expect("unterminated raw string");
                out.strings.insert(rest[..end].to_string());
                *i = j + 1 + rest[..end].chars().count() + close.chars().count();
                out.code.push_str("r\"\"");
            }
            '`' if lang == Lang::Ts => {
                *i += 1;
                let mut text = String::new();
                loop {
                    assert!(*i < s.len(), "unterminated template literal");
                    match s[*i] {
                        '`' => {
                            *i += 1;
                            break;
                        }
                        '\\' => {
                            text.push(s[*i + 1]);
                            *i += 2;
                        }
                        '$' if s.get(*i + 1) == Some(&'{') => {
                            *i += 2;
                            out.code.push_str("${");
                            lex_into(s, i, lang, out, true);
                            out.code.push('}');
                        }
                        ch => {
                            text.push(ch);
                            *i += 1;
                        }
                    }
                }
                out.strings.insert(text);
                out.code.push_str("``");
            }
            '{' => {
                depth += 1;
                out.code.push(c);
                *i += 1;
            }
            '}' if in_subst && depth == 0 => {
                *i += 1;
                return;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                out.code.push(c);
                *i += 1;
            }
            _ => {
                out.code.push(c);
                *i += 1;
            }
        }
    }
    assert!(!in_subst, "unterminated template substitution");
}

/// The decoded text of a literal whose opening quote is behind `i`.
fn quoted(s: &[char], i: &mut usize, quote: char, lang: Lang) -> String {
    let mut text = String::new();
    loop {
        let c = *s.get(*i).expect("unterminated string literal");
        *i += 1;
        if c == quote {
            return text;
        }
        if lang == Lang::Ts && (c == '\n' || c == '\r') {
            panic!("a line break inside a TS string literal: {text:?}");
        }
        if c != '\\' {
            text.push(c);
            continue;
        }
        let e = s[*i];
        *i += 1;
        let hex = |i: &mut usize, n: usize| {
            let h: String = s[*i..*i + n].iter().collect();
            *i += n;
            u32::from_str_radix(&h, 16).expect("hex escape")
        };
        match e {
            'n' => text.push('\n'),
            'r' => text.push('\r'),
            't' => text.push('\t'),
            'b' if lang == Lang::Ts => text.push('\u{8}'),
            'f' if lang == Lang::Ts => text.push('\u{c}'),
            'v' if lang == Lang::Ts => text.push('\u{b}'),
            '0' => text.push('\0'),
            'x' => text.push(char::from_u32(hex(i, 2)).unwrap()),
            'u' if s[*i] == '{' => {
                let end = s[*i..].iter().position(|c| *c == '}').unwrap();
                let h: String = s[*i + 1..*i + end].iter().collect();
                *i += end + 1;
                text.push(char::from_u32(u32::from_str_radix(&h, 16).unwrap()).unwrap());
            }
            'u' => {
                let unit = hex(i, 4);
                if (0xd800..0xdc00).contains(&unit)
                    && s.get(*i) == Some(&'\\')
                    && s.get(*i + 1) == Some(&'u')
                {
                    *i += 2;
                    let low = hex(i, 4);
                    let cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    text.push(char::from_u32(cp).unwrap());
                } else {
                    text.push(char::from_u32(unit).expect("a lone surrogate escape"));
                }
            }
            '\n' => {
                // A line continuation (Rust also skips the next line's indent).
                if lang == Lang::Rust {
                    while s[*i].is_whitespace() {
                        *i += 1;
                    }
                }
            }
            other => text.push(other),
        }
    }
}

/// Generated files by extension, read from `root`.
fn files_under(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "node_modules") {
                    stack.push(path);
                }
            } else {
                let text = fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

pub fn hostile_text_lands_as_data_and_the_output_builds(case: &Path) {
    let texts = texts(case);
    assert!(texts.len() >= 50, "the corpus has {} texts", texts.len());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(SPEC_FILE), hostile_spec(case, &texts)).unwrap();
    let started = std::time::Instant::now();
    let out = flexgen(dir.path())
        .arg("generate")
        .arg(SPEC_FILE)
        .args(["--out", "out"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generate refused the hostile spec:\n{}",
        common::stderr(&out)
    );
    eprintln!("generate: {:?}", started.elapsed());
    let root = dir.path().join("out");
    if let Ok(keep) = std::env::var("FLEXGEN_KEEP_HOSTILE") {
        let _ = fs::remove_dir_all(&keep);
        run(Command::new("cp").arg("-r").arg(&root).arg(&keep), "cp");
    }
    let files = files_under(&root);

    // Nothing raw that a reader or a parser could trip on, in any file.
    let raw: BTreeSet<String> = files
        .iter()
        .flat_map(|(path, text)| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            text.chars()
                .filter(|c| invisible(*c))
                .map(move |c| format!("{name}: U+{:04X}", c as u32))
        })
        .collect();
    assert!(raw.is_empty(), "raw characters in the output:\n{raw:#?}");

    let wanted_strings: BTreeSet<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
    let enum_values: BTreeSet<&str> = wanted_strings
        .iter()
        .copied()
        .filter(|t| enum_ok(t))
        .collect();
    for (path, text) in &files {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let lang = match path.extension().and_then(|e| e.to_str()) {
            Some("ts" | "js") => Lang::Ts,
            Some("rs") => Lang::Rust,
            Some("json") => {
                serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{name}: {e}"));
                continue;
            }
            _ => continue,
        };
        let lexed = lex(text, lang);
        assert!(
            !lexed.code.contains(PWNED) && !lexed.code.contains("panic!(\"pwned"),
            "{name}: a corpus payload became code"
        );
        // Where a value must survive as data, it decodes back exactly.
        let expect: Vec<&str> = match name.as_str() {
            "flex-plugin/src/flexgen/triggers.ts" | "bridge/src/generated/payloads.rs" => {
                enum_values.iter().copied().collect()
            }
            "flex-plugin/src/flexgen/wiring.ts" => wanted_strings.iter().copied().collect(),
            "host/main.js" | "bridge/src/generated/api.d.ts" => {
                enum_values.iter().copied().collect()
            }
            _ => Vec::new(),
        };
        let missing: Vec<&&str> = expect
            .iter()
            .filter(|t| !lexed.strings.contains(**t))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: {} corpus strings do not come out as written, e.g. {:?}",
            missing.len(),
            missing
                .first()
                .map(|t| t.chars().take(80).collect::<String>())
        );
    }

    // Markdown: no live HTML or link from spec text outside code spans.
    let doc = without_code_spans(&fs::read_to_string(root.join("docs/PROTOCOL.md")).unwrap());
    for live in ["<img", "<svg", "<script", "](javascript:", "<!-- x"] {
        assert!(
            !doc.contains(live),
            "PROTOCOL.md: `{live}` is live Markdown/HTML"
        );
    }

    // The toolchains: tsc (strict) over the plugin, node over the host page,
    // cargo for wasm32 over the bridge.
    let plugin = root.join("flex-plugin");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        repo().join("tests/toolchain/ts/node_modules"),
        plugin.join("node_modules"),
    )
    .unwrap();
    run(
        Command::new(ts_tool("tsc"))
            .arg("--noEmit")
            .arg("-p")
            .arg(&plugin),
        "tsc --noEmit -p flex-plugin (hostile)",
    );
    run(
        Command::new("node")
            .arg("--check")
            .arg(root.join("host/main.js")),
        "node --check host/main.js (hostile)",
    );
    let bridge = root.join("bridge");
    let shared = repo().join("target/bridge-check");
    if shared.join("Cargo.lock").exists() {
        fs::copy(shared.join("Cargo.lock"), bridge.join("Cargo.lock")).unwrap();
    }
    run(
        Command::new("cargo")
            .current_dir(&bridge)
            .env("CARGO_TARGET_DIR", &shared)
            .env_remove("CARGO_BUILD_TARGET")
            .args(["build", "--release", "--target", "wasm32-unknown-unknown"]),
        "cargo build --release --target wasm32-unknown-unknown (hostile bridge)",
    );
}

/// Markdown text with its code spans (inert: never parsed as HTML or
/// links) taken out, per line (the generated cells are one line each).
fn without_code_spans(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' {
                out.extend(chars.get(i..i + 2).unwrap_or(&chars[i..]));
                i += 2;
                continue;
            }
            if chars[i] != '`' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let run = chars[i..].iter().take_while(|c| **c == '`').count();
            // The closing run: exactly as many backticks.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                let k = chars[j..].iter().take_while(|c| **c == '`').count();
                if k == run {
                    close = Some(j);
                    break;
                }
                j += k.max(1);
            }
            match close {
                Some(j) => {
                    out.push_str("`code`");
                    i = j + run;
                }
                None => {
                    out.extend(&chars[i..i + run]);
                    i += run;
                }
            }
        }
        out.push('\n');
    }
    out
}

pub fn code_spans_are_taken_out_and_only_they() {
    assert_eq!(
        without_code_spans("a `<img>` b ``x ` y`` \\`<svg>\\` <br>"),
        "a `code` b `code` \\`<svg>\\` <br>\n"
    );
}

pub fn the_lexer_sees_code_that_escapes_a_literal_or_comment() {
    // Proof that the structural check above can fail.
    let broke_string = lex("const a = \"x\"; __flexgen_pwned = 1; \"y\";", Lang::Ts);
    assert!(broke_string.code.contains(PWNED));
    let broke_comment = lex("// note\u{2028}__flexgen_pwned = 1\n", Lang::Ts);
    assert!(broke_comment.code.contains(PWNED));
    let broke_block = lex("/* a */ __flexgen_pwned /* b */", Lang::Ts);
    assert!(broke_block.code.contains(PWNED));
    let nested = lex("/* a /* b */ __flexgen_pwned */", Lang::Rust);
    assert!(!nested.code.contains(PWNED));
    let template = lex("`a${ `b${__flexgen_pwned}` }c`", Lang::Ts);
    assert!(template.code.contains(PWNED));
    let data = lex(
        "const s = \"\\u003c/script\\u003e \\\" __flexgen_pwned \\ud83d\\ude00\";",
        Lang::Ts,
    );
    assert!(!data.code.contains(PWNED));
    assert!(data
        .strings
        .contains("</script> \" __flexgen_pwned \u{1f600}"));
    let rust = lex(
        "let s = \"a\\u{202e}\\\"\"; let r = r#\"x\"y\"#; let c = '\"';",
        Lang::Rust,
    );
    assert!(rust.strings.contains("a\u{202e}\""));
    assert!(rust.strings.contains("x\"y"));
}
