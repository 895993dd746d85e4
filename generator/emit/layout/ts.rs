//! TypeScript and JavaScript laid out as prettier (default configuration)
//! lays them out, for the constructs whose width depends on a name: each
//! helper makes the choice prettier makes, so the output passes
//! `prettier --check` as written.

/// prettier's `printWidth`.
pub const PRINT_WIDTH: usize = 80;

/// Whether `line` fits prettier's print width.
pub fn fits(line: &str) -> bool {
    line.chars().count() <= PRINT_WIDTH
}

/// `  name: type;` in an interface; a long union of literals goes one member
/// per line, as prettier lays it out.
pub fn union_member(head: &str, ts_type: &str, members: &[String], is_union: bool) -> String {
    let one_line = format!("{head} {ts_type};");
    if !is_union || members.len() < 2 || fits(&one_line) {
        return one_line;
    }
    let lines: Vec<String> = members.iter().map(|m| format!("    | {m}")).collect();
    format!("{head}\n{};", lines.join("\n"))
}

/// `<head>[a, b];` on one line when it fits, else one element per line, as
/// prettier lays out an array of strings.
pub fn array_decl(head: &str, items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let one_line = format!("{head}[{}];", items.join(", "));
    if fits(&one_line) {
        return one_line;
    }
    let lines: String = items.iter().map(|i| format!("  {i},\n")).collect();
    format!("{head}[\n{lines}];")
}

/// `<head>{ a, b }<tail>` on one line when it fits, else one name per line,
/// as prettier lays out an import.
pub fn import_decl(head: &str, names: impl Iterator<Item = String>, tail: &str) -> String {
    let names: Vec<String> = names.collect();
    let one_line = format!("{head}{{ {} }}{tail}", names.join(", "));
    if fits(&one_line) {
        return one_line;
    }
    let lines: String = names.iter().map(|n| format!("  {n},\n")).collect();
    format!("{head}{{\n{lines}}}{tail}")
}

/// One argument of a call, or one value of a declaration, as the layout
/// needs to know it.
pub enum Arg {
    /// An expression that never breaks (a name, a literal, a short call).
    Plain(String),
    /// An array literal of these elements.
    Array(Vec<Arg>),
    /// A call: callee and arguments.
    Call(String, Vec<Arg>),
}

impl Arg {
    /// An array of expressions that never break (e.g. string literals).
    pub fn strings(items: impl IntoIterator<Item = String>) -> Arg {
        Arg::Array(items.into_iter().map(Arg::Plain).collect())
    }

    fn flat(&self) -> String {
        match self {
            Arg::Plain(text) => text.clone(),
            Arg::Array(items) => {
                let items: Vec<String> = items.iter().map(Arg::flat).collect();
                format!("[{}]", items.join(", "))
            }
            Arg::Call(callee, args) => flat_call(callee, args),
        }
    }
}

fn flat_call(callee: &str, args: &[Arg]) -> String {
    let args: Vec<String> = args.iter().map(Arg::flat).collect();
    format!("{callee}({})", args.join(", "))
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// prettier breaks an array of two or more elements that are all arrays of
/// two or more elements even when it fits (its `isConciselyPrintedArray`
/// aside, the rule of `printArrayItems`' `shouldBreak`).
fn must_break(items: &[Arg]) -> bool {
    items.len() > 1
        && items
            .iter()
            .all(|i| matches!(i, Arg::Array(inner) if inner.len() > 1))
}

/// A call as the value of a line: `lead` (already at `indent`) comes before
/// it and `tail` after it. Returns the call's text alone, laid out as
/// prettier lays it out: on one line when the whole line fits; a sole array
/// argument hugged (`f([` ... `])`); otherwise the arguments one per line,
/// each laid out by the same rules.
pub fn call(indent: usize, lead: &str, callee: &str, args: &[Arg], tail: &str) -> String {
    let flat = flat_call(callee, args);
    let hugs_forced = matches!(args, [Arg::Array(items)] if must_break(items));
    if !hugs_forced && fits(&format!("{}{lead}{flat}{tail}", pad(indent))) {
        return flat;
    }
    match args {
        [] => flat,
        [Arg::Array(items)] => format!("{callee}({})", broken_array(indent, items)),
        _ => {
            let lines: String = args
                .iter()
                .map(|a| format!("{}\n", argument_line(indent + 2, a)))
                .collect();
            format!("{callee}(\n{lines}{})", pad(indent))
        }
    }
}

/// A value as the rest of a line: `lead` (already at `indent`) comes before
/// it and `tail` after it. Returns the value's text alone: an array on one
/// line when the whole line fits, else one element per line, each laid out
/// by the same rules; a call as [`call`] lays it out.
pub fn value(indent: usize, lead: &str, arg: &Arg, tail: &str) -> String {
    match arg {
        Arg::Plain(text) => text.clone(),
        Arg::Call(callee, args) => call(indent, lead, callee, args, tail),
        Arg::Array(items) => {
            let flat = arg.flat();
            if !must_break(items) && fits(&format!("{}{lead}{flat}{tail}", pad(indent))) {
                return flat;
            }
            broken_array(indent, items)
        }
    }
}

/// `[`, each element on a line of its own at `indent + 2`, `]` at `indent`.
fn broken_array(indent: usize, items: &[Arg]) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    let lines: String = items
        .iter()
        .map(|i| format!("{}\n", argument_line(indent + 2, i)))
        .collect();
    format!("[\n{lines}{}]", pad(indent))
}

