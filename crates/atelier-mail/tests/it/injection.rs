//! CR or LF in an address or a header can never add a header (or a recipient) to a message.

use atelier_mail::{FileTransport, MailError, SendError, Transport, build_message};

use crate::sample_mail;

const EVIL: &str = "\r\nBcc: evil@x";

#[test]
fn a_recipient_with_a_line_break_is_refused() {
    let mut mail = sample_mail("inj1", "en", "someone@example.org");
    mail.to = format!("someone@example.org{EVIL}");
    assert!(matches!(
        build_message(&mail),
        Err(MailError::InvalidAddress("to"))
    ));
}

#[test]
fn an_extra_header_with_a_line_break_is_refused() {
    let mut mail = sample_mail("inj2", "en", "someone@example.org");
    mail.headers = vec![("List-Unsubscribe".to_owned(), format!("<https://x>{EVIL}"))];
    assert!(matches!(
        build_message(&mail),
        Err(MailError::InvalidHeader(_))
    ));
    mail.headers = vec![(format!("X-Evil{EVIL}"), "v".to_owned())];
    assert!(matches!(
        build_message(&mail),
        Err(MailError::InvalidHeader(_))
    ));
}

#[test]
fn a_subject_with_a_line_break_is_refused() {
    let mut mail = sample_mail("inj3", "en", "someone@example.org");
    mail.subject.push_str(EVIL);
    assert!(build_message(&mail).is_err());
}

#[tokio::test]
async fn nothing_is_written_for_a_refused_mail() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("outbox");
    let transport = FileTransport::new(dir.clone());
    let mut mail = sample_mail("inj4", "en", "someone@example.org");
    mail.to = format!("someone@example.org{EVIL}");
    let err = transport.send(&mail).await.unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err:?}");
    assert!(!err.to_string().contains("someone"), "no address in {err}");
    let written = std::fs::read_dir(&dir).map(Iterator::count).unwrap_or(0);
    assert_eq!(written, 0);
}
