//! flexgen's plugin runtime, vendored into every workspace.
//!
//! The runtime is a TypeScript module tree of its own in this repository,
//! `runtime/plugin/src/`, with its own strict tsconfig and unit tests
//! (tests/runtime_plugin.rs runs them). Each of its modules, never a test, is
//! written to `flex-plugin/src/flexgen/runtime/<file>` behind the generated
//! header, which carries flexgen's version: `generate --check` flags a copy
//! that is stale or edited like any generated file. Twilio's plugin builder
//! compiles only what is under `src/`, so the runtime travels as source; the
//! generated `triggers.ts` and `wiring.ts` import its `index.ts` only.
//!
//! `protocol_constants.ts` is not in [`FILES`]: `emit::constants` writes it
//! from flexgen's one source of the protocol's values.

use super::OutFile;
use super::Owner;

/// Where the runtime goes, relative to the output folder.
pub const DIR: &str = "flex-plugin/src/flexgen/runtime";

/// The runtime's modules: (file name, source), by name.
pub const FILES: &[(&str, &str)] = &[
    (
        "checks.ts",
        include_str!("../../runtime/plugin/src/checks.ts"),
    ),
    (
        "commands.ts",
        include_str!("../../runtime/plugin/src/commands.ts"),
    ),
    (
        "crm_frame.ts",
        include_str!("../../runtime/plugin/src/crm_frame.ts"),
    ),
    (
        "crm_url.ts",
        include_str!("../../runtime/plugin/src/crm_url.ts"),
    ),
    (
        "endpoint.ts",
        include_str!("../../runtime/plugin/src/endpoint.ts"),
    ),
    (
        "envelopes.ts",
        include_str!("../../runtime/plugin/src/envelopes.ts"),
    ),
    (
        "errors.ts",
        include_str!("../../runtime/plugin/src/errors.ts"),
    ),
    (
        "events.ts",
        include_str!("../../runtime/plugin/src/events.ts"),
    ),
    (
        "flex_reads.ts",
        include_str!("../../runtime/plugin/src/flex_reads.ts"),
    ),
    (
        "frame_peer.ts",
        include_str!("../../runtime/plugin/src/frame_peer.ts"),
    ),
    (
        "hello_targets.ts",
        include_str!("../../runtime/plugin/src/hello_targets.ts"),
    ),
    (
        "hooks.ts",
        include_str!("../../runtime/plugin/src/hooks.ts"),
    ),
    ("ids.ts", include_str!("../../runtime/plugin/src/ids.ts")),
    (
        "index.ts",
        include_str!("../../runtime/plugin/src/index.ts"),
    ),
    (
        "objects.ts",
        include_str!("../../runtime/plugin/src/objects.ts"),
    ),
    ("peer.ts", include_str!("../../runtime/plugin/src/peer.ts")),
    (
        "schema.ts",
        include_str!("../../runtime/plugin/src/schema.ts"),
    ),
    (
        "sources.ts",
        include_str!("../../runtime/plugin/src/sources.ts"),
    ),
    (
        "task_data.ts",
        include_str!("../../runtime/plugin/src/task_data.ts"),
    ),
];

/// The runtime's modules under [`DIR`], each behind `head`.
pub fn emit(head: &str) -> Vec<OutFile> {
    FILES
        .iter()
        .map(|(name, source)| OutFile {
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
        let mut listed: Vec<String> = FILES.iter().map(|(name, _)| name.to_string()).collect();
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
        for (name, source) in FILES {
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

    /// `index.ts` exports exactly what generated code imports from
    /// `./runtime`, over the emitters' fixture specs: an export no spec uses
    /// is API nobody needs, and a name imported but not exported would not
    /// compile.
    #[test]
    fn the_index_exports_what_generated_code_imports() {
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
                // `import { ... } from "./runtime";` and the re-exports of
                // `export type { ... } from "./runtime";`.
                let text = &file.contents;
                for (end, _) in text.match_indices("} from \"./runtime\";") {
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
        let index = FILES.iter().find(|(n, _)| *n == "index.ts").unwrap().1;
        let mut exported = std::collections::BTreeSet::new();
        for block in index.split("export ").skip(1) {
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
        assert_eq!(
            exported, imported,
            "index.ts exports and generated imports differ"
        );
    }
}