/// `<arg>,` on a line of its own at `indent`, inside a broken call or array.
fn argument_line(indent: usize, arg: &Arg) -> String {
    format!("{}{},", pad(indent), value(indent, "", arg, ","))
}

/// `<head> {` ... `};`: an object literal declared with one member per line
/// (prettier keeps an object broken once it was written broken), each value
/// laid out by [`value`].
pub fn object_decl(head: &str, members: &[(&str, Arg)]) -> String {
    let mut out = format!("{head} {{\n");
    for (key, arg) in members {
        let lead = format!("{key}: ");
        out.push_str(&format!("  {lead}{},\n", value(2, &lead, arg, ",")));
    }
    out.push_str("};");
    out
}

/// `<head>cond ? [a] : [b];` with two arrays, laid out as prettier lays out
/// a conditional after `=` when the declaration does not fit one line: the
/// conditional on one line at indent 2 when it fits, else the test and
/// each branch on a line of its own, a branch's array one element per line
/// when it does not fit there.
pub fn conditional_arrays(head: &str, test: &str, yes: &[String], no: &[String]) -> String {
    let flat = |items: &[String]| format!("[{}]", items.join(", "));
    let one_line = format!("{head} {test} ? {} : {};", flat(yes), flat(no));
    if fits(&one_line) {
        return one_line;
    }
    let one_line = format!("  {test} ? {} : {};", flat(yes), flat(no));
    if fits(&one_line) {
        return format!("{head}\n{one_line}");
    }
    let branch = |mark: &str, items: &[String], tail: &str| {
        let line = format!("    {mark} {}{tail}", flat(items));
        if fits(&line) {
            return line;
        }
        let lines: String = items.iter().map(|i| format!("        {i},\n")).collect();
        format!("    {mark} [\n{lines}      ]{tail}")
    };
    format!(
        "{head}\n  {test}\n{}\n{}",
        branch("?", yes, ""),
        branch(":", no, ";")
    )
}

/// `  name(params): ret;` in an interface: one line when it fits, else each
/// parameter on a line of its own.
pub fn method_signature(name: &str, params: &[String], ret: &str) -> String {
    let one = format!("  {name}({}): {ret};", params.join(", "));
    if fits(&one) {
        return one;
    }
    let broken: String = params.iter().map(|p| format!("    {p},\n")).collect();
    format!("  {name}(\n{broken}  ): {ret};")
}

/// An object literal of `(key, value)` members at `indent`, followed by a
/// comma: on one line when it fits and no value spans lines, else one
/// member per line.
pub fn object(indent: usize, members: &[(&str, String)]) -> String {
    let inline: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let one_line = format!("{}{{ {} }},", pad(indent), inline.join(", "));
    if fits(&one_line) && !members.iter().any(|(_, v)| v.contains('\n')) {
        return one_line;
    }
    object_broken(indent, members)
}

/// An object literal at `indent` with one member per line, followed by a
/// comma (prettier keeps an object broken once it was written broken).
pub fn object_broken(indent: usize, members: &[(&str, String)]) -> String {
    let p = pad(indent);
    let mut out = format!("{p}{{\n");
    for (k, v) in members {
        out.push_str(&format!("{p}  {k}: {v},\n"));
    }
    out.push_str(&format!("{p}}},"));
    out
}

