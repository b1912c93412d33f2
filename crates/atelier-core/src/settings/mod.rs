//! The instance's settings as CONTRACT.md names them, with their defaults.
//!
//! Settings come in three layers, each overriding the one before: the defaults here
//! ([`RawSettings::default`] and each section's `Default`), then `atelier.toml`, then `ATELIER_*`
//! variables. The binary loads the file and the environment into a [`RawSettings`];
//! [`Settings::resolve`] turns that into [`Settings`], deriving the keys that default from others
//! (`public_url` from `bind`, `database_url` and `storage_url` from `data_dir`, the mail sender from
//! `public_url`) and validating every value.
//!
//! Each section lives in the file of its concept and validates its own keys: a wrong value stops
//! start-up with a [`SettingsError`] naming the key as written in `atelier.toml`, such as
//! `retention.account_deletion_grace_days`. `resolve` asks each section in turn; the few checks that
//! need two sections (a model's provider needs that provider's credentials, an upload must fit in a
//! request body) are named and marked as cross-section where they are made.
//!
//! - `location.rs`: `bind`, `public_url`, `data_dir`, `database_url` (top-level keys)
//! - `storage.rs`: `storage_url`, `[s3]`, `[cdn]`, `[fetch]`
//! - `server.rs`: `[http]`, `[jobs]`, `[log]`, `[proxy]`
//! - `mail.rs`: `[mail]`, `[mail.smtp]`, `[mail.resend]`
//! - `accounts.rs`: `[accounts]`, `[rate_limits]`, `[retention]`, `[operator]`
//! - `models.rs`: `[[models]]`, `[providers.*]`
//! - `generation.rs`: `[generation]`, `[uploads]`, `[credits]`
//! - `assistant.rs`: `[assistant]`
//! - `billing.rs`: `[billing.stripe]`, `[[billing.packs]]`

mod accounts;
mod assistant;
mod billing;
mod generation;
mod location;
mod mail;
mod models;
mod server;
mod storage;

pub use accounts::{
    AccountSettings, MAX_ACCOUNT_DELETION_GRACE_DAYS, OperatorSettings, RateLimitSettings,
    RetentionSettings,
};
pub use assistant::{AssistantProviderKind, AssistantSettings};
pub use billing::{BillingSettings, CreditPack, StripeSettings, currency_exponent, format_price};
pub use generation::{CreditSettings, GenerationSettings, UploadSettings};
pub use mail::{MailSettings, MailTransport, ResendSettings, SmtpSecurity, SmtpSettings};
pub use models::{
    ModelSettings, OpenAiSettings, ProviderKind, ProviderSettings, ReplicateSettings,
};
pub use server::{HttpSettings, JobSettings, LogFormat, LogSettings, ProxySettings};
pub use storage::{CdnSettings, FetchSettings, S3Settings};

use crate::Secret;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

/// A setting that cannot be used, with the key it came from.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting `{key}`: {message}")]
pub struct SettingsError {
    /// The key as written in `atelier.toml` (nested keys joined by `.`).
    pub key: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The error for `key`; every section builds its errors with this.
fn invalid(key: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        key,
        message: message.into(),
    }
}

