//! The instance's settings as CONTRACT.md names them, with their defaults.
//!
//! Loading (file, environment) happens in the binary; this module holds the shape, the defaults that
//! need no file, the keys derived from other keys (`public_url` from `bind`, `database_url` and
//! `storage_url` from `data_dir`) and the validation that names the offending key.

use crate::Secret;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

/// The longest grace period allowed before a requested account deletion runs: the policy promises
/// deletion within 30 days (D3), so the grace period must end before that.
pub const MAX_ACCOUNT_DELETION_GRACE_DAYS: u32 = 29;

/// A setting that cannot be used, with the key it came from.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting `{key}`: {message}")]
pub struct SettingsError {
    /// The key as written in `atelier.toml` (nested keys joined by `.`).
    pub key: &'static str,
    /// What is wrong with it.
    pub message: String,
}

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
        }
    }
}

/// Downloads from addresses that a file, a post or a command names (gallery images, `atelier
/// import URL`): only public addresses, within limits of size and time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Lets downloads reach loopback and private addresses: for tests against local servers
    /// only (`atelier doctor` flags it). Base URLs the operator configures for a service are
    /// used as configured either way.
    pub allow_private_addresses: bool,
    /// The largest file `atelier import URL` downloads.
    pub import_max_bytes: u64,
    /// How long `atelier import URL` may take to download its file.
    pub import_timeout_secs: u64,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            import_max_bytes: 512 * 1024 * 1024,
            import_timeout_secs: 600,
        }
    }
}

/// A CDN in front of the instance: when set, every deleted image's URLs are purged from it (C6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdnSettings {
    /// Cloudflare zone id.
    pub cloudflare_zone_id: Option<String>,
    /// Cloudflare API token with the Cache Purge permission.
    pub cloudflare_api_token: Option<Secret<String>>,
    /// Cloudflare's API base URL.
    pub cloudflare_base_url: String,
}

impl Default for CdnSettings {
    fn default() -> Self {
        Self {
            cloudflare_zone_id: None,
            cloudflare_api_token: None,
            cloudflare_base_url: "https://api.cloudflare.com".to_owned(),
        }
    }
}

/// Which provider serves a model.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The offline demo generator.
    Local,
    /// An OpenAI-compatible images API.
    Openai,
    /// Replicate predictions.
    Replicate,
}

impl ProviderKind {
    /// The name shown to users (U4: inputs go to this provider).
    #[must_use]
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Local => "Atelier (offline, on this server)",
            Self::Openai => "OpenAI",
            Self::Replicate => "Replicate",
        }
    }

    /// The config name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Openai => "openai",
            Self::Replicate => "replicate",
        }
    }
}

/// One image model users can choose.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// Stable id used by clients (`model` in requests).
    pub id: String,
    /// Name shown in the studio.
    pub name: String,
    /// The provider.
    pub provider: ProviderKind,
    /// The provider's own model name (`gpt-image-1`, `black-forest-labs/flux-schnell`); the id
    /// when unset.
    #[serde(default)]
    pub provider_model: Option<String>,
    /// Credits per delivered image.
    #[serde(default = "one")]
    pub credits_per_image: u32,
    /// Aspect ratios offered (`1:1`, `3:4`, …); the first is the default. All when empty.
    #[serde(default)]
    pub aspects: Vec<String>,
    /// Reference images accepted per generation (0: none).
    #[serde(default)]
    pub max_reference_images: u32,
    /// The model chosen when a request names none.
    #[serde(default)]
    pub default: bool,
    /// A short description.
    #[serde(default)]
    pub description: Option<String>,
}

const fn one() -> u32 {
    1
}

impl ModelSettings {
    /// The offline model `--demo` adds.
    #[must_use]
    pub fn local_demo() -> Self {
        Self {
            id: "local".to_owned(),
            name: "Atelier Local (demo)".to_owned(),
            provider: ProviderKind::Local,
            provider_model: None,
            credits_per_image: 1,
            aspects: Vec::new(),
            max_reference_images: 4,
            default: false,
            description: Some(
                "Offline demo generator: draws landscapes from your prompt on this server."
                    .to_owned(),
            ),
        }
    }

    /// The provider's model name.
    #[must_use]
    pub fn provider_model(&self) -> &str {
        self.provider_model.as_deref().unwrap_or(&self.id)
    }

