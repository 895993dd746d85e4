//! Validated spec -> `ir::Plan`: names in every case, defaults applied.
//! Everything `validate` resolved (directions, types, actions, listeners,
//! sources, filters, args) arrives in its [`Validated`]: nothing is looked up
//! again, so nothing here can fail.

use crate::ir::{
    self, ActionField, App, Arg, ArgValue, Field, Filter, Invoke, Listen, Names, Plan, Show,
    ShownField, ShownValue, Trigger,
};
use crate::validate::{
    End, ValidArgValue, ValidField, ValidInvoke, ValidListen, ValidShow, ValidShown, ValidTrigger,
    Validated,
};
use crate::vocabulary::{self, Length, MAX_LENGTH, QUEUE_FOR_MS, TIMEOUT_MS};

/// Lowers a validated spec. `file` is the spec's path as given; only its file
/// name reaches the plan, so output does not depend on where the spec lives.
pub fn lower(file: &str, validated: &Validated) -> Plan {
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    let app = App {
        name: Names::new(validated.app.name),
        flex_origin: validated.app.flex_origin.to_string(),
        host_origins: strings(&validated.app.host_origins),
        dev_host_origins: strings(&validated.app.dev_host_origins),
        embedding: validated.app.embedding,
        crm_url: validated.app.crm_url.clone(),
        hide_crm_panel: validated.app.hide_crm_panel,
    };
    let triggers: Vec<Trigger> = validated.triggers.iter().map(trigger).collect();
    let spec_hash = spec_hash(&app, &triggers);
    Plan {
        generator: format!("flexgen {}", env!("CARGO_PKG_VERSION")),
        spec_file: file_name(file),
        protocol_version: ir::PROTOCOL_VERSION,
        spec_hash,
        app,
        triggers,
    }
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// FNV-1a 64 of the normalised protocol version, app and triggers: comments and
/// formatting of the YAML do not change it, any meaningful edit does, but for
/// `hide_crm_panel`, which only the plugin reads (both ends need not be
/// rebuilt for it), so a spec hashes as it did before the key existed.
pub fn spec_hash(app: &App, triggers: &[Trigger]) -> String {
    let app = App {
        hide_crm_panel: false,
        ..app.clone()
    };
    // Streamed into the hash: the JSON text of 10,000 triggers is tens of MB.
    let mut hash = Fnv1a64(FNV_OFFSET);
    serde_json::to_writer(&mut hash, &(ir::PROTOCOL_VERSION, &app, triggers))
        .expect("the IR always serialises");
    format!("{:016x}", hash.0)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64 over every byte written to it.
struct Fnv1a64(u64);

impl std::io::Write for Fnv1a64 {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        self.0 = bytes
            .iter()
            .fold(self.0, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn text(item: &Option<crate::spec::Item<String>>) -> Option<String> {
    item.as_ref().map(|i| i.value.clone())
}

fn trigger(valid: &ValidTrigger) -> Trigger {
    let t = valid.spec;
    let (invoke, listen, show) = match &valid.end {
        End::Invoke(i) => (Some(invoke(t, i)), None, None),
        End::Listen(l) => (None, Some(listen(l)), None),
        End::Show(s) => (None, None, Some(show(t, s))),
    };
    Trigger {
        name: Names::new(valid.name),
        summary: text(&t.summary),
        user_action: text(&t.user_action),
        direction: valid.direction(),
        channel: text(&t.channel),
        channel_type: text(&t.channel_type),
        payload: valid.fields.iter().map(field).collect(),
        invoke,
        listen,
        show,
    }
}

fn show(t: &crate::spec::Trigger, valid: &ValidShow) -> Show {
    Show {
        place: valid.place,
        label: valid.label.to_string(),
        task_field: Names::new(valid.task_field),
        fields: valid
            .fields
            .iter()
            .map(|(label, value)| ShownField {
                label: label.to_string(),
                value: match value {
                    ValidShown::Payload(name) => ShownValue::Payload(name.to_string()),
                    ValidShown::Task(source) => ShownValue::Task(source.clone()),
                },
            })
            .collect(),
        timeout_ms: TIMEOUT_MS.default,
        queue_for_ms: queue_for_ms(t),
    }
}

/// `if_not_ready.queue_for_ms`, or its default.
fn queue_for_ms(t: &crate::spec::Trigger) -> u32 {
    t.if_not_ready
        .as_ref()
        .and_then(|i| i.value.queue_for_ms.as_ref())
        .map_or(QUEUE_FOR_MS.default, |v| v.value as u32)
}

fn field(valid: &ValidField) -> Field {
    let f = valid.spec;
    let values: Vec<String> = f
        .values
        .as_ref()
        .map(|v| v.value.iter().map(|s| s.value.clone()).collect())
        .unwrap_or_default();
    let max_length = match vocabulary::field_type_word(valid.ty).length {
        Length::Bounded => Some(
            f.max_length
                .as_ref()
                .map_or(MAX_LENGTH.default, |m| m.value as u32),
        ),
        Length::LongestValue => values.iter().map(|v| v.encode_utf16().count() as u32).max(),
        Length::Fixed(n) => Some(n),
        Length::None => None,
    };
    Field {
        name: Names::new(valid.name),
        ty: valid.ty,
        optional: f.is_optional(),
        doc: text(&f.doc),
        max_length,
        values,
        sources: valid.sources.clone(),
    }
}

fn invoke(t: &crate::spec::Trigger, valid: &ValidInvoke) -> Invoke {
    let action = valid.action;
    let args = valid
        .args
        .iter()
        .map(|arg| Arg {
            key: arg.key.to_string(),
            nested: arg.nested.iter().map(|k| k.to_string()).collect(),
            value: match arg.value {
                ValidArgValue::Payload(field) => ArgValue::Payload {
                    field: Names::new(field),
                },
                ValidArgValue::Literal(json) => ArgValue::Literal {
                    json: json.to_string(),
                },
            },
        })
        .collect();
    Invoke {
        action: action.name.to_string(),
        action_fields: action
            .fields
            .iter()
            .map(|f| ActionField {
                name: f.name.to_string(),
                ty: f.ty,
                optional: f.optional,
            })
            .collect(),
        args,
        timeout_ms: valid
            .spec
            .timeout_ms
            .as_ref()
            .map_or(TIMEOUT_MS.default, |v| v.value as u32),
        queue_for_ms: queue_for_ms(t),
    }
}

fn listen(valid: &ValidListen) -> Listen {
    let word = vocabulary::on_kind_word(valid.kind);
    Listen {
        kind: word.listen,
        name: valid.name.to_string(),
        listener: format!("{}{}", word.listener_prefix, valid.name),
        subject: valid.context.subject,
        filters: valid
            .filters
            .iter()
            .map(|f| Filter {
                source: f.source.clone(),
                equals_json: f.equals.to_string(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of `bytes` written in pieces, as serde_json writes them.
    fn fnv1a64(bytes: &[u8]) -> u64 {
        use std::io::Write as _;
        let mut hash = Fnv1a64(FNV_OFFSET);
        for piece in bytes.chunks(2) {
            hash.write_all(piece).unwrap();
        }
        hash.0
    }

    #[test]
    fn fnv1a64_known_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn file_name_drops_directories() {
        assert_eq!(file_name("/a/b/triggers.yaml"), "triggers.yaml");
        assert_eq!(file_name("specs\\x.yaml"), "x.yaml");
        assert_eq!(file_name("triggers.yaml"), "triggers.yaml");
    }
}
