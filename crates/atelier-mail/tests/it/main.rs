//! Integration tests of atelier-mail: one binary, one module per transport or concern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod file;
mod injection;
mod mime;
mod resend;
mod smtp;

use atelier_mail::{MailKind, OutgoingMail, Templates};
use serde_json::json;

/// A sign-in mail with code `123456`, rendered from the real templates.
pub fn sample_mail(id: &str, lang: &str, to: &str) -> OutgoingMail {
    let vars = json!({
        "site_name": "Atelier",
        "site_url": "https://art.example.com",
        "code": "123456",
        "link": "https://art.example.com/sign-in/verify?token=tok",
        "minutes": 15,
    });
    let r = Templates::new()
        .render(MailKind::SignInCode, lang, &vars)
        .unwrap();
    OutgoingMail {
        id: id.to_owned(),
        from: "Atelier <no-reply@example.com>".to_owned(),
        to: to.to_owned(),
        subject: r.subject,
        text: r.text,
        html: r.html,
        date_ms: 1_769_934_600_000, // 2026-02-01T08:30:00Z
        headers: vec![],
    }
}

/// Whether the environment is CI, where a missing test tool is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}