    /// The aspects offered, parsed; every aspect when none is configured.
    #[must_use]
    pub fn aspects(&self) -> Vec<crate::Aspect> {
        let parsed: Vec<crate::Aspect> = self
            .aspects
            .iter()
            .filter_map(|a| crate::Aspect::parse(a))
            .collect();
        if parsed.is_empty() {
            crate::Aspect::ALL.to_vec()
        } else {
            parsed
        }
    }
}

/// AI provider credentials.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProviderSettings {
    /// OpenAI-compatible images API.
    pub openai: OpenAiSettings,
    /// Replicate.
    pub replicate: ReplicateSettings,
}

/// OpenAI-compatible images API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// API key.
    pub api_key: Option<Secret<String>>,
    /// Base URL (any OpenAI-compatible server).
    pub base_url: String,
    /// Seconds a request may take.
    pub timeout_secs: u64,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: "https://api.openai.com".to_owned(),
            timeout_secs: 180,
        }
    }
}

/// Replicate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicateSettings {
    /// API token.
    pub api_token: Option<Secret<String>>,
    /// Base URL.
    pub base_url: String,
    /// Seconds a prediction may take in all.
    pub timeout_secs: u64,
}

impl Default for ReplicateSettings {
    fn default() -> Self {
        Self {
            api_token: None,
            base_url: "https://api.replicate.com".to_owned(),
            timeout_secs: 300,
        }
    }
}

/// Who runs the instance, as the privacy page names them (P1).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorSettings {
    /// The operator's name.
    pub name: String,
    /// Where people write about their data (deletion by mail, questions); the mail sender's
    /// address when unset.
    pub contact_email: Option<String>,
    /// A postal address, when the operator publishes one.
    pub address: Option<String>,
}

impl Default for OperatorSettings {
    fn default() -> Self {
        Self {
            name: "The operator of this Atelier instance".to_owned(),
            contact_email: None,
            address: None,
        }
    }
}

/// Which assistant answers enhance and describe.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AssistantProviderKind {
    /// Offline: the gallery's vocabulary for enhance, image analysis for describe.
    #[default]
    Local,
    /// An OpenAI-compatible chat-completions API (`providers.openai`).
    Openai,
}

impl AssistantProviderKind {
    /// `local` or `openai`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Openai => "openai",
        }
    }
}

/// The AI assistant (G4): prompt enhancement, image-to-prompt and AI Edit.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AssistantSettings {
    /// `local` (offline, the default) or `openai` (uses `providers.openai`'s key and URL).
    pub provider: AssistantProviderKind,
    /// The chat model for `openai`.
    pub model: String,
    /// Instructions for enhance; the built-in ones when unset.
    pub enhance_instructions: Option<String>,
    /// Instructions for describe; the built-in ones when unset.
    pub describe_instructions: Option<String>,
    /// Credits one enhance costs (default free).
    pub enhance_credits: u32,
    /// Credits one describe costs (default free).
    pub describe_credits: u32,
    /// The model AI Edit uses (its price per image applies); the default model when unset.
    pub edit_model: Option<String>,
}

impl Default for AssistantSettings {
    fn default() -> Self {
        Self {
            provider: AssistantProviderKind::Local,
            model: "gpt-4o-mini".to_owned(),
            enhance_instructions: None,
            describe_instructions: None,
            enhance_credits: 0,
            describe_credits: 0,
            edit_model: None,
        }
    }
}

/// Generation limits.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct GenerationSettings {
    /// Generations of one user queued or running at once.
    pub max_running_per_user: u32,
    /// Images per generation.
    pub max_count: u32,
}

impl Default for GenerationSettings {
    fn default() -> Self {
        Self {
            max_running_per_user: 2,
            max_count: 4,
        }
    }
}

/// Reference uploads.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct UploadSettings {
    /// Largest accepted file in bytes.
    pub max_bytes: usize,
    /// Largest accepted width × height.
    pub max_pixels: u64,
}

impl Default for UploadSettings {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

/// Credits.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CreditSettings {
    /// Credits every new account receives; 0, or 100 with `--demo`, when unset.
    pub signup_grant: Option<u32>,
}

