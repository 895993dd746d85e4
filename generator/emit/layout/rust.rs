//! Rust laid out as rustfmt (default configuration) lays it out, for the few
//! constructs of the generated bridge whose width depends on a name: each
//! helper makes the choice rustfmt makes, so the output needs no rustfmt
//! pass and reads as hand-formatted.

/// rustfmt's `max_width`.
pub const MAX_WIDTH: usize = 100;
/// rustfmt's `fn_call_width`: call arguments wider than this go one per line.
pub const CALL_WIDTH: usize = 60;
/// rustfmt's `struct_lit_width`: a wider struct literal body goes vertical.
pub const STRUCT_LIT_WIDTH: usize = 18;

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// A call statement or expression with simple arguments: on one line when it
/// fits; else its arguments on one line of their own when they fit the call
/// width; else one per line.
pub fn call(indent: usize, callee: &str, args: &[String], suffix: &str) -> String {
    let p = pad(indent);
    let inner = pad(indent + 4);
    let joined = args.join(", ");
    let one = format!("{p}{callee}({joined}){suffix}");
    if width(&joined) <= CALL_WIDTH && width(&one) <= MAX_WIDTH {
        return one;
    }
    if width(&joined) <= CALL_WIDTH && indent + 4 + width(&joined) < MAX_WIDTH {
        return format!("{p}{callee}(\n{inner}{joined},\n{p}){suffix}");
    }
    let lines: String = args.iter().map(|a| format!("{inner}{a},\n")).collect();
    format!("{p}{callee}(\n{lines}{p}){suffix}")
}

/// A function signature (through the opening brace): on one line when it
/// fits, else one parameter per line.
pub fn signature(indent: usize, head: &str, params: &[String], tail: &str) -> String {
    let p = pad(indent);
    let one = format!("{p}{head}({}){tail}", params.join(", "));
    if width(&one) <= MAX_WIDTH {
        return one;
    }
    let inner = pad(indent + 4);
    let lines: String = params.iter().map(|a| format!("{inner}{a},\n")).collect();
    format!("{p}{head}(\n{lines}{p}){tail}")
}

/// `<lhs> = <rhs>;`: on one line when it fits; else the right-hand side on
/// the next line when it fits there; else on one line all the same (rustfmt
/// cannot break a string literal).
pub fn assign(indent: usize, lhs: &str, rhs: &str) -> String {
    let p = pad(indent);
    let one = format!("{p}{lhs} = {rhs};");
    if width(&one) <= MAX_WIDTH || indent + 4 + width(rhs) + 1 > MAX_WIDTH {
        return one;
    }
    format!("{p}{lhs} =\n{}{rhs};", pad(indent + 4))
}

/// A match arm with an expression body: on one line when it fits, else the
/// body in a block.
pub fn match_arm(indent: usize, pattern: &str, body: &str) -> String {
    let p = pad(indent);
    let one = format!("{p}{pattern} => {body},");
    if width(&one) <= MAX_WIDTH {
        return one;
    }
    format!("{p}{pattern} => {{\n{}{body}\n{p}}}", pad(indent + 4))
}

/// `let payload = Self { name: f.method(args)?, ... };` inside `from_value`
/// (indent 8), from (field, method, args) triples.
pub fn struct_read(reads: &[(String, String, Vec<String>)]) -> String {
    if let [(name, method, args)] = reads {
        let body = format!("{name}: f.{method}({})?", args.join(", "));
        let one = format!("        let payload = Self {{ {body} }};");
        if width(&body) <= STRUCT_LIT_WIDTH && width(&one) <= MAX_WIDTH {
            return one;
        }
    }
    let mut out = String::from("        let payload = Self {\n");
    for (name, method, args) in reads {
        out.push_str(&field_read(name, method, args));
        out.push('\n');
    }
    out.push_str("        };");
    out
}

/// One `name: f.method(args)?,` line of a struct literal at indent 12: one
/// line when it fits; else the method call on the next line (a chain break)
/// when its arguments fit the call width; else one argument per line.
fn field_read(name: &str, method: &str, args: &[String]) -> String {
    let p = pad(12);
    let inner = pad(16);
    let joined = args.join(", ");
    let one = format!("{p}{name}: f.{method}({joined})?,");
    if width(&joined) <= CALL_WIDTH && width(&one) <= MAX_WIDTH {
        return one;
    }
    if width(&joined) <= CALL_WIDTH {
        return format!("{p}{name}: f\n{inner}.{method}({joined})?,");
    }
    let lines: String = args.iter().map(|a| format!("{inner}{a},\n")).collect();
    format!("{p}{name}: f.{method}(\n{lines}{p})?,")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_goes_on_one_line_then_arguments_on_one_line_then_one_a_line() {
        let args = |n: usize| -> Vec<String> { (0..n).map(|i| format!("arg_{i}")).collect() };
        assert_eq!(
            call(8, "out.put", &args(2), ";"),
            "        out.put(arg_0, arg_1);"
        );
        // Over the call width (60) of arguments: one per line.
        let many = call(8, "out.put", &args(12), ";");
        assert_eq!(many.lines().count(), 14, "{many}");
        assert!(many.lines().all(|l| width(l) <= MAX_WIDTH));
        // Arguments within the call width, the line over the max width:
        // the arguments together on a line of their own.
        let callee = "x".repeat(80);
        let broken = call(8, &callee, &args(2), ";");
        assert_eq!(
            broken,
            format!("        {callee}(\n            arg_0, arg_1,\n        );")
        );
    }

    #[test]
    fn an_assignment_moves_its_right_side_down_only_when_that_makes_it_fit() {
        assert_eq!(
            assign(4, "const A: &str", "\"a\""),
            "    const A: &str = \"a\";"
        );
        let rhs = format!("\"{}\"", "b".repeat(80));
        assert_eq!(
            assign(4, "const LONG_NAME: &str", &rhs),
            format!("    const LONG_NAME: &str =\n        {rhs};")
        );
        // Too long even on its own line: rustfmt leaves the line as it is.
        let huge = format!("\"{}\"", "c".repeat(120));
        assert_eq!(assign(4, "const A: &str", &huge).lines().count(), 1);
    }
}
