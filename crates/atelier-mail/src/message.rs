//! One message ready to send, and its RFC 5322 form.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::MailError;

/// One message ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    /// The outbox row id (URL-safe random text): the Message-ID's local part
    /// (`<{id}@{domain}>`, domain = host of `from`'s address) and Resend's Idempotency-Key.
    pub id: String,
    /// The sender, such as `Atelier <no-reply@example.com>`.
    pub from: String,
    /// The recipient: a bare, already-validated address.
    pub to: String,
    /// The subject, one line.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
    /// Unix milliseconds; becomes the Date header.
    pub date_ms: i64,
    /// Extra headers, such as `List-Unsubscribe`. Names and values must not hold CR or LF.
    pub headers: Vec<(String, String)>,
}

/// Headers this crate sets itself: an extra header may not set them again.
const RESERVED_HEADERS: &[&str] = &[
    "bcc",
    "cc",
    "content-transfer-encoding",
    "content-type",
    "date",
    "from",
    "message-id",
    "mime-version",
    "return-path",
    "sender",
    "subject",
    "to",
];

/// A mail whose fields have passed every check: what both the RFC 5322 builder and Resend's
/// JSON are made from.
#[derive(Debug)]
pub(crate) struct Checked {
    pub from: Mailbox,
    pub to: Mailbox,
    pub message_id: String,
    pub date: SystemTime,
    pub headers: Vec<(HeaderName, String)>,
}

/// The Message-ID of a mail: `<{id}@{domain of from}>`.
///
/// # Errors
/// [`MailError::InvalidId`] or [`MailError::InvalidAddress`] as [`build_message`] would.
pub fn message_id(mail: &OutgoingMail) -> Result<String, MailError> {
    Ok(check(mail)?.message_id)
}

pub(crate) fn check(mail: &OutgoingMail) -> Result<Checked, MailError> {
    if mail.id.is_empty()
        || mail.id.len() > 128
        || !mail
            .id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(MailError::InvalidId);
    }
    if mail.from.contains(['\r', '\n']) {
        return Err(MailError::InvalidAddress("from"));
    }
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|_| MailError::InvalidAddress("from"))?;
    if mail.to.contains(['\r', '\n', '<', '>', ',', ' ']) {
        return Err(MailError::InvalidAddress("to"));
    }
    let to = Mailbox::new(
        None,
        mail.to
            .parse()
            .map_err(|_| MailError::InvalidAddress("to"))?,
    );
    let message_id = format!("<{}@{}>", mail.id, from.email.domain());
    let millis = u64::try_from(mail.date_ms).map_err(|_| MailError::InvalidDate)?;
    let date = UNIX_EPOCH
        .checked_add(Duration::from_millis(millis))
        .ok_or(MailError::InvalidDate)?;
    let mut headers = Vec::with_capacity(mail.headers.len());
    for (name, value) in &mail.headers {
        let valid_name = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
            && !RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str());
        if !valid_name || value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
            return Err(MailError::InvalidHeader(sanitize_name(name)));
        }
        let header = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| MailError::InvalidHeader(sanitize_name(name)))?;
        headers.push((header, value.clone()));
    }
    Ok(Checked {
        from,
        to,
        message_id,
        date,
        headers,
    })
}

/// A header name fit for an error message: printable ASCII only, at most 40 characters.
fn sanitize_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(40)
        .collect()
}

