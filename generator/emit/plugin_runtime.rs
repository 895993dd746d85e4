//! flexgen's plugin runtime, vendored into every workspace.
//!
//! The runtime is a TypeScript module tree of its own in this repository,
//! `runtime/plugin/src/`, with its own strict tsconfig and unit tests
//! (tests/runtime_plugin.rs runs them). Each of its modules, never a test, is
//! written to `flex-plugin/src/flexgen/runtime/<file>` behind the generated
//! header, which carries flexgen's version: `generate --check` flags a copy
//! that is stale or edited like any generated file. Twilio's plugin builder
//! compiles only what is under `src/`, so the runtime travels as source; the
//! generated `triggers.ts` and `wiring.ts` import its `index.ts`; with
//! `app.embedding: host_in_flex` the wiring imports `host_in_flex.ts` too,
//! and with `show:` triggers the wiring and `tabs.tsx` import `shows.ts`.
//!
//! A workspace gets only the modules its spec uses ([`Needed`]): the CRM
//! frame, its URL and its peer go to `host_in_flex` workspaces alone, the
//! per-task data store to specs with `show:` triggers alone, and no module
//! of every workspace imports them (a unit test holds that). When a
//! workspace switches embedding or drops its last tab, the modules it no
//! longer gets are stale
//! generated files: `generate` removes them, `generate --check` lists them,
//! and a hand-edited one stops the run (`write`, like any generated file
//! flexgen no longer writes).
//!
//! `protocol_constants.ts` is not in [`FILES`]: `emit::constants` writes it
//! from flexgen's one source of the protocol's values.

use super::OutFile;
use super::Owner;
use crate::ir::Embedding;
use crate::ir::Plan;

/// Where the runtime goes, relative to the output folder.
pub const DIR: &str = "flex-plugin/src/flexgen/runtime";

/// Which workspaces get a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// Every workspace.
    Always,
    /// Only workspaces of this embedding.
    With(Embedding),
    /// Only workspaces whose spec has a `show:` trigger.
    WithShows,
}

use Needed::{Always, With, WithShows};

/// `app.embedding: host_in_flex`'s modules.
const IN_FLEX: Needed = With(Embedding::HostInFlex);

/// The runtime's modules: (file name, who needs it, source), by name.
pub const FILES: &[(&str, Needed, &str)] = &[
    (
        "checks.ts",
        Always,
        include_str!("../../runtime/plugin/src/checks.ts"),
    ),
    (
        "commands.ts",
        Always,
        include_str!("../../runtime/plugin/src/commands.ts"),
    ),
    (
        "crm_frame.ts",
        IN_FLEX,
        include_str!("../../runtime/plugin/src/crm_frame.ts"),
    ),
    (
        "crm_url.ts",
        IN_FLEX,
        include_str!("../../runtime/plugin/src/crm_url.ts"),
    ),
    (
        "endpoint.ts",
        Always,
        include_str!("../../runtime/plugin/src/endpoint.ts"),
    ),
    (
        "envelopes.ts",
        Always,
        include_str!("../../runtime/plugin/src/envelopes.ts"),
    ),
    (
        "errors.ts",
        Always,
        include_str!("../../runtime/plugin/src/errors.ts"),
    ),
    (
        "events.ts",
        Always,
        include_str!("../../runtime/plugin/src/events.ts"),
    ),
    (
        "flex_reads.ts",
        Always,
        include_str!("../../runtime/plugin/src/flex_reads.ts"),
    ),
    (
        "frame_peer.ts",
        IN_FLEX,
        include_str!("../../runtime/plugin/src/frame_peer.ts"),
    ),
    (
        "hello_targets.ts",
        Always,
        include_str!("../../runtime/plugin/src/hello_targets.ts"),
    ),
    (
        "hooks.ts",
        Always,
        include_str!("../../runtime/plugin/src/hooks.ts"),
    ),
    (
        "host_in_flex.ts",
        IN_FLEX,
        include_str!("../../runtime/plugin/src/host_in_flex.ts"),
    ),
    (
        "ids.ts",
        Always,
        include_str!("../../runtime/plugin/src/ids.ts"),
    ),
    (
        "index.ts",
        Always,
        include_str!("../../runtime/plugin/src/index.ts"),
    ),
    (
        "objects.ts",
        Always,
        include_str!("../../runtime/plugin/src/objects.ts"),
    ),
    (
        "peer.ts",
        Always,
        include_str!("../../runtime/plugin/src/peer.ts"),
    ),
    (
        "schema.ts",
        Always,
        include_str!("../../runtime/plugin/src/schema.ts"),
    ),
    (
        "shows.ts",
        WithShows,
        include_str!("../../runtime/plugin/src/shows.ts"),
    ),
    (
        "sources.ts",
        Always,
        include_str!("../../runtime/plugin/src/sources.ts"),
    ),
    (
        "task_data.ts",
        WithShows,
        include_str!("../../runtime/plugin/src/task_data.ts"),
    ),
];

