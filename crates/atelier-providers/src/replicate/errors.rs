//! How Replicate's answers become errors: unsuccessful HTTP answers and `failed` predictions.

use reqwest::StatusCode;
use serde_json::Value;

use crate::ProviderError;
use crate::error::Reason;

/// Words in a failure that suggest trying again may help (compared in lower case).
const TRANSIENT_MARKERS: [&str; 10] = [
    "timed out",
    "timeout",
    "out of memory",
    "cuda",
    "internal error",
    "try again",
    "temporarily",
    "unavailable",
    "overloaded",
    "interrupted",
];
/// Words in a failure that mean the content was refused (checked before the transient ones).
const REFUSAL_MARKERS: [&str; 4] = ["nsfw", "sensitive", "flagged", "safety"];

/// The error for a `failed` prediction (see the parent module comment).
pub(super) fn failure(error: &Value, reason: &Reason) -> ProviderError {
    let text = match error {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let reason = reason.clean(first_line);
    let lower = reason.to_lowercase();
    if reason.is_empty() {
        ProviderError::Unavailable("the prediction failed without a reason".into())
    } else if REFUSAL_MARKERS.iter().any(|m| lower.contains(m)) {
        ProviderError::Rejected(reason)
    } else if TRANSIENT_MARKERS.iter().any(|m| lower.contains(m)) {
        ProviderError::Unavailable(format!("the prediction failed: {reason}"))
    } else {
        ProviderError::Rejected(reason)
    }
}

/// Maps an unsuccessful answer to an error (see the parent module comment).
pub(super) fn classify(status: StatusCode, body: &[u8], reason: &Reason) -> ProviderError {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = ["detail", "error", "title"]
        .into_iter()
        .find_map(|key| value.get(key).and_then(Value::as_str))
        .unwrap_or_default();
    let detail = reason.clean(text);
    let code = status.as_u16();
    let or_status = |detail: String| {
        if detail.is_empty() {
            format!("HTTP {code}")
        } else {
            detail
        }
    };
    match code {
        401 | 403 => ProviderError::Unauthorized,
        402 => ProviderError::QuotaExceeded(or_status(detail)),
        429 => ProviderError::RateLimited { retry_after: None },
        408 | 500..=599 if detail.is_empty() => ProviderError::Unavailable(format!("HTTP {code}")),
        408 | 500..=599 => ProviderError::Unavailable(format!("HTTP {code}: {detail}")),
        400..=499 => ProviderError::Rejected(or_status(detail)),
        _ => ProviderError::Malformed(format!("unexpected HTTP {code}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failures_are_sorted() {
        let r = Reason::new("r8_secret_token");
        assert!(matches!(
            failure(
                &json!("NSFW content detected. Try running it again, or try a different prompt."),
                &r
            ),
            ProviderError::Rejected(_)
        ));
        assert!(matches!(
            failure(&json!("CUDA out of memory.\nTraceback ..."), &r),
            ProviderError::Unavailable(m) if !m.contains("Traceback")
        ));
        assert!(matches!(
            failure(&Value::Null, &r),
            ProviderError::Unavailable(_)
        ));
        assert!(matches!(
            failure(&json!("prompt is required"), &r),
            ProviderError::Rejected(m) if m == "prompt is required"
        ));
    }

    #[test]
    fn creation_errors_are_classified() {
        let r = Reason::new("r8_secret_token");
        let c = |status: u16, body: &str| {
            classify(StatusCode::from_u16(status).unwrap(), body.as_bytes(), &r)
        };
        assert!(matches!(
            c(402, r#"{"title":"Insufficient credit","detail":"You have insufficient credit to run this model."}"#),
            ProviderError::QuotaExceeded(m) if m.contains("insufficient credit")
        ));
        assert!(matches!(
            c(422, r#"{"detail":"- input.aspect_ratio: must be one of the following"}"#),
            ProviderError::Rejected(m) if m.starts_with("- input.aspect_ratio")
        ));
        assert!(matches!(c(429, "{}"), ProviderError::RateLimited { .. }));
        assert!(matches!(c(401, "{}"), ProviderError::Unauthorized));
        assert!(matches!(c(503, ""), ProviderError::Unavailable(_)));
        assert!(matches!(c(404, ""), ProviderError::Rejected(m) if m == "HTTP 404"));
    }
}
