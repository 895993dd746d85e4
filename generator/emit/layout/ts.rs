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

#[cfg(test)]
mod tests {
    use super::*;

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
}
