//! No import circles among the generator's modules (issue 16): the pipeline
//! reads one way, `cli` on top and no stage reaching back to one that uses it.
//!
//! A module here is a top-level module of one of the two crates in
//! generator/ (the library, `lib.rs`, and the binary, `main.rs`), with its
//! submodules folded in (`emit` is `emit/mod.rs` and everything under
//! `emit/`). An edge is any `crate::X` in a module's source text (in `use`
//! lines, grouped `use crate::{x, y}` and paths in code), outside comments
//! and outside its `#[cfg(test)]` items: unit tests sit on top of the
//! pipeline like the tests in tests/ do, and may call any stage.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module -> (module it refers to -> the first `file:line` doing so).
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn generator() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("generator")
}

/// The `mod x;` declarations of a crate root, in order.
fn declared_modules(root: &str) -> Vec<String> {
    root.lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("pub(crate) mod "))
                .or_else(|| line.strip_prefix("mod "))?;
            Some(rest.strip_suffix(';')?.trim().to_string())
        })
        .collect()
}

/// Every `.rs` file of module `name`: `name.rs`, `name/mod.rs`, all under `name/`.
fn module_files(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = dir.join(format!("{name}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut stack = vec![dir.join(name)];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "module `{name}` is declared but neither {name}.rs nor {name}/ exists in {}",
        dir.display()
    );
    files
}

/// `text` with what does not count blanked out, lines kept in place: comment
/// lines, and `#[cfg(test)]` items (from the attribute to the `}` that closes
/// it at the attribute's indent, as rustfmt lays items out).
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_test: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        let counts = match in_test {
            Some(depth) => {
                if trimmed == "}" && indent == depth {
                    in_test = None;
                }
                false
            }
            None if trimmed == "#[cfg(test)]" => {
                in_test = Some(indent);
                false
            }
            None => !trimmed.starts_with("//"),
        };
        if counts {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The first path segment after each `crate::` in `code`, with its byte
/// offset; a group (`crate::{a, b::{c, d}}`, over several lines or one)
/// gives each member's first segment.
fn crate_references(code: &str) -> Vec<(usize, String)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::").map(|i| from + i) {
        from = at + "crate::".len();
        // `flexgen_crate::` or `$crate::` are not this crate's paths.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let after = &code[from..];
        let Some(group) = after.strip_prefix('{') else {
            let name = ident(after);
            if !name.is_empty() {
                found.push((at, name));
            }
            continue;
        };
        // Members at depth 0 of the group, up to its closing brace.
        let (mut depth, mut member_start) = (0usize, 0usize);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth > 0 => depth -= 1,
                ',' | '}' if depth == 0 => {
                    let name = ident(group[member_start..i].trim());
                    if !name.is_empty() && name != "self" {
                        found.push((at, name));
                    }
                    member_start = i + 1;
                    if c == '}' {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The module graph of the crate rooted at `root_file` (lib.rs or main.rs).
fn crate_graph(root_file: &str) -> Graph {
    let dir = generator();
    let root = fs::read_to_string(dir.join(root_file)).unwrap();
    let modules = declared_modules(&root);
    assert!(!modules.is_empty(), "{root_file} declares no modules");
    let known: BTreeSet<&str> = modules.iter().map(String::as_str).collect();
    let mut graph = Graph::new();
    for module in &modules {
        let edges = graph.entry(module.clone()).or_default();
        for file in module_files(&dir, module) {
            let text = code(&fs::read_to_string(&file).unwrap());
            let shown = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
            for (at, target) in crate_references(&text) {
                if target != *module && known.contains(target.as_str()) {
                    edges
                        .entry(target)
                        .or_insert_with(|| format!("{}:{}", shown.display(), line_of(&text, at)));
                }
            }
        }
    }
    graph
}

/// Every import circle, each as its modules in order with the reference
/// that makes each step, e.g. `cli -> add_trigger (generator/cli.rs:152)`.
fn cycles(graph: &Graph) -> Vec<String> {
    // Strongly connected components (Tarjan); a component of two or more
    // modules holds at least one circle, reported by a path around it.
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        components: Vec<Vec<&'g str>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph[v].keys().map(String::as_str) {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    let mut found = Vec::new();
    for component in walk.components.iter().filter(|c| c.len() > 1) {
        let members: BTreeSet<&str> = component.iter().copied().collect();
        // Walk inside the component from its first module until it closes.
        let start = *members.iter().next().unwrap();
        let mut path = vec![start];
        let mut steps = Vec::new();
        let mut at = start;
        loop {
            let (next, place) = graph[at]
                .iter()
                .find(|(w, _)| members.contains(w.as_str()))
                .expect("a module of a circle refers to another of it");
            steps.push(format!("{at} -> {next} ({place})"));
            if let Some(seen) = path.iter().position(|m| *m == next.as_str()) {
                found.push(steps[seen..].join(", "));
                break;
            }
            path.push(next.as_str());
            at = next.as_str();
        }
    }
    found
}

#[test]
fn no_module_of_the_generator_imports_one_that_imports_it_back() {
    for root in ["lib.rs", "main.rs"] {
        let graph = crate_graph(root);
        // The graph is really read: the pipeline's own edges are in it.
        let edges: usize = graph.values().map(BTreeMap::len).sum();
        assert!(edges > 0, "generator/{root}: no `crate::` reference found");
        let circles = cycles(&graph);
        assert!(
            circles.is_empty(),
            "import circles in the crate of generator/{root}:\n  {}\n\
             Data must flow one way (`cli` on top, no stage reaching back): move what both \
             sides need into the lower module, or into a small module of its own that \
             imports neither.",
            circles.join("\n  ")
        );
    }
}

#[test]
fn the_library_graph_has_the_pipeline_edges() {
    let graph = crate_graph("lib.rs");
    for (from, to) in [
        ("pipeline", "validate"),
        ("pipeline", "lower"),
        ("write", "seal"),
        ("emit", "seal"),
        ("scaffold", "emit"),
    ] {
        assert!(
            graph[from].contains_key(to),
            "the check no longer sees `{from}` -> `{to}`: {:?}",
            graph[from]
        );
    }
    // The binary: the commands share `console`, and it uses neither.
    let bin = crate_graph("main.rs");
    assert!(bin["cli"].contains_key("add_trigger"));
    assert!(bin["add_trigger"].contains_key("console"));
    assert!(bin["console"].is_empty(), "{:?}", bin["console"]);
}

#[test]
fn a_circle_is_found_and_named_with_its_places() {
    let mut graph = Graph::new();
    let edge = |graph: &mut Graph, from: &str, to: &str, at: &str| {
        graph
            .entry(from.to_string())
            .or_default()
            .insert(to.to_string(), at.to_string());
        graph.entry(to.to_string()).or_default();
    };
    edge(&mut graph, "cli", "add_trigger", "generator/cli.rs:152");
    edge(
        &mut graph,
        "add_trigger",
        "cli",
        "generator/add_trigger.rs:19",
    );
    edge(
        &mut graph,
        "add_trigger",
        "prompt",
        "generator/add_trigger.rs:20",
    );
    assert_eq!(
        cycles(&graph),
        vec!["add_trigger -> cli (generator/add_trigger.rs:19), \
             cli -> add_trigger (generator/cli.rs:152)"
            .to_string()]
    );
    graph.get_mut("add_trigger").unwrap().remove("cli");
    assert_eq!(cycles(&graph), Vec::<String>::new());
}

#[test]
fn references_are_read_from_paths_groups_and_code_not_comments_or_tests() {
    let names = |code: &str| -> Vec<String> {
        crate_references(code).into_iter().map(|(_, n)| n).collect()
    };
    assert_eq!(
        names("use crate::{lower, spec::{self, Node}, validate};"),
        ["lower", "spec", "validate"]
    );
    assert_eq!(
        names("use crate::{\n    catalog,\n    ir::{A, B},\n};\nuse crate::{self as x};"),
        ["catalog", "ir"]
    );
    assert_eq!(
        names("    let x = crate::seal::seal(crate::emit::header(p));"),
        ["seal", "emit"]
    );
    assert!(names("use flexgen_crate::x; $crate::y").is_empty());
    let text = code(
        "use crate::a;\n// crate::b\n#[cfg(test)]\nmod tests {\n    use crate::c;\n}\nfn f() { crate::d::g() }\n",
    );
    let found = crate_references(&text);
    let lines: Vec<(usize, &str)> = found
        .iter()
        .map(|(at, n)| (line_of(&text, *at), n.as_str()))
        .collect();
    assert_eq!(lines, [(1, "a"), (7, "d")]);
}

/// Where an emitter would be making a formatter's choice itself: the widths
/// and the fit test of generator/emit/layout.
const LAYOUT_WORDS: &[&str] = &[
    "PRINT_WIDTH",
    "MAX_WIDTH",
    "CALL_WIDTH",
    "STRUCT_LIT_WIDTH",
    "fits(",
];

#[test]
fn only_the_layout_helpers_choose_where_generated_lines_break() {
    // One layout helper per target language (issue 16): the emitters pass
    // data to generator/emit/layout/{rust,ts}.rs and never test a width.
    let emit = generator().join("emit");
    let layout = emit.join("layout");
    let mut found = Vec::new();
    let mut emitters = 0;
    for entry in fs::read_dir(&emit).expect("generator/emit") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        emitters += 1;
        let text = fs::read_to_string(&path).expect("an emitter");
        for (n, line) in code(&text).lines().enumerate() {
            for word in LAYOUT_WORDS.iter().filter(|w| line.contains(*w)) {
                found.push(format!("{}:{}: {word}", path.display(), n + 1));
            }
        }
    }
    assert!(
        emitters >= 5,
        "only {emitters} emitters under {}",
        emit.display()
    );
    assert!(
        found.is_empty(),
        "emitters choosing line breaks themselves:\n  {}\n\
         Move the choice into {} as a helper that takes the construct's data.",
        found.join("\n  "),
        layout.display()
    );
    // The words are the layout helpers' own: the check looks for what is there.
    let ts = fs::read_to_string(layout.join("ts.rs")).expect("layout/ts.rs");
    let rust = fs::read_to_string(layout.join("rust.rs")).expect("layout/rust.rs");
    for word in LAYOUT_WORDS {
        assert!(
            ts.contains(word) || rust.contains(word),
            "`{word}` is in neither layout helper"
        );
    }
}
