//! The SMTP transport against a real SMTP server: Python's `aiosmtpd`, started per test with a
//! throwaway CA and server certificate made by `openssl`. The server listens three times — STARTTLS
//! (required, AUTH required), implicit TLS (AUTH required) and plain (no AUTH) — and saves each
//! message it accepts, with its envelope and whether TLS and AUTH were used.
//!
//! When `python3 -c "import aiosmtpd"` (or `openssl`) fails, these tests fail on CI (`CI` is
//! `true` or `1`) and are skipped with a notice elsewhere.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use atelier_core::settings::{SmtpSecurity, SmtpSettings};
use atelier_mail::{SendError, SmtpTransport, Transport};

use crate::mime::parse;
use crate::{in_ci, sample_mail};

const USER: &str = "atelier";
const PASSWORD: &str = "s3cret-pass";

const SERVER_PY: &str = r#"
import asyncio, json, logging, os, ssl, sys, warnings
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd's own deprecation notices and warnings are noise in the test output.
logging.getLogger("mail.log").setLevel(logging.ERROR)
warnings.simplefilter("ignore")

out_dir, cert, key, user, password = sys.argv[1:6]

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject@"):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        if address.startswith("later@"):
            return "451 4.3.0 <%s>: Try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(out_dir) if f.endswith(".msg")])
        path = os.path.join(out_dir, "%04d" % n)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None
                   or server.transport.get_extra_info("sslcontext") is not None,
            "authenticated": bool(session.authenticated),
        }
        with open(path + ".tmp", "wb") as f:
            f.write(json.dumps(meta).encode() + b"\n" + envelope.original_content)
        os.rename(path + ".tmp", path + ".msg")
        return "250 Message accepted"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == user.encode()
          and auth_data.password == password.encode())
    return AuthResult(success=ok, handled=False)

async def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    handler = Handler()
    starttls = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", tls_context=ctx, require_starttls=True,
                     authenticator=authenticator, auth_required=True, auth_require_tls=True),
        host="127.0.0.1", port=0)
    implicit = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", authenticator=authenticator,
                     auth_required=True, auth_require_tls=False),
        host="127.0.0.1", port=0, ssl=ctx)
    plain = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost"),
        host="127.0.0.1", port=0)
    ports = [s.sockets[0].getsockname()[1] for s in (starttls, implicit, plain)]
    print("READY %d %d %d" % tuple(ports), flush=True)
    # Stop when the test closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"#;

/// A running aiosmtpd; killed when dropped.
struct Server {
    child: Child,
    _dir: tempfile::TempDir,
    out: PathBuf,
    ca_pem: Vec<u8>,
    starttls_port: u16,
    tls_port: u16,
    plain_port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message the server accepted.
#[derive(Debug)]
struct Received {
    meta: serde_json::Value,
    raw: Vec<u8>,
}

impl Server {
    fn received(&self) -> Vec<Received> {
        let mut files: Vec<_> = std::fs::read_dir(&self.out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "msg"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(p).unwrap();
                let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
                Received {
                    meta: serde_json::from_slice(&bytes[..nl]).unwrap(),
                    raw: bytes[nl + 1..].to_vec(),
                }
            })
            .collect()
    }

    fn settings(&self, security: SmtpSecurity, credentials: Option<(&str, &str)>) -> SmtpSettings {
        SmtpSettings {
            host: "localhost".to_owned(),
            port: Some(match security {
                SmtpSecurity::Starttls => self.starttls_port,
                SmtpSecurity::Tls => self.tls_port,
                SmtpSecurity::None => self.plain_port,
            }),
            security,
            username: credentials.map(|(u, _)| u.to_owned()),
            password: credentials.map(|(_, p)| p.to_owned().into()),
            timeout_secs: 10,
        }
    }

    fn transport(
        &self,
        security: SmtpSecurity,
        credentials: Option<(&str, &str)>,
    ) -> SmtpTransport {
        SmtpTransport::with_root_certificate(&self.settings(security, credentials), &self.ca_pem)
            .unwrap()
    }
}

/// Skips (or, on CI, fails) when a tool the test needs is missing.
fn missing(what: &str) -> Option<Server> {
    assert!(
        !in_ci(),
        "{what} is needed for the SMTP tests on CI (python3 -m pip install aiosmtpd)"
    );
    eprintln!(
        "notice: skipping the SMTP test: {what} is not available (python3 -m pip install aiosmtpd)"
    );
    None
}

