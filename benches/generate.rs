//! Generator performance (issue 6): `flexgen generate` wall time and peak
//! memory for specs of 1 to 10,000 triggers, and `flexgen new` against the
//! floor of copying the tree it writes. Prints a table and writes it into
//! BENCHMARKS.md between this bench's own markers.
//!
//! ```sh
//! cargo bench --bench generate                               # 1 .. 10,000 triggers, 5 runs each
//! cargo bench --bench generate -- --sizes 1,10,100 --runs 3 --out /tmp/b.md
//! ```
//!
//! Every figure is one child process, as a user runs it: wall time from spawn
//! to exit, and the child's peak resident set from `wait4`'s rusage.
//! tests/generate_bench_smoke.rs runs this file with tiny sizes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const MARK_START: &str =
    "<!-- generate-bench:start (written by cargo bench --bench generate) -->";
pub const MARK_END: &str = "<!-- generate-bench:end -->";

/// The sizes of the issue, in triggers.
pub const SIZES: &[usize] = &[1, 10, 100, 1_000, 10_000];

/// Goals of issue 6: wall time by size, peak memory for every size, `new`
/// against the copy floor.
const TIME_GOALS: &[(usize, Duration)] = &[
    (1_000, Duration::from_millis(150)),
    (10_000, Duration::from_millis(1_500)),
];
const MEMORY_GOAL_BYTES: u64 = 150 * 1024 * 1024;
const NEW_GOAL_RATIO: f64 = 3.0;

pub struct Options {
    pub sizes: Vec<usize>,
    pub runs: usize,
    /// The Markdown file whose block between the markers is replaced.
    pub out: PathBuf,
    pub flexgen: PathBuf,
    /// Scratch folder for specs and output trees (emptied first).
    pub work: PathBuf,
}

#[allow(dead_code)] // `main` is unused where the smoke test includes this file.
fn main() {
    let mut options = Options {
        sizes: SIZES.to_vec(),
        runs: 5,
        out: Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"),
        flexgen: PathBuf::from(env!("CARGO_BIN_EXE_flexgen")),
        work: std::env::temp_dir().join("flexgen-generate-bench"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match arg.as_str() {
            // `cargo bench` passes it to every bench binary.
            "--bench" => {}
            "--sizes" => {
                options.sizes = value("--sizes")
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse()
                            .unwrap_or_else(|_| usage("--sizes takes numbers: 1,10,100"))
                    })
                    .collect()
            }
            "--runs" => {
                options.runs = value("--runs")
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage("--runs takes a number of 1 or more"))
            }
            "--out" => options.out = PathBuf::from(value("--out")),
            "--work" => options.work = PathBuf::from(value("--work")),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if let Err(e) = run(&options) {
        eprintln!("generate bench: {e}");
        std::process::exit(2);
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "generate bench: {problem}\nusage: cargo bench --bench generate -- \
         [--sizes 1,10,100,1000,10000] [--runs 5] [--out BENCHMARKS.md] [--work DIR]"
    );
    std::process::exit(2)
}

/// Runs every measurement, prints the block and writes it into `options.out`.
pub fn run(options: &Options) -> io::Result<String> {
    let _ = fs::remove_dir_all(&options.work);
    fs::create_dir_all(&options.work)?;
    let load_before = load_average();
    let mut rows = Vec::new();
    for &n in &options.sizes {
        rows.push(measure_generate(options, n)?);
    }
    let new = measure_new(options)?;
    let load_after = load_average();
    let block = render(options, &rows, &new, &load_before, &load_after);
    print!("{block}");
    replace_block(&options.out, &block)?;
    let _ = fs::remove_dir_all(&options.work);
    Ok(block)
}

/// One finished child: how long it took and its peak resident set.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    /// User plus system CPU time: what the run costs whatever the load.
    cpu: Duration,
    max_rss_bytes: u64,
}