/// Options for `s3://` storage; anything unset falls back to the usual `AWS_*` variables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Settings {
    /// Endpoint of an S3-compatible service (MinIO, R2, …); AWS when unset.
    pub endpoint: Option<String>,
    /// Region; `AWS_REGION` or `us-east-1` when unset.
    pub region: Option<String>,
    /// Allow a plain-HTTP endpoint (for a store on the same host or private network).
    pub allow_http: bool,
    /// Access key id; `AWS_ACCESS_KEY_ID` when unset.
    pub access_key_id: Option<Secret<String>>,
    /// Secret access key; `AWS_SECRET_ACCESS_KEY` when unset.
    pub secret_access_key: Option<Secret<String>>,
}

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

/// SMTP relay options.
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

/// Accounts and sessions.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Minutes a session lives without being used.
    pub session_idle_minutes: u32,
    /// Days a session lives at most, however often it is used.
    pub session_absolute_days: u32,
    /// Whether new accounts start opted in to marketing mail (the operator's choice).
    pub marketing_opt_in_default: bool,
    /// Whether a deleted account leaves a salted hash of its address, so that the same address
    /// can be refused when it was deleted for abuse (R5; off by default: nothing is kept).
    pub keep_deleted_email_hash: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 7 * 24 * 60,
            session_absolute_days: 30,
            marketing_opt_in_default: false,
            keep_deleted_email_hash: false,
        }
    }
}

/// Request rate limits; each counts in a fixed window.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Sign-in mails to one address per hour.
    pub sign_in_mail_per_address_per_hour: u32,
    /// Sign-in mails asked for from one IP address per hour.
    pub sign_in_mail_per_ip_per_hour: u32,
    /// Code or link verifications from one IP address per hour.
    pub verify_per_ip_per_hour: u32,
    /// Requests of any kind from one IP address per minute, counted on each node.
    pub requests_per_ip_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            sign_in_mail_per_address_per_hour: 5,
            sign_in_mail_per_ip_per_hour: 20,
            verify_per_ip_per_hour: 30,
            requests_per_ip_per_minute: 1200,
        }
    }
}

/// Reverse proxies allowed to name the client's address.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ProxySettings {
    /// Addresses or networks (`10.0.0.0/8`) of proxies whose header is believed.
    pub trusted: Vec<String>,
    /// The header such a proxy sets: `x-forwarded-for` (its last entry is used) or one with a
    /// single address, such as `x-real-ip`.
    pub client_ip_header: String,
}

impl Default for ProxySettings {
    fn default() -> Self {
        Self {
            trusted: Vec::new(),
            client_ip_header: "x-forwarded-for".to_owned(),
        }
    }
}

/// Retention periods in days; 0 means "older than now" (everything due at once).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// AI assistant call logs (C9, R4).
    pub assistant_log_days: u32,
    /// IP events (C2).
    pub ip_event_days: u32,
    /// Grace period before a requested account deletion runs (D3); below 30.
    pub account_deletion_grace_days: u32,
    /// Technical log files under `log.dir` (R6).
    pub log_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            assistant_log_days: 90,
            ip_event_days: 180,
            account_deletion_grace_days: 7,
            log_days: 14,
        }
    }
}

/// HTTP server limits.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Seconds a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// Largest accepted request body in bytes (uploads included).
    pub body_limit_bytes: usize,
    /// Largest accepted JSON body in bytes.
    pub json_limit_bytes: usize,
    /// Seconds in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace_secs: u64,
    /// Gallery result pages remembered per search-index generation (0: none). A page is
    /// reused only while the index is unchanged: any change to any item makes a new generation
    /// and empties the cache.
    pub gallery_cache_pages: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            request_timeout_secs: 30,
            body_limit_bytes: 24 * 1024 * 1024,
            json_limit_bytes: 256 * 1024,
            shutdown_grace_secs: 20,
            gallery_cache_pages: 256,
        }
    }
}