fn run(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A CA and a server certificate for `localhost` / 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) -> bool {
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args(["-keyout", &p("ca.key"), "-out", &p("ca.pem"), "-days", "2"])
        .args(["-subj", "/CN=Atelier Test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]))
        && run(Command::new("openssl")
            .arg("req")
            .args(ec)
            .args(["-keyout", &p("server.key"), "-out", &p("server.csr")])
            .args(["-subj", "/CN=localhost"]))
        && run(Command::new("openssl")
            .args(["x509", "-req", "-in", &p("server.csr")])
            .args([
                "-CA",
                &p("ca.pem"),
                "-CAkey",
                &p("ca.key"),
                "-CAcreateserial",
            ])
            .args(["-out", &p("server.pem"), "-days", "2"])
            .args(["-extfile", &p("server.ext")]))
}

fn start() -> Option<Server> {
    if !run(Command::new("python3").args(["-c", "import aiosmtpd"])) {
        return missing("python3 with aiosmtpd");
    }
    let dir = tempfile::tempdir().unwrap();
    if !make_certificates(dir.path()) {
        return missing("openssl");
    }
    let out = dir.path().join("received");
    std::fs::create_dir(&out).unwrap();
    let script = dir.path().join("server.py");
    std::fs::write(&script, SERVER_PY).unwrap();
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(&out)
        .arg(dir.path().join("server.pem"))
        .arg(dir.path().join("server.key"))
        .args([USER, PASSWORD])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
        let _ = child.kill();
        panic!("aiosmtpd did not start within 30 s");
    };
    let ports: Vec<u16> = line
        .strip_prefix("READY ")
        .unwrap_or_else(|| panic!("aiosmtpd said {line:?}"))
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    let ca_pem = std::fs::read(dir.path().join("ca.pem")).unwrap();
    Some(Server {
        child,
        out,
        ca_pem,
        starttls_port: ports[0],
        tls_port: ports[1],
        plain_port: ports[2],
        _dir: dir,
    })
}

/// Checks that the server holds exactly `mail`, received as described.
fn assert_delivered(server: &Server, id: &str, to: &str, tls: bool, authenticated: bool) {
    let received = server.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let r = &received[0];
    assert_eq!(r.meta["mail_from"], "no-reply@example.com");
    assert_eq!(r.meta["rcpt_tos"], serde_json::json!([to]));
    assert_eq!(r.meta["tls"], tls);
    assert_eq!(r.meta["authenticated"], authenticated);
    let m = parse(&r.raw);
    assert_eq!(
        m.header("Message-ID").unwrap(),
        format!("<{id}@example.com>")
    );
    assert_eq!(m.header("To").unwrap(), to);
    assert_eq!(m.count("Bcc"), 0);
    assert_eq!(m.parts.len(), 2);
    assert!(m.parts[0].text().contains("123456"));
    assert!(m.parts[1].text().contains("123456"));
}

#[tokio::test]
async fn starttls_with_auth_delivers_intact() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::Starttls, Some((USER, PASSWORD)));
    assert_eq!(t.name(), "smtp");
    t.test_connection().await.unwrap();
    let mail = sample_mail("stls_1-a", "zh-CN", "someone@example.org");
    t.send(&mail).await.unwrap();
    assert_delivered(&server, "stls_1-a", "someone@example.org", true, true);
    let m = parse(&server.received()[0].raw);
    assert_eq!(m.header("Subject").unwrap(), mail.subject);
}

#[tokio::test]
async fn implicit_tls_with_auth_delivers_intact() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::Tls, Some((USER, PASSWORD)));
    t.send(&sample_mail("tls_1", "en", "someone@example.org"))
        .await
        .unwrap();
    assert_delivered(&server, "tls_1", "someone@example.org", true, true);
}

#[tokio::test]
async fn plain_without_auth_delivers_intact() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::None, None);
    t.send(&sample_mail("plain_1", "en", "someone@example.org"))
        .await
        .unwrap();
    assert_delivered(&server, "plain_1", "someone@example.org", false, false);
}

#[tokio::test]
async fn a_wrong_password_is_permanent() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::Starttls, Some((USER, "wrong")));
    let err = t
        .send(&sample_mail("pw_1", "en", "someone@example.org"))
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(m) => assert!(m.contains("535"), "{m}"),
        SendError::Retry { reason, .. } => panic!("retry: {reason}"),
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn missing_auth_is_permanent() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::Starttls, None);
    let err = t
        .send(&sample_mail("noauth_1", "en", "someone@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(ref m) if m.contains("530")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let Some(server) = start() else { return };
    // The system's roots only: the test CA is unknown.
    let t = SmtpTransport::from(&server.settings(SmtpSecurity::Starttls, Some((USER, PASSWORD))))
        .unwrap();
    let err = t
        .send(&sample_mail("cert_1", "en", "someone@example.org"))
        .await
        .unwrap_err();
    assert!(err.is_retry(), "{err:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn recipient_replies_are_classified_without_addresses() {
    let Some(server) = start() else { return };
    let t = server.transport(SmtpSecurity::Starttls, Some((USER, PASSWORD)));
    let err = t
        .send(&sample_mail("rc_1", "en", "reject@example.org"))
        .await
        .unwrap_err();
    match &err {
        SendError::Permanent(m) => {
            assert!(m.contains("550"), "{m}");
            assert!(!m.contains("reject@"), "{m}");
        }
        SendError::Retry { reason, .. } => panic!("retry: {reason}"),
    }
    let err = t
        .send(&sample_mail("rc_2", "en", "later@example.org"))
        .await
        .unwrap_err();
    match &err {
        SendError::Retry { reason, after } => {
            assert!(reason.contains("451"), "{reason}");
            assert!(!reason.contains("later@"), "{reason}");
            assert_eq!(*after, None);
        }
        SendError::Permanent(m) => panic!("permanent: {m}"),
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_server_that_is_not_listening_is_retried() {
    // No aiosmtpd needed: nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port: Some(port),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        timeout_secs: 5,
    };
    let t = SmtpTransport::from(&settings).unwrap();
    let err = t
        .send(&sample_mail("down_1", "en", "someone@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Retry { after: None, .. }),
        "{err:?}"
    );
}
