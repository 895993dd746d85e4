//! Questions for what `add-trigger` was not told, on a terminal: direction,
//! then the action or listener, payload fields, and the args the action
//! requires. Choices come from the catalog; a typo gets a "did you mean".
//! Generic over the reader and writer so the logic is tested without a
//! terminal (tests/add_trigger.rs drives the real one through a pty).

use std::io::{self, BufRead, Write};

use heck::ToSnakeCase as _;

use flexgen::catalog;
use flexgen::diag::did_you_mean;
use flexgen::edit::{self, ArgValue, NewTrigger, FIELD_FORMS};
use flexgen::ir::{ActionFieldType, Direction};
use flexgen::spec::OnKind;
use flexgen::vocabulary;

pub struct Prompter<R, W> {
    input: R,
    out: W,
}

impl<R: BufRead, W: Write> Prompter<R, W> {
    pub fn new(input: R, out: W) -> Self {
        Prompter { input, out }
    }

    fn say(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// One answer, trimmed; the end of input aborts (nothing is written).
    fn ask(&mut self, question: &str) -> io::Result<String> {
        write!(self.out, "{question}")?;
        self.out.flush()?;
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no answer (end of input); nothing was changed",
            ));
        }
        Ok(line.trim().to_string())
    }

    /// Asks until `parse` accepts the answer, showing why it did not.
    fn until<T>(
        &mut self,
        question: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> io::Result<T> {
        loop {
            let answer = self.ask(question)?;
            match parse(&answer) {
                Ok(value) => return Ok(value),
                Err(why) => self.say(&format!("  {why}"))?,
            }
        }
    }

    /// Fills in what `trigger` lacks. `ask_fields`: no `--field` was given, so
    /// the payload is asked for too.
    pub fn complete(&mut self, t: &mut NewTrigger, ask_fields: bool) -> io::Result<()> {
        self.say(&format!("Adding trigger `{}`.", t.name))?;
        let direction = match t.direction {
            Some(d) => d,
            None => {
                // Answered by number, by the first letter or by name.
                let choices: Vec<(String, &vocabulary::DirectionWord)> = vocabulary::DIRECTIONS
                    .iter()
                    .enumerate()
                    .map(|(i, d)| ((i + 1).to_string(), d))
                    .collect();
                let mut menu = "Direction:".to_string();
                for (number, d) in &choices {
                    menu.push_str(&format!("\n  {number}) {}: {}", d.flag, d.gloss));
                }
                self.say(&menu)?;
                let numbers: Vec<&str> = choices.iter().map(|(n, _)| n.as_str()).collect();
                let each: Vec<String> = choices
                    .iter()
                    .map(|(n, d)| format!("{n} ({})", d.flag))
                    .collect();
                let again = format!("answer {}", vocabulary::or_list(&each));
                let d = self.until(&format!("direction [{}]: ", numbers.join("/")), |a| {
                    choices
                        .iter()
                        .find(|(n, d)| a == n || d.flag.get(..1) == Some(a))
                        .map(|(_, d)| d.direction)
                        .or_else(|| edit::parse_direction(a))
                        .ok_or_else(|| again.clone())
                })?;
                t.direction = Some(d);
                d
            }
        };
        match direction {
            Direction::HostToFlex if t.action.is_none() && t.show.is_none() => {
                self.say(
                    "In Flex, the command:\n  1) runs a Flex action (StartOutboundCall, ...)\n  \
                     2) shows its data in a tab of the task (show:)",
                )?;
                let shows = self.until("does [1/2]: ", |a| match a {
                    "1" | "action" => Ok(false),
                    "2" | "show" | "tab" => Ok(true),
                    _ => Err("answer 1 (a Flex action) or 2 (data in a tab)".to_string()),
                })?;
                if shows {
                    t.show = Some(edit::NewShow::default());
                } else {
                    let names = catalog::action_names();
                    self.say(&format!("Flex actions: {}", names.join(", ")))?;
                    t.action = Some(self.until("action: ", |a| pick(a, &names, "Flex action"))?);
                }
            }
            Direction::FlexToHost if t.on.is_none() => {
                self.say("Listen to:\n  1) a manager event (taskAccepted, taskWrapup, ...)\n  2) after a Flex action succeeded\n  3) before a Flex action runs")?;
                let kind = self.until("listener [1/2/3]: ", |a| match a {
                    "1" | "event" => Ok(OnKind::Event),
                    "2" | "after" => Ok(OnKind::After),
                    "3" | "before" => Ok(OnKind::Before),
                    _ => Err("answer 1, 2 or 3".to_string()),
                })?;
                let (names, what) = match kind {
                    OnKind::Event => (catalog::event_names(), "Flex event"),
                    _ => (catalog::action_names(), "Flex action"),
                };
                self.say(&format!("{what}s: {}", names.join(", ")))?;
                let name = self.until(&format!("{}: ", what.to_lowercase()), |a| {
                    pick(a, &names, what)
                })?;
                t.on = Some((kind, name));
            }
            _ => {}
        }
        if ask_fields {
            self.fields(t, direction)?;
        }
        self.show(t)?;
        self.required_args(t)
    }

    /// The tab's label, task and rows, for a `show:` trigger.
    fn show(&mut self, t: &mut NewTrigger) -> io::Result<()> {
        let suggestion = t
            .payload
            .iter()
            .find(|f| f.name.contains("task"))
            .map(|f| format!("payload.{}", f.name));
        let Some(show) = t.show.as_mut() else {
            return Ok(());
        };
        if show.label.is_none() {
            let label = self.until("tab label (e.g. Customer): ", |a| {
                if a.is_empty() {
                    Err("give the tab's title".to_string())
                } else {
                    Ok(a.to_string())
                }
            })?;
            show.label = Some(label);
        }
        if show.task.is_none() {
            let default = suggestion
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let task = self.until(
                &format!("payload field carrying the task sid, payload.<field>{default}: "),
                |a| match (a, &suggestion) {
                    ("", Some(s)) => Ok(s.clone()),
                    ("", None) => Err("give `payload.<field>`, e.g. payload.task_sid".to_string()),
                    (a, _) => Ok(a.to_string()),
                },
            )?;
            show.task = Some(task);
        }
        if show.fields.is_empty() {
            self.say(
                "Rows of the tab, one per line: `LABEL=payload.<field>` or `LABEL=task.<path>`; \
                 an empty line ends the list.",
            )?;
            loop {
                let answer = self.ask("row (empty to finish): ")?;
                if answer.is_empty() {
                    if show.fields.is_empty() {
                        self.say("  a tab needs at least one row")?;
                        continue;
                    }
                    return Ok(());
                }
                match edit::parse_show_field(&answer) {
                    Ok(row) => show.fields.push(row),
                    Err(e) => self.say(&format!("  {e}"))?,
                }
            }
        }
        Ok(())
    }

    fn fields(&mut self, t: &mut NewTrigger, direction: Direction) -> io::Result<()> {
        self.say(&format!(
            "Payload fields, one per line: {FIELD_FORMS}.\n  types: {}; an empty line ends \
             the list.",
            vocabulary::field_type_names().join(", ")
        ))?;
        if direction == Direction::FlexToHost {
            self.say(
                "  flex-to-host fields name their source, e.g. `caller:e164@task.attributes.from`.",
            )?;
        }
        loop {
            let answer = self.ask("field (empty to finish): ")?;
            if answer.is_empty() {
                return Ok(());
            }
            match edit::parse_field(&answer).map(|f| (field_problem(&f, direction), f)) {
                Ok((None, field)) => t.payload.push(field),
                // Asked again now, rather than refusing the whole trigger
                // after every other answer is in.
                Ok((Some(problem), _)) => self.say(&format!("  {problem}"))?,
                Err(e) => self.say(&format!("  {e}"))?,
            }
        }
    }

    fn required_args(&mut self, t: &mut NewTrigger) -> io::Result<()> {
        let Some(action) = t.action.as_deref().and_then(catalog::action) else {
            return Ok(());
        };
        for field in action.fields.iter().filter(|f| !f.optional) {
            if t.args.iter().any(|(k, _)| k == field.name) {
                continue;
            }
            let suggestion = suggest_source(t, field.name);
            let default = suggestion
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let question = format!(
                "{} requires `{}` ({}): payload.<field> or a literal{default}: ",
                action.name,
                field.name,
                type_name(field.ty)
            );
            let value = self.until(&question, |a| match (a, &suggestion) {
                ("", Some(s)) => Ok(ArgValue::Path(s.clone())),
                ("", None) => Err("give a value".to_string()),
                (a, _) => edit::arg_value(a),
            })?;
            t.args.push((field.name.to_string(), value));
        }
        Ok(())
    }
}

