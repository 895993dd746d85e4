//! `flexgen add-trigger`: flags (or answers at prompts) -> one trigger spliced
//! into the spec -> the whole spec validated -> both ends regenerated, the
//! spec and the generated files written as one all-or-nothing change.

use std::fs;
use std::io::{self, IsTerminal as _};
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use serde_json::Value;

use flexgen::catalog;
use flexgen::edit::{self, NewTrigger, FIELD_FORMS};
use flexgen::emit::{self, OutFile, Owner};
use flexgen::ir::Direction;
use flexgen::spec::OnKind;
use flexgen::vocabulary;
use flexgen::write::{self, Mode};

use crate::console::{self, Status};
use crate::prompt::{self, Prompter};

/// `--direction`, spelled as the vocabulary spells it on the command line
/// (`host-to-flex`), the spec's spelling (`host_to_flex`) an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectionArg(pub Direction);

impl clap::ValueEnum for DirectionArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [DirectionArg; 2] = [
            DirectionArg(vocabulary::DIRECTIONS[0].direction),
            DirectionArg(vocabulary::DIRECTIONS[1].direction),
        ];
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let word = vocabulary::direction_word(self.0);
        let mut gloss = word.gloss.chars();
        let capitalized: String = gloss
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(gloss)
            .collect();
        Some(
            clap::builder::PossibleValue::new(word.flag)
                .alias(word.name)
                .help(format!("{capitalized} ({})", word.example)),
        )
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new trigger's name (snake_case); also its message type on the wire.
    pub name: String,
    /// The spec to add it to.
    #[arg(long, default_value = "triggers.yaml")]
    pub spec: PathBuf,
    /// Output folder to regenerate [default: the spec's folder].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Regenerate even over generated files edited by hand (the edits are lost).
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// One line for docs and generated comments.
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// What the user does ("click a phone number").
    #[arg(long, value_name = "TEXT")]
    pub user_action: Option<String>,
    /// Task channel: voice, chat, sms, email, video, default (flex-to-host: a filter).
    #[arg(long)]
    pub channel: Option<String>,
    /// `attributes.channelType` of chat tasks: whatsapp, sms, facebook, ...
    #[arg(long)]
    pub channel_type: Option<String>,
    /// A payload field, repeatable: `name:type`, `name:type?` (optional),
    /// `name:type@source.path`, or `name={ type: string, doc: "..." }` (any key).
    #[arg(long = "field", value_name = "FIELD")]
    pub fields: Vec<String>,

    /// The Flex action to run, e.g. StartOutboundCall.
    #[arg(long, help_heading = "host-to-flex")]
    pub action: Option<String>,
    /// An action arg, repeatable: `KEY=payload.<field>`, `KEY=5`, `KEY=true`,
    /// or `KEY={ value: ... }` for any literal.
    #[arg(long = "arg", value_name = "KEY=VALUE", help_heading = "host-to-flex")]
    pub args: Vec<String>,
    /// How long Flex may take to answer (1000 to 120000; default 10000).
    #[arg(long, value_name = "MS", help_heading = "host-to-flex")]
    pub timeout_ms: Option<i64>,
    /// How long a command may wait for the handshake (0 to 60000; default 0).
    #[arg(long, value_name = "MS", help_heading = "host-to-flex")]
    pub queue_for_ms: Option<i64>,
    /// Instead of an action, show the data in Flex: the tab's title, e.g. Customer.
    #[arg(long, value_name = "TEXT", help_heading = "host-to-flex, data in Flex")]
    pub show_label: Option<String>,
    /// The payload field carrying the task (or reservation) sid: `payload.<field>`.
    #[arg(
        long,
        value_name = "payload.FIELD",
        help_heading = "host-to-flex, data in Flex"
    )]
    pub show_task: Option<String>,
    /// A row of the tab, repeatable: `LABEL=payload.<field>` or `LABEL=task.<path>`,
    /// e.g. "CRM id=payload.crm_id".
    #[arg(
        long = "show-field",
        value_name = "LABEL=SOURCE",
        help_heading = "host-to-flex, data in Flex"
    )]
    pub show_fields: Vec<String>,
    /// Where Flex shows the data [default: the first].
    #[arg(
        long,
        value_name = "PLACE",
        value_parser = clap::builder::PossibleValuesParser::new(vocabulary::show_place_names()),
        help_heading = "host-to-flex, data in Flex"
    )]
    pub show_in: Option<String>,

    /// Listen to a manager event, e.g. taskAccepted.
    #[arg(long, group = "listener", help_heading = "flex-to-host")]
    pub event: Option<String>,
    /// Listen after a Flex action succeeded, e.g. CompleteTask.
    #[arg(
        long,
        group = "listener",
        value_name = "ACTION",
        help_heading = "flex-to-host"
    )]
    pub after: Option<String>,
    /// Listen before a Flex action runs, e.g. HangupCall.
    #[arg(
        long,
        group = "listener",
        value_name = "ACTION",
        help_heading = "flex-to-host"
    )]
    pub before: Option<String>,
    /// A filter, repeatable: `PATH=LITERAL`, e.g. `task.attributes.direction=inbound`.
    #[arg(long, value_name = "PATH=LITERAL", help_heading = "flex-to-host")]
    pub when: Vec<String>,

    /// Never ask, even on a terminal: report what is missing instead.
    #[arg(long)]
    pub no_input: bool,
}

