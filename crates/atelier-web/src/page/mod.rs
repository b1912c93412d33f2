//! What every server-rendered page shares, in one place: the extractors a page handler starts
//! with ([`Page`], [`SignedInPage`]), the header's [`Viewer`], rendering and the cache headers of
//! pages, redirects (Post/Redirect/Get, sign-in first), the cards' hearts and board choices, and
//! the HTML error and not-found pages that page routes answer where API routes answer JSON.
//!
//! A page handler reads: extract, call one use case, render.
//!
//! ```ignore
//! pub async fn favorites_page(State(state): State<AppState>, page: SignedInPage, …) -> PageResult {
//!     let items = state.app.favorites(&page.principal.user.id, …).await?;
//!     Ok(personal_page(render(&FavoritesPage { m: page.m, … })?, page.lang))
//! }
//! ```

pub mod assets;
mod cards;
mod errors;
mod extract;
mod viewer;

pub use assets::ASSET_VERSION;
pub use cards::{BoardChoice, board_choices, mark_favorites};
pub(crate) use errors::{error_page, is_machine_path};
pub use errors::{html_errors, method_not_allowed, not_found, not_found_page};
pub use extract::{Page, PageError, PageResult, SignedInPage};
pub use viewer::Viewer;

use crate::ApiError;
use crate::i18n::{LANG_COOKIE, Lang};
use askama::Template;
use atelier_core::Settings;
use axum::extract::OriginalUri;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use url::form_urlencoded;

/// Renders a page; a template failure is a logged 500.
pub(crate) fn render(template: &impl Template) -> Result<Html<String>, ApiError> {
    template.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError::internal("template")
    })
}

/// The page's own path and query, for the language switch and the sign-in link to come back to.
pub(crate) fn here(uri: &OriginalUri) -> String {
    uri.0
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
}

/// Pages vary by language (cookie and Accept-Language) and are not cached by shared caches.
pub(crate) fn page_response(html: Html<String>, lang: Lang) -> Response {
    page_with_cache(html, lang, "private, no-cache")
}

/// A page with personal data (sign-in, settings): no cache keeps a copy, not even the browser's
/// back-forward one.
pub(crate) fn personal_page(html: Html<String>, lang: Lang) -> Response {
    page_with_cache(html, lang, "no-store")
}

fn page_with_cache(html: Html<String>, lang: Lang, cache_control: &'static str) -> Response {
    let mut response = html.into_response();
    let h = response.headers_mut();
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(lang.as_str()) {
        h.insert(header::CONTENT_LANGUAGE, v);
    }
    response
}

/// `303 See Other` to a path of this site, never cached.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The sign-in page that comes back to `next` afterwards: `/login?next=/studio`. A plain path
/// stays readable; one with a query or other characters is encoded whole.
pub(crate) fn login_href(next: &str) -> String {
    if next.is_empty() {
        return "/login".to_owned();
    }
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
    if plain {
        format!("/login?next={next}")
    } else {
        let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("/login?next={encoded}")
    }
}

/// A signed-out visitor goes to the sign-in page first, and comes back to `next` after it.
pub(crate) fn sign_in_first(next: &str) -> Response {
    see_other(&login_href(next))
}

/// Whether `next` is a path on this site (`/…`, never `//host` or `/\host`), safe to redirect to.
pub(crate) fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
}

/// `next` when it is a path of this site, else `fallback`.
pub(crate) fn local_or(next: Option<&str>, fallback: &str) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or(fallback)
        .to_owned()
}

/// The `Set-Cookie` value that keeps `lang` for a year (an essential cookie: SEC5).
pub(crate) fn lang_cookie(settings: &Settings, lang: Lang) -> Option<HeaderValue> {
    let secure = if settings.is_https() { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.as_str()
    );
    HeaderValue::from_str(&cookie).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_out_visitors_come_back_to_the_same_page() {
        let location = |next: &str| sign_in_first(next).headers()["location"].clone();
        assert_eq!(location("/studio"), "/login?next=/studio");
        assert_eq!(location("/"), "/login?next=/");
        assert_eq!(
            location("/settings/privacy"),
            "/login?next=/settings/privacy"
        );
        assert_eq!(
            location("/studio?prompt=a b&model=x"),
            "/login?next=%2Fstudio%3Fprompt%3Da+b%26model%3Dx"
        );
        assert_eq!(login_href(""), "/login");
    }

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert!(is_local_path("/g/abc?x=1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "x",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
        assert_eq!(local_or(Some("//evil"), "/boards"), "/boards");
        assert_eq!(local_or(Some("/favorites"), "/boards"), "/favorites");
    }
}