/// Settings as read from defaults, `atelier.toml` and `ATELIER_*` variables, before derivation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSettings {
    /// Folder for the embedded database, blobs, outbox and search index.
    pub data_dir: PathBuf,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// The URL users reach the instance at; `http://<bind>` when unset.
    pub public_url: Option<String>,
    /// `sqlite://…` or `postgres://…`; `sqlite://<data_dir>/atelier.db` when unset.
    pub database_url: Option<Secret<String>>,
    /// `file://…`, `s3://bucket/prefix` or `memory://`; `file://<data_dir>/blobs` when unset.
    pub storage_url: Option<String>,
    /// S3-compatible storage options.
    pub s3: S3Settings,
    /// Mail delivery.
    pub mail: MailSettings,
    /// Retention periods of the privacy policy.
    pub retention: RetentionSettings,
    /// HTTP server limits.
    pub http: HttpSettings,
    /// Background job workers.
    pub jobs: JobSettings,
    /// Service log output.
    pub log: LogSettings,
    /// Accounts and sessions.
    pub accounts: AccountSettings,
    /// Request rate limits.
    pub rate_limits: RateLimitSettings,
    /// Reverse proxies allowed to name the client's address.
    pub proxy: ProxySettings,
    /// Credits.
    pub credits: CreditSettings,
    /// The instance's master key (base64 of 32 bytes) that wraps every user's data key (R1);
    /// `<data_dir>/master.key`, created on first start, when unset. Every node of a cluster needs
    /// the same one.
    pub master_key: Option<Secret<String>>,
    /// Reference uploads.
    pub uploads: UploadSettings,
    /// The image models users can choose (`[[models]]`); the offline `local` model is added with
    /// `--demo`.
    pub models: Vec<ModelSettings>,
    /// Credentials of the AI providers.
    pub providers: ProviderSettings,
    /// Generation limits.
    pub generation: GenerationSettings,
    /// The AI assistant.
    pub assistant: AssistantSettings,
    /// A CDN in front of the instance, purged when images are deleted (C6).
    pub cdn: CdnSettings,
    /// Who runs the instance (the privacy page names them).
    pub operator: OperatorSettings,
    /// Downloads from addresses users or files name: gallery images and URL imports.
    pub fetch: FetchSettings,
    /// Buying credit packs through Stripe; off until both Stripe secrets are set.
    pub billing: BillingSettings,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            bind: "127.0.0.1:8080".to_owned(),
            public_url: None,
            database_url: None,
            storage_url: None,
            s3: S3Settings::default(),
            mail: MailSettings::default(),
            retention: RetentionSettings::default(),
            http: HttpSettings::default(),
            jobs: JobSettings::default(),
            log: LogSettings::default(),
            accounts: AccountSettings::default(),
            rate_limits: RateLimitSettings::default(),
            proxy: ProxySettings::default(),
            credits: CreditSettings::default(),
            master_key: None,
            uploads: UploadSettings::default(),
            models: Vec::new(),
            providers: ProviderSettings::default(),
            generation: GenerationSettings::default(),
            assistant: AssistantSettings::default(),
            cdn: CdnSettings::default(),
            operator: OperatorSettings::default(),
            fetch: FetchSettings::default(),
            billing: BillingSettings::default(),
        }
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Validated settings with every derived key filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder for local state.
    pub data_dir: PathBuf,
    /// Listen address.
    pub bind: SocketAddr,
    /// Public base URL, without a trailing slash.
    pub public_url: Url,
    /// Database URL (may hold a password, hence secret).
    pub database_url: Secret<String>,
    /// Which database `database_url` names.
    pub database_kind: DatabaseKind,
    /// Storage URL.
    pub storage_url: Url,
    /// S3 options.
    pub s3: S3Settings,
    /// Mail settings.
    pub mail: MailSettings,
    /// Retention periods.
    pub retention: RetentionSettings,
    /// HTTP limits.
    pub http: HttpSettings,
    /// Job workers.
    pub jobs: JobSettings,
    /// Logs.
    pub log: LogSettings,
    /// Accounts and sessions.
    pub accounts: AccountSettings,
    /// Rate limits.
    pub rate_limits: RateLimitSettings,
    /// Trusted proxies, parsed.
    pub trusted_proxies: Vec<IpNet>,
    /// The header trusted proxies set, lower-case.
    pub client_ip_header: String,
    /// The mail sender.
    pub mail_from: String,
    /// Credits.
    pub credits: CreditSettings,
    /// The master key, when configured (else a key file under `data_dir`).
    pub master_key: Option<Secret<String>>,
    /// Uploads.
    pub uploads: UploadSettings,
    /// Configured models (see [`Settings::models`] for the effective list).
    pub models: Vec<ModelSettings>,
    /// Provider credentials.
    pub providers: ProviderSettings,
    /// Generation limits.
    pub generation: GenerationSettings,
    /// The AI assistant.
    pub assistant: AssistantSettings,
    /// CDN purging.
    pub cdn: CdnSettings,
    /// Who runs the instance.
    pub operator: OperatorSettings,
    /// Downloads from addresses files and posts name.
    pub fetch: FetchSettings,
    /// Billing through Stripe.
    pub billing: BillingSettings,
    /// Whether `serve --demo` is running (offline provider, demo gallery).
    pub demo: bool,
}

impl Settings {
    /// Defaults only, as with no file and no environment.
    ///
    /// # Errors
    /// Never in practice: the defaults are valid.
    pub fn defaults() -> Result<Self, SettingsError> {
        Self::resolve(RawSettings::default())
    }

