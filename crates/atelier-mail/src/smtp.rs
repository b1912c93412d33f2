//! The SMTP transport: lettre's pooled async client over STARTTLS, implicit TLS or (for a relay on
//! the same host or private network) a plain connection.

use std::time::Duration;

use atelier_core::settings::{SmtpSecurity, SmtpSettings};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::message::build_message;
use crate::{MailError, OutgoingMail, SendError, Transport, redact_addresses};

/// Delivers through an SMTP relay.
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    /// For `Debug`: where mail goes, never the credentials.
    target: String,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl SmtpTransport {
    /// A transport for the relay in `settings`: STARTTLS (required) for `starttls`, TLS from the
    /// first byte for `tls`, a plain connection for `none`; the port from
    /// [`SmtpSettings::effective_port`]; AUTH when a user name is set; server certificates
    /// checked against the system's roots.
    ///
    /// # Errors
    /// [`MailError::Config`] when a user name has no password or TLS cannot be set up.
    pub fn from(settings: &SmtpSettings) -> Result<Self, MailError> {
        Self::build(settings, None)
    }

    /// Like [`SmtpTransport::from`], also trusting the CA certificate(s) in `root_pem` (PEM): for
    /// a relay with a private CA, and for tests against a server with a self-signed certificate.
    ///
    /// # Errors
    /// As [`SmtpTransport::from`], and when `root_pem` is not a PEM certificate.
    pub fn with_root_certificate(
        settings: &SmtpSettings,
        root_pem: &[u8],
    ) -> Result<Self, MailError> {
        Self::build(settings, Some(root_pem))
    }

    fn build(settings: &SmtpSettings, root_pem: Option<&[u8]>) -> Result<Self, MailError> {
        let host = settings.host.trim();
        if host.is_empty() {
            return Err(MailError::Config("mail.smtp.host is empty".into()));
        }
        let port = settings.effective_port();
        let tls_parameters = || -> Result<TlsParameters, MailError> {
            let mut builder = TlsParameters::builder(host.to_owned());
            if let Some(pem) = root_pem {
                if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                    return Err(MailError::Config(
                        "SMTP root certificate: no PEM certificate found".into(),
                    ));
                }
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| MailError::Config(format!("SMTP root certificate: {e}")))?;
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build()
                .map_err(|e| MailError::Config(format!("SMTP TLS: {e}")))
        };
        let tls = match settings.security {
            SmtpSecurity::Starttls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(settings.timeout_secs.max(1))));
        if let Some(user) = settings.username.as_deref().filter(|u| !u.is_empty()) {
            let password = settings.password.as_ref().ok_or_else(|| {
                MailError::Config("mail.smtp.password is needed with mail.smtp.username".into())
            })?;
            builder =
                builder.credentials(Credentials::new(user.to_owned(), password.expose().clone()));
        }
        let security = match settings.security {
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        };
        Ok(Self {
            inner: builder.build(),
            target: format!("{host}:{port} ({security})"),
        })
    }

    /// Connects (and authenticates) without sending anything, as `atelier doctor` does.
    ///
    /// # Errors
    /// The failure, classified as for [`Transport::send`].
    pub async fn test_connection(&self) -> Result<(), SendError> {
        match self.inner.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError::retry("smtp: the server did not answer NOOP")),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// 5xx replies are permanent; everything else (4xx replies, connection, TLS, timeouts, i/o) may
/// pass with time or a fixed configuration, so it is worth another try.
fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let reason = format!("smtp: {}", redact_addresses(&e.to_string()));
    if e.is_permanent() {
        SendError::Permanent(reason)
    } else {
        SendError::retry(reason)
    }
}

#[async_trait::async_trait]
impl Transport for SmtpTransport {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let message = build_message(mail)?;
        match self.inner.send(message).await {
            Ok(_) => {
                tracing::debug!(mail_id = %mail.id, transport = "smtp", "mail sent");
                Ok(())
            }
            Err(e) => {
                let err = classify(&e);
                tracing::debug!(mail_id = %mail.id, transport = "smtp", retry = err.is_retry(), "mail not sent");
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_password_with_a_user_name() {
        let settings = SmtpSettings {
            username: Some("me".into()),
            ..SmtpSettings::default()
        };
        assert!(matches!(
            SmtpTransport::from(&settings),
            Err(MailError::Config(_))
        ));
    }

    #[test]
    fn debug_shows_no_credentials() {
        let settings = SmtpSettings {
            host: "smtp.example.com".into(),
            username: Some("me".into()),
            password: Some("hunter2".to_owned().into()),
            ..SmtpSettings::default()
        };
        let t = SmtpTransport::from(&settings).unwrap();
        let debug = format!("{t:?}");
        assert!(debug.contains("smtp.example.com:587 (starttls)"), "{debug}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("me\""),
            "{debug}"
        );
    }

    #[test]
    fn refuses_a_bad_root_certificate() {
        assert!(matches!(
            SmtpTransport::with_root_certificate(&SmtpSettings::default(), b"nope"),
            Err(MailError::Config(_))
        ));
    }
}
