//! Atelier's mail: the templates every message is rendered from (English and Simplified Chinese,
//! embedded in the binary) and the transports that deliver a rendered message — a folder of `.eml`
//! files, an SMTP relay, or Resend's HTTP API.
//!
//! The outbox (which messages are due, retries, back-off) lives in the application; this crate
//! only turns variables into text ([`Templates::render`]), text into an RFC 5322 message
//! ([`build_message`]) and a message into a delivery attempt ([`Transport::send`]), whose
//! [`SendError`] says whether trying again may help.
//!
//! Privacy (C10): nothing here logs an address, a subject or a body; errors that carry a
//! server's words have every `@`-word in them replaced by `[address]`.

mod file;
mod message;
mod resend;
mod smtp;
mod templates;

use std::sync::Arc;
use std::time::Duration;

use atelier_core::Settings;
use atelier_core::settings::MailTransport;

pub use file::FileTransport;
pub use message::{OutgoingMail, build_message, message_id};
pub use resend::ResendTransport;
pub use smtp::SmtpTransport;
pub use templates::{Lang, MailKind, Rendered, Templates};

/// How long a call to Resend's API may take.
pub const RESEND_TIMEOUT: Duration = Duration::from_secs(20);

/// A mail that cannot be rendered or built, or a transport that cannot be set up.
///
/// Messages never hold an address, a subject or a body: they may reach a log.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A template failed to render (a missing variable, a syntax error).
    #[error("template `{name}` failed: {source}")]
    Template {
        /// The template's name, such as `sign_in_code/en/body.html`.
        name: String,
        /// What went wrong.
        #[source]
        source: minijinja::Error,
    },
    /// The variables given to a template are not a JSON object.
    #[error("template variables must be a JSON object")]
    InvalidVars,
    /// A rendered subject holds characters a header cannot.
    #[error("rendered subject of `{0}` holds control characters")]
    InvalidSubject(&'static str),
    /// An address (`from` or `to`) is not a valid address.
    #[error("invalid `{0}` address")]
    InvalidAddress(&'static str),
    /// An extra header has a bad name, a value with CR or LF, or a name this crate sets itself.
    #[error("invalid header `{0}`")]
    InvalidHeader(String),
    /// The mail id is empty or not URL-safe text.
    #[error("invalid mail id")]
    InvalidId,
    /// The mail's date is before 1970.
    #[error("invalid mail date")]
    InvalidDate,
    /// lettre refused to build the message.
    #[error("message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    /// A transport's configuration is unusable.
    #[error("mail transport configuration: {0}")]
    Config(String),
}

/// Why a delivery attempt failed, and whether another may succeed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later; `after` is what the server asked for (Retry-After), if anything.
    #[error("temporary failure: {reason}")]
    Retry {
        /// What went wrong (no address, subject or body in it).
        reason: String,
        /// How long the server asked us to wait, if it did.
        after: Option<Duration>,
    },
    /// Will never succeed (bad address, rejected by the provider, bad credentials).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// A temporary failure with no wait asked for.
    pub fn retry(reason: impl Into<String>) -> Self {
        Self::Retry {
            reason: reason.into(),
            after: None,
        }
    }

    /// Whether another attempt may succeed.
    #[must_use]
    pub fn is_retry(&self) -> bool {
        matches!(self, Self::Retry { .. })
    }
}

impl From<MailError> for SendError {
    /// A message that cannot be built now never will be.
    fn from(e: MailError) -> Self {
        Self::Permanent(e.to_string())
    }
}

/// A way for mail to leave the instance.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// "file", "smtp" or "resend".
    fn name(&self) -> &'static str;

    /// Delivers one message. Sending the same `mail.id` again must not deliver a second copy
    /// where the transport can prevent it (file: overwrites; Resend: idempotency key).
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError>;
}

/// Builds the configured transport: `file` writes to `<data_dir>/outbox`, `smtp` and `resend` use
/// their settings.
///
/// # Errors
/// [`MailError::Config`] when the transport's settings are unusable (no Resend API key, a bad
/// SMTP host, a bad Resend URL).
pub fn transport_from_settings(settings: &Settings) -> Result<Arc<dyn Transport>, MailError> {
    Ok(match settings.mail.transport {
        MailTransport::File => Arc::new(FileTransport::new(settings.data_dir.join("outbox"))),
        MailTransport::Smtp => Arc::new(SmtpTransport::from(&settings.mail.smtp)?),
        MailTransport::Resend => {
            let resend = &settings.mail.resend;
            let key = resend.api_key.as_ref().ok_or_else(|| {
                MailError::Config("mail.resend.api_key is needed for the resend transport".into())
            })?;
            Arc::new(ResendTransport::new(
                &resend.base_url,
                key.expose(),
                RESEND_TIMEOUT,
            )?)
        }
    })
}

/// Replaces every whitespace-separated word holding an `@` by `[address]`, so that a server's
/// reply ("550 <bob@example.com>: no such user") can be kept and logged without personal data.
#[must_use]
pub fn redact_addresses(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            if word.contains('@') {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_addresses_only() {
        assert_eq!(
            redact_addresses("550 5.1.1 <bob@example.com>: Recipient\r\n rejected"),
            "550 5.1.1 [address] Recipient rejected"
        );
    }

    #[test]
    fn file_transport_is_the_default() {
        let mut settings = Settings::defaults().unwrap();
        settings.data_dir = "/tmp/atelier-test".into();
        let t = transport_from_settings(&settings).unwrap();
        assert_eq!(t.name(), "file");
    }

    #[test]
    fn resend_needs_a_key() {
        let mut settings = Settings::defaults().unwrap();
        settings.mail.transport = MailTransport::Resend;
        assert!(matches!(
            transport_from_settings(&settings),
            Err(MailError::Config(_))
        ));
        settings.mail.resend.api_key = Some("re_test".to_owned().into());
        assert_eq!(transport_from_settings(&settings).unwrap().name(), "resend");
    }

    #[test]
    fn smtp_builds_from_settings() {
        let mut settings = Settings::defaults().unwrap();
        settings.mail.transport = MailTransport::Smtp;
        settings.mail.smtp.host = "smtp.example.com".into();
        assert_eq!(transport_from_settings(&settings).unwrap().name(), "smtp");
    }
}
