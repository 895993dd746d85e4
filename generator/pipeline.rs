//! The front half of the pipeline: source text -> checked, lowered plan.
use crate::diag::Diagnostics;
use crate::ir::Plan;
use crate::{lower, spec, validate};

/// A spec that compiled, with what `check` warns about in it.
#[derive(Debug)]
pub struct Compiled {
    pub plan: Plan,
    /// Warnings in source order (possibly none): the commands print them
    /// and go on.
    pub warnings: Diagnostics,
}

/// Parses, validates and lowers one spec. `file` is the path as the user named
/// it (for diagnostics); only its file name reaches the generated output.
/// On failure every error found is returned, in source order (warnings are
/// reported only for a spec without errors: fix those first).
pub fn compile_with_warnings(file: &str, source: &str) -> Result<Compiled, Diagnostics> {
    let spec = spec::parse(source).map_err(|items| Diagnostics::new(file, source, items))?;
    let findings = validate::validate(&spec, source);
    let Some(validated) = findings.validated else {
        return Err(Diagnostics::new(file, source, findings.errors));
    };
    Ok(Compiled {
        plan: lower::lower(file, &validated),
        warnings: Diagnostics::new(file, source, findings.warnings),
    })
}

/// [`compile_with_warnings`] for callers that do not report warnings.
pub fn compile(file: &str, source: &str) -> Result<Plan, Diagnostics> {
    compile_with_warnings(file, source).map(|c| c.plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ArgValue, Direction, FieldType, ListenKind, SourceRoot, Subject, ValueType};

    const SEED: &str = include_str!("../triggers.yaml");

    fn errors(source: &str) -> Diagnostics {
        compile("triggers.yaml", source).expect_err("the spec should be refused")
    }

    #[test]
    fn every_missing_required_key_is_reported_once_where_it_belongs() {
        let spec = "app:\n  name: a\ntriggers:\n  - summary: no name, no direction\n  \
                    - name: t\n    direction: host_to_flex\n    payload:\n      \
                    f: { doc: no type }\n    invoke:\n      timeout_ms: 100\n";
        let text = errors(spec).render();
        for (key, what) in [
            ("version", "the spec"),
            ("flex_origin", "`app`"),
            ("host_origins", "`app`"),
            ("name", "a trigger"),
            ("direction", "a trigger"),
            ("type", "payload field `f`"),
            ("action", "`invoke`"),
        ] {
            let line = format!("missing required key `{key}` in {what}");
            assert_eq!(text.matches(&line).count(), 1, "{line}:\n{text}");
        }
        // Present with a bad value is its own error, never "missing".
        let text = errors("version: x\napp: 3\ntriggers: []\n").render();
        assert!(!text.contains("missing required key"), "{text}");
    }

    #[test]
    fn seed_compiles_to_the_expected_plan() {
        let plan =
            compile("some/dir/triggers.yaml", SEED).unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(plan.spec_file, "triggers.yaml");
        assert_eq!(
            plan.generator,
            format!("flexgen {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(plan.spec_hash.len(), 16);
        assert!(plan
            .spec_hash
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(plan.app.name.snake, "acme_crm");
        assert_eq!(plan.app.host_origins, ["https://crm.acme.example"]);
        assert_eq!(plan.app.dev_host_origins, ["http://localhost:8080"]);
        let compiled = compile_with_warnings("triggers.yaml", SEED).unwrap();
        assert!(
            compiled.warnings.items.is_empty(),
            "{:?}",
            compiled.warnings
        );
        let names: Vec<_> = plan
            .triggers
            .iter()
            .map(|t| t.name.original.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "click_to_dial",
                "dial_failed",
                "screen_pop",
                "interaction_logged"
            ]
        );

        let dial = &plan.triggers[0];
        assert_eq!(dial.direction, Direction::HostToFlex);
        let invoke = dial.invoke.as_ref().unwrap();
        assert_eq!(
            (
                invoke.action.as_str(),
                invoke.timeout_ms,
                invoke.queue_for_ms
            ),
            ("StartOutboundCall", 15000, 5000)
        );
        assert_eq!(invoke.action_fields.len(), 4);
        assert_eq!(invoke.args[1].key, "callerId");
        assert!(
            matches!(&invoke.args[1].value, ArgValue::Payload { field } if field.camel == "callerId")
        );
        assert_eq!(dial.payload[0].max_length, Some(16));
        assert!(dial.payload[1].optional);
        assert!(dial.listen.is_none());
        // `taskAttributes.crm_record_id: payload.crm_record_id`
        let record = &invoke.args[2];
        assert_eq!(
            (
                record.key.as_str(),
                record.nested.as_slice(),
                record.dotted()
            ),
            (
                "taskAttributes",
                ["crm_record_id".to_string()].as_slice(),
                "taskAttributes.crm_record_id".to_string()
            )
        );

        let pop = &plan.triggers[2];
        let listen = pop.listen.as_ref().unwrap();
        assert_eq!(
            (listen.kind, listen.listener.as_str(), listen.subject),
            (ListenKind::ManagerEvent, "taskAccepted", Subject::Task)
        );
        let filters: Vec<_> = listen
            .filters
            .iter()
            .map(|f| (f.source.path.as_str(), f.equals_json.as_str()))
            .collect();
        assert_eq!(
            filters,
            [
                ("task.taskChannelUniqueName", "\"voice\""),
                ("task.attributes.direction", "\"inbound\"")
            ]
        );
        let caller = &pop.payload[0].sources[0];
        assert_eq!(
            (caller.root, caller.value_type),
            (SourceRoot::Task, ValueType::Unknown)
        );
        assert_eq!(caller.segments, ["attributes", "from"]);

        let logged = &plan.triggers[3];
        assert!(logged.listen.as_ref().unwrap().filters.is_empty());
        let by_name = |n: &str| {
            logged
                .payload
                .iter()
                .find(|f| f.name.original == n)
                .unwrap()
        };
        assert_eq!(by_name("direction").ty, FieldType::Enum);
        assert_eq!(by_name("direction").max_length, Some(8));
        assert_eq!(by_name("created_at").max_length, Some(40));
        assert_eq!(by_name("created_at").sources[0].value_type, ValueType::Date);
        assert_eq!(by_name("talk_seconds").sources[0].root, SourceRoot::Timing);
        assert_eq!(by_name("agent").max_length, Some(1024));
        let customer: Vec<&str> = by_name("customer")
            .sources
            .iter()
            .map(|s| s.path.as_str())
            .collect();
        assert_eq!(
            customer,
            [
                "task.attributes.outbound_to",
                "task.attributes.customerAddress",
                "task.attributes.from"
            ]
        );
    }

    #[test]
    fn production_builds_trusting_local_pages_are_warned_about_where_it_happens() {
        let warned = |source: &str| {
            let compiled = compile_with_warnings("triggers.yaml", source)
                .unwrap_or_else(|d| panic!("{}", d.render()));
            let w = compiled.warnings;
            assert!(w
                .items
                .iter()
                .all(|i| i.severity == crate::diag::Severity::Warning
                    && i.help
                        .as_deref()
                        .is_some_and(|h| h.contains("dev_host_origins"))));
            w.items
                .iter()
                .map(|i| (w.location(i).unwrap(), i.message.clone()))
                .collect::<Vec<_>>()
        };
        // The seed as it was: the local page in the production list.
        let old = SEED
            .replace(
                "host_origins: [https://crm.acme.example]",
                "host_origins: [https://crm.acme.example, http://localhost:8080]",
            )
            .replace("  dev_host_origins: [http://localhost:8080]\n", "");
        let found = warned(&old);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, (14, 44));
        assert!(found[0].1.contains("`http://localhost:8080`"), "{found:?}");
        // https on a loopback host is still a page on this machine.
        let found = warned(&SEED.replace(
            "host_origins: [https://crm.acme.example]",
            "host_origins: [https://crm.acme.example, \"https://[::1]:8443\"]",
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        // A Flex on this machine.
        let found = warned(&SEED.replace(
            "flex_origin: https://flex.twilio.com",
            "flex_origin: http://127.0.0.1:3000",
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.starts_with("`flex_origin` is the local origin"));
        // No production origin yet.
        let found = warned(&SEED.replace(
            "host_origins: [https://crm.acme.example]",
            "host_origins: []",
        ));
        assert_eq!(
            found,
            [(
                (14, 17),
                "no production host origin; a production build trusts no CRM page".to_string()
            )]
        );
        // Warnings wait until the errors are fixed.
        let broken = old.replace("action: StartOutboundCall", "action: StartOutbondCall");
        let d = errors(&broken);
        assert_eq!(d.items.len(), 1);
        assert_eq!(d.items[0].severity, crate::diag::Severity::Error);
    }

    #[test]
    fn development_origins_are_loopback_only_and_never_production_ones_too() {
        let with = |hosts: &str, devs: &str| {
            SEED.replace(
                "host_origins: [https://crm.acme.example]",
                &format!("host_origins: {hosts}"),
            )
            .replace(
                "dev_host_origins: [http://localhost:8080]",
                &format!("dev_host_origins: {devs}"),
            )
        };
        let messages = |source: &str| -> Vec<String> {
            errors(source)
                .items
                .iter()
                .map(|i| i.message.clone())
                .collect()
        };
        assert_eq!(
            messages(&with(
                "[https://a.example]",
                "[https://b.example, http://localhost:1]"
            )),
            ["`https://b.example` in `dev_host_origins` is not a loopback origin"]
        );
        assert_eq!(
            messages(&with("[http://localhost:1]", "[http://localhost:1]")),
            ["`http://localhost:1` is in both `host_origins` and `dev_host_origins`"]
        );
        assert_eq!(
            messages(&with(
                "[https://a.example]",
                "[\"http://[::1]:2\", \"http://[::1]:2\"]"
            )),
            ["duplicate development host origin `http://[::1]:2`"]
        );
        assert_eq!(messages(&with("[]", "[]")), ["`host_origins` is empty"]);
        // A bad origin is reported for what it is, once.
        assert_eq!(
            messages(&with("[https://a.example]", "[http://localhost:8080/]")),
            ["`http://localhost:8080/` is not an exact origin: trailing `/`"]
        );
        // Both kinds of loopback host and scheme are fine.
        compile(
            "t.yaml",
            &with(
                "[]",
                "[http://127.0.0.1:1, https://localhost, \"http://[::1]\"]",
            ),
        )
        .unwrap_or_else(|d| panic!("{}", d.render()));
    }

    #[test]
    fn output_is_deterministic_and_the_hash_ignores_formatting() {
        let a = compile("triggers.yaml", SEED).unwrap();
        let b = compile("other/triggers.yaml", SEED).unwrap();
        assert_eq!(a, b);
        let reformatted = SEED.replace("# ", "#  ").replace("\n", "\r\n");
        let c = compile("triggers.yaml", &format!("\u{feff}{reformatted}")).unwrap();
        assert_eq!(a.spec_hash, c.spec_hash);
        let edited = compile(
            "triggers.yaml",
            &SEED.replace("timeout_ms: 15000", "timeout_ms: 16000"),
        )
        .unwrap();
        assert_ne!(a.spec_hash, edited.spec_hash);
    }

    #[test]
    fn examples_compile() {
        for dir in ["agent-presence", "omnichannel-desk"] {
            let path = format!(
                "{}/examples/{dir}/triggers.yaml",
                env!("CARGO_MANIFEST_DIR")
            );
            let source = std::fs::read_to_string(&path).unwrap();
            if let Err(d) = compile(&path, &source) {
                panic!("{}", d.render());
            }
        }
    }

    #[test]
    fn several_errors_are_all_reported_in_source_order() {
        let source = SEED
            .replace("action: StartOutboundCall", "action: StartOutbondCall")
            .replace("event: taskAccepted", "event: taskAccept")
            .replace("from: task.taskSid", "from: task.taskSId")
            .replace("https://crm.acme.example", "https://crm.acme.example/");
        let d = errors(&source);
        let messages: Vec<_> = d.items.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(d.items.len(), 5, "{messages:?}");
        assert!(messages[0].contains("trailing `/`"));
        assert!(messages[1].contains("unknown Flex action `StartOutbondCall`"));
        assert!(messages[2].contains("`taskSId`"), "{messages:?}");
        assert!(messages[3].contains("unknown Flex event `taskAccept`"));
        // Once the event is unknown, its sources cannot be checked: the next error
        // is the wrong field in the last trigger.
        assert!(messages[4].contains("`taskSId`"), "{messages:?}");
        assert!(d
            .items
            .iter()
            .all(|i| i.span.is_some() && i.help.is_some() && i.label.is_some()));
        let rendered = d.render();
        assert!(
            rendered.contains("= help: did you mean `StartOutboundCall`?"),
            "{rendered}"
        );
        assert!(rendered.ends_with("error: triggers.yaml: 5 errors, nothing generated\n"));
    }

    #[test]
    fn shape_errors_are_collected_together() {
        let d = errors("version: 1\napp:\n  nme: x\n  flex_origin: 5\n  host_origins: []\ntriggers:\n  - name: a\n    direction: host_to_flex\n    payolad: {}\n");
        let messages: Vec<_> = d.items.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "missing required key `name` in `app`",
                "unknown key `nme` in `app`",
                "expected a string, found a number: quote it",
                "`host_origins` is empty",
                "unknown key `payolad` in a trigger",
            ]
        );
        assert_eq!(d.items[4].help.as_deref(), Some("did you mean `payload`?"));
    }

    #[test]
    fn syntax_error_is_one_clean_located_diagnostic() {
        let d = errors("version: 1\napp: [1, 2\ntriggers: 3\n");
        assert_eq!(d.items.len(), 1);
        let item = &d.items[0];
        assert!(
            item.message.starts_with("invalid YAML:"),
            "{}",
            item.message
        );
        assert!(!item.message.contains(" at line "), "{}", item.message);
        assert!(d.location(item).is_some());
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let started = std::time::Instant::now();
        let d = errors(&bomb);
        assert!(started.elapsed().as_secs() < 5);
        assert_eq!(d.items.len(), 1);
        assert!(
            d.items[0]
                .message
                .contains("aliases copy more than a spec can hold"),
            "{}",
            d.items[0].message
        );
    }
}