/// Background job workers.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Jobs run at once on this node.
    pub workers: usize,
    /// Milliseconds between polls of the queue when it was empty.
    pub poll_interval_ms: u64,
    /// Seconds a claimed job stays leased to its worker before another node may take it.
    pub lease_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            poll_interval_ms: 1000,
            lease_secs: 120,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON lines otherwise.
    #[default]
    Auto,
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Service log settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// The output format.
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `atelier_web=debug,info`.
    pub filter: String,
    /// A folder for daily log files (`atelier.YYYY-MM-DD.log`); standard error when unset. The
    /// files are kept `retention.log_days` and `max_total_mb` at most (R6).
    pub dir: Option<PathBuf>,
    /// The most the log files may take together, in MiB; the oldest go first.
    pub max_total_mb: u64,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Auto,
            filter: "info".to_owned(),
            dir: None,
            max_total_mb: 512,
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

    /// Derives the keys that default from others and validates every value.
    ///
    /// # Errors
    /// A [`SettingsError`] naming the first key whose value cannot be used.
    pub fn resolve(raw: RawSettings) -> Result<Self, SettingsError> {
        let bind: SocketAddr = raw.bind.parse().map_err(|_| {
            invalid(
                "bind",
                format!("`{}` is not an address such as 127.0.0.1:8080", raw.bind),
            )
        })?;

        let public_url = raw
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bind}"));
        let mut public_url = Url::parse(&public_url)
            .map_err(|e| invalid("public_url", format!("not a URL: {e}")))?;
        if !matches!(public_url.scheme(), "http" | "https") {
            return Err(invalid("public_url", "must start with http:// or https://"));
        }
        let trimmed = public_url.path().trim_end_matches('/').to_owned();
        public_url.set_path(&trimmed);

        let data_dir_str = raw.data_dir.to_string_lossy().into_owned();
        if data_dir_str.is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        let database_url = raw.database_url.clone().map_or_else(
            || format!("sqlite://{}/atelier.db", data_dir_str.trim_end_matches('/')),
            |s| s.expose().clone(),
        );
        let database_kind = if database_url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else if database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
        {
            DatabaseKind::Postgres
        } else {
            return Err(invalid(
                "database_url",
                "must start with sqlite:// or postgres://",
            ));
        };

        let storage_url = match raw.storage_url.clone() {
            Some(s) => {
                Url::parse(&s).map_err(|e| invalid("storage_url", format!("not a URL: {e}")))?
            }
            None => {
                let abs = absolute(&raw.data_dir).join("blobs");
                Url::from_directory_path(&abs)
                    .map_err(|()| invalid("data_dir", "cannot be turned into a file:// URL"))?
            }
        };
        match storage_url.scheme() {
            "file" | "memory" => {}
            "s3" => {
                if storage_url.host_str().unwrap_or_default().is_empty() {
                    return Err(invalid(
                        "storage_url",
                        "s3:// needs a bucket: s3://bucket/prefix",
                    ));
                }
            }
            other => {
                return Err(invalid(
                    "storage_url",
                    format!("unknown scheme `{other}` (use file://, s3:// or memory://)"),
                ));
            }
        }
        if let Some(endpoint) = &raw.s3.endpoint {
            Url::parse(endpoint).map_err(|e| invalid("s3.endpoint", format!("not a URL: {e}")))?;
        }

        if raw.retention.account_deletion_grace_days > MAX_ACCOUNT_DELETION_GRACE_DAYS {
            return Err(invalid(
                "retention.account_deletion_grace_days",
                format!(
                    "must stay below 30 days (the policy promises deletion within 30 days), got {}",
                    raw.retention.account_deletion_grace_days
                ),
            ));
        }
        if raw.assistant.provider == AssistantProviderKind::Openai
            && raw.providers.openai.api_key.is_none()
        {
            return Err(invalid(
                "assistant.provider",
                "`openai` needs providers.openai.api_key",
            ));
        }
        if raw.jobs.workers == 0 {
            return Err(invalid("jobs.workers", "must be at least 1"));
        }
        if raw.jobs.lease_secs < 5 {
            return Err(invalid("jobs.lease_secs", "must be at least 5"));
        }
        if raw.http.body_limit_bytes < 1024 {
            return Err(invalid("http.body_limit_bytes", "must be at least 1024"));
        }
        if raw.http.json_limit_bytes < 1024 || raw.http.json_limit_bytes > raw.http.body_limit_bytes
        {
            return Err(invalid(
                "http.json_limit_bytes",
                "must be at least 1024 and at most http.body_limit_bytes",
            ));
        }
        if raw.fetch.import_timeout_secs == 0 {
            return Err(invalid("fetch.import_timeout_secs", "must be at least 1"));
        }
        if raw.fetch.import_max_bytes == 0 {
            return Err(invalid("fetch.import_max_bytes", "must be at least 1"));
        }
        if raw.http.request_timeout_secs == 0 {
            return Err(invalid("http.request_timeout_secs", "must be at least 1"));
        }

        if raw.accounts.session_idle_minutes == 0 {
            return Err(invalid(
                "accounts.session_idle_minutes",
                "must be at least 1",
            ));
        }
        if raw.accounts.session_absolute_days == 0 {
            return Err(invalid(
                "accounts.session_absolute_days",
                "must be at least 1",
            ));
        }
        let limits = raw.rate_limits;
        for (key, value) in [
            (
                "rate_limits.sign_in_mail_per_address_per_hour",
                limits.sign_in_mail_per_address_per_hour,
            ),
            (
                "rate_limits.sign_in_mail_per_ip_per_hour",
                limits.sign_in_mail_per_ip_per_hour,
            ),
            (
                "rate_limits.verify_per_ip_per_hour",
                limits.verify_per_ip_per_hour,
            ),
            (
                "rate_limits.requests_per_ip_per_minute",
                limits.requests_per_ip_per_minute,
            ),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        let trusted_proxies = raw
            .proxy
            .trusted
            .iter()
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        invalid(
                            "proxy.trusted",
                            format!("`{s}` is not an address or a network such as 10.0.0.0/8"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client_ip_header = raw.proxy.client_ip_header.trim().to_ascii_lowercase();
        if axum_header_name_ok(&client_ip_header).is_err() {
            return Err(invalid("proxy.client_ip_header", "is not a header name"));
        }
        let mail_from = match &raw.mail.from {
            Some(from) => {
                if from.contains(['\r', '\n']) || !from.contains('@') {
                    return Err(invalid(
                        "mail.from",
                        "must be an address such as `Atelier <no-reply@example.com>`",
                    ));
                }
                from.clone()
            }
            None => format!(
                "Atelier <no-reply@{}>",
                public_url.host_str().unwrap_or("localhost")
            ),
        };
        if raw.mail.transport == MailTransport::Resend && raw.mail.resend.api_key.is_none() {
            return Err(invalid(
                "mail.resend.api_key",
                "is needed when mail.transport is `resend`",
            ));
        }
        Url::parse(&raw.mail.resend.base_url)
            .map_err(|e| invalid("mail.resend.base_url", format!("not a URL: {e}")))?;

        if raw.uploads.max_bytes < 1024 || raw.uploads.max_bytes > raw.http.body_limit_bytes {
            return Err(invalid(
                "uploads.max_bytes",
                "must be at least 1024 and at most http.body_limit_bytes",
            ));
        }
        if raw.uploads.max_pixels < 1 {
            return Err(invalid("uploads.max_pixels", "must be at least 1"));
        }

        let mut seen = std::collections::HashSet::new();
        for model in &raw.models {
            if model.id.is_empty()
                || model.id.len() > 64
                || !model
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
            {
                return Err(invalid(
                    "models.id",
                    format!(
                        "`{}` is not a model id (letters, digits and -_.:/)",
                        model.id
                    ),
                ));
            }
            if !seen.insert(model.id.clone()) {
                return Err(invalid(
                    "models.id",
                    format!("`{}` appears twice", model.id),
                ));
            }
            if let Some(bad) = model
                .aspects
                .iter()
                .find(|a| crate::Aspect::parse(a).is_none())
            {
                return Err(invalid(
                    "models.aspects",
                    format!("`{bad}` is not an aspect ratio"),
                ));
            }
            match model.provider {
                ProviderKind::Openai if raw.providers.openai.api_key.is_none() => {
                    return Err(invalid(
                        "providers.openai.api_key",
                        format!("model `{}` uses OpenAI, which needs a key", model.id),
                    ));
                }
                ProviderKind::Replicate if raw.providers.replicate.api_token.is_none() => {
                    return Err(invalid(
                        "providers.replicate.api_token",
                        format!("model `{}` uses Replicate, which needs a token", model.id),
                    ));
                }
                _ => {}
            }
        }
        if raw.models.iter().filter(|m| m.default).count() > 1 {
            return Err(invalid(
                "models.default",
                "only one model can be the default",
            ));
        }
        for (key, url) in [
            ("providers.openai.base_url", &raw.providers.openai.base_url),
            (
                "providers.replicate.base_url",
                &raw.providers.replicate.base_url,
            ),
        ] {
            Url::parse(url).map_err(|e| invalid(key, format!("not a URL: {e}")))?;
        }
        if raw.cdn.cloudflare_zone_id.is_some() != raw.cdn.cloudflare_api_token.is_some() {
            return Err(invalid(
                "cdn.cloudflare_api_token",
                "set both cdn.cloudflare_zone_id and cdn.cloudflare_api_token, or neither",
            ));
        }
        Url::parse(&raw.cdn.cloudflare_base_url)
            .map_err(|e| invalid("cdn.cloudflare_base_url", format!("not a URL: {e}")))?;
        if raw.generation.max_count == 0 || raw.generation.max_count > 10 {
            return Err(invalid("generation.max_count", "must be 1 to 10"));
        }
        if raw.generation.max_running_per_user == 0 {
            return Err(invalid(
                "generation.max_running_per_user",
                "must be at least 1",
            ));
        }

        Ok(Self {
            data_dir: raw.data_dir,
            bind,
            public_url,
            database_url: Secret::new(database_url),
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

/// A header name is visible ASCII without separators.
fn axum_header_name_ok(name: &str) -> Result<(), ()> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(()) }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        // Current directory is read once at start-up; fall back to the relative path.
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    }
}

#[cfg(test)]
mod tests {
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
    fn d3_grace_period_of_30_days_is_refused() {
        let mut raw = RawSettings::default();
        raw.retention.account_deletion_grace_days = 30;
        let err = Settings::resolve(raw).unwrap_err();
        assert_eq!(err.key, "retention.account_deletion_grace_days");
        let mut raw = RawSettings::default();
        raw.retention.account_deletion_grace_days = 29;
        assert!(Settings::resolve(raw).is_ok());
    }

    #[test]
    fn wrong_values_name_their_key() {
        let cases: Vec<(RawSettings, &str)> = vec![
            (
                RawSettings {
                    bind: "nowhere".into(),
                    ..RawSettings::default()
                },
                "bind",
            ),
            (
                RawSettings {
                    public_url: Some("ftp://x".into()),
                    ..RawSettings::default()
                },
                "public_url",
            ),
            (
                RawSettings {
                    database_url: Some(Secret::new("mysql://x".into())),
                    ..RawSettings::default()
                },
                "database_url",
            ),
            (
                RawSettings {
                    storage_url: Some("gs://b".into()),
                    ..RawSettings::default()
                },
                "storage_url",
            ),
            (
                RawSettings {
                    storage_url: Some("s3://".into()),
                    ..RawSettings::default()
                },
                "storage_url",
            ),
        ];
        for (raw, key) in cases {
            assert_eq!(Settings::resolve(raw).unwrap_err().key, key);
        }
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let raw = RawSettings {
            public_url: Some("https://art.example.com/gallery/".into()),
            ..RawSettings::default()
        };
        let s = Settings::resolve(raw).unwrap();
        assert!(s.is_https());
        assert_eq!(s.public_url.as_str(), "https://art.example.com/gallery");
    }

    fn model(id: &str, provider: ProviderKind) -> ModelSettings {
        ModelSettings {
            id: id.into(),
            name: id.into(),
            provider,
            provider_model: None,
            credits_per_image: 1,
            aspects: Vec::new(),
            max_reference_images: 0,
            default: false,
            description: None,
        }
    }

    #[test]
    fn models_need_credentials_unique_ids_and_known_aspects() {
        let raw = RawSettings {
            models: vec![model("gpt", ProviderKind::Openai)],
            ..RawSettings::default()
        };
        assert_eq!(
            Settings::resolve(raw).unwrap_err().key,
            "providers.openai.api_key"
        );
        let raw = RawSettings {
            models: vec![
                model("a", ProviderKind::Local),
                model("a", ProviderKind::Local),
            ],
            ..RawSettings::default()
        };
        assert_eq!(Settings::resolve(raw).unwrap_err().key, "models.id");
        let mut bad = model("b", ProviderKind::Local);
        bad.aspects = vec!["7:3".into()];
        let raw = RawSettings {
            models: vec![bad],
            ..RawSettings::default()
        };
        assert_eq!(Settings::resolve(raw).unwrap_err().key, "models.aspects");
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