/// `key: (params) => a && b,` at `indent`: on one line when it fits, else
/// the body on the next lines, one operand a line, as prettier breaks a
/// logical expression.
pub fn arrow_member(indent: usize, key: &str, params: &str, conjuncts: &[String]) -> String {
    let p = pad(indent);
    let one = format!("{p}{key}: {params} => {},", conjuncts.join(" && "));
    if fits(&one) {
        return one;
    }
    let body: Vec<String> = conjuncts.iter().map(|c| format!("{p}  {c}")).collect();
    format!("{p}{key}: {params} =>\n{},", body.join(" &&\n"))
}

/// An array of object literals as the value of a member at `indent`
/// (`key: [ ... ],`): a sole object inline when the line fits, else one
/// object per line at `indent + 2`.
pub fn object_array(indent: usize, key: &str, objects: &[Vec<(&str, String)>]) -> String {
    if let [only] = objects {
        let line = object(0, only);
        let line = line.trim_end_matches(',');
        if fits(&format!("{}{key}: [{line}],", pad(indent))) && !line.contains('\n') {
            return format!("[{line}]");
        }
    }
    if objects.is_empty() {
        return "[]".to_string();
    }
    let lines: Vec<String> = objects.iter().map(|o| object(indent + 2, o)).collect();
    format!("[\n{}\n{}]", lines.join("\n"), pad(indent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arrow_member_breaks_after_the_arrow_one_operand_a_line() {
        assert_eq!(
            arrow_member(2, "when", "(task)", &["a === 1".into(), "b === 2".into()]),
            "  when: (task) => a === 1 && b === 2,"
        );
        let long = "x".repeat(40);
        assert_eq!(
            arrow_member(2, "when", "(task)", &[long.clone(), long.clone()]),
            format!("  when: (task) =>\n    {long} &&\n    {long},")
        );
    }

    #[test]
    fn a_list_stays_on_one_line_while_it_fits_and_breaks_one_item_a_line_after() {
        let short = array_decl("const A = ", ["\"a\"".to_string()].into_iter());
        assert_eq!(short, "const A = [\"a\"];");
        let items: Vec<String> = (0..8)
            .map(|i| format!("\"https://crm{i}.example\""))
            .collect();
        let long = array_decl("const A = ", items.iter().cloned());
        assert!(long.starts_with("const A = [\n  \"https://crm0.example\",\n"));
        assert!(long.ends_with("  \"https://crm7.example\",\n];"));
        assert!(long.lines().all(fits), "{long}");
    }

    #[test]
    fn only_a_union_too_long_for_one_line_goes_one_member_a_line() {
        let members: Vec<String> = (0..3).map(|i| format!("\"v{i}\"")).collect();
        let head = "  kind:";
        assert_eq!(
            union_member(head, &members.join(" | "), &members, true),
            "  kind: \"v0\" | \"v1\" | \"v2\";"
        );
        let long: Vec<String> = (0..9).map(|i| format!("\"value_{i}\"")).collect();
        let broken = union_member(head, &long.join(" | "), &long, true);
        assert_eq!(broken.lines().count(), 10, "{broken}");
        assert!(broken.ends_with("    | \"value_8\";"));
        // Not a union (a long string type stays whole, as prettier leaves it).
        let one = union_member(head, &long.join(" | "), &long, false);
        assert_eq!(one.lines().count(), 1);
    }

    #[test]
    fn the_print_width_is_counted_in_characters_not_bytes() {
        assert!(fits(&"é".repeat(PRINT_WIDTH)));
        assert!(!fits(&"e".repeat(PRINT_WIDTH + 1)));
    }

    #[test]
    fn a_call_hugs_a_sole_array_breaks_a_sole_call_and_puts_many_arguments_one_a_line() {
        let items: Vec<String> = (0..6).map(|i| format!("\"value_{i}\"")).collect();
        let short = [Arg::strings(["\"a\"".to_string()])];
        assert_eq!(call(4, "kind: ", "oneOf", &short, ","), "oneOf([\"a\"])");
        let hugged = call(4, "kind: ", "oneOf", &[Arg::strings(items.clone())], ",");
        assert!(
            hugged.starts_with("oneOf([\n      \"value_0\",\n"),
            "{hugged}"
        );
        assert!(hugged.ends_with("      \"value_5\",\n    ])"), "{hugged}");
        let nested = [Arg::Call(
            "checks.oneOf".into(),
            vec![Arg::strings(items.clone())],
        )];
        let broken = call(4, "kind: ", "required", &nested, ",");
        assert!(
            broken.starts_with("required(\n      checks.oneOf([\n"),
            "{broken}"
        );
        assert!(broken.ends_with("      ]),\n    )"), "{broken}");
        let many: Vec<Arg> = (0..4)
            .map(|i| Arg::Plain(format!("read(\"task.attributes.field_{i}\")")))
            .collect();
        let each = call(6, "caller: ", "firstOf", &many, ",");
        assert_eq!(each.lines().count(), 6, "{each}");
        assert!(each.ends_with("\n      )"), "{each}");
        let url = format!("\"https://crm.example.com/{}\"", "p".repeat(60));
        let sole = call(0, "const URL = ", "parse", &[Arg::Plain(url.clone())], ";");
        assert_eq!(sole, format!("parse(\n  {url},\n)"));
        for text in [&hugged, &broken, &each] {
            assert!(text.lines().all(fits), "{text}");
        }
    }

    #[test]
    fn a_declared_object_keeps_one_member_a_line_and_breaks_only_arrays_too_long() {
        let path = |segments: &[&str]| Arg::strings(segments.iter().map(|s| format!("\"{s}\"")));
        let short = object_decl(
            "const U: Url =",
            &[
                ("origin", Arg::Plain("\"https://a.example\"".into())),
                (
                    "parts",
                    Arg::Array(vec![Arg::Plain("\"/t/\"".into()), path(&["taskSid"])]),
                ),
            ],
        );
        assert_eq!(
            short,
            "const U: Url = {\n  origin: \"https://a.example\",\n  parts: [\"/t/\", [\"taskSid\"]],\n};"
        );
        // The outer array breaks; an inner one stays whole while it fits.
        let long = object_decl(
            "const U: Url =",
            &[(
                "parts",
                Arg::Array(vec![
                    Arg::Plain(format!("\"/{}\"", "p".repeat(40))),
                    path(&["attributes", "crm_record_id"]),
                ]),
            )],
        );
        assert!(
            long.contains("  parts: [\n    \"/ppp")
                && long.contains("\n    [\"attributes\", \"crm_record_id\"],\n  ],\n};"),
            "{long}"
        );
        // An inner array too long for its line breaks in turn.
        let name = "n".repeat(70);
        let deep = value(
            2,
            "parts: ",
            &Arg::Array(vec![path(&["attributes", &name])]),
            ",",
        );
        assert!(deep.contains("\n    [\n      \"attributes\",\n"), "{deep}");
        // prettier breaks a list of two or more lists of two or more, even short.
        let forced = value(
            0,
            "",
            &Arg::Array(vec![path(&["a", "b"]), path(&["c", "d"])]),
            ";",
        );
        assert_eq!(forced, "[\n  [\"a\", \"b\"],\n  [\"c\", \"d\"],\n]");
        for text in [&short, &long, &deep, &forced] {
            assert!(text.lines().all(fits), "{text}");
        }
    }

    #[test]
    fn a_conditional_goes_on_one_line_then_one_branch_a_line_then_one_element_a_line() {
        let head = "export const A: readonly string[] =";
        let one = conditional_arrays(head, "dev", &["\"a\"".into()], &["\"b\"".into()]);
        assert_eq!(one, format!("{head} dev ? [\"a\"] : [\"b\"];"));
        let origins: Vec<String> = (0..3)
            .map(|i| format!("\"https://crm-{i}.example.com\""))
            .collect();
        let broken = conditional_arrays(head, "dev", &origins, &origins[..1]);
        assert!(
            broken.contains("\n    ? [\n        \"https://crm-0"),
            "{broken}"
        );
        assert!(
            broken.ends_with("    : [\"https://crm-0.example.com\"];"),
            "{broken}"
        );
        assert!(broken.lines().all(fits), "{broken}");
    }

    #[test]
    fn an_object_array_keeps_a_sole_object_inline_only_when_it_fits() {
        let member = |n: &str| vec![("name", format!("\"{n}\"")), ("optional", "false".into())];
        assert_eq!(object_array(4, "fields", &[]), "[]");
        assert_eq!(
            object_array(4, "fields", &[member("to")]),
            "[{ name: \"to\", optional: false }]"
        );
        let long = member(&"n".repeat(60));
        let broken = object_array(4, "fields", &[long]);
        assert!(broken.starts_with("[\n      {\n"), "{broken}");
        let two = object_array(4, "fields", &[member("a"), member("b")]);
        assert_eq!(two.lines().count(), 4, "{two}");
    }
}
