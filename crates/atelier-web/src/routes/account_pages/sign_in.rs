//! Signing in and out (C1, D1): the email form, the "check your mail" page with the code form, the
//! magic link (at once in the browser that asked, after a confirmation anywhere else) and sign-out.
//! The address is only ever posted, never put in a URL.

use super::{FormError, after_sign_in, personal, signed_in_redirect};
use crate::auth::{self, ClientInfo};
use crate::i18n::{Lang, Messages, PageLang};
use crate::page::{ASSET_VERSION, Page, PageResult, Viewer, is_local_path, render, see_other};
use crate::state::AppState;
use askama::Template;
use atelier_app::accounts::{AuthVia, CODE_TTL_MINUTES, Client, LinkOutcome};
use atelier_core::Email;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;
use url::form_urlencoded;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    email: String,
    next: String,
    expiry: String,
    error: Option<String>,
    /// Where mail is written when the file transport is on (demo instances).
    outbox_hint: Option<String>,
}

#[derive(Template)]
#[template(path = "login_link.html")]
struct LinkPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    /// "Sign in as a***@example.com on this device?" when the link needs a confirmation.
    question: Option<String>,
    token: String,
    invalid_body: String,
    error: Option<String>,
}

/// `?next=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// The email form: `email`, `next`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
    next: String,
}

/// The code form: `email`, `code`, `next`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    email: String,
    code: String,
    next: String,
}

/// The magic link's `token`, from the query or the confirmation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    token: String,
}

/// `next` if it is a path of this site, else nothing.
fn clean_next(next: &str) -> String {
    if is_local_path(next) {
        next.to_owned()
    } else {
        String::new()
    }
}

/// `/login`, with `next` kept: where the language switch goes back to.
fn login_here(next: &str) -> String {
    if next.is_empty() {
        "/login".to_owned()
    } else {
        let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("/login?next={encoded}")
    }
}

fn login_page(
    lang: Lang,
    here: String,
    email: &str,
    next: String,
    error: Option<&FormError>,
) -> PageResult {
    let page = LoginPage {
        m: lang.messages(),
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: None,
        email: email.trim().to_owned(),
        next,
        error: error.map(|e| e.message.clone()),
    };
    Ok(personal(render(&page)?, lang, error))
}

fn code_page(
    settings: &atelier_core::Settings,
    lang: Lang,
    email: &str,
    next: String,
    error: Option<&FormError>,
) -> PageResult {
    let m = lang.messages();
    // Shown as the account will know it; the form posts it back as typed.
    let email =
        Email::parse(email).map_or_else(|_| email.trim().to_owned(), |e| e.as_str().to_owned());
    let page = CodePage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: login_here(&next),
        q: String::new(),
        user: None,
        email,
        next,
        expiry: m
            .login
            .check_mail_expiry
            .replace("{minutes}", &CODE_TTL_MINUTES.to_string()),
        error: error.map(|e| e.message.clone()),
        outbox_hint: outbox_hint(settings, m),
    };
    Ok(personal(render(&page)?, lang, error))
}

fn link_page(
    lang: Lang,
    question: Option<String>,
    token: &str,
    error: Option<&FormError>,
) -> PageResult {
    let m = lang.messages();
    let page = LinkPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        // Never the link's own address: the token stays out of the language switch's form.
        here: "/login".to_owned(),
        q: String::new(),
        user: None,
        question,
        token: token.to_owned(),
        invalid_body: m
            .login
            .link_invalid_body
            .replace("{minutes}", &CODE_TTL_MINUTES.to_string()),
        error: error.map(|e| e.message.clone()),
    };
    Ok(personal(render(&page)?, lang, error))
}

/// `GET /login`: the email form. A signed-in visitor goes straight on to `next`.
pub async fn login(page: Page, Query(query): Query<NextQuery>) -> PageResult {
    if page.principal.is_some() {
        return Ok(see_other(after_sign_in(&query.next)));
    }
    login_page(page.lang, page.here, "", clean_next(&query.next), None)
}