/// Spawns `command` with output to files and waits for it with `wait4`, so
/// the rusage is this child's alone. A failure is an error with its stderr.
fn measure(command: &mut Command, what: &str, logs: &Path) -> io::Result<Sample> {
    let stdout = logs.with_extension("stdout");
    let stderr = logs.with_extension("stderr");
    command
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout)?)
        .stderr(fs::File::create(&stderr)?);
    let started = Instant::now();
    let child = command.spawn()?;
    let (status, usage) = wait4(child.id())?;
    let wall = started.elapsed();
    if status != 0 {
        return Err(io::Error::other(format!(
            "{what} failed (wait status {status}):\n{}",
            fs::read_to_string(&stderr).unwrap_or_default()
        )));
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Sample {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        max_rss_bytes: usage.ru_maxrss as u64 * 1024,
    })
}

fn wait4(pid: u32) -> io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own
    // child, not yet waited for (std's `Child` is dropped without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if r >= 0 {
            return Ok((status, usage));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

struct GenerateRow {
    triggers: usize,
    spec_bytes: u64,
    out_files: usize,
    out_bytes: u64,
    fresh: Vec<Sample>,
    rerun: Vec<Sample>,
}

fn measure_generate(options: &Options, n: usize) -> io::Result<GenerateRow> {
    let dir = options.work.join(format!("t{n}"));
    fs::create_dir_all(&dir)?;
    let spec = dir.join("triggers.yaml");
    fs::write(&spec, spec_text(n))?;
    let out = dir.join("out");
    let generate = |what: &str| {
        let mut command = Command::new(&options.flexgen);
        command.arg("generate").arg(&spec).arg("--out").arg(&out);
        measure(&mut command, what, &dir.join("log"))
    };
    let mut fresh = Vec::new();
    for run in 0..options.runs {
        let _ = fs::remove_dir_all(&out);
        fresh.push(generate(&format!(
            "flexgen generate ({n} triggers, run {run})"
        ))?);
    }
    // The tree of the last fresh run is there: now nothing changes.
    let mut rerun = Vec::new();
    for run in 0..options.runs {
        rerun.push(generate(&format!(
            "flexgen generate, unchanged ({n} triggers, run {run})"
        ))?);
    }
    let (out_files, out_bytes) = tree_size(&out)?;
    let spec_bytes = fs::metadata(&spec)?.len();
    fs::remove_dir_all(&dir)?;
    Ok(GenerateRow {
        triggers: n,
        spec_bytes,
        out_files,
        out_bytes,
        fresh,
        rerun,
    })
}

struct NewRow {
    new: Vec<Sample>,
    copy: Vec<Sample>,
    files: usize,
    bytes: u64,
}

/// `flexgen new` against `cp -r` of the tree it wrote: the same files,
/// written by a child process, with the bytes already in memory (the page
/// cache) instead of generated. Both start a process and create every
/// folder and file, so the ratio is what generating costs over writing.
fn measure_new(options: &Options) -> io::Result<NewRow> {
    let dir = options.work.join("new");
    fs::create_dir_all(&dir)?;
    let mut new = Vec::new();
    let mut copy = Vec::new();
    for run in 0..options.runs {
        let target = dir.join(format!("ws{run}"));
        let mut command = Command::new(&options.flexgen);
        command.arg("new").arg(&target);
        new.push(measure(
            &mut command,
            &format!("flexgen new (run {run})"),
            &dir.join("log"),
        )?);
        let copied = dir.join(format!("copy{run}"));
        let mut command = Command::new("cp");
        command.arg("-r").arg(&target).arg(&copied);
        copy.push(measure(
            &mut command,
            &format!("cp -r (run {run})"),
            &dir.join("log"),
        )?);
    }
    let (files, bytes) = tree_size(&dir.join("ws0"))?;
    let (copied_files, copied_bytes) = tree_size(&dir.join("copy0"))?;
    if (files, bytes) != (copied_files, copied_bytes) {
        return Err(io::Error::other("cp -r did not copy the whole tree"));
    }
    fs::remove_dir_all(&dir)?;
    Ok(NewRow {
        new,
        copy,
        files,
        bytes,
    })
}

fn tree_size(root: &Path) -> io::Result<(usize, u64)> {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += entry.metadata()?.len();
            }
        }
    }
    Ok((files, bytes))
}

