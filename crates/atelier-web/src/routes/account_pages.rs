//! The account pages (C1, C3, D1, D5, G9): sign-in by emailed code or magic link, sign-out, and the
//! settings page (profile, email change, sessions, personal access tokens). Plain HTML forms post
//! to page routes and answer with Post/Redirect/Get, so everything works without JavaScript. Pages
//! that show personal data are sent with `Cache-Control: no-store`.

mod settings;
mod sign_in;

pub use settings::{
    change_email, create_token, delete_assistant_logs, end_all_sessions, end_session, revoke_token,
    save_profile, settings, to_settings, verify_email,
};
pub use sign_in::{confirm_link, login, logout, open_link, send_code, to_login, verify_code};

use crate::ApiError;
use crate::auth;
use crate::i18n::{Lang, Messages};
use crate::page::{is_local_path, lang_cookie, personal_page, see_other};
use crate::refusals::form_message;
use crate::state::AppState;
use atelier_app::AppError;
use atelier_app::accounts::SignedIn;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, Response};

/// A refusal a form shows next to its fields, in the visitor's language.
#[derive(Debug)]
struct FormError {
    message: String,
    status: StatusCode,
    retry_after_secs: Option<u64>,
}

impl FormError {
    /// The inline message for a refusal the visitor can act on (bad input, too many tries).
    /// Anything else is not the visitor's to fix and goes to the one error mapping.
    fn from_app(m: &Messages, err: AppError) -> Result<Self, ApiError> {
        match err {
            AppError::Invalid { refusal, message } => Ok(Self {
                message: form_message(m, refusal).unwrap_or(message),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                retry_after_secs: None,
            }),
            AppError::RateLimited { retry_after_secs } => Ok(Self {
                message: m
                    .errors
                    .rate_limited
                    .replace("{minutes}", &retry_after_secs.div_ceil(60).to_string()),
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after_secs: Some(retry_after_secs),
            }),
            other => Err(other.into()),
        }
    }
}

/// A personal page with `status` (and `Retry-After` for a rate limit).
fn personal(html: Html<String>, lang: Lang, error: Option<&FormError>) -> Response {
    let mut response = personal_page(html, lang);
    if let Some(error) = error {
        *response.status_mut() = error.status;
        if let Some(secs) = error.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    response
}

/// Where to go after signing in: `next` if it is a path of this site other than the sign-in
/// pages themselves, else the gallery.
fn after_sign_in(next: &str) -> &str {
    if is_local_path(next) && !next.starts_with("/login") {
        next
    } else {
        "/"
    }
}

/// The answer to a successful sign-in: the session cookie, the login cookie cleared, the account's
/// language kept in the `lang` cookie, then `303` to `to`.
fn signed_in_redirect(state: &AppState, signed_in: &SignedIn, to: &str) -> Response {
    let settings = state.app.settings();
    let mut response = see_other(to);
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        auth::session_cookie(
            settings,
            &signed_in.session_token,
            state.app.now_ms(),
            signed_in.session_expires_at,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        auth::set_cookie(settings, auth::login_cookie_name(settings), "", 0),
    );
    if let Some(cookie) =
        Lang::parse(&signed_in.user.language).and_then(|lang| lang_cookie(settings, lang))
    {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::PageLang;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(after_sign_in("/settings"), "/settings");
        assert_eq!(after_sign_in("/g/abc?x=1"), "/g/abc?x=1");
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/login?next=/settings",
            "settings",
        ] {
            assert_eq!(after_sign_in(bad), "/", "{bad}");
        }
    }

    #[test]
    fn refusals_become_messages_in_the_visitors_language() {
        let zh = Lang::ZhCn.messages();
        let e = FormError::from_app(
            zh,
            AppError::invalid(atelier_app::Refusal::InvalidCode, "x"),
        )
        .unwrap();
        assert_eq!(e.message, zh.errors.invalid_code);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = FormError::from_app(
            Lang::En.messages(),
            AppError::RateLimited {
                retry_after_secs: 61,
            },
        )
        .unwrap();
        assert!(e.message.contains("2 min"), "{}", e.message);
        assert_eq!(e.retry_after_secs, Some(61));
        let e = FormError::from_app(
            Lang::En.messages(),
            AppError::invalid(atelier_app::Refusal::InvalidCursor, "As is."),
        )
        .unwrap();
        assert_eq!(e.message, "As is.");
        assert!(FormError::from_app(Lang::En.messages(), AppError::NotFound).is_err());
    }
}