/// Builds the RFC 5322 message: multipart/alternative (text, then HTML, both UTF-8),
/// Message-ID, Date, From, To, Subject and the extra headers.
///
/// # Errors
/// [`MailError::InvalidId`], [`MailError::InvalidAddress`], [`MailError::InvalidHeader`] (a name
/// or value with CR or LF, or a header this function sets itself), [`MailError::InvalidDate`],
/// [`MailError::InvalidSubject`] (a subject with CR or LF) or [`MailError::Build`].
pub fn build_message(mail: &OutgoingMail) -> Result<Message, MailError> {
    let checked = check(mail)?;
    if mail.subject.chars().any(char::is_control) {
        return Err(MailError::InvalidSubject("mail"));
    }
    let mut builder = Message::builder()
        .message_id(Some(checked.message_id))
        .date(checked.date)
        .from(checked.from)
        .to(checked.to)
        .subject(mail.subject.clone());
    for (name, value) in checked.headers {
        builder = builder.raw_header(HeaderValue::new(name, value));
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        mail.text.clone(),
        mail.html.clone(),
    ))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            id: "abc_DEF-123".into(),
            from: "Atelier <no-reply@example.com>".into(),
            to: "user@example.org".into(),
            subject: "123456 is your Atelier sign-in code".into(),
            text: "Code: 123456\n".into(),
            html: "<p>Code: <b>123456</b></p>\n".into(),
            date_ms: 1_769_934_600_000,
            headers: vec![("List-Unsubscribe".into(), "<https://example.com/u>".into())],
        }
    }

    #[test]
    fn builds_a_multipart_message() {
        let m = build_message(&mail()).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <abc_DEF-123@example.com>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("Date: Sun, 01 Feb 2026 08:30:00 +0000\r\n"),
            "{raw}"
        );
        assert!(raw.contains("From: Atelier <no-reply@example.com>\r\n"));
        assert!(raw.contains("To: user@example.org\r\n"));
        assert!(raw.contains("List-Unsubscribe: <https://example.com/u>\r\n"));
        assert!(raw.contains("Content-Type: multipart/alternative"));
        assert!(raw.contains("MIME-Version: 1.0"));
        assert_eq!(message_id(&mail()).unwrap(), "<abc_DEF-123@example.com>");
    }

    #[test]
    fn refuses_bad_ids_dates_and_addresses() {
        for id in ["", "a b", "a@b", "a\r\nb", "../x"] {
            let mut m = mail();
            m.id = id.into();
            assert!(
                matches!(build_message(&m), Err(MailError::InvalidId)),
                "{id}"
            );
        }
        let mut m = mail();
        m.date_ms = -1;
        assert!(matches!(build_message(&m), Err(MailError::InvalidDate)));
        for to in [
            "not an address",
            "a@b.c\r\nBcc: evil@x",
            "A <a@b.c>",
            "a@b.c, d@e.f",
            "",
        ] {
            let mut m = mail();
            m.to = to.into();
            assert!(
                matches!(build_message(&m), Err(MailError::InvalidAddress("to"))),
                "{to}"
            );
        }
        let mut m = mail();
        m.from = "Atelier <no-reply@example.com>\r\nBcc: evil@x".into();
        assert!(matches!(
            build_message(&m),
            Err(MailError::InvalidAddress("from"))
        ));
    }

    #[test]
    fn refuses_header_injection() {
        for (name, value) in [
            ("X-Test", "ok\r\nBcc: evil@x"),
            ("X-Test", "ok\nBcc: evil@x"),
            ("X-Test\r\nBcc", "evil@x"),
            ("X Test", "v"),
            ("X:Test", "v"),
            ("", "v"),
            ("bcc", "evil@x"),
            ("Message-ID", "<other@x>"),
        ] {
            let mut m = mail();
            m.headers = vec![(name.into(), value.into())];
            assert!(
                matches!(build_message(&m), Err(MailError::InvalidHeader(_))),
                "{name:?}: {value:?}"
            );
        }
        let mut m = mail();
        m.subject = "Hi\r\nBcc: evil@x".into();
        assert!(matches!(
            build_message(&m),
            Err(MailError::InvalidSubject(_))
        ));
    }

    #[test]
    fn errors_hold_no_address() {
        let mut m = mail();
        m.to = "secret-person@example.org\n".into();
        let e = build_message(&m).unwrap_err().to_string();
        assert!(!e.contains("secret-person"), "{e}");
    }
}