/// `POST /login`: sends the code and link, ties the link to this browser with the login cookie,
/// and shows the code form (a page, not a redirect: the address never lands in a URL).
pub async fn send_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> PageResult {
    let lang = Lang::from_headers(&headers);
    let next = clean_next(&form.next);
    let nonce = atelier_core::random_token(16);
    match state
        .app
        .request_sign_in(&form.email, lang.as_str(), &client, Some(&nonce))
        .await
    {
        Ok(()) => {
            let settings = state.app.settings();
            let mut response = code_page(state.app.settings(), lang, &form.email, next, None)?;
            response.headers_mut().append(
                header::SET_COOKIE,
                auth::set_cookie(
                    settings,
                    auth::login_cookie_name(settings),
                    &nonce,
                    CODE_TTL_MINUTES * 60,
                ),
            );
            Ok(response)
        }
        Err(e) => {
            let error = FormError::from_app(lang.messages(), e)?;
            login_page(lang, login_here(&next), &form.email, next, Some(&error))
        }
    }
}

/// `POST /login/code`: signs in with the code and goes on to `next`; a wrong code shows the form
/// again with the address kept.
pub async fn verify_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> PageResult {
    match state
        .app
        .verify_sign_in_code(&form.email, &form.code, &client, false)
        .await
    {
        Ok(signed_in) => Ok(signed_in_redirect(
            &state,
            &signed_in,
            after_sign_in(&form.next),
        )),
        Err(e) => {
            let lang = Lang::from_headers(&headers);
            let error = FormError::from_app(lang.messages(), e)?;
            code_page(
                state.app.settings(),
                lang,
                &form.email,
                clean_next(&form.next),
                Some(&error),
            )
        }
    }
}

/// `GET /login/link?token=…`: the magic link from the mail.
pub async fn open_link(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    Query(query): Query<TokenForm>,
) -> PageResult {
    follow_link(&state, &client, &headers, &query.token, false).await
}

/// `POST /login/link`: the answer "yes, sign in on this device" to the confirmation page.
pub async fn confirm_link(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> PageResult {
    follow_link(&state, &client, &headers, &form.token, true).await
}

async fn follow_link(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    token: &str,
    confirmed: bool,
) -> PageResult {
    let lang = Lang::from_headers(headers);
    let nonce = auth::cookie(headers, auth::login_cookie_name(state.app.settings()));
    match state
        .app
        .sign_in_with_link(token, nonce, confirmed, client)
        .await
    {
        Ok(LinkOutcome::SignedIn(signed_in)) => Ok(signed_in_redirect(state, &signed_in, "/")),
        Ok(LinkOutcome::Confirm { email_masked }) => {
            let question = lang
                .messages()
                .login
                .link_confirm_question
                .replace("{email}", &email_masked);
            link_page(lang, Some(question), token, None)
        }
        Ok(LinkOutcome::Invalid) => link_page(lang, None, "", None),
        Err(e) => {
            let error = FormError::from_app(lang.messages(), e)?;
            link_page(lang, None, "", Some(&error))
        }
    }
}

/// `POST /logout`: ends this browser's session and goes to the gallery.
pub async fn logout(State(state): State<AppState>, page: Page) -> PageResult {
    // Only the browser session: a page form never revokes an access token.
    if let Some(principal) = page
        .principal
        .filter(|p| matches!(p.via, AuthVia::Session { .. }))
    {
        state.app.sign_out(&principal).await?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::clear_session_cookie(state.app.settings()),
    );
    Ok(response)
}

/// `GET` of a sign-in form's target (a reload, a bookmark): back to the email form.
pub async fn to_login() -> Response {
    see_other("/login")
}

/// The hint shown when mail is written to `<data_dir>/outbox/` instead of being sent.
fn outbox_hint(settings: &atelier_core::Settings, m: &Messages) -> Option<String> {
    (settings.mail.transport == atelier_core::settings::MailTransport::File).then(|| {
        let dir = settings.data_dir.join("outbox");
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        m.login
            .outbox_hint
            .replace("{path}", &dir.display().to_string())
    })
}
