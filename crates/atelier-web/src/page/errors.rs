//! A page route that fails answers a page: the friendly 404, or an error page in the visitor's
//! language with the header of whoever is signed in. API routes keep answering JSON.

use super::{ASSET_VERSION, Page, Viewer, page_response, render};
use crate::ApiError;
use crate::auth::ClientIp;
use crate::i18n::{Lang, Messages};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts as _, OriginalUri, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest error body read back to show its message.
const DETAIL_LIMIT: usize = 16 * 1024;

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    status: u16,
    body: String,
}

/// The friendly 404 page of `page`'s visitor.
#[must_use]
pub fn not_found_page(page: &Page) -> Response {
    let view = NotFoundPage {
        m: page.m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        user: page.viewer(),
    };
    match render(&view) {
        Ok(html) => (StatusCode::NOT_FOUND, page_response(html, page.lang)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The error page for `status`: the refusal's words for a client error, an apology for a
/// server error (whose cause stays in the log: C10).
pub(crate) fn error_page(page: &Page, status: StatusCode, detail: Option<String>) -> Response {
    let m = page.m;
    let detail = detail.or_else(|| status.canonical_reason().map(str::to_owned));
    let body = match detail {
        Some(detail) if status.is_client_error() => {
            m.common.error_client_body.replace("{detail}", &detail)
        }
        _ => m.common.error_server_body.to_owned(),
    };
    let view = ErrorPage {
        m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        user: page.viewer(),
        status: status.as_u16(),
        body,
    };
    match render(&view) {
        Ok(html) => (status, page_response(html, page.lang)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Middleware of the page routes: an answer of 400 or more that is not a page already (an
/// [`ApiError`], an extractor's rejection) becomes the 404 page or the error page, keeping its
/// status and headers such as `Retry-After` and `Allow`.
pub async fn html_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let uri = req
        .extensions()
        .get::<OriginalUri>()
        .cloned()
        .unwrap_or_else(|| OriginalUri(req.uri().clone()));
    let client_ip = req.extensions().get::<ClientIp>().copied();
    let response = next.run(req).await;
    let status = response.status();
    if status.as_u16() < 400 || is_html(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, DETAIL_LIMIT)
        .await
        .unwrap_or_default();
    let detail = detail(&bytes);
    let (mut request_parts, ()) = Request::new(()).into_parts();
    request_parts.headers = headers;
    request_parts.uri = uri.0.clone();
    request_parts.extensions.insert(uri);
    if let Some(ip) = client_ip {
        request_parts.extensions.insert(ip);
    }
    let Ok(page) = Page::from_request_parts(&mut request_parts, &state).await;
    let mut html = if status == StatusCode::NOT_FOUND {
        not_found_page(&page)
    } else {
        error_page(&page, status, detail)
    };
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            html.headers_mut().insert(name.clone(), value.clone());
        }
    }
    html
}

/// The reason an error body gives: the message of an [`ApiError`]'s JSON, or the text of an
/// extractor's rejection.
fn detail(body: &[u8]) -> Option<String> {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        return json["error"]["message"].as_str().map(str::to_owned);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    (!text.is_empty()).then(|| text.chars().take(300).collect())
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Whether `path` is answered in JSON or as a file (the API, images, assets, the health check)
/// rather than as a page.
pub(crate) fn is_machine_path(path: &str) -> bool {
    ["/api", "/img", "/assets"].iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    }) || path == "/healthz"
}

/// The router's fallback: JSON under `/api/`, the friendly page elsewhere.
pub async fn not_found(page: Page, uri: OriginalUri) -> Response {
    let path = uri.0.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found().into_response();
    }
    not_found_page(&page)
}

/// A known address asked with a method it does not take: the error page for a page's address,
/// JSON for the API's (axum adds `Allow`).
pub async fn method_not_allowed(page: Page, uri: OriginalUri) -> Response {
    let error = ApiError::method_not_allowed();
    if is_machine_path(uri.0.path()) {
        return error.into_response();
    }
    let mut response = error_page(&page, StatusCode::METHOD_NOT_ALLOWED, None);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::detail;

    #[test]
    fn the_reason_comes_from_json_errors_and_plain_text_rejections() {
        assert_eq!(
            detail(br#"{"error":{"code":"x","message":"Name it."}}"#).as_deref(),
            Some("Name it.")
        );
        assert_eq!(
            detail(b"Failed to deserialize form body: missing field `name`\n").as_deref(),
            Some("Failed to deserialize form body: missing field `name`")
        );
        assert_eq!(detail(b"  "), None);
        assert_eq!(detail(&[0xff, 0xfe]), None);
    }

    #[test]
    fn the_api_images_and_assets_are_not_pages() {
        for path in [
            "/api",
            "/api/v1/instance",
            "/img/g/x/0/w320",
            "/assets/app.css",
            "/healthz",
        ] {
            assert!(super::is_machine_path(path), "{path}");
        }
        for path in ["/", "/boards/x/edit", "/imagine", "/apis", "/settings"] {
            assert!(!super::is_machine_path(path), "{path}");
        }
    }
}