pub fn run(args: Args) -> Result<Status> {
    let shown = args.spec.display().to_string();
    let Some(source) = console::read_spec(&args.spec)? else {
        return Ok(Status::Failed);
    };
    // An invalid spec stays invalid with one more trigger; say whose fault it is.
    if let Err(d) = flexgen::pipeline::compile(&shown, &source) {
        eprint!("{}", d.render());
        eprintln!(
            "error: {shown} is invalid before anything is added; fix it first \
             (`flexgen check {shown}`), then add the trigger"
        );
        return Ok(Status::Failed);
    }

    let mut trigger = from_flags(&args)?;
    let missing = missing(&trigger);
    if !missing.is_empty() {
        if args.no_input || !(io::stdin().is_terminal() && io::stderr().is_terminal()) {
            bail!(missing_report(&args, &trigger, &missing));
        }
        let stdin = io::stdin();
        Prompter::new(stdin.lock(), io::stderr())
            .complete(&mut trigger, args.fields.is_empty())
            .context("asking for the missing parts of the trigger")?;
    }

    let edited = edit::insert_trigger(&source, &trigger)?;
    let lines = line_of(&edited.text, edited.inserted.start)
        ..=line_of(&edited.text, edited.inserted.end - 1);
    let plan = match flexgen::pipeline::compile_with_warnings(&shown, &edited.text) {
        Ok(compiled) => {
            eprint!("{}", compiled.warnings.render_warnings());
            compiled.plan
        }
        Err(d) => {
            eprintln!(
                "error: the new trigger `{}` was refused: it would make {shown} invalid.\n  \
                 The locations below are in {shown} as it would read with the trigger \
                 (lines {}-{}):\n",
                trigger.name,
                lines.start(),
                lines.end()
            );
            eprint!("{}", d.render());
            eprintln!(
                "error: `{}` not added; {shown} and the generated files are unchanged",
                trigger.name
            );
            return Ok(Status::Failed);
        }
    };

    // The spec rides in the same write as the output, first, so a failure
    // anywhere puts it back with everything else.
    let spec_path = fs::canonicalize(&args.spec)
        .with_context(|| format!("cannot resolve the path of {shown}"))?;
    let mut files = vec![OutFile {
        path: spec_path.display().to_string(),
        contents: edited.text.clone(),
        owner: Owner::Edited,
    }];
    files.extend(emit::emit_all(&plan).context("emitting the generated files")?);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| console::spec_folder(&args.spec));
    // The prompts may have taken minutes: if the spec was saved from an
    // editor meanwhile, writing ours would silently drop that edit.
    let now = flexgen::source::load(&args.spec, &shown).ok();
    if now.as_ref() != Some(&source) {
        anyhow::bail!(
            "{shown} changed on disk while the trigger was being added; nothing was \
             written: run the command again"
        );
    }
    let outcome =
        write::apply(&out, &files, Mode::from_flags(false, args.force)).with_context(|| {
            format!(
                "writing {shown} and {}; nothing was changed",
                console::folder(&out)
            )
        })?;
    eprintln!(
        "flexgen: added trigger `{}` to {shown} (lines {}-{})",
        trigger.name,
        lines.start(),
        lines.end()
    );
    console::report_written(&outcome, &files, &out);
    if let Some(added) = plan.triggers.last() {
        eprintln!(
            "it works as declared; for code of your own, add a hook `{}(payload)` to \
             {}flex-plugin/src/hooks.ts (optional)",
            added.name.camel,
            console::folder(&out)
        );
    }
    Ok(Status::Ok)
}