pub fn type_name(ty: ActionFieldType) -> &'static str {
    match ty {
        ActionFieldType::String => "string",
        ActionFieldType::Number => "number",
        ActionFieldType::Boolean => "boolean",
        ActionFieldType::Object => "object",
        ActionFieldType::Task => "task",
        ActionFieldType::Any => "any JSON",
    }
}

/// A catalog name from an answer: exact, or the one name that differs only
/// in case; otherwise a "did you mean" (the answer is asked again).
fn pick(answer: &str, names: &[&str], what: &str) -> Result<String, String> {
    if let Some(name) = names
        .iter()
        .find(|n| **n == answer)
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(answer)))
    {
        return Ok(name.to_string());
    }
    if answer.is_empty() {
        return Err(format!("give a {what} from the list above"));
    }
    Err(match did_you_mean(answer, names.iter().copied()) {
        Some(close) => format!("unknown {what} `{answer}`; did you mean `{close}`?"),
        None => format!("unknown {what} `{answer}`; choose one from the list above"),
    })
}

/// The payload field a required action arg most likely comes from: the one
/// named like it, else the only required one (an optional field may not feed
/// a required arg).
fn suggest_source(t: &NewTrigger, arg: &str) -> Option<String> {
    let snake = arg.to_snake_case();
    let named = t.payload.iter().find(|f| f.name == snake);
    let required: Vec<_> = t
        .payload
        .iter()
        .filter(|f| f.optional != Some(true))
        .collect();
    let only = (required.len() == 1).then(|| required[0]);
    named.or(only).map(|f| format!("payload.{}", f.name))
}

