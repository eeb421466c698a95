//! Test support: a real SES emulator (moto's server with the DKIM patch in tests/emulator) on a
//! free loopback port, one per test, and a runner for the `assure` binary that never leaves
//! loopback (no shared AWS files, no instance-metadata probe).
#![allow(dead_code)]

pub mod dns_server;

use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that has the pinned moto installed (`scripts/test` makes it).
fn emulator_python() -> PathBuf {
    if let Some(p) = std::env::var_os("ASSURE_EMULATOR_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let default = home.join(".cache/assure-emulator/venv/bin/python");
    assert!(
        default.exists(),
        "the SES emulator is not installed: run scripts/test (it installs the pinned moto), \
         or set ASSURE_EMULATOR_PYTHON to a Python that has it"
    );
    default
}

pub struct Emulator {
    pub endpoint: String,
    child: Child,
    python: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Emulator {
    /// Starts a fresh emulator and waits until it answers.
    pub fn start() -> Emulator {
        let python = emulator_python();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("emulator.log");
        for _attempt in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new(&python)
                .arg(repo_root().join("tests/emulator/ses_dkim_moto.py"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
                .stderr(Stdio::from(
                    std::fs::File::options().append(true).open(&log).unwrap(),
                ))
                .spawn()
                .expect("start the emulator");
            let endpoint = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // died (port taken?): try another port
                }
                if ureq::get(&format!("{endpoint}/_harness/health"))
                    .call()
                    .is_ok()
                {
                    return Emulator {
                        endpoint,
                        child,
                        python,
                        log,
                        _dir: dir,
                    };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "the emulator did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn post(&self, path: &str, body: Value) -> Value {
        ureq::post(&format!("{}{path}", self.endpoint))
            .send_json(body)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap()
    }

    /// Seeds the emulator's mix with `seed.py`; returns its ground truth.
    pub fn seed(&self, identities: usize, regions: &str, extra: &[&str]) -> Value {
        let out = tempfile::NamedTempFile::new().unwrap();
        let status = Command::new(&self.python)
            .arg(repo_root().join("tests/emulator/seed.py"))
            .args([
                "--endpoint",
                &self.endpoint,
                "--identities",
                &identities.to_string(),
            ])
            .args(["--regions", regions, "--workers", "4", "--out"])
            .arg(out.path())
            .args(extra)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "seed.py failed");
        serde_json::from_str(&std::fs::read_to_string(out.path()).unwrap()).unwrap()
    }

    /// Creates exact identities (see tests/emulator/put_identities.py).
    pub fn put_identities(&self, items: Value) {
        let mut child = Command::new(&self.python)
            .arg(repo_root().join("tests/emulator/put_identities.py"))
            .arg(&self.endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(items.to_string().as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "put_identities.py failed");
    }

    /// Route 53 in the emulator (see tests/emulator/route53.py); `stdin` feeds `batch`.
    pub fn route53(&self, args: &[&str], stdin: Option<&str>) -> Value {
        let mut child = Command::new(&self.python)
            .arg(repo_root().join("tests/emulator/route53.py"))
            .arg(&self.endpoint)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "route53.py {args:?} failed");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Forces identities' DKIM state through the emulator's control endpoint.
    pub fn force(&self, items: Value) {
        self.post("/_harness/identity", json!({ "items": items }));
    }

    pub fn faults(&self, rules: Value) {
        self.post("/_harness/faults", json!({ "rules": rules }));
    }

    pub fn reset_stats(&self) {
        self.post("/_harness/stats/reset", json!({}));
    }

    pub fn stats(&self) -> Value {
        ureq::get(&format!("{}/_harness/stats", self.endpoint))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap()
    }

    /// Runs `assure` against this emulator with test credentials.
    /// Runs `scan`, `collect` or `fix`: no progress bars, and no DNS lookups unless the test
    /// names its own loopback resolver (the system's would leave the machine).
    pub fn assure(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.push("--no-progress");
        if !args.contains(&"--resolver") {
            all.push("--no-dns");
        }
        self.assure_raw(&all)
    }

    /// Like [`Emulator::assure`], for commands without progress bars (`apply`).
    pub fn assure_raw(&self, args: &[&str]) -> Output {
        let mut cmd = assure_cmd();
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(args)
            .args(["--endpoint-url", &self.endpoint]);
        cmd.output().unwrap()
    }

    /// `assure scan ... --format json`, parsed, with the exit code. SES-001 only, unless `args`
    /// pick rules: most tests count SES-001's findings and requests.
    pub fn scan_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["scan", "--format", "json"];
        if !args.contains(&"--rule") {
            all.extend(["--rule", "SES-001"]);
        }
        all.extend_from_slice(args);
        let out = self.assure(&all);
        let code = out.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report ({e}); exit {code}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, report)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `assure` binary with a clean AWS environment: nothing from the developer's machine, and
/// no instance-metadata lookups (they would leave loopback).
pub fn assure_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assure"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/assure-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/assure-test/credentials",
        )
        .env("NO_COLOR", "1")
        .env_remove("ASSURE_LOG");
    cmd
}

pub fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// The finding for one resource (panics when there is none or more than one).
pub fn finding<'a>(report: &'a Value, resource: &str) -> &'a Value {
    let matched: Vec<_> = findings(report)
        .iter()
        .filter(|f| f["resource_id"] == resource)
        .collect();
    assert_eq!(matched.len(), 1, "findings for {resource}: {matched:?}");
    matched[0]
}

pub fn count(report: &Value, status: &str) -> u64 {
    report["summary"]["by_status"][status].as_u64().unwrap()
}

pub fn calls(report: &Value, action: &str) -> u64 {
    report["summary"]["api_calls"][action].as_u64().unwrap_or(0)
}

pub fn example(path: &str) -> PathBuf {
    repo_root().join(path)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}