/// The trigger as the flags describe it; flags of the other direction are
/// refused here, since the spec's error for them would point at text the
/// user never wrote.
fn from_flags(args: &Args) -> Result<NewTrigger> {
    let direction = args.direction.map(|d| d.0);
    let on = [
        (OnKind::Event, &args.event),
        (OnKind::After, &args.after),
        (OnKind::Before, &args.before),
    ]
    .into_iter()
    .find_map(|(kind, name)| Some((kind, name.clone()?)));
    let host_flags = [
        ("--action", args.action.is_some()),
        ("--arg", !args.args.is_empty()),
        ("--timeout-ms", args.timeout_ms.is_some()),
        ("--queue-for-ms", args.queue_for_ms.is_some()),
        ("--show-label", args.show_label.is_some()),
        ("--show-task", args.show_task.is_some()),
        ("--show-field", !args.show_fields.is_empty()),
        ("--show-in", args.show_in.is_some()),
    ];
    let flex_flags = [
        ("--event/--after/--before", on.is_some()),
        ("--when", !args.when.is_empty()),
    ];
    let flag = |d: Direction| vocabulary::direction_word(d).flag;
    let wrong = match direction {
        Some(Direction::HostToFlex) => Some((&flex_flags[..], flag(Direction::FlexToHost))),
        Some(Direction::FlexToHost) => Some((&host_flags[..], flag(Direction::HostToFlex))),
        None => None,
    };
    if let Some((flags, other)) = wrong {
        let given: Vec<_> = flags
            .iter()
            .filter(|(_, on)| *on)
            .map(|(f, _)| *f)
            .collect();
        if !given.is_empty() {
            bail!(
                "{} only for {other} triggers; drop {} or pass `--direction {other}`",
                if given.len() == 1 {
                    format!("{} is", given[0])
                } else {
                    format!("{} are", given.join(", "))
                },
                if given.len() == 1 { "it" } else { "them" }
            );
        }
    }
    let show_flags = given(&host_flags[4..]);
    let action_flags = given(&host_flags[..3]);
    if !show_flags.is_empty() && !action_flags.is_empty() {
        bail!(
            "{} and {} cannot be combined: a host-to-flex trigger either runs a Flex \
             action (--action, --arg, --timeout-ms) or shows its data in Flex \
             (--show-label, --show-task, --show-field, --show-in); drop one set",
            action_flags.join(", "),
            show_flags.join(", ")
        );
    }
    let show = if show_flags.is_empty() {
        None
    } else {
        Some(edit::NewShow {
            place: args.show_in.clone(),
            label: args.show_label.clone(),
            task: args.show_task.clone(),
            fields: args
                .show_fields
                .iter()
                .map(|f| edit::parse_show_field(f))
                .collect::<Result<_, _>>()?,
        })
    };
    Ok(NewTrigger {
        name: args.name.clone(),
        summary: args.summary.clone(),
        direction,
        user_action: args.user_action.clone(),
        channel: args.channel.clone(),
        channel_type: args.channel_type.clone(),
        payload: args
            .fields
            .iter()
            .map(|f| edit::parse_field(f))
            .collect::<Result<_, _>>()?,
        action: args.action.clone(),
        args: args
            .args
            .iter()
            .map(|a| edit::parse_arg(a))
            .collect::<Result<_, _>>()?,
        timeout_ms: args.timeout_ms,
        queue_for_ms: args.queue_for_ms,
        show,
        on,
        when: args
            .when
            .iter()
            .map(|w| edit::parse_when(w))
            .collect::<Result<Vec<(String, Value)>, _>>()?,
    })
}