/// What the spec would refuse in a field typed at the prompt, found while the
/// user can still retype it: an unknown type, or a flex-to-host field
/// without a source.
fn field_problem(field: &edit::NewField, direction: Direction) -> Option<String> {
    match field.ty.as_deref() {
        Some(ty) if vocabulary::field_type(ty).is_none() => {
            return Some(format!(
                "unknown type `{ty}`: one of {}",
                vocabulary::field_type_names().join(", ")
            ))
        }
        None => return Some("a field needs a type, e.g. `name:string`".into()),
        _ => {}
    }
    if direction == Direction::FlexToHost && field.from.is_none() {
        return Some(format!(
            "a flex-to-host field names its source: `{}:{}@task.attributes.{}`",
            field.name,
            field.ty.as_deref().unwrap_or("string"),
            field.name
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(answers: &str, t: &mut NewTrigger, ask_fields: bool) -> (io::Result<()>, String) {
        let mut out = Vec::new();
        let result = Prompter::new(answers.as_bytes(), &mut out).complete(t, ask_fields);
        (result, String::from_utf8(out).unwrap())
    }

    #[test]
    fn asks_for_everything_missing_with_suggestions() {
        let mut t = NewTrigger {
            name: "call_back".into(),
            ..NewTrigger::default()
        };
        let answers =
            "sideways\n1\n1\nStartOutbondCall\nStartOutboundCall\nbad field\nphone:e164\n\n\n";
        let (result, shown) = run(answers, &mut t, true);
        result.unwrap();
        assert!(
            shown.contains("did you mean `StartOutboundCall`?"),
            "{shown}"
        );
        assert!(shown.contains("answer 1 (host-to-flex)"), "{shown}");
        assert!(shown.contains("no `:`"), "{shown}");
        assert!(
            shown.contains(
                "requires `destination` (string): payload.<field> or a literal [payload.phone]"
            ),
            "{shown}"
        );
        assert_eq!(t.direction, Some(Direction::HostToFlex));
        assert_eq!(t.action.as_deref(), Some("StartOutboundCall"));
        assert_eq!(t.payload[0].name, "phone");
        assert_eq!(
            t.args,
            [(
                "destination".to_string(),
                ArgValue::Path("payload.phone".into())
            )]
        );
    }

    #[test]
    fn host_to_flex_may_show_data_in_a_tab() {
        let mut t = NewTrigger {
            name: "customer".into(),
            direction: Some(Direction::HostToFlex),
            ..NewTrigger::default()
        };
        let answers = "3\n2\ntask_sid:string\nname:string\n\nCustomer\n\n\nName payload.name\nName=payload.name\nFrom=task.attributes.from\n\n";
        let (result, shown) = run(answers, &mut t, true);
        result.unwrap();
        assert!(shown.contains("answer 1 (a Flex action) or 2"), "{shown}");
        assert!(shown.contains("[payload.task_sid]"), "{shown}");
        assert!(shown.contains("a tab needs at least one row"), "{shown}");
        assert!(
            shown.contains("--show-field `Name payload.name`"),
            "{shown}"
        );
        assert_eq!(t.action, None);
        assert_eq!(
            t.show,
            Some(edit::NewShow {
                place: None,
                label: Some("Customer".into()),
                task: Some("payload.task_sid".into()),
                fields: vec![
                    ("Name".into(), "payload.name".into()),
                    ("From".into(), "task.attributes.from".into()),
                ],
            })
        );
    }

    #[test]
    fn flex_to_host_asks_for_the_listener_and_eof_aborts() {
        let mut t = NewTrigger {
            name: "wrapped".into(),
            direction: Some(Direction::FlexToHost),
            ..NewTrigger::default()
        };
        let (result, _) = run("1\ntaskwrapup\n", &mut t, false);
        result.unwrap();
        assert_eq!(t.on, Some((OnKind::Event, "taskWrapup".into())));

        let mut t = NewTrigger::default();
        let (result, _) = run("2\n", &mut t, true);
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_field_the_spec_would_refuse_is_asked_again_at_once() {
        let mut t = NewTrigger {
            name: "chat_won".into(),
            direction: Some(Direction::FlexToHost),
            on: Some((OnKind::Event, "taskAccepted".into())),
            ..NewTrigger::default()
        };
        let answers =
            "who:string\nwho:strng@task.attributes.from\nwho:string@task.attributes.from\n\n";
        let (result, shown) = run(answers, &mut t, true);
        result.unwrap();
        assert!(
            shown.contains("names its source: `who:string@task.attributes.who`"),
            "{shown}"
        );
        assert!(shown.contains("unknown type `strng`"), "{shown}");
        assert_eq!(t.payload.len(), 1, "{:?}", t.payload);
        assert_eq!(t.payload[0].from.as_deref(), Some("task.attributes.from"));
    }
}