/// A spec of `n` triggers cycling through realistic shapes: both directions,
/// several Flex actions and events, channels and channel types, literal and
/// payload args, `if_not_ready`, every field type with and without docs,
/// optional fields, `max_length`, enums, and `when` filters. Deterministic.
pub fn spec_text(n: usize) -> String {
    let mut s = String::from(
        "version: 1\n\napp:\n  name: bench-crm\n  flex_origin: https://flex.twilio.com\n  \
         host_origins: [https://crm.bench.example, http://localhost:8080]\n\ntriggers:\n",
    );
    for i in 0..n {
        s.push_str(&SHAPES[i % SHAPES.len()].replace("{i}", &i.to_string()));
    }
    s
}

const SHAPES: &[&str] = &[
    // CRM -> Flex, voice: a call with a literal queue.
    "  - name: dial_{i}
    summary: Agent clicks number {i} in the CRM; Flex places the call.
    direction: host_to_flex
    user_action: click a phone number
    channel: voice
    payload:
      phone_number: { type: e164, doc: Number to dial. }
      caller_id: { type: e164, optional: true, doc: Caller ID to present; the queue's default when left out. }
    invoke:
      action: StartOutboundCall
      args:
        destination: payload.phone_number
        callerId: payload.caller_id
        queueSid: { value: WQ0123456789abcdef0123456789abcdef }
      timeout_ms: 15000
    if_not_ready: { queue_for_ms: 5000 }
",
    // Flex -> CRM: a screen pop with filters.
    "  - name: pop_{i}
    summary: An inbound call was accepted; the CRM shows record {i}.
    direction: flex_to_host
    channel: voice
    on: { event: taskAccepted }
    when:
      task.attributes.direction: inbound
      task.queueName: Sales {i}
    payload:
      caller: { type: e164, from: task.attributes.from, doc: The caller's number. }
      task_sid: { type: string, from: task.taskSid, max_length: 34 }
      reservation_sid: { type: string, from: task.sid }
      priority: { type: integer, from: task.priority, doc: Task priority. }
      created_at: { type: datetime, from: task.dateCreated }
      vip: { type: boolean, from: task.attributes.vip, optional: true }
",
    // CRM -> Flex, chat: a WhatsApp reply.
    "  - name: reply_{i}
    summary: Agent sends a canned reply into WhatsApp conversation {i}.
    direction: host_to_flex
    user_action: click a canned reply
    channel: chat
    channel_type: whatsapp
    payload:
      conversation_sid: { type: string, max_length: 34, doc: The Conversations SID (CH...). }
      body: { type: string, max_length: 1600, doc: Message text. }
    invoke:
      action: SendMessage
      args:
        conversationSid: payload.conversation_sid
        body: payload.body
      timeout_ms: 10000
    if_not_ready: { queue_for_ms: 3000 }
",
    // Flex -> CRM, any channel: the activity record at wrap-up.
    "  - name: logged_{i}
    summary: An interaction reached wrap-up; the CRM records activity {i}.
    direction: flex_to_host
    on: { event: taskWrapup }
    payload:
      from: { type: string, from: task.attributes.from, optional: true }
      direction: { type: enum, values: [inbound, outbound], from: task.attributes.direction, optional: true }
      channel: { type: string, from: task.taskChannelUniqueName }
      agent: { type: string, from: worker.identity }
      ended_at: { type: datetime, from: timing.eventAt, doc: When wrap-up began. }
      talk_seconds: { type: integer, from: timing.talkSeconds, optional: true, doc: Seconds from accept to wrap-up. }
      score: { type: number, from: task.attributes.score, optional: true }
",
    // CRM -> Flex: a transfer, a task action by reservation sid.
    "  - name: transfer_{i}
    summary: Agent transfers conversation {i} to a queue picked in the CRM.
    direction: host_to_flex
    user_action: pick a transfer target
    channel: chat
    payload:
      reservation_sid: { type: string, max_length: 34, doc: The agent's reservation (WR...). }
      target_sid: { type: string, max_length: 34 }
      reason: { type: string, optional: true, max_length: 200 }
    invoke:
      action: TransferTask
      args:
        sid: payload.reservation_sid
        targetSid: payload.target_sid
        reason: payload.reason
      timeout_ms: 20000
",
    // Flex -> CRM: an action listener on SMS chats.
    "  - name: completed_{i}
    summary: An SMS conversation was completed; the CRM closes case {i}.
    direction: flex_to_host
    channel: chat
    channel_type: sms
    on: { after: CompleteTask }
    payload:
      customer: { type: string, from: task.attributes.from, optional: true }
      task_sid: { type: string, from: task.taskSid }
      reason: { type: string, from: action.reason, optional: true, doc: Why it was completed. }
      completed_at: { type: datetime, from: timing.eventAt }
",
    // CRM -> Flex: worker presence, an enum and a boolean.
    "  - name: presence_{i}
    summary: The CRM sets the agent's activity {i}.
    direction: host_to_flex
    payload:
      available: { type: boolean, doc: Whether the activity takes tasks. }
      activity: { type: enum, values: [available, busy, offline], optional: true }
    invoke:
      action: SetActivity
      args:
        activityAvailable: payload.available
        activityName: payload.activity
",
    // Flex -> CRM: worker events.
    "  - name: activity_changed_{i}
    summary: The agent's activity changed; the CRM shows it ({i}).
    direction: flex_to_host
    on: { event: workerActivityUpdated }
    when:
      worker.activityName: Offline
    payload:
      agent: { type: string, from: worker.identity }
      activity: { type: string, from: worker.activityName }
      team: { type: string, from: worker.attributes.team, optional: true, doc: The agent's team. }
",
];

fn median(samples: &[Sample]) -> Duration {
    let mut walls: Vec<_> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    walls[walls.len() / 2]
}

fn median_cpu(samples: &[Sample]) -> Duration {
    let mut cpu: Vec<_> = samples.iter().map(|s| s.cpu).collect();
    cpu.sort();
    cpu[cpu.len() / 2]
}

fn min_max(samples: &[Sample]) -> (Duration, Duration) {
    let walls = samples.iter().map(|s| s.wall);
    (walls.clone().min().unwrap(), walls.max().unwrap())
}

fn peak(samples: &[Sample]) -> u64 {
    samples.iter().map(|s| s.max_rss_bytes).max().unwrap()
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        mib(bytes)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn render(
    options: &Options,
    rows: &[GenerateRow],
    new: &NewRow,
    load_before: &str,
    load_after: &str,
) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "{MARK_START}");
    let _ = writeln!(
        b,
        "Measured {} with `cargo bench --bench generate` ({} runs per figure).\n",
        utc_now(),
        options.runs
    );
    let _ = writeln!(
        b,
        "- Machine: {}, {} cores; {}; load average {load_before} before, {load_after} after",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        os_name()
    );
    let _ = writeln!(
        b,
        "- flexgen {} (release build), spec of the bench's own mix (`spec_text` in benches/generate.rs)\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        b,
        "| Triggers | Spec | Output | `generate`, fresh out dir: median (min–max) | CPU time, median | Peak memory | Time ×, per 10× triggers | `generate` again, nothing changed: median | Goal | Verdict |"
    );
    let _ = writeln!(b, "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    let mut previous: Option<&GenerateRow> = None;
    for row in rows {
        let fresh = median(&row.fresh);
        let (lo, hi) = min_max(&row.fresh);
        let memory = peak(&row.fresh).max(peak(&row.rerun));
        let growth = match previous {
            Some(p) if row.triggers == p.triggers * 10 => {
                format!(
                    "{:.1}×",
                    fresh.as_secs_f64() / median(&p.fresh).as_secs_f64()
                )
            }
            _ => "—".to_string(),
        };
        let time_goal = TIME_GOALS.iter().find(|(n, _)| *n == row.triggers);
        let mut goal = Vec::new();
        let mut missed = Vec::new();
        if let Some((_, limit)) = time_goal {
            goal.push(format!("< {}", ms(*limit)));
            if fresh >= *limit {
                missed.push(format!(
                    "time by {} ({:.0}% over)",
                    ms(fresh - *limit),
                    (fresh.as_secs_f64() / limit.as_secs_f64() - 1.0) * 100.0
                ));
            }
        }
        goal.push(format!("< {}", mib(MEMORY_GOAL_BYTES)));
        if memory >= MEMORY_GOAL_BYTES {
            missed.push(format!("memory by {}", mib(memory - MEMORY_GOAL_BYTES)));
        }
        let verdict = if missed.is_empty() {
            "met".to_string()
        } else {
            format!("**missed**: {}", missed.join(", "))
        };
        let _ = writeln!(
            b,
            "| {} | {} | {} files, {} | {} ({}–{}) | {} | {} | {} | {} | {} | {} |",
            thousands(row.triggers),
            size(row.spec_bytes),
            row.out_files,
            size(row.out_bytes),
            ms(fresh),
            ms(lo),
            ms(hi),
            ms(median_cpu(&row.fresh)),
            mib(memory),
            growth,
            ms(median(&row.rerun)),
            goal.join(", "),
            verdict
        );
        previous = Some(row);
    }
    // Linearity, where the fixed cost of a run no longer dominates: the two
    // largest sizes ten times apart.
    if let [.., small, large] = rows {
        if large.triggers == small.triggers * 10 {
            let memory = |r: &GenerateRow| peak(&r.fresh).max(peak(&r.rerun)) as f64;
            let _ = writeln!(
                b,
                "\nFrom {} to {} triggers: {:.1}× the time and {:.1}× the peak memory (10× is linear).",
                thousands(small.triggers),
                thousands(large.triggers),
                median(&large.fresh).as_secs_f64() / median(&small.fresh).as_secs_f64(),
                memory(large) / memory(small)
            );
        }
    }
    let new_median = median(&new.new);
    let copy_median = median(&new.copy);
    let ratio = new_median.as_secs_f64() / copy_median.as_secs_f64();
    let verdict = if ratio <= NEW_GOAL_RATIO {
        "met".to_string()
    } else {
        format!("**missed** ({ratio:.1}× the floor)")
    };
    let _ = writeln!(
        b,
        "\n| Command | Median (min–max) | CPU time, median | Peak memory | Floor: `cp -r` of the same tree, median | Ratio | Goal | Verdict |"
    );
    let _ = writeln!(b, "|---|---:|---:|---:|---:|---:|---|---|");
    let (lo, hi) = min_max(&new.new);
    let _ = writeln!(
        b,
        "| `flexgen new` ({} files, {}) | {} ({}–{}) | {} | {} | {} | {ratio:.1}× | ≤ {NEW_GOAL_RATIO:.0}× the floor | {verdict} |",
        new.files,
        size(new.bytes),
        ms(new_median),
        ms(lo),
        ms(hi),
        ms(median_cpu(&new.new)),
        mib(peak(&new.new)),
        ms(copy_median),
    );
    let _ = writeln!(
        b,
        "\nVerdicts judge the wall time; with other work on the cores it exceeds the CPU time, which does not depend on load."
    );
    let _ = writeln!(b, "{MARK_END}");
    b
}

/// Replaces the block between the markers, or appends one when there is none.
fn replace_block(path: &Path, block: &str) -> io::Result<()> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let updated = match (text.find(MARK_START), text.find(MARK_END)) {
        (Some(start), Some(end)) if start < end => {
            let end = end + MARK_END.len();
            let end = end + usize::from(text[end..].starts_with('\n'));
            format!("{}{block}{}", &text[..start], &text[end..])
        }
        _ if text.is_empty() => block.to_string(),
        _ => format!(
            "{}\n{block}",
            text.trim_end_matches('\n').to_string() + "\n"
        ),
    };
    fs::write(path, updated)
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn os_name() -> String {
    let pretty = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    match fs::read_to_string("/proc/sys/kernel/osrelease") {
        Ok(kernel) => format!("{pretty}, kernel {}", kernel.trim()),
        Err(_) => pretty,
    }
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ` (civil date from days since 1970).
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}