/// The names of the flags given, of a list of (flag, given).
fn given(flags: &[(&'static str, bool)]) -> Vec<&'static str> {
    flags
        .iter()
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect()
}

/// The flags the trigger still needs, each with what it is for.
fn missing(t: &NewTrigger) -> Vec<(String, String)> {
    let mut missing = Vec::new();
    let mut need = |flag: &str, why: &str| missing.push((flag.to_string(), why.to_string()));
    match t.direction {
        None => {
            need(
                "--direction host-to-flex|flex-to-host",
                "does the CRM ask Flex to act, or does Flex tell the CRM?",
            );
            need(
                "--action ACTION  or  --event EVENT / --after ACTION / --before ACTION",
                "the Flex action to run (host-to-flex) or what to listen to (flex-to-host)",
            );
        }
        Some(Direction::HostToFlex) if t.show.is_some() => {
            let show = t.show.as_ref().expect("checked");
            if show.label.is_none() {
                need("--show-label TEXT", "the tab's title, e.g. Customer");
            }
            if show.task.is_none() {
                need(
                    "--show-task payload.FIELD",
                    "the payload field carrying the task sid, e.g. payload.task_sid",
                );
            }
            if show.fields.is_empty() {
                need(
                    "--show-field LABEL=SOURCE",
                    "a row of the tab, e.g. \"Name=payload.customer_name\"",
                );
            }
        }
        Some(Direction::HostToFlex) => match t.action.as_deref() {
            None => need(
                "--action ACTION  or  --show-label/--show-task/--show-field",
                "the Flex action to run, e.g. StartOutboundCall, or the data to show in a tab",
            ),
            Some(name) => {
                for field in catalog::action(name)
                    .map(|a| a.fields)
                    .unwrap_or_default()
                    .iter()
                    .filter(|f| !f.optional && !t.args.iter().any(|(k, _)| k == f.name))
                {
                    need(
                        &format!("--arg {}=payload.<field>", field.name),
                        &format!(
                            "{name} requires `{}` ({}): a payload field or a literal",
                            field.name,
                            prompt::type_name(field.ty)
                        ),
                    );
                }
            }
        },
        Some(Direction::FlexToHost) if t.on.is_none() => need(
            "--event EVENT  or  --after ACTION  or  --before ACTION",
            "what the plugin listens to, e.g. --event taskAccepted",
        ),
        Some(Direction::FlexToHost) => {}
    }
    missing
}

fn missing_report(args: &Args, t: &NewTrigger, missing: &[(String, String)]) -> String {
    let width = missing.iter().map(|(f, _)| f.len()).max().unwrap_or(0);
    let mut text = format!(
        "`flexgen add-trigger {}` needs more to go on, and {}; missing:\n",
        args.name,
        if args.no_input {
            "--no-input forbids asking"
        } else {
            "cannot ask: stdin or stderr is not a terminal"
        }
    );
    for (flag, why) in missing {
        text.push_str(&format!("  {flag:width$}   {why}\n"));
    }
    let name = &args.name;
    let host = format!(
        "flexgen add-trigger {name} --direction host-to-flex --action StartOutboundCall \
         --field phone_number:e164 --arg destination=payload.phone_number"
    );
    let flex = format!(
        "flexgen add-trigger {name} --direction flex-to-host --event taskAccepted \
         --field caller:e164@task.attributes.from"
    );
    let examples = match t.direction {
        Some(Direction::HostToFlex) if t.show.is_some() => format!(
            "flexgen add-trigger {name} --direction host-to-flex --field task_sid:string \
             --field customer_name:string --show-label Customer --show-task payload.task_sid \
             --show-field Name=payload.customer_name"
        ),
        Some(Direction::HostToFlex) => host,
        Some(Direction::FlexToHost) => flex,
        None => format!("{host}\n  {flex}"),
    };
    text.push_str(&format!(
        "example:\n  {examples}\n  (payload fields: {FIELD_FORMS})"
    ));
    text
}

/// The 1-based line holding byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}
