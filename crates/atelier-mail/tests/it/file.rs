//! The file transport writes whole, parseable messages, once per id.

use atelier_mail::{FileTransport, Transport};

use crate::mime::parse;
use crate::sample_mail;

fn eml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn writes_a_message_that_parses_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("outbox");
    let transport = FileTransport::new(dir.clone());
    assert_eq!(transport.name(), "file");

    let mut mail = sample_mail("Zm9vYmFy_x-1", "en", "someone@example.org");
    mail.headers = vec![(
        "List-Unsubscribe".to_owned(),
        "<https://art.example.com/unsubscribe/t>".to_owned(),
    )];
    transport.send(&mail).await.unwrap();

    let files = eml_files(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        files[0].file_name().unwrap().to_str().unwrap(),
        "20260201T083000-Zm9vYmFy_x-1.eml"
    );
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(raw.windows(2).any(|w| w == b"\r\n"), "CRLF line endings");
    let m = parse(&raw);
    assert_eq!(
        m.header("Message-ID").unwrap(),
        "<Zm9vYmFy_x-1@example.com>"
    );
    assert_eq!(m.header("Date").unwrap(), "Sun, 01 Feb 2026 08:30:00 +0000");
    assert_eq!(m.header("From").unwrap(), "Atelier <no-reply@example.com>");
    assert_eq!(m.header("To").unwrap(), "someone@example.org");
    assert_eq!(
        m.header("Subject").unwrap(),
        "123456 is your Atelier sign-in code"
    );
    assert_eq!(
        m.header("List-Unsubscribe").unwrap(),
        "<https://art.example.com/unsubscribe/t>"
    );
    assert_eq!(m.count("Bcc"), 0);
    assert!(
        m.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert_eq!(m.parts.len(), 2);
    let text = &m.parts[0];
    let html = &m.parts[1];
    assert!(
        text.header("Content-Type")
            .unwrap()
            .starts_with("text/plain; charset=utf-8")
    );
    assert!(
        html.header("Content-Type")
            .unwrap()
            .starts_with("text/html; charset=utf-8")
    );
    assert!(text.text().contains("123456"));
    assert!(html.text().contains("123456"));
    assert!(
        html.text()
            .contains("https://art.example.com/sign-in/verify?token=tok")
    );

    // No temporary file is left behind.
    assert!(eml_files(&dir).iter().all(|p| {
        let name = p.file_name().unwrap().to_str().unwrap();
        !name.starts_with('.') && name.ends_with(".eml")
    }));
}

#[tokio::test]
async fn chinese_mail_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(tmp.path().to_path_buf());
    let mail = sample_mail("zh1", "zh-CN", "someone@example.org");
    transport.send(&mail).await.unwrap();
    let files = eml_files(tmp.path());
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(raw.is_ascii(), "headers and bodies are transfer-encoded");
    let m = parse(&raw);
    assert_eq!(
        m.header("Subject").unwrap(),
        "123456 是你的 Atelier 登录验证码"
    );
    assert!(m.parts[0].text().contains("你的 Atelier 登录验证码"));
    assert!(m.parts[0].text().contains("123456"));
    assert!(m.parts[1].text().contains("<html lang=\"zh-CN\">"));
    assert!(m.parts[1].text().contains("123456"));
}

#[tokio::test]
async fn the_same_id_twice_leaves_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(tmp.path().to_path_buf());
    let mut mail = sample_mail("same-id", "en", "someone@example.org");
    transport.send(&mail).await.unwrap();
    transport.send(&mail).await.unwrap();
    assert_eq!(eml_files(tmp.path()).len(), 1);

    // A retry stamped with a later date replaces the earlier file too.
    mail.date_ms += 60_000;
    transport.send(&mail).await.unwrap();
    let files = eml_files(tmp.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("20260201T083100-same-id.eml"));

    // Another id (even one ending in the same text) is another file.
    let other = sample_mail("x-same-id", "en", "someone@example.org");
    transport.send(&other).await.unwrap();
    assert_eq!(eml_files(tmp.path()).len(), 2);
    mail.date_ms += 60_000;
    transport.send(&mail).await.unwrap();
    assert_eq!(eml_files(tmp.path()).len(), 2);
}
