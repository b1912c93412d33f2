//! What can go wrong with a provider, sorted by what the caller should do next.
//!
//! The policy, in one place:
//! - Retryable by the generation job (`is_retryable`): [`ProviderError::RateLimited`],
//!   [`ProviderError::Unavailable`], [`ProviderError::Timeout`] and [`ProviderError::Malformed`].
//!   A malformed answer is most often a truncated body or a gateway's HTML page in front of the
//!   provider, which passes; the job's bounded attempts keep a provider that is broken for good
//!   from costing more than a few calls.
//! - Not retryable: [`ProviderError::QuotaExceeded`] (the operator must top up),
//!   [`ProviderError::Rejected`] (the same request would be refused again) and
//!   [`ProviderError::Unauthorized`] (the operator must fix the key).
//!
//! The HTTP clients already retried 429s, 5xxs and refused connections in place before any of
//! these reaches the caller.
//!
//! Texts carried by a variant come from the provider's answer with the API key cut out (see
//! [`Reason`]); [`ProviderError::user_message`] is what a user may read.

use std::time::Duration;

/// Why a provider made no images.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider kept answering 429 after the client's own retries; `retry_after` is the wait
    /// it last asked for, when it said.
    #[error("the provider is rate limiting requests")]
    RateLimited {
        /// The wait the provider asked for, if any.
        retry_after: Option<Duration>,
    },
    /// A 5xx answer, a refused or dropped connection, a failed download. Retryable.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider did not answer within the configured time. Retryable.
    #[error("the provider did not answer in time")]
    Timeout,
    /// The provider account is out of quota or credit (`insufficient_quota`, billing limits,
    /// HTTP 402). Not retryable: the operator must act.
    #[error("the provider account is out of quota: {0}")]
    QuotaExceeded(String),
    /// The provider refused this request (content policy, invalid input, unknown model) or its
    /// result cannot be accepted (an output over the size limit). Not retryable; the text is the
    /// provider's own reason.
    #[error("the provider rejected the request: {0}")]
    Rejected(String),
    /// The provider refused the API key (401/403). Not retryable.
    #[error("the provider refused the API key")]
    Unauthorized,
    /// The answer could not be understood: unparseable JSON, a missing field, bytes that are not
    /// an image. Retryable (see the module comment).
    #[error("the provider sent a malformed answer: {0}")]
    Malformed(String),
}

impl ProviderError {
    /// Whether the same request may succeed later (the job should retry with backoff).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::Unavailable(_)
            | Self::Timeout
            | Self::Malformed(_) => true,
            Self::QuotaExceeded(_) | Self::Rejected(_) | Self::Unauthorized => false,
        }
    }

    /// The wait the provider asked for before the next try, when it said.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// A stable machine name for logs, metrics and translated UI messages: `rate_limited`,
    /// `unavailable`, `timeout`, `quota_exceeded`, `rejected`, `unauthorized`, `malformed`. It
    /// never carries provider text, so it is always safe to log.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Timeout => "timeout",
            Self::QuotaExceeded(_) => "quota_exceeded",
            Self::Rejected(_) => "rejected",
            Self::Unauthorized => "unauthorized",
            Self::Malformed(_) => "malformed",
        }
    }

    /// A short English sentence a user may read. Only [`ProviderError::Rejected`] carries the
    /// provider's reason (already cleaned of the key); the others say what happened and what to
    /// do, without technical detail.
    #[must_use]
    pub fn user_message(&self) -> String {
        match self {
            Self::RateLimited { .. } => {
                "The image service is busy right now. Please try again in a minute.".to_owned()
            }
            Self::Unavailable(_) => {
                "The image service is temporarily unavailable. Please try again later.".to_owned()
            }
            Self::Timeout => {
                "The image service took too long to answer. Please try again.".to_owned()
            }
            Self::QuotaExceeded(_) => "The image service has run out of credit on this site. \
                 Please tell the site's administrator."
                .to_owned(),
            Self::Rejected(reason) if reason.is_empty() => {
                "The image service declined this request.".to_owned()
            }
            Self::Rejected(reason) => format!("The image service declined this request: {reason}"),
            Self::Unauthorized => "The image service is not set up correctly on this site. \
                 Please tell the site's administrator."
                .to_owned(),
            Self::Malformed(_) => {
                "The image service sent back something that is not an image. Please try again."
                    .to_owned()
            }
        }
    }
}

/// A provider that cannot be set up from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The base URL is not an http(s) URL.
    #[error("{0}: the base URL must be an http(s) URL")]
    BaseUrl(&'static str),
    /// The API key or token is empty or holds characters a header cannot carry.
    #[error("{0}: the API key is empty or malformed")]
    ApiKey(&'static str),
    /// The HTTP client could not be built.
    #[error("{provider}: HTTP client: {reason}")]
    Client {
        /// The provider kind.
        provider: &'static str,
        /// What the HTTP library said.
        reason: String,
    },
}

/// The longest provider reason kept, in characters.
const MAX_REASON_CHARS: usize = 300;

/// Turns text from a provider's answer into a reason fit for an error: the secret cut out,
/// control characters and runs of whitespace folded to one space, and at most
/// [`MAX_REASON_CHARS`] characters.
#[derive(Clone)]
pub(crate) struct Reason {
    secret: String,
}

impl std::fmt::Debug for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reason(***)")
    }
}

impl Reason {
    /// A cleaner that removes `secret` from every text.
    pub(crate) fn new(secret: &str) -> Self {
        Self {
            secret: secret.to_owned(),
        }
    }

    /// The cleaned text.
    pub(crate) fn clean(&self, text: &str) -> String {
        let redacted = if self.secret.len() >= 4 {
            text.replace(&self.secret, "***")
        } else {
            text.to_owned()
        };
        let mut out = String::with_capacity(redacted.len().min(MAX_REASON_CHARS));
        let mut chars = 0usize;
        let mut pending_space = false;
        for c in redacted.chars() {
            if c.is_whitespace() || c.is_control() {
                pending_space = !out.is_empty();
                continue;
            }
            if chars >= MAX_REASON_CHARS {
                out.push('…');
                break;
            }
            if pending_space {
                out.push(' ');
                chars += 1;
                pending_space = false;
            }
            out.push(c);
            chars += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy() {
        assert!(ProviderError::RateLimited { retry_after: None }.is_retryable());
        assert!(ProviderError::Unavailable("x".into()).is_retryable());
        assert!(ProviderError::Timeout.is_retryable());
        assert!(ProviderError::Malformed("x".into()).is_retryable());
        assert!(!ProviderError::QuotaExceeded("x".into()).is_retryable());
        assert!(!ProviderError::Rejected("x".into()).is_retryable());
        assert!(!ProviderError::Unauthorized.is_retryable());
    }

    #[test]
    fn user_messages_carry_only_the_rejection_reason() {
        let m = ProviderError::Rejected("Your prompt was flagged.".into()).user_message();
        assert_eq!(
            m,
            "The image service declined this request: Your prompt was flagged."
        );
        let m = ProviderError::Unavailable("HTTP 502: upstream 10.0.0.3".into()).user_message();
        assert!(!m.contains("10.0.0.3"));
    }

    #[test]
    fn reasons_lose_the_key_and_stay_short() {
        let r = Reason::new("sk-secret-123");
        assert_eq!(
            r.clean("bad key\n\n  sk-secret-123\tgiven"),
            "bad key *** given"
        );
        let long = "x".repeat(1000);
        assert_eq!(r.clean(&long).chars().count(), MAX_REASON_CHARS + 1);
        assert_eq!(r.clean("  \n"), "");
    }
}
