//! `flexgen preview` from outside the binary: a generated copy of the seed
//! workspace is built and served on two loopback origins, both pages answer
//! with the harness's headers, the workspace's own hooks are what the Flex
//! page runs, nothing of the security tests is served (no attacker page, no
//! hostile contacts), and SIGINT stops it all with exit 0 and both ports
//! free. Bad input exits before anything is served.
//!
//! Needs what `scripts/setup.sh` installs (node 20+, npm with the harness's
//! packages in its cache, the wasm32 target, wasm-bindgen-cli at the pinned
//! version). The first run builds the bridge for wasm32 and, once per machine,
//! the Flex UI bundle (kept in the user's cache folder): a few minutes.

use std::fs;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::repo;

const FLEXGEN: &str = env!("CARGO_BIN_EXE_flexgen");
/// A line the test adds to the workspace's hooks.ts: it must reach plugin.js.
const HOOK_MARKER: &str = "preview test: the workspace's own hooks.ts";

/// `dir/<name>/` holding the seed spec, generated, with a marked hooks.ts.
fn seed_workspace(dir: &Path, name: &str) -> std::path::PathBuf {
    let ws = dir.join(name);
    fs::create_dir_all(&ws).unwrap();
    fs::copy(repo().join("triggers.yaml"), ws.join("triggers.yaml")).unwrap();
    let out = Command::new(FLEXGEN)
        .arg("generate")
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hooks = ws.join("flex-plugin/src/hooks.ts");
    let mut text = fs::read_to_string(&hooks).unwrap();
    text.push_str(&format!("\nconsole.info({HOOK_MARKER:?});\n"));
    fs::write(&hooks, text).unwrap();
    ws
}

/// A response: status code, lower-cased headers, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `http://host:port/path` -> (socket address, host:port, path).
fn split_url(url: &str) -> (SocketAddr, String, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // `localhost` may resolve to ::1 first; the servers listen on 127.0.0.1.
    let addr = authority
        .to_socket_addrs()
        .unwrap()
        .find(|a| a.is_ipv4())
        .expect("an IPv4 address");
    (addr, authority.to_string(), path.to_string())
}

fn get(url: &str) -> Response {
    let (addr, authority, path) = split_url(url);
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

fn port_open(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// The origin of a page URL: `http://host:port`.
fn origin(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    format!("http://{}", &rest[..rest.find('/').unwrap_or(rest.len())])
}

/// Kills the preview if the test fails before its SIGINT.
struct Running(Child);
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn sigint(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -INT {pid} failed");
}

/// A preview running in `ws`: its process, the printed URLs and its stderr.
struct Preview {
    running: Running,
    host: String,
    flex: String,
    log: Arc<Mutex<String>>,
}

impl Preview {
    fn logged(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGINT, then: exit 0 within 10 s, no panic, both ports free.
    fn stop(mut self) -> String {
        let addrs = [split_url(&self.host).0, split_url(&self.flex).0];
        sigint(self.running.0.id());
        let stopped = Instant::now();
        let status = loop {
            if let Some(status) = self.running.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                stopped.elapsed() < Duration::from_secs(10),
                "still running 10 s after SIGINT:\n{}",
                self.logged()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(0), "{}", self.logged());
        let err = self.logged();
        assert!(!err.contains("panicked"), "{err}");
        for addr in addrs {
            assert!(
                !port_open(addr),
                "{addr} still accepts connections after exit"
            );
        }
        err
    }
}

/// Starts `flexgen preview --port 0` in `ws` and waits for its two URLs.
fn start_preview(ws: &Path) -> Preview {
    let child = Command::new(FLEXGEN)
        .args(["preview", "--port", "0"])
        .current_dir(ws)
        .envs(common::shared_build_caches())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut running = Running(child);

    // stderr carries the build's progress: drained on a thread (a full pipe
    // would stall the build) and shown when something fails.
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = running.0.stderr.take().unwrap();
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let (tx, rx) = mpsc::channel();
    let stdout = running.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let logged = || log.lock().unwrap().clone();

    let (mut host, mut flex) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(20 * 60);
    while host.is_none() || flex.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_secs(1))) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("host: ") {
                    host = Some(url.to_string());
                } else if let Some(url) = line.strip_prefix("flex: ") {
                    flex = Some(url.to_string());
                } else {
                    panic!("unexpected line on stdout: {line:?}\nstderr:\n{}", logged());
                }
            }
            Err(_) => {
                if let Ok(Some(status)) = running.0.try_wait() {
                    panic!("preview exited early ({status}):\n{}", logged());
                }
                assert!(
                    Instant::now() < deadline,
                    "no URLs within 20 minutes:\n{}",
                    logged()
                );
            }
        }
    }
    Preview {
        running,
        host: host.unwrap(),
        flex: flex.unwrap(),
        log,
    }
}

