//! Runs the materialised harness under node (`harness/serve.mjs
//! --workspace DIR --ready-json`) and supervises it: the URLs it prints
//! once serving go to the caller, Ctrl-C (SIGINT) or SIGTERM to flexgen stops
//! it and everything it started.
//!
//! node runs in a process group of its own, so a Ctrl-C at the terminal
//! reaches flexgen only; flexgen then sends SIGTERM to the whole group
//! (node, and cargo or esbuild if a build is under way), waits for node to
//! close its servers, and returns normally: exit 0, ports free.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{io_error, PreviewError};

/// The two pages, as serve.mjs reports them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Urls {
    /// The CRM host page (http://localhost:N/<case>/).
    #[serde(rename = "hostUrl")]
    pub host: String,
    /// The Flex simulator, framed by the host page (http://127.0.0.1:M/<case>/).
    #[serde(rename = "flexUrl")]
    pub flex: String,
}

/// How long node gets to close its servers after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// Serves the workspace until a stop signal (Ok) or until the harness fails.
pub fn serve(
    harness: &Path,
    workspace: &Path,
    spec: &Path,
    port: u16,
    cache: &Path,
    on_ready: &mut dyn FnMut(&Urls),
) -> Result<(), PreviewError> {
    signals::install();
    let mut cmd = Command::new("node");
    cmd.arg(harness.join("harness/serve.mjs"))
        .arg("--workspace")
        .arg(workspace)
        .arg("--spec")
        .arg(spec)
        .args(["--host-port", &port.to_string()])
        // No `--attacker-port`: the security tests' third-origin page is
        // not served (nor embedded, see build.rs).
        .args(["--flex-port", "0", "--ready-json"])
        .current_dir(harness)
        .env(
            "FLEXGEN_BIN",
            std::env::current_exe().map_err(io_error("locating the flexgen binary"))?,
        )
        .env("FLEXGEN_CACHE_DIR", cache)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    signals::own_group(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(io_error("starting node (install Node.js 20 or later)"))?;

    // Lines of node's stdout, read on a thread so that the loop below can
    // also watch for signals and for node exiting.
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    loop {
        if signals::stop_requested() {
            eprintln!("\nflexgen: stopping the preview");
            stop(&mut child);
            return Ok(());
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => match serde_json::from_str::<Urls>(&line) {
                Ok(urls) => on_ready(&urls),
                // Anything else node prints is a message for the person.
                Err(_) => eprintln!("{line}"),
            },
            Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {
                let status = child
                    .try_wait()
                    .map_err(io_error("waiting for the preview server"))?;
                match status {
                    None => {}
                    Some(_) if signals::stop_requested() => return Ok(()),
                    Some(s) if s.success() => return Ok(()),
                    Some(s) => {
                        return Err(PreviewError::Harness(format!(
                            "the preview harness stopped ({s}); see its messages above"
                        )))
                    }
                }
            }
        }
    }
}

/// SIGTERM to node's group, then SIGKILL after the grace period.
fn stop(child: &mut Child) {
    signals::terminate_group(child, false);
    let end = Instant::now() + GRACE;
    while Instant::now() < end {
        if let Ok(Some(_)) = child.try_wait() {
            // Anything node started (cargo, esbuild) goes with it.
            signals::terminate_group(child, true);
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signals::terminate_group(child, true);
    let _ = child.wait();
}

#[cfg(unix)]
mod signals {
    use std::os::unix::process::CommandExt as _;
    use std::process::{Child, Command};
    use std::sync::atomic::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: libc::c_int) {
        // Only an atomic store: async-signal-safe.
        STOP.store(true, Ordering::SeqCst);
    }

    pub fn install() {
        let handler: extern "C" fn(libc::c_int) = on_signal;
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: the handler only stores to an atomic.
            unsafe {
                libc::signal(sig, handler as libc::sighandler_t);
            }
        }
    }

    pub fn stop_requested() -> bool {
        STOP.load(Ordering::SeqCst)
    }

    /// node leads a process group of its own (the terminal's Ctrl-C reaches
    /// flexgen alone) and, on Linux, gets SIGTERM should flexgen die first.
    pub fn own_group(cmd: &mut Command) {
        cmd.process_group(0);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    pub fn terminate_group(child: &Child, kill: bool) {
        let Ok(pid) = libc::pid_t::try_from(child.id()) else {
            return;
        };
        let sig = if kill { libc::SIGKILL } else { libc::SIGTERM };
        // SAFETY: a plain kill(2) of the group node leads (pgid = its pid).
        unsafe {
            libc::kill(-pid, sig);
        }
    }
}

#[cfg(not(unix))]
mod signals {
    use std::process::{Child, Command};

    // Elsewhere Ctrl-C ends flexgen and its console's children by default.
    pub fn install() {}
    pub fn stop_requested() -> bool {
        false
    }
    pub fn own_group(_: &mut Command) {}
    pub fn terminate_group(_: &Child, _: bool) {}
}
