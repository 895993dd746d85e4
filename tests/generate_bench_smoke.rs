//! The generator benchmark (`cargo bench --bench generate`, BENCHMARKS.md)
//! runs end to end with tiny sizes: it writes its specs, runs `flexgen
//! generate` and `flexgen new` as child processes, and writes a table with
//! every row, figures and a verdict. No timing is asserted: timings depend on
//! the machine. About a second.

#[path = "../benches/generate.rs"]
mod bench;

#[test]
fn the_generate_benchmark_writes_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("BENCHMARKS.md");
    // Text around the markers, and the browser bench's block: only ours changes.
    let other =
        "<!-- bench:start (written by browser/bench/run.mjs) -->\nkept\n<!-- bench:end -->\n";
    std::fs::write(
        &out,
        format!(
            "# Before\n\n{other}\n{}\nold\n{}\n\n# After\n",
            bench::MARK_START,
            bench::MARK_END
        ),
    )
    .unwrap();
    let sizes = vec![1, 10];
    let block = bench::run(&bench::Options {
        sizes: sizes.clone(),
        runs: 1,
        out: out.clone(),
        flexgen: env!("CARGO_BIN_EXE_flexgen").into(),
        work: dir.path().join("work"),
    })
    .unwrap_or_else(|e| panic!("the benchmark failed: {e}"));

    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with(&format!("# Before\n\n{other}\n"))
            && written.ends_with("\n\n# After\n"),
        "the text around the markers was not kept:\n{written}"
    );
    assert!(!written.contains("\nold\n"), "the old block is still there");
    assert!(
        written.contains(&block),
        "the printed block was not written"
    );
    assert!(
        !dir.path().join("work").exists(),
        "scratch folder left behind"
    );

    let cells = |row: &str| -> Vec<String> {
        row.trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect()
    };
    for n in &sizes {
        let row = written
            .lines()
            .find(|l| l.starts_with(&format!("| {n} |")))
            .unwrap_or_else(|| panic!("no row for {n} triggers in:\n{written}"));
        let c = cells(row);
        assert_eq!(c.len(), 10, "row {n} has not 10 cells: {row}");
        assert!(c[2].contains(" files, "), "no output size: {row}");
        for (i, unit) in [(3, " ms"), (5, " MiB"), (7, " ms")] {
            let figure: f64 = c[i]
                .split(unit)
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("cell {i} is not a figure: {row}"));
            assert!(figure > 0.0, "cell {i} is not positive: {row}");
        }
        // The CPU time may round to 0.0 ms, but it is there.
        assert!(c[4].ends_with(" ms"), "no CPU time: {row}");
        assert!(c[8].contains("MiB"), "no memory goal: {row}");
        assert!(
            c[9] == "met" || c[9].starts_with("**missed**"),
            "no verdict: {row}"
        );
    }
    // 10 follows 1: its growth factor is given.
    let ten = written.lines().find(|l| l.starts_with("| 10 |")).unwrap();
    assert!(cells(ten)[6].ends_with('×'), "no growth factor: {ten}");

    assert!(
        written.contains("From 1 to 10 triggers: "),
        "no linearity line in:\n{written}"
    );
    let new = written
        .lines()
        .find(|l| l.starts_with("| `flexgen new` ("))
        .unwrap_or_else(|| panic!("no `flexgen new` row in:\n{written}"));
    let c = cells(new);
    assert_eq!(c.len(), 8, "{new}");
    assert!(
        c[1].contains(" ms")
            && c[2].ends_with(" ms")
            && c[4].ends_with(" ms")
            && c[5].ends_with('×'),
        "{new}"
    );
    assert!(c[7] == "met" || c[7].starts_with("**missed**"), "{new}");
    for line in ["- Machine: ", "load average ", "Measured "] {
        assert!(written.contains(line), "no {line:?} in:\n{written}");
    }
}

/// The bench's spec is valid at every size and mixes what the issue asks
/// for: both directions, several actions and events, channels, every field
/// type, docs and `when` filters.
#[test]
fn the_bench_spec_is_valid_and_mixed() {
    let spec = bench::spec_text(16);
    let plan = flexgen::pipeline::compile("triggers.yaml", &spec)
        .unwrap_or_else(|d| panic!("{}", d.render()));
    assert_eq!(plan.triggers.len(), 16);
    for needle in [
        "direction: host_to_flex",
        "direction: flex_to_host",
        "channel_type: whatsapp",
        "when:",
        "on: { after: CompleteTask }",
        "doc: ",
        "optional: true",
        "max_length: ",
    ] {
        assert!(spec.contains(needle), "no {needle:?} in the bench spec");
    }
    for ty in [
        "string", "e164", "integer", "number", "boolean", "datetime", "enum",
    ] {
        assert!(
            spec.contains(&format!("type: {ty},")),
            "no field of type {ty}"
        );
    }
    assert_eq!(
        bench::spec_text(3),
        bench::spec_text(3),
        "not deterministic"
    );
}

/// `scripts/plugin-size.sh` (BENCHMARKS.md, the plugin's code by spec)
/// prints one row per spec with sizes that add up: a spec without `show:`
/// has no tabs figure, one with `show:` has one, smaller than its whole
/// wiring bundle. About a second.
#[test]
fn the_plugin_size_script_measures_each_spec() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new("bash")
        .arg(repo.join("scripts/plugin-size.sh"))
        .arg(repo.join("triggers.yaml"))
        .arg(repo.join("examples/omnichannel-desk/triggers.yaml"))
        .env("FLEXGEN_BIN", env!("CARGO_BIN_EXE_flexgen"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "scripts/plugin-size.sh failed (needs scripts/setup.sh):\n{}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .skip(2)
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let bytes = |cell: &str| -> u64 {
        cell.strip_suffix(" B")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a size: `{cell}` in\n{stdout}"))
    };
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0][0], "seed");
    assert_eq!(rows[0][3], "—", "the seed has no tabs:\n{stdout}");
    assert_eq!(rows[1][0], "omnichannel-desk");
    for row in &rows {
        assert!(
            bytes(row[2]) < bytes(row[1]),
            "gzip made it larger:\n{stdout}"
        );
    }
    let (wiring, tabs) = (bytes(rows[1][2]), bytes(rows[1][4]));
    assert!(
        tabs < wiring,
        "the tabs outweigh the bundle that holds them:\n{stdout}"
    );
    assert!(
        bytes(rows[1][1]) > bytes(rows[0][1]),
        "a spec with a Paste tab bundles no more than the seed:\n{stdout}"
    );
    // A spec without tabs pays nothing for Paste: its whole plugin code is
    // smaller than the tabs of the other alone, many times over.
    assert!(
        bytes(rows[0][2]) * 5 < tabs,
        "the seed's bundle is not free of Paste:\n{stdout}"
    );
}
