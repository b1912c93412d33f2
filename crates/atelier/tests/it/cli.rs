use atelier_db::testing::TestDb;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn atelier() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atelier"));
    cmd.env_remove("ATELIER_DATABASE_URL")
        .env_remove("ATELIER_CONFIG")
        .env("ATELIER_LOG__FORMAT", "json");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    stream.read_to_string(&mut out).ok()?;
    Some(out)
}

fn wait_healthy(child: &mut Child, port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(answer) = get(port, "/healthz") {
            return answer;
        }
        assert!(child.try_wait().unwrap().is_none(), "serve exited early");
        assert!(
            Instant::now() < deadline,
            "serve did not answer within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

fn serve_until_healthy_then_stop(cmd: &mut Command) -> String {
    let port = free_port();
    let mut child = cmd
        .arg("serve")
        .env("ATELIER_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let answer = wait_healthy(&mut child, port);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    let api = get(port, "/api/v1/instance").unwrap();
    assert!(api.contains("\"name\":\"Atelier\""), "{api}");
    sigterm(&child);
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "shutdown took too long"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn serve_with_no_configuration_uses_sqlite_under_data_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let logs = serve_until_healthy_then_stop(atelier().current_dir(dir.path()));
    assert!(
        dir.path().join("data/atelier.db").is_file(),
        "SQLite under ./data"
    );
    assert!(dir.path().join("data/blobs").is_dir(), "blobs under ./data");
    assert!(logs.contains("Atelier is serving"), "{logs}");
    assert!(
        logs.contains("\"stopped\"") || logs.contains("stopped"),
        "{logs}"
    );
}

#[test]
fn serve_and_migrate_run_on_the_test_database_backend() {
    // On SQLite, or on PostgreSQL when ATELIER_TEST_DATABASE_URL is set (CI).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let status = atelier()
        .arg("migrate")
        .current_dir(dir.path())
        .env("ATELIER_DATABASE_URL", db.url())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    serve_until_healthy_then_stop(
        atelier()
            .current_dir(dir.path())
            .env("ATELIER_DATABASE_URL", db.url()),
    );
    drop(db);
}

#[test]
fn a_wrong_setting_stops_startup_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = atelier()
        .arg("migrate")
        .current_dir(dir.path())
        .env("ATELIER_RETENTION__ACCOUNT_DELETION_GRACE_DAYS", "30")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("retention.account_deletion_grace_days"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("atelier.toml"),
        "[jobs]\nworkers = \"many\"\n",
    )
    .unwrap();
    let output = atelier()
        .arg("serve")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("jobs.workers"), "{stderr}");
}

#[test]
fn migrate_creates_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let status = atelier()
        .arg("migrate")
        .current_dir(dir.path())
        .env("ATELIER_DATA_DIR", "state")
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("state/atelier.db").is_file());
}

#[test]
fn sec2_admin_grant_gives_a_role_and_purge_reports_what_it_removed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        atelier()
            .args(args)
            .current_dir(dir.path())
            .env("ATELIER_DATABASE_URL", db.url())
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let out = run(&["admin", "grant", "ops@example.com", "admin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account uses that address"));

    rt.block_on(db.insert_user("u1", "ops@example.com"));
    let out = run(&["admin", "grant", "OPS@example.com", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("user, admin"));
    let user = rt.block_on(db.store.user("u1")).unwrap();
    assert_eq!(user.roles, "user,admin");
    let out = run(&["admin", "grant", "ops@example.com", "king"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`admin` or `support`"));

    // C4: credits through the ledger, never below zero.
    let out = run(&[
        "admin",
        "credits",
        "ops@example.com",
        "25",
        "--reason",
        "goodwill",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("balance now 25"));
    let out = run(&[
        "admin",
        "credits",
        "ops@example.com",
        "-30",
        "--reason",
        "too much",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot go below zero"));
    let out = run(&[
        "admin",
        "credits",
        "ops@example.com",
        "-5",
        "--reason",
        "correction",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("balance now 20"));
    assert_eq!(rt.block_on(db.store.credit_balance("u1")).unwrap(), 20);

    let out = run(&["purge"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "assistant logs older than 90 days: 0 removed",
        "IP events older than 180 days: 0 removed",
        "expired codes, sessions, tokens, rate-limit counters and undeliverable mail: 0 removed",
        "accounts whose deletion grace period (7 days) is over: 0 removed",
        "orphan blobs: 0 removed",
        "expired data exports: 0 removed",
        "Stripe webhook event ids older than 90 days: 0 removed",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }

    // C7: a takedown names what it cannot find, and needs a reason.
    let out = run(&[
        "admin",
        "takedown",
        "https://x.com/nobody/status/1",
        "--reason",
        "creator asked",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no gallery item has that id"));
    let out = run(&["admin", "takedown", "g1"]);
    assert!(!out.status.success(), "--reason is required");
    drop(db);
}

#[test]
fn sec4_doctor_fails_until_the_retention_jobs_ran_and_d3_admin_enters_deletions() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        atelier()
            .args(args)
            .current_dir(dir.path())
            .env("ATELIER_DATABASE_URL", db.url())
            .env("ATELIER_PUBLIC_URL", "http://127.0.0.1:9")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let out = run(&["doctor"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL SEC4 retention job `purge_assistant_logs`"),
        "{stdout}"
    );
    assert!(stdout.contains("never ran"), "{stdout}");
    assert!(
        stdout.contains("ok   C6 image cache headers at most 7 days (configured)"),
        "{stdout}"
    );

    // Issue 22: the placeholder operator and a no-reply contact at a loopback host fail.
    assert!(
        stdout.contains("FAIL P1 the policy names the operator and a contact that is read")
            && stdout.contains("`operator.name` is still the placeholder")
            && stdout.contains("is a no-reply address")
            && stdout.contains("is at a host nobody can write to"),
        "{stdout}"
    );

    assert!(run(&["purge"]).status.success());
    let out = atelier()
        .arg("doctor")
        .current_dir(dir.path())
        .env("ATELIER_DATABASE_URL", db.url())
        .env("ATELIER_PUBLIC_URL", "http://127.0.0.1:9")
        .env("ATELIER_OPERATOR__NAME", "Ada Lovelace Studio Ltd")
        .env(
            "ATELIER_OPERATOR__CONTACT_EMAIL",
            "privacy@ada-studio.example",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok   P1 the policy names the operator and a contact that is read — Ada Lovelace Studio Ltd · privacy@ada-studio.example"),
        "{stdout}"
    );
    assert!(stdout.contains(", 0 failed"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    // Downloads that may reach private addresses are for tests only: doctor flags them.
    let out = atelier()
        .arg("doctor")
        .current_dir(dir.path())
        .env("ATELIER_DATABASE_URL", db.url())
        .env("ATELIER_PUBLIC_URL", "http://127.0.0.1:9")
        .env("ATELIER_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL SEC2 downloads reach public addresses only"),
        "{stdout}"
    );

    // D3: a request that came by mail, entered by an admin.
    rt.block_on(db.insert_user("u2", "by-mail@example.com"));
    let out = run(&["admin", "delete", "By-Mail@example.com"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deletion of by-mail@example.com requested")
    );
    let out = run(&["admin", "deletions"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("u2") && stdout.contains("by admin"),
        "{stdout}"
    );
    let pending = rt.block_on(db.store.pending_deletions()).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].source, "admin");
    let out = run(&["admin", "delete", "nobody@example.com"]);
    assert!(!out.status.success());
    drop(db);
}
