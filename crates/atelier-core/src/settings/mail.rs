//! How mail leaves the instance (`[mail]`): the transport, the sender, and the options of the SMTP
//! relay (`[mail.smtp]`) and of Resend's API (`[mail.resend]`).

use super::{SettingsError, invalid};
use crate::Secret;
use serde::Deserialize;
use url::Url;

/// How mail leaves the instance.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Each message written as an `.eml` file under `<data_dir>/outbox/`.
    #[default]
    File,
    /// An SMTP relay.
    Smtp,
    /// Resend's HTTP API.
    Resend,
}

/// Mail settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// The transport.
    pub transport: MailTransport,
    /// The sender, such as `Atelier <no-reply@art.example.com>`; `Atelier <no-reply@<public host>>`
    /// when unset.
    pub from: Option<String>,
    /// SMTP relay options (`transport = "smtp"`).
    pub smtp: SmtpSettings,
    /// Resend options (`transport = "resend"`).
    pub resend: ResendSettings,
}

impl MailSettings {
    /// A sender that is one address on one line, and the Resend options when Resend delivers.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if let Some(from) = &self.from
            && (from.contains(['\r', '\n']) || !from.contains('@'))
        {
            return Err(invalid(
                "mail.from",
                "must be an address such as `Atelier <no-reply@example.com>`",
            ));
        }
        if self.transport == MailTransport::Resend && self.resend.api_key.is_none() {
            return Err(invalid(
                "mail.resend.api_key",
                "is needed when mail.transport is `resend`",
            ));
        }
        self.resend.validate()
    }

    /// The sender: `mail.from`, else `Atelier <no-reply@<host of public_url>>`. It reads another
    /// key (`public_url`), hence a function of its own rather than part of [`Self::validate`].
    pub(super) fn sender(&self, public_url: &Url) -> String {
        self.from.clone().unwrap_or_else(|| {
            format!(
                "Atelier <no-reply@{}>",
                public_url.host_str().unwrap_or("localhost")
            )
        })
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), port 587 by default.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS), port 465 by default.
    Tls,
    /// No encryption, port 25 by default: only for a relay on the same host or private network.
    None,
}

/// SMTP relay options. None is checked at start-up: the relay itself judges them when mail is
/// sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    /// Relay host name.
    pub host: String,
    /// Port; 587, 465 or 25 by `security` when unset.
    pub port: Option<u16>,
    /// Connection security.
    pub security: SmtpSecurity,
    /// User name for AUTH, if the relay needs one.
    pub username: Option<String>,
    /// Password for AUTH.
    pub password: Option<Secret<String>>,
    /// Seconds a delivery may take.
    pub timeout_secs: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "localhost".to_owned(),
            port: None,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            timeout_secs: 20,
        }
    }
}

impl SmtpSettings {
    /// The port in use: the configured one or the default of the security mode.
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }
}

/// Resend's HTTP API options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResendSettings {
    /// The API key (`re_…`).
    pub api_key: Option<Secret<String>>,
    /// API base URL.
    pub base_url: String,
}

impl Default for ResendSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: "https://api.resend.com".to_owned(),
        }
    }
}

impl ResendSettings {
    /// The base URL is a URL, whichever transport is chosen. Whether the key is needed depends on
    /// `mail.transport`, so [`MailSettings::validate`] checks that.
    fn validate(&self) -> Result<(), SettingsError> {
        Url::parse(&self.base_url)
            .map_err(|e| invalid("mail.resend.base_url", format!("not a URL: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_defaults_to_the_public_host_and_must_be_one_address() {
        let mail = MailSettings::default();
        let url = Url::parse("https://art.example.com/gallery").unwrap();
        assert_eq!(mail.sender(&url), "Atelier <no-reply@art.example.com>");
        let injected = MailSettings {
            from: Some("a@example.com\r\nBcc: b@example.com".into()),
            ..MailSettings::default()
        };
        assert_eq!(injected.validate().unwrap_err().key, "mail.from");
    }

    #[test]
    fn resend_needs_its_key() {
        let mail = MailSettings {
            transport: MailTransport::Resend,
            ..MailSettings::default()
        };
        assert_eq!(mail.validate().unwrap_err().key, "mail.resend.api_key");
        assert_eq!(
            SmtpSettings::default().effective_port(),
            587,
            "STARTTLS is the default"
        );
    }
}
