//! The extractors a page handler starts with, and the error type page handlers return.

use super::{Viewer, here, sign_in_first};
use crate::ApiError;
use crate::auth::MaybeUser;
use crate::i18n::{Lang, Messages, PageLang};
use crate::state::AppState;
use atelier_app::AppError;
use atelier_app::accounts::Principal;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

/// Whoever is asking for a page: their language and its strings, the page's own address (for the
/// language switch and sign-in to come back to) and the signed-in user, if any.
#[derive(Debug, Clone)]
pub struct Page {
    /// The visitor's language: the `lang` cookie, else `Accept-Language`.
    pub lang: Lang,
    /// That language's strings.
    pub m: &'static Messages,
    /// The page's path and query.
    pub here: String,
    /// The signed-in user (a bad bearer token on a page counts as signed out).
    pub principal: Option<Principal>,
}

impl Page {
    /// The header's view of the visitor.
    #[must_use]
    pub fn viewer(&self) -> Option<Viewer> {
        Viewer::from_maybe(self.principal.as_ref())
    }

    /// The signed-in user; a signed-out visitor is sent to sign in first and to come back to
    /// `next`.
    ///
    /// # Errors
    /// [`PageError::SignIn`] when nobody is signed in.
    pub fn require(&self, next: &str) -> Result<&Principal, PageError> {
        self.principal
            .as_ref()
            .ok_or_else(|| PageError::SignIn(next.to_owned()))
    }

    /// The same page for a signed-in user; a signed-out visitor is sent to sign in first and to
    /// come back to `next` (a form's page, where the form's own address is not one to come back
    /// to).
    ///
    /// # Errors
    /// [`PageError::SignIn`] when nobody is signed in.
    pub fn signed_in(self, next: &str) -> Result<SignedInPage, PageError> {
        match self.principal {
            Some(principal) => Ok(SignedInPage {
                lang: self.lang,
                m: self.m,
                here: self.here,
                principal,
            }),
            None => Err(PageError::SignIn(next.to_owned())),
        }
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = MaybeUser::from_request_parts(parts, state)
            .await
            .map_or(None, |MaybeUser(p)| p);
        let lang = Lang::from_headers(&parts.headers);
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .cloned()
            .unwrap_or_else(|| OriginalUri(parts.uri.clone()));
        Ok(Self {
            lang,
            m: lang.messages(),
            here: here(&uri),
            principal,
        })
    }
}

/// A page only a signed-in user sees. A signed-out visitor is sent to `/login?next=<this page>`
/// and comes back here after signing in.
#[derive(Debug, Clone)]
pub struct SignedInPage {
    /// The visitor's language.
    pub lang: Lang,
    /// That language's strings.
    pub m: &'static Messages,
    /// The page's path and query.
    pub here: String,
    /// The signed-in user.
    pub principal: Principal,
}

impl FromRequestParts<AppState> for SignedInPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(page) = Page::from_request_parts(parts, state).await;
        let next = page.here.clone();
        page.signed_in(&next).map_err(IntoResponse::into_response)
    }
}

/// Why a page handler did not render its page. On a page route the one mapping of
/// [`ApiError`] is turned into an HTML page in the visitor's language by
/// [`html_errors`](super::html_errors).
#[derive(Debug)]
pub enum PageError {
    /// Nobody is signed in: sign in first, then come back to this path.
    SignIn(String),
    /// Anything else, as the API would answer it.
    Failed(ApiError),
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

impl PageError {
    /// Nothing is here (the page route answers the friendly 404 page).
    #[must_use]
    pub fn not_found() -> Self {
        Self::Failed(ApiError::not_found())
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self::Failed(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn(next) => sign_in_first(&next),
            Self::Failed(e) => e.into_response(),
        }
    }
}
