//! Checked spec model -> `ir::Plan`: names in every case, defaults applied,
//! catalog entries resolved. Runs only after `validate` found nothing, so a
//! missing piece here is a bug, not a user error.

use crate::catalog;
use crate::ir::{
    self, ActionField, App, Arg, ArgValue, Direction, Field, FieldType, Filter, Invoke, Listen,
    ListenKind, Names, Plan, Trigger,
};
use crate::spec::{self, ArgSpec, OnKind};
use crate::validate::{self, ListenContext, MAX_LENGTH, QUEUE_FOR_MS, TIMEOUT_MS};

/// Fixed length bounds of the string-like types whose format is fixed.
const FIXED_MAX_LENGTH: &[(FieldType, u32)] = &[(FieldType::E164, 16), (FieldType::Datetime, 40)];

/// The message the validator should have reported before this point.
const VALIDATED: &str = "validate() accepts only specs that lower";

/// Lowers a validated spec. `file` is the spec's path as given; only its file
/// name reaches the plan, so output does not depend on where the spec lives.
pub fn lower(file: &str, spec: &spec::Spec) -> Plan {
    let app = spec.app.as_ref().expect(VALIDATED);
    let app = App {
        name: Names::new(&app.value.name.as_ref().expect(VALIDATED).value),
        flex_origin: app
            .value
            .flex_origin
            .as_ref()
            .expect(VALIDATED)
            .value
            .clone(),
        host_origins: origins(&app.value.host_origins),
        dev_host_origins: origins(&app.value.dev_host_origins),
    };
    let triggers: Vec<Trigger> = spec.triggers.iter().map(trigger).collect();
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

fn origins(list: &Option<spec::Item<Vec<spec::S<String>>>>) -> Vec<String> {
    list.iter()
        .flat_map(|l| &l.value)
        .map(|o| o.value.clone())
        .collect()
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// FNV-1a 64 of the normalised protocol version, app and triggers: comments and
/// formatting of the YAML do not change it, any meaningful edit does.
pub fn spec_hash(app: &App, triggers: &[Trigger]) -> String {
    // Streamed into the hash: the JSON text of 10,000 triggers is tens of MB.
    let mut hash = Fnv1a64(FNV_OFFSET);
    serde_json::to_writer(&mut hash, &(ir::PROTOCOL_VERSION, app, triggers))
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

fn text(item: &Option<spec::Item<String>>) -> Option<String> {
    item.as_ref().map(|i| i.value.clone())
}

fn trigger(t: &spec::Trigger) -> Trigger {
    let direction =
        validate::direction(&t.direction.as_ref().expect(VALIDATED).value).expect(VALIDATED);
    let listen_ctx = t.on.as_ref().map(|on| {
        validate::listen_context(on.value.kind.value, &on.value.name.value).expect(VALIDATED)
    });
    let payload = t
        .payload
        .iter()
        .map(|(name, f)| field(&name.value, f, listen_ctx.as_ref()))
        .collect();
    let (invoke, listen) = match direction {
        Direction::HostToFlex => (Some(invoke(t)), None),
        Direction::FlexToHost => (None, Some(listen(t, listen_ctx.expect(VALIDATED)))),
    };
    Trigger {
        name: Names::new(&t.name.as_ref().expect(VALIDATED).value),
        summary: text(&t.summary),
        user_action: text(&t.user_action),
        direction,
        channel: text(&t.channel),
        channel_type: text(&t.channel_type),
        payload,
        invoke,
        listen,
    }
}

fn field(name: &str, f: &spec::Field, ctx: Option<&ListenContext>) -> Field {
    let ty = validate::field_type(&f.ty.as_ref().expect(VALIDATED).value).expect(VALIDATED);
    let values: Vec<String> = f
        .values
        .as_ref()
        .map(|v| v.value.iter().map(|s| s.value.clone()).collect())
        .unwrap_or_default();
    let max_length = match ty {
        FieldType::String => Some(
            f.max_length
                .as_ref()
                .map_or(MAX_LENGTH.2, |m| m.value as u32),
        ),
        FieldType::Enum => values.iter().map(|v| v.encode_utf16().count() as u32).max(),
        _ => FIXED_MAX_LENGTH
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, n)| *n),
    };
    let sources = f
        .from
        .iter()
        .flat_map(|from| &from.value)
        .map(|path| {
            validate::resolve_source(&path.value, ctx.expect(VALIDATED))
                .expect(VALIDATED)
                .0
        })
        .collect();
    Field {
        name: Names::new(name),
        ty,
        optional: f.optional.as_ref().is_some_and(|o| o.value),
        doc: text(&f.doc),
        max_length,
        values,
        sources,
    }
}

fn invoke(t: &spec::Trigger) -> Invoke {
    let inv = &t.invoke.as_ref().expect(VALIDATED).value;
    let action = catalog::action(&inv.action.as_ref().expect(VALIDATED).value).expect(VALIDATED);
    let args = inv
        .args
        .iter()
        .map(|(key, arg)| Arg {
            key: key.value.split('.').next().unwrap_or_default().to_string(),
            nested: key.value.split('.').skip(1).map(str::to_string).collect(),
            value: match arg {
                ArgSpec::Path(path) => ArgValue::Payload {
                    field: Names::new(path.value.strip_prefix("payload.").expect(VALIDATED)),
                },
                ArgSpec::Literal(lit) => ArgValue::Literal {
                    json: lit.value.to_string(),
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
        timeout_ms: inv
            .timeout_ms
            .as_ref()
            .map_or(TIMEOUT_MS.2, |v| v.value as u32),
        queue_for_ms: t
            .if_not_ready
            .as_ref()
            .and_then(|i| i.value.queue_for_ms.as_ref())
            .map_or(QUEUE_FOR_MS.2, |v| v.value as u32),
    }
}

/// The trigger-level channel filters, in order, with the task path each reads.
const CHANNEL_FILTERS: &[(&str, &str)] = &[
    ("channel", "task.taskChannelUniqueName"),
    ("channel_type", "task.channelType"),
];

fn listen(t: &spec::Trigger, ctx: ListenContext) -> Listen {
    let on = &t.on.as_ref().expect(VALIDATED).value;
    let (kind, listener) = match on.kind.value {
        OnKind::Event => (ListenKind::ManagerEvent, on.name.value.clone()),
        OnKind::Before => (ListenKind::BeforeAction, format!("before{}", on.name.value)),
        OnKind::After => (ListenKind::AfterAction, format!("after{}", on.name.value)),
    };
    let mut filters = Vec::new();
    for (key, path) in CHANNEL_FILTERS {
        let value = match *key {
            "channel" => &t.channel,
            _ => &t.channel_type,
        };
        if let Some(value) = value {
            filters.push(Filter {
                source: validate::resolve_source(path, &ctx).expect(VALIDATED).0,
                equals_json: serde_json::Value::String(value.value.clone()).to_string(),
            });
        }
    }
    for (path, lit) in t.when.iter().flat_map(|w| w.value.iter()) {
        filters.push(Filter {
            source: validate::resolve_source(&path.value, &ctx)
                .expect(VALIDATED)
                .0,
            equals_json: lit.value.to_string(),
        });
    }
    Listen {
        kind,
        name: on.name.value.clone(),
        listener,
        subject: ctx.subject,
        filters,
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