    /// Derives the keys that default from others and validates every value, section by section.
    ///
    /// # Errors
    /// A [`SettingsError`] naming the first key whose value cannot be used.
    pub fn resolve(raw: RawSettings) -> Result<Self, SettingsError> {
        // The order only decides which key is named when several are wrong.
        let bind = location::bind(&raw.bind)?;
        let public_url = location::public_url(raw.public_url.as_deref(), bind)?;
        let database_url = location::database_url(raw.database_url.as_ref(), &raw.data_dir)?;
        let database_kind = location::database_kind(database_url.expose())?;
        let storage_url = storage::storage_url(raw.storage_url.as_deref(), &raw.data_dir)?;
        raw.s3.validate()?;
        raw.retention.validate()?;
        // Cross-section: the `openai` assistant uses `providers.openai`'s key.
        raw.assistant.require_credentials(&raw.providers)?;
        raw.jobs.validate()?;
        raw.http.validate()?;
        raw.fetch.validate()?;
        raw.accounts.validate()?;
        raw.rate_limits.validate()?;
        let trusted_proxies = raw.proxy.trusted_networks()?;
        let client_ip_header = raw.proxy.header_name()?;
        raw.mail.validate()?;
        // Cross-section: the sender defaults to an address at `public_url`'s host.
        let mail_from = raw.mail.sender(&public_url);
        // Cross-section: an upload must fit in a request body.
        raw.uploads.validate(raw.http.body_limit_bytes)?;
        // Cross-section inside: each model's provider needs that provider's credentials.
        models::validate_models(&raw.models, &raw.providers)?;
        raw.providers.validate()?;
        raw.cdn.validate()?;
        raw.generation.validate()?;
        raw.billing.validate()?;
        // `log`, `operator`, `credits` and `mail.smtp` take any value of their types: nothing to check.

        Ok(Self {
            data_dir: raw.data_dir,
            bind,
            public_url,
            database_url,
            database_kind,
            storage_url,
            s3: raw.s3,
            mail: raw.mail,
            retention: raw.retention,
            http: raw.http,
            jobs: raw.jobs,
            log: raw.log,
            accounts: raw.accounts,
            rate_limits: raw.rate_limits,
            trusted_proxies,
            client_ip_header,
            mail_from,
            credits: raw.credits,
            master_key: raw.master_key,
            uploads: raw.uploads,
            models: raw.models,
            providers: raw.providers,
            generation: raw.generation,
            assistant: raw.assistant,
            cdn: raw.cdn,
            operator: raw.operator,
            fetch: raw.fetch,
            billing: raw.billing,
            demo: false,
        })
    }

    /// The models users can choose: the configured ones, plus the offline `local` model on a demo
    /// instance (unless one with that id is configured). The default comes first.
    #[must_use]
    pub fn models(&self) -> Vec<ModelSettings> {
        let mut models = self.models.clone();
        if self.demo && !models.iter().any(|m| m.id == "local") {
            let mut local = ModelSettings::local_demo();
            local.default = !models.iter().any(|m| m.default);
            models.push(local);
        }
        if let Some(i) = models.iter().position(|m| m.default) {
            let default = models.remove(i);
            models.insert(0, default);
        }
        models
    }

    /// Credits a new account receives: the configured grant, else 100 on a demo instance, else 0.
    #[must_use]
    pub fn signup_grant(&self) -> u32 {
        self.credits
            .signup_grant
            .unwrap_or(if self.demo { 100 } else { 0 })
    }

    /// Whether the instance is reached over HTTPS (turns on HSTS and `__Host-` cookies).
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::models::tests::model;
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let s = Settings::defaults().unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(s.database_url.expose(), "sqlite://./data/atelier.db");
        assert_eq!(s.database_kind, DatabaseKind::Sqlite);
        assert_eq!(s.storage_url.scheme(), "file");
        assert!(s.storage_url.path().ends_with("/data/blobs/"));
        assert_eq!(s.mail.transport, MailTransport::File);
        assert_eq!(s.retention.assistant_log_days, 90);
        assert_eq!(s.retention.ip_event_days, 180);
        assert_eq!(s.retention.account_deletion_grace_days, 7);
        assert!(!s.is_https());
    }

    #[test]
    fn demo_adds_the_local_model_and_the_default_comes_first() {
        let mut s = Settings::defaults().unwrap();
        assert!(s.models().is_empty());
        assert_eq!(s.signup_grant(), 0);
        s.demo = true;
        assert_eq!(s.models()[0].id, "local");
        assert_eq!(s.signup_grant(), 100);
        let mut chosen = model("chosen", ProviderKind::Local);
        chosen.default = true;
        s.models = vec![model("other", ProviderKind::Local), chosen];
        let ids: Vec<String> = s.models().into_iter().map(|m| m.id).collect();
        assert_eq!(ids, ["chosen", "other", "local"]);
    }

    #[test]
    fn database_password_never_shows_in_debug() {
        let raw = RawSettings {
            database_url: Some(Secret::new("postgres://u:topsecret@db/atelier".into())),
            ..RawSettings::default()
        };
        let s = Settings::resolve(raw).unwrap();
        assert_eq!(s.database_kind, DatabaseKind::Postgres);
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}
