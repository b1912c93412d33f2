//! The error policy of the HTTP layer, in one place.
//!
//! Every failure becomes `{"error": {"code": "snake_case", "message": "…"}}` with a fitting status.
//! Client errors say what was wrong. Server errors are logged with the request id and answered with
//! a generic message: no stack trace, no driver error text, nothing of the request (C10).

use atelier_app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
/// The body of every error answer.
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
/// What went wrong.
pub struct ErrorDetail {
    /// Stable snake_case code.
    code: &'static str,
    /// Human-readable explanation.
    message: String,
}

impl ApiError {
    /// An error with an explicit status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401 `unauthorized`.
    #[must_use]
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in first (a session cookie or an `Authorization: Bearer` access token).",
        )
    }

    /// 429 `rate_limited` with `Retry-After`.
    #[must_use]
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests. Try again in {retry_after_secs} seconds."),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// 404 `not_found`.
    #[must_use]
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nothing is here.")
    }

    /// 405 `method_not_allowed`.
    #[must_use]
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This route does not accept that method.",
        )
    }

    /// 408 `request_timeout`.
    #[must_use]
    pub fn timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request took too long and was stopped.",
        )
    }

    /// 500 `internal_error`, after logging what happened (without request data).
    pub fn internal(context: &str) -> Self {
        tracing::error!(context, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side. Please try again.",
        )
    }

    /// The HTTP status.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        self.status
    }

    /// The human-readable message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The stable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.code
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => Self::not_found(),
            AppError::Invalid { refusal, message } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, refusal.code(), message)
            }
            AppError::BadRequest { refusal, message } => {
                Self::new(StatusCode::BAD_REQUEST, refusal.code(), message)
            }
            AppError::Conflict { refusal, message } => {
                Self::new(StatusCode::CONFLICT, refusal.code(), message)
            }
            AppError::Unauthorized => Self::unauthorized(),
            AppError::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your account may not do this.",
            ),
            AppError::RateLimited { retry_after_secs } => Self::rate_limited(retry_after_secs),
            AppError::InsufficientCredits { needed, balance } => Self::new(
                StatusCode::PAYMENT_REQUIRED,
                "insufficient_credits",
                format!("This needs {needed} credits and the balance is {balance}."),
            ),
            AppError::TooLarge(message) => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
            }
            AppError::Corrupt(e) => {
                tracing::error!(error = %e, "integrity check failed");
                Self::internal("integrity")
            }
            AppError::Search(e) => {
                tracing::error!(error = %e, "search index error");
                Self::internal("search")
            }
            AppError::Provider { message, retryable } => {
                let (status, code) = if retryable {
                    (StatusCode::SERVICE_UNAVAILABLE, "provider_unavailable")
                } else {
                    (StatusCode::BAD_GATEWAY, "provider_failed")
                };
                Self::new(status, code, message)
            }
            AppError::Unavailable(what) => {
                tracing::warn!(what = %what, "dependency unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is temporarily unavailable.",
                )
            }
            AppError::Db(atelier_app::DbError::Conflict) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "That conflicts with something that already exists.",
            ),
            AppError::Db(e) => {
                tracing::error!(error = %e, "database error");
                Self::internal("database")
            }
            AppError::Storage(e) => {
                tracing::error!(error = %e, "storage error");
                Self::internal("storage")
            }
            AppError::Queue(e) => {
                tracing::error!(error = %e, "queue error");
                Self::internal("queue")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
        }
        response
    }
}
