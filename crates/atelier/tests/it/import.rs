//! `atelier import FILE_OR_URL` with a URL (G1, C7): the file is downloaded with the guards every
//! download has and imported as a file would be; a URL that cannot be used gets a one-line error
//! naming it and the reason, a non-zero exit, and imports nothing. A small HTTP server of the
//! test's own on loopback plays the far side.

use crate::cli::atelier;
use atelier_db::testing::TestDb;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// The project's sample posts (40), as the testkit has them.
const SAMPLE: &str = include_str!("../../../atelier-testkit/data/sample-posts.json");

/// Serves a few fixed answers on 127.0.0.1 until the test process ends; returns the base URL.
fn far_side() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    base
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    let lines: String = {
        let all: Vec<serde_json::Value> = serde_json::from_str(SAMPLE).unwrap();
        all.iter().take(6).map(|v| format!("{v}\n")).collect()
    };
    let (status, kind, body): (&str, &str, String) = match path.as_str() {
        "/posts.json" => ("200 OK", "text/plain; charset=utf-8", SAMPLE.to_owned()),
        "/posts.jsonl" => ("200 OK", "application/x-ndjson", lines),
        "/broken.json" => (
            "200 OK",
            "application/json",
            SAMPLE[..SAMPLE.len() / 3].to_owned(),
        ),
        "/page.html" => (
            "200 OK",
            "text/html",
            "<!doctype html><html><body>Posts</body></html>".to_owned(),
        ),
        "/slow.json" => {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[";
            let _ = stream.write_all(head.as_bytes());
            std::thread::sleep(Duration::from_secs(8));
            return;
        }
        _ => ("404 Not Found", "text/plain", "no such file".to_owned()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// Runs `atelier import` in `dir` against the test database, with loopback allowed unless the
/// test says otherwise.
fn import(dir: &Path, db: &TestDb, source: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = atelier();
    cmd.args(["import", source, "--render-missing"])
        .current_dir(dir)
        .env("ATELIER_DATABASE_URL", db.url())
        .env("ATELIER_FETCH__ALLOW_PRIVATE_ADDRESSES", "true");
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A URL, the settings it is tried with, and what the error line must say.
type Refusal<'a> = (String, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn g1_import_from_a_url_then_refusals_that_name_the_url_and_import_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    let base = far_side();

    // Every refusal: one line naming the URL and the reason, exit 1, nothing imported.
    let refusals: [Refusal; 8] = [
        (format!("{base}/broken.json"), &[], "does not parse"),
        (format!("{base}/page.html"), &[], "web page"),
        (format!("{base}/missing.json"), &[], "answered 404"),
        (
            format!("{base}/posts.json"),
            &[("ATELIER_FETCH__IMPORT_MAX_BYTES", "1000")],
            "larger than 1000 bytes",
        ),
        (
            format!("{base}/slow.json"),
            &[("ATELIER_FETCH__IMPORT_TIMEOUT_SECS", "1")],
            "timed out",
        ),
        (
            format!("{base}/posts.json"),
            &[("ATELIER_FETCH__ALLOW_PRIVATE_ADDRESSES", "false")],
            "not a public address",
        ),
        (
            "ftp://127.0.0.1/posts.json".to_owned(),
            &[],
            "only http and https",
        ),
        (
            "http://localhost:1/posts.json".to_owned(),
            &[("ATELIER_FETCH__ALLOW_PRIVATE_ADDRESSES", "false")],
            "not a public address",
        ),
    ];
    for (url, env, reason) in &refusals {
        let out = import(dir.path(), &db, url, env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{url}: {err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{url}: no error line in {err}"));
        assert!(
            line.contains(url.as_str()) && line.contains(reason),
            "{url}: {line}"
        );
        assert!(!stdout(&out).contains("imported"), "{url}");
    }

    // The whole sample from a URL: all 40 are new, so none of the refusals above wrote any.
    let out = import(dir.path(), &db, &format!("{base}/posts.json"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("imported 40 records") && text.contains("40 new, 0 updated"),
        "{text}"
    );
    // JSON lines from a URL, again: updated, never duplicated.
    let out = import(dir.path(), &db, &format!("{base}/posts.jsonl"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 new, 6 updated"),
        "{}",
        stdout(&out)
    );
    drop(db);
}

#[test]
fn g1_import_from_a_file_still_works_and_a_missing_file_is_named() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("posts.json"), SAMPLE).unwrap();
    let out = import(dir.path(), &db, "posts.json", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("40 new"), "{}", stdout(&out));
    let out = import(dir.path(), &db, "nowhere.json", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nowhere.json"), "{}", stderr(&out));
    drop(db);
}