/// Whether a workspace of `plan` gets a module of `needed`.
fn gets(plan: &Plan, needed: Needed) -> bool {
    match needed {
        Always => true,
        With(embedding) => plan.app.embedding == embedding,
        WithShows => plan.triggers.iter().any(|t| t.show.is_some()),
    }
}

/// The runtime's modules that a workspace of `plan` uses, under [`DIR`],
/// each behind `head`.
pub fn emit(head: &str, plan: &Plan) -> Vec<OutFile> {
    FILES
        .iter()
        .filter(|(_, needed, _)| gets(plan, *needed))
        .map(|(name, _, source)| OutFile {
            path: format!("{DIR}/{name}"),
            contents: format!("{head}{source}"),
            owner: Owner::Generated,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::constants;

    /// [`FILES`] names exactly the files of runtime/plugin/src/ but the
    /// constants, which `emit::constants` writes: a module added to the
    /// runtime and not here would be missing from every workspace.
    #[test]
    fn the_list_names_every_module_of_the_runtime() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/plugin/src");
        let mut on_disk: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = FILES.iter().map(|(name, ..)| name.to_string()).collect();
        let constants = constants::TS_PATH.rsplit('/').next().unwrap();
        listed.push(constants.to_string());
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "runtime/plugin/src/ and plugin_runtime::FILES differ"
        );
        assert!(
            FILES.windows(2).all(|w| w[0].0 < w[1].0),
            "keep FILES sorted"
        );
        assert!(constants::TS_PATH.starts_with(DIR));
    }

    /// No test of the runtime, and nothing importing from outside it but the
    /// types of @twilio/flex-ui: the plugin builder compiles `src/` only.
    #[test]
    fn every_module_imports_only_its_siblings() {
        for (name, _, source) in FILES {
            assert!(!name.contains(".test."), "{name}");
            for line in source.lines().filter(|l| l.contains(" from \"")) {
                let module = line.split(" from \"").nth(1).unwrap();
                assert!(
                    module.starts_with("./") && !module[2..].contains('/')
                        || line == "import type * as Flex from \"@twilio/flex-ui\";",
                    "{name}: {line}"
                );
            }
        }
    }

    /// A module imports only modules every workspace gets, or modules of
    /// its own group (the same [`Needed`]): else a workspace without the
    /// others would not compile.
    #[test]
    fn every_module_imports_only_what_its_workspaces_get() {
        let needed = |file: &str| FILES.iter().find(|(n, ..)| *n == file).map(|f| f.1);
        for (name, group, source) in FILES {
            for line in source.lines().filter(|l| l.contains(" from \"./")) {
                let module = line.split(" from \"./").nth(1).unwrap();
                let file = format!("{}.ts", module.trim_end_matches("\";"));
                let constants = constants::TS_PATH.ends_with(&format!("/{file}"));
                let ok =
                    constants || matches!(needed(&file), Some(n) if n == Always || n == *group);
                assert!(
                    ok,
                    "{name} imports {file}, which not every workspace of {name} gets"
                );
            }
        }
        let only = |which: Needed| -> Vec<&str> {
            FILES.iter().filter(|f| f.1 == which).map(|f| f.0).collect()
        };
        let in_flex = only(IN_FLEX);
        assert_eq!(
            in_flex,
            [
                "crm_frame.ts",
                "crm_url.ts",
                "frame_peer.ts",
                "host_in_flex.ts"
            ]
        );
        let shows = only(WithShows);
        assert_eq!(shows, ["shows.ts", "task_data.ts"]);
        let paths =
            |plan: &Plan| -> Vec<String> { emit("", plan).into_iter().map(|f| f.path).collect() };
        use crate::emit::plugin::fixtures;
        let seed = paths(&fixtures::seed());
        assert!(!seed.iter().any(|p| p.ends_with("/crm_url.ts")));
        assert!(!seed.iter().any(|p| p.ends_with("/task_data.ts")));
        let crm_in_flex = fixtures::crm_in_flex();
        assert!(crm_in_flex.triggers.iter().all(|t| t.show.is_none()));
        assert_eq!(paths(&crm_in_flex).len(), seed.len() + in_flex.len());
        let omnichannel = fixtures::omnichannel();
        assert_eq!(omnichannel.app.embedding, Embedding::FlexInHost);
        assert!(omnichannel.triggers.iter().any(|t| t.show.is_some()));
        assert_eq!(paths(&omnichannel).len(), seed.len() + shows.len());
    }

    /// What the generated code imports from `./runtime` (`import { ... }`,
    /// and the re-exports of `export type { ... }`), over the emitters'
    /// fixture specs.
    fn imported_from(module: &str) -> std::collections::BTreeSet<String> {
        use crate::emit::plugin::{self, fixtures};
        let mut imported = std::collections::BTreeSet::new();
        for plan in [
            fixtures::seed(),
            fixtures::omnichannel(),
            fixtures::hostile(),
            fixtures::commands_only(),
            fixtures::events_only(),
            fixtures::crm_in_flex(),
        ] {
            for file in plugin::emit(&plan).unwrap() {
                let text = &file.contents;
                for (end, _) in text.match_indices(&format!("}} from \"{module}\";")) {
                    let start = text[..end].rfind('{').unwrap() + 1;
                    for name in text[start..end].split(',') {
                        let name = name.trim().trim_start_matches("type ").trim();
                        if !name.is_empty() {
                            imported.insert(name.to_string());
                        }
                    }
                }
            }
        }
        imported
    }

    /// What a runtime module exports (`export { ... } from ...;`).
    fn exported_by(file: &str) -> std::collections::BTreeSet<String> {
        let source = FILES.iter().find(|(n, ..)| *n == file).unwrap().2;
        let mut exported = std::collections::BTreeSet::new();
        for block in source.split("export ").skip(1) {
            let Some(open) = block.find('{') else {
                continue;
            };
            let close = block.find('}').unwrap();
            for name in block[open + 1..close].split(',') {
                let name = name.trim().trim_start_matches("type ").trim();
                if !name.is_empty() {
                    exported.insert(name.to_string());
                }
            }
        }
        exported
    }

    /// `index.ts` exports exactly what generated code imports from
    /// `./runtime`, `host_in_flex.ts` what it imports from
    /// `./runtime/host_in_flex` and `shows.ts` what it imports from
    /// `./runtime/shows`, over the emitters' fixture specs: an export
    /// no spec uses is API nobody needs, and a name imported but not
    /// exported would not compile.
    #[test]
    fn the_index_exports_what_generated_code_imports() {
        assert_eq!(
            exported_by("index.ts"),
            imported_from("./runtime"),
            "index.ts exports and generated imports differ"
        );
        assert_eq!(
            exported_by("host_in_flex.ts"),
            imported_from("./runtime/host_in_flex"),
            "host_in_flex.ts exports and generated imports differ"
        );
        assert_eq!(
            exported_by("shows.ts"),
            imported_from("./runtime/shows"),
            "shows.ts exports and generated imports differ"
        );
    }
}
