//! Malformed specs too big or too binary to commit, built here (huge, binary,
//! badly encoded), and special files: `generate` exits 1 with a located
//! message and a help line, in bounded time and memory, writing nothing into
//! an output folder that already holds a generated tree. The malformed specs
//! small enough to commit are cases of tests/cases/malformed/ (tests/cases.rs,
//! check kind `refused`), judged the same way.

use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{read_tree, seed};

/// Kill a run after this long: the slowest case (a million keys, cut at the
/// node limit) takes about 8 s on a loaded 2-core machine.
const TIME_LIMIT: Duration = Duration::from_secs(30);
/// Address-space limit of each run, so a blow-up fails instead of swapping.
const MEMORY_LIMIT: u64 = 512 << 20;

struct Run {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

/// Runs flexgen under the time and memory limits.
fn run(args: &[&std::ffi::OsStr]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("stderr");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flexgen"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err_path).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("flexgen {args:?} ran longer than {TIME_LIMIT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stderr: fs::read_to_string(&err_path).unwrap(),
        elapsed: started.elapsed(),
    }
}

/// An output folder holding the seed's generated tree.
fn generated_out() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("seed.yaml");
    fs::write(&spec, seed()).unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "generate".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    dir
}

/// What a refusal must look like; returns the problems found.
fn judge(name: &str, command: &str, r: &Run, shown: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if r.code != Some(1) {
        problems.push(format!("{name} ({command}): exit {:?}, expected 1", r.code));
    }
    let located = r.stderr.contains(&format!("--> {shown}:"))
        || (r.stderr.contains(shown) && r.stderr.contains("byte"));
    if !located {
        problems.push(format!("{name} ({command}): no location in\n{}", r.stderr));
    }
    if !r.stderr.contains("= help: ") {
        problems.push(format!("{name} ({command}): no help line in\n{}", r.stderr));
    }
    for leak in ["budget", "Budget", "Option<", "serde", "saphyr", "panicked"] {
        if r.stderr.contains(leak) {
            problems.push(format!(
                "{name} ({command}): `{leak}` leaks into\n{}",
                r.stderr
            ));
        }
    }
    problems
}

/// Runs `generate` on `spec` (into a generated tree), checking the tree is
/// byte-identical afterwards.
fn refuse(name: &str, spec: &Path, out: &Path) -> (Vec<String>, Duration) {
    let before = read_tree(out, &[]);
    let shown = spec.display().to_string();
    let r = run(&[
        "generate".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let mut problems = judge(name, "generate", &r, &shown);
    if read_tree(out, &[]) != before {
        problems.push(format!("{name}: generate changed the output tree"));
    }
    (problems, r.elapsed)
}

/// Cases too big or too binary to commit, written at test time.
fn built_cases() -> Vec<(&'static str, Vec<u8>)> {
    let seed = seed();
    let utf16 = |big: bool| {
        let mut bytes = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in seed.encode_utf16() {
            let pair = if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend(pair);
        }
        bytes
    };
    let spliced = |bad: &[u8]| {
        let mut bytes = seed.as_bytes().to_vec();
        let at = seed.find("click_to_dial").unwrap();
        bytes.splice(at..at, bad.iter().copied());
        bytes
    };
    let mut bad_key = seed.as_bytes().to_vec();
    let at = seed.find("direction:").unwrap();
    bad_key.splice(at + 2..at + 2, [0xFF]);
    let mut bom_broken = b"\xEF\xBB\xBF".to_vec();
    bom_broken.extend(b"version: 1\napp: [\n");
    vec![
        ("utf-16-le", utf16(false)),
        ("utf-16-be", utf16(true)),
        ("utf-16-le-no-bom", utf16(false)[2..].to_vec()),
        ("lone-continuation-byte", spliced(b"\x80")),
        ("overlong-encoding", spliced(b"\xC0\xAF")),
        ("truncated-sequence-at-end", {
            let mut b = seed.as_bytes().to_vec();
            b.extend(b"# \xE2\x82");
            b
        }),
        ("invalid-utf8-in-key", bad_key),
        ("surrogate-in-utf8", spliced(b"\xED\xA0\x80")),
        ("bom-then-broken", bom_broken),
        ("nul-bytes", vec![0; 4096]),
        ("over-the-limit", {
            let mut b = b"# ".to_vec();
            b.resize(17 << 20, b'x');
            b
        }),
        ("long-line-20-mb", {
            let mut b = b"version: 1\napp: ".to_vec();
            b.resize(20 << 20, b'x');
            b
        }),
        ("deep-flow-10k", {
            let mut b = b"version: 1\napp: ".to_vec();
            b.extend(std::iter::repeat_n(b'[', 10_000));
            b.extend(std::iter::repeat_n(b']', 10_000));
            b
        }),
        ("deep-block-10k", {
            let mut b = b"version: 1\napp:\n  ".to_vec();
            b.extend(std::iter::repeat_n(*b"- ", 10_000).flatten());
            b.extend(b"x\n");
            b
        }),
        ("million-keys", {
            (0..1_000_000)
                .flat_map(|i| format!("k{i}: 1\n").into_bytes())
                .collect()
        }),
        ("many-unknown-keys", {
            (0..100_000)
                .flat_map(|i| format!("k{i}: 1\n").into_bytes())
                .collect()
        }),
    ]
}

#[test]
fn huge_binary_and_badly_encoded_files_are_refused_in_bounded_time_and_memory() {
    let dir = generated_out();
    let out = dir.path().join("out");
    let mut problems = Vec::new();
    let mut times = Vec::new();
    for (name, bytes) in built_cases() {
        let spec = dir.path().join(format!("{name}.yaml"));
        fs::write(&spec, &bytes).unwrap();
        let (found, slowest) = refuse(name, &spec, &out);
        problems.extend(found);
        times.push(format!("{name}: {slowest:?}"));
        fs::remove_file(&spec).unwrap();
    }
    eprintln!("{}", times.join("\n"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn special_files_neither_hang_nor_fill_memory() {
    // Endless devices are cut at the size limit: a spec error, exit 1.
    for device in ["/dev/zero", "/dev/urandom"] {
        let r = run(&["check".as_ref(), device.as_ref()]);
        assert_eq!(r.code, Some(1), "{device}: {}", r.stderr);
        assert!(
            r.stderr.contains("larger than a spec can be"),
            "{}",
            r.stderr
        );
    }
    // A folder cannot be read: an I/O error, exit 2, with what to pass instead.
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["check".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("help: that is a folder"), "{}", r.stderr);
}

#[test]
fn a_leading_bom_and_anchors_within_the_limits_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("triggers.yaml");
    fs::write(&spec, format!("\u{feff}{}", seed())).unwrap();
    let r = run(&["check".as_ref(), spec.as_os_str()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let anchored = seed().replacen(
        "phone_number: { type: e164",
        "phone_number: &number { type: e164",
        1,
    );
    assert_ne!(
        anchored,
        seed(),
        "the seed no longer has the anchored field"
    );
    let anchored = anchored.replacen(
        "\n    invoke:",
        "\n      other_number: *number\n    invoke:",
        1,
    );
    fs::write(&spec, anchored).unwrap();
    let r = run(&["check".as_ref(), spec.as_os_str()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}