#[test]
fn preview_serves_both_pages_and_stops_cleanly_on_sigint() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = seed_workspace(tmp.path(), "shop");
    let preview = start_preview(&ws);
    let (host, flex) = (preview.host.clone(), preview.flex.clone());
    assert!(
        host.starts_with("http://localhost:") && host.ends_with("/shop/"),
        "{host}"
    );
    assert!(
        flex.starts_with("http://127.0.0.1:") && flex.ends_with("/shop/"),
        "{flex}"
    );
    assert_ne!(origin(&host), origin(&flex));

    let page = get(&host);
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page
        .header("content-security-policy")
        .expect("the host page's CSP");
    for directive in [
        format!("frame-src 'self' {}", origin(&flex)),
        "script-src 'self' 'wasm-unsafe-eval'".to_string(),
        "frame-ancestors 'self'".to_string(),
    ] {
        assert!(csp.contains(&directive), "CSP lacks {directive:?}: {csp}");
    }
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    // Other sites keep no handle to the CRM window; popups the CRM opens
    // (Flex's SSO login, from the Flex iframe) keep their opener.
    assert_eq!(
        page.header("cross-origin-opener-policy"),
        Some("same-origin-allow-popups")
    );
    assert!(page.body.contains("id=\"message-log\""), "{}", page.body);

    let config = get(&format!("{host}config.json"));
    assert_eq!(config.status, 200);
    let config: serde_json::Value = serde_json::from_str(&config.body).unwrap();
    assert_eq!(config["case"], "shop");
    assert_eq!(config["flexOrigin"], origin(&flex));
    assert_eq!(config["plan"]["app"]["flex_origin"], origin(&flex));
    assert_eq!(get(&format!("{host}pkg/bridge_bg.wasm")).status, 200);
    // Nothing of the security tests: no attacker origin, no hostile
    // contacts, no blank framing pages.
    assert_eq!(config["attackerOrigin"], serde_json::Value::Null);
    assert!(config.get("contacts").is_none(), "{config}");
    let crm = get(&format!("{}/_shared/crm.js", origin(&host)));
    assert_eq!(crm.status, 200);
    assert!(crm.body.contains("Ada Lovelace"), "the sample contacts");
    for hostile in ["onerror", "__pwned", "Quote Injection"] {
        assert!(
            !crm.body.contains(hostile),
            "the previewed CRM page holds test data ({hostile})"
        );
    }
    assert_eq!(get(&format!("{host}rogue.html")).status, 404);
    assert_eq!(get(&format!("{flex}rogue.html")).status, 404);

    let sim = get(&flex);
    assert_eq!(sim.status, 200);
    assert!(sim.body.contains("/_shared/flex-ui.js"), "{}", sim.body);
    // The simulator sends no CSP of its own (see browser/harness/server.mjs).
    assert_eq!(sim.header("content-security-policy"), None);
    let plugin = get(&format!("{flex}plugin.js"));
    assert_eq!(plugin.status, 200);
    assert!(
        plugin.body.contains(HOOK_MARKER),
        "plugin.js was not built from the workspace's hooks.ts"
    );

    preview.stop();
    // The workspace's own files were only read: builds live in .flexgen/.
    let hooks = fs::read_to_string(ws.join("flex-plugin/src/hooks.ts")).unwrap();
    assert!(hooks.contains(HOOK_MARKER));
    assert!(ws.join(".flexgen/preview/harness/serve.mjs").exists());
    assert!(ws.join(".flexgen/build/cases/shop/triggers.yaml").exists());
    assert!(!ws.join(".flexgen/preview/attacker").exists());
    assert!(!ws.join(".flexgen/build/www/attacker").exists());
    assert_eq!(
        fs::read_to_string(ws.join(".flexgen/.gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
}

#[test]
fn a_missing_spec_exits_2_and_serves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(FLEXGEN)
        .args(["preview", "nope.yaml"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read spec nope.yaml"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// A spec with `embedding: host_in_flex`: the simulator is the page to
/// open, and the plugin frames the CRM page, which is served for Flex's
/// origin to frame (its `frame-ancestors`), with the spec's `crm_url`
/// pointed at it.
#[test]
fn a_crm_inside_flex_spec_previews_with_the_simulator_on_top() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("desk");
    fs::create_dir_all(&ws).unwrap();
    fs::copy(
        repo().join("examples/crm-inside-flex/triggers.yaml"),
        ws.join("triggers.yaml"),
    )
    .unwrap();
    let out = Command::new(FLEXGEN)
        .arg("generate")
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let preview = start_preview(&ws);
    let (host, flex) = (preview.host.clone(), preview.flex.clone());
    assert!(
        host.ends_with("/desk/") && flex.ends_with("/desk/"),
        "{host} {flex}"
    );
    let page = get(&host);
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page
        .header("content-security-policy")
        .expect("the host page's CSP");
    // Framed by Flex's origin exactly, by nothing else.
    assert!(
        csp.contains(&format!("frame-ancestors {};", origin(&flex))),
        "{csp}"
    );
    assert!(!csp.contains("frame-ancestors 'self'"), "{csp}");
    let config = get(&format!("{flex}config.json"));
    assert_eq!(config.status, 200);
    let config: serde_json::Value = serde_json::from_str(&config.body).unwrap();
    assert_eq!(config["embedding"], "host_in_flex");
    let app = &config["plan"]["app"];
    assert_eq!(app["embedding"], "host_in_flex");
    assert_eq!(app["crm_url"]["origin"], origin(&host));
    assert_eq!(
        app["crm_url"]["template"],
        format!("{host}?task={{task.taskSid}}&record={{task.attributes.crm_record_id}}")
    );
    assert_eq!(app["dev_host_origins"], serde_json::json!([origin(&host)]));
    let sim = get(&flex);
    assert_eq!(sim.status, 200);
    assert!(sim.body.contains("/_shared/simulator.js"), "{}", sim.body);
    assert_eq!(get(&format!("{flex}plugin.js")).status, 200);
    let err = preview.stop();
    assert!(
        err.contains(&format!("open {flex} in a browser: the Flex simulator")),
        "{err}"
    );
}

#[test]
fn an_invalid_spec_exits_1_with_diagnostics_and_serves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = fs::read_to_string(repo().join("triggers.yaml")).unwrap();
    let broken = seed.replacen("StartOutboundCall", "StartOutbondCall", 1);
    assert_ne!(seed, broken, "the seed no longer names StartOutboundCall");
    fs::write(tmp.path().join("triggers.yaml"), broken).unwrap();
    let out = Command::new(FLEXGEN)
        .args(["preview", "--port", "0"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unknown Flex action `StartOutbondCall`"),
        "{stderr}"
    );
    assert!(stderr.contains("triggers.yaml:"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!tmp.path().join(".flexgen").exists());
}

#[test]
fn missing_tools_are_named_with_their_install_commands() {
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(
        repo().join("triggers.yaml"),
        tmp.path().join("triggers.yaml"),
    )
    .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(FLEXGEN)
        .arg("preview")
        .current_dir(tmp.path())
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let pin = flexgen::emit::bridge_runtime::wasm_bindgen_pin();
    for needle in [
        "node: not found on PATH".to_string(),
        "npm: not found on PATH".to_string(),
        "Node.js 20 or later".to_string(),
        "cargo: not found on PATH".to_string(),
        "https://sh.rustup.rs".to_string(),
        format!("`cargo install wasm-bindgen-cli --version {pin} --force`"),
    ] {
        assert!(stderr.contains(&needle), "no {needle:?} in:\n{stderr}");
    }
    assert!(out.stdout.is_empty());
    assert!(!tmp.path().join(".flexgen").exists());
}
