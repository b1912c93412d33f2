//! The crate's one error type: what went wrong talking to Stripe.
//!
//! No variant holds the secret key: Stripe masks keys in its own messages (`sk_test_****1234`),
//! and the client removes the key from any text it keeps all the same.

/// Stripe's error object, `{"error": {"type", "code", "message", "param", "decline_code"}}`, with
/// the HTTP status it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Stripe's `type`: `invalid_request_error`, `card_error`, `api_error`, `idempotency_error` ….
    pub error_type: String,
    /// Stripe's `code` when it gives one (`parameter_missing`, `resource_missing` …).
    pub code: Option<String>,
    /// Stripe's `message`.
    pub message: String,
    /// The parameter at fault, when Stripe names one.
    pub param: Option<String>,
}

/// What went wrong talking to Stripe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with an error object (after any retries).
    #[error(
        "stripe answered {}: {} ({}): {}",
        .0.status,
        .0.error_type,
        .0.code.as_deref().unwrap_or("no code"),
        .0.message
    )]
    Api(ApiError),
    /// Stripe could not be reached, or did not answer in time (after any retries).
    #[error("cannot reach stripe: {0}")]
    Transport(String),
    /// Stripe answered success with a body this client cannot read.
    #[error("unexpected answer from stripe: {0}")]
    InvalidResponse(String),
    /// A webhook body that is not an event this crate can read.
    #[error("unreadable stripe event: {0}")]
    InvalidEvent(String),
    /// The client cannot be built (a base URL that is not http(s), an unusable key).
    #[error("stripe client: {0}")]
    Config(String),
}

impl StripeError {
    /// The HTTP status Stripe answered with, for API errors.
    #[must_use]
    pub const fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Transport(_)
            | Self::InvalidResponse(_)
            | Self::InvalidEvent(_)
            | Self::Config(_) => None,
        }
    }

    /// Stripe's error `code`, for API errors that carry one.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.code.as_deref(),
            Self::Transport(_)
            | Self::InvalidResponse(_)
            | Self::InvalidEvent(_)
            | Self::Config(_) => None,
        }
    }

    /// Stripe's error `type`, for API errors.
    #[must_use]
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Self::Api(api) => Some(&api.error_type),
            Self::Transport(_)
            | Self::InvalidResponse(_)
            | Self::InvalidEvent(_)
            | Self::Config(_) => None,
        }
    }
}
