//! `GET /api/docs`: the API reference, rendered on the server from the same OpenAPI document that
//! `GET /api/openapi.json` serves. No script and nothing from another site: it works offline,
//! without JavaScript and under the site's CSP. The view is built once, on first use.
//!
//! The page keeps the site's layout and language handling (header, footer, language switch); the
//! reference itself is written in English, as the document is, and marked `lang="en"`.

mod reference;

use crate::i18n::{Lang, Messages};
use crate::page::{ASSET_VERSION, Page, PageResult, Viewer, personal_page, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use reference::Reference;
use std::sync::LazyLock;

/// How long shared caches may keep the signed-out page.
const PUBLIC_CACHE: &str = "public, max-age=300";

/// The reference of this build's document.
static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
    let doc = serde_json::to_value(super::api_doc()).unwrap_or_default();
    Reference::from_document(&doc)
});

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    api: &'a Reference,
    /// `https://art.example.com/api/v1`.
    base_url: String,
}

/// `GET /api/docs`.
pub async fn page(State(state): State<AppState>, page: Page) -> PageResult {
    let lang = page.lang;
    let page = ApiDocsPage {
        m: page.m,
        lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        user: page.viewer(),
        api: &REFERENCE,
        base_url: crate::views::absolute(state.app.settings(), "/api/v1"),
    };
    let signed_in = page.user.is_some();
    let mut response = personal_page(render(&page)?, lang);
    if !signed_in {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PUBLIC_CACHE),
        );
    }
    Ok(response)
}
