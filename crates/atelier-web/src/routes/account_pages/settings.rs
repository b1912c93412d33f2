//! The settings page (C1, C3, D1, D5, D7): profile, email change verified at the new address,
//! the sessions with sign-out here or everywhere, and personal access tokens, each shown once.

use super::{FormError, personal};
use crate::ApiError;
use crate::auth::{self};
use crate::i18n::{Lang, Messages, PageLang};
use crate::page::{ASSET_VERSION, Page, PageResult, Viewer, lang_cookie, render, see_other};
use crate::state::AppState;
use crate::views::{TimeView, excerpt};
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::{Principal, ProfileUpdate};
use atelier_core::Email;
use atelier_db::assistant::AssistantLogRow;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use serde::Deserialize;

struct SessionView {
    id: String,
    label: String,
    created: TimeView,
    last_seen: TimeView,
    current: bool,
}

struct TokenView {
    id: String,
    name: String,
    created: TimeView,
    last_used: Option<TimeView>,
    expires: Option<TimeView>,
}

/// Assistant calls listed on the page (the newest).
const ASSISTANT_LOGS_SHOWN: u32 = 50;

/// One assistant call as the history shows it (C9, D6).
struct AssistantLogView {
    feature: &'static str,
    when: TimeView,
    /// The prompt as written, or which image.
    input: String,
    instruction: Option<String>,
    /// The answer; for an edit, a link to its generation.
    output: Option<String>,
    output_href: Option<String>,
    error: Option<String>,
    provider: String,
    duration: String,
}

impl AssistantLogView {
    fn new(m: &Messages, row: AssistantLogRow) -> Self {
        let input = if row.input.starts_with("upload:") {
            m.settings.log_your_upload.to_owned()
        } else if row.input.starts_with("image:") {
            m.settings.log_your_image.to_owned()
        } else {
            excerpt(&row.input, 200)
        };
        let (output, output_href) = match row.output {
            Some(out) => match out.strip_prefix("generation:") {
                Some(id) => (
                    Some(m.settings.log_result.to_owned()),
                    Some(format!("/generations/{}", urlencode(id))),
                ),
                None => (Some(excerpt(&out, 300)), None),
            },
            None => (None, None),
        };
        let provider = if row.provider == "local" {
            m.settings.log_provider_local.to_owned()
        } else if row.model.is_empty() {
            row.provider
        } else {
            format!("{} · {}", row.provider, row.model)
        };
        let duration = if row.duration_ms < 1000 {
            format!("{} ms", row.duration_ms.max(0))
        } else {
            format!("{:.1} s", row.duration_ms as f64 / 1000.0)
        };
        Self {
            feature: match row.feature.as_str() {
                "enhance" => m.settings.feature_enhance,
                "describe" => m.settings.feature_describe,
                _ => m.settings.feature_edit,
            },
            when: TimeView::at(row.created_at),
            input,
            instruction: row.instruction,
            output,
            output_href,
            error: if row.status == "failed" {
                Some(
                    row.error
                        .unwrap_or_else(|| m.generations.status_failed.to_owned()),
                )
            } else {
                None
            },
            provider,
            duration,
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    flash: Option<&'static str>,
    email: String,
    /// The address's local part: the name shown while no display name is set.
    email_name: String,
    display_name: String,
    language: String,
    marketing: bool,
    profile_error: Option<String>,
    new_email: String,
    /// The new address a code was sent to, while it waits for that code.
    pending_email: Option<String>,
    pending_prompt: String,
    email_error: Option<String>,
    sessions: Vec<SessionView>,
    tokens: Vec<TokenView>,
    token_name: String,
    token_error: Option<String>,
    new_token: Option<String>,
    curl_example: String,
    assistant_logs: Vec<AssistantLogView>,
    assistant_intro: String,
    /// "Showing the newest N" when there are more.
    assistant_more: Option<String>,
}

impl SettingsPage<'_> {
    /// The page as stored, before any form's input or errors are laid over it.
    async fn load(state: &AppState, principal: &Principal, lang: Lang) -> Result<Self, ApiError> {
        let user = &principal.user;
        let mut sessions: Vec<SessionView> = state
            .app
            .sessions(principal)
            .await?
            .into_iter()
            .map(|s| SessionView {
                id: s.id,
                label: s.label,
                created: TimeView::at(s.created_at),
                last_seen: TimeView::at(s.last_seen_at),
                current: s.current,
            })
            .collect();
        sessions.sort_by_key(|s| !s.current);
        let tokens = state
            .app
            .access_tokens(&user.id)
            .await?
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created: TimeView::at(t.created_at),
                last_used: t.last_used_at.map(TimeView::at),
                expires: t.expires_at.map(TimeView::at),
            })
            .collect();
        let m = lang.messages();
        let (logs, next) = state
            .app
            .assistant_logs(&user.id, ASSISTANT_LOGS_SHOWN, None)
            .await?;
        let days = state.app.settings().retention.assistant_log_days;
        Ok(Self {
            m,
            lang,
            asset_version: &ASSET_VERSION,
            here: "/settings".to_owned(),
            q: String::new(),
            user: Some(Viewer::of(principal)),
            flash: None,
            email: user.email.clone(),
            email_name: user.email.split('@').next().unwrap_or_default().to_owned(),
            display_name: user.display_name.clone().unwrap_or_default(),
            language: user.language.clone(),
            marketing: user.marketing_opt_in,
            profile_error: None,
            new_email: String::new(),
            pending_email: None,
            pending_prompt: String::new(),
            email_error: None,
            sessions,
            tokens,
            token_name: String::new(),
            token_error: None,
            new_token: None,
            curl_example: String::new(),
            assistant_logs: logs
                .into_iter()
                .map(|row| AssistantLogView::new(m, row))
                .collect(),
            assistant_intro: m
                .settings
                .assistant_history_intro
                .replace("{days}", &days.to_string()),
            assistant_more: next.map(|_| {
                m.settings
                    .log_more
                    .replace("{n}", &ASSISTANT_LOGS_SHOWN.to_string())
            }),
        })
    }

    /// Shows the code form for a change to `new_email`.
    fn awaiting_code(&mut self, new_email: &str) {
        let shown = Email::parse(new_email)
            .map_or_else(|_| new_email.trim().to_owned(), |e| e.as_str().to_owned());
        self.pending_prompt = self.m.settings.email_code_sent.replace("{email}", &shown);
        self.pending_email = Some(shown);
    }

    fn respond(&self, error: Option<&FormError>) -> PageResult {
        Ok(personal(render(self)?, self.lang, error))
    }
}

/// `?saved=`: which change the flash message confirms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

/// The profile form. An unticked checkbox is simply missing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    display_name: Option<String>,
    language: Option<String>,
    marketing_opt_in: Option<String>,
}

/// The new address form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewEmailForm {
    new_email: String,
}

/// The code form of an email change; `new_email` only to show it again after a wrong code.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailCodeForm {
    code: String,
    new_email: String,
}

/// The new token form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewTokenForm {
    name: String,
}

fn flash(m: &'static Messages, saved: &str) -> Option<&'static str> {
    Some(match saved {
        "profile" => m.settings.saved_profile,
        "email" => m.settings.saved_email,
        "session_ended" => m.settings.saved_session_ended,
        "token_revoked" => m.settings.saved_token_revoked,
        "assistant_deleted" => m.settings.saved_assistant_deleted,
        _ => return None,
    })
}

/// `GET /settings`; signed out, the sign-in page first.
pub async fn settings(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let principal = page.require("/settings")?;
    let lang = page.lang;
    let mut page = SettingsPage::load(&state, principal, lang).await?;
    page.flash = flash(page.m, &query.saved);
    page.respond(None)
}

/// `POST /settings/profile`: display name, language (kept in the `lang` cookie too) and the
/// marketing mail choice (D7).
pub async fn save_profile(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ProfileForm>,
) -> PageResult {
    let principal = page.require("/settings")?;
    let update = ProfileUpdate {
        display_name: form.display_name.clone().map(Some),
        language: form.language.clone(),
        marketing_opt_in: Some(form.marketing_opt_in.is_some()),
    };
    match state.app.update_profile(&principal.user.id, update).await {
        Ok(user) => {
            let mut response = see_other("/settings?saved=profile");
            if let Some(cookie) =
                Lang::parse(&user.language).and_then(|lang| lang_cookie(state.app.settings(), lang))
            {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(e) => {
            let lang = page.lang;
            let error = FormError::from_app(lang.messages(), e)?;
            let mut page = SettingsPage::load(&state, principal, lang).await?;
            page.display_name = form.display_name.unwrap_or_default();
            if let Some(language) = form.language {
                page.language = language;
            }
            page.marketing = form.marketing_opt_in.is_some();
            page.profile_error = Some(error.message.clone());
            page.respond(Some(&error))
        }
    }
}

/// `POST /settings/email`: sends a code to the new address and shows the code form (D5).
pub async fn change_email(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewEmailForm>,
) -> PageResult {
    let principal = page.require("/settings")?;
    let lang = page.lang;
    let outcome = state
        .app
        .request_email_change(&principal.user, &form.new_email)
        .await;
    let mut page = SettingsPage::load(&state, principal, lang).await?;
    match outcome {
        Ok(()) => {
            page.awaiting_code(&form.new_email);
            page.respond(None)
        }
        Err(e) => {
            let error = FormError::from_app(lang.messages(), e)?;
            page.new_email = form.new_email.trim().to_owned();
            page.email_error = Some(error.message.clone());
            page.respond(Some(&error))
        }
    }
}

/// `POST /settings/email/verify`: confirms the new address with its code; the old address is told.
pub async fn verify_email(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<EmailCodeForm>,
) -> PageResult {
    let principal = page.require("/settings")?;
    match state
        .app
        .confirm_email_change(&principal.user, &form.code)
        .await
    {
        Ok(_) => Ok(see_other("/settings?saved=email")),
        Err(e) => {
            let lang = page.lang;
            let error = FormError::from_app(lang.messages(), e)?;
            let mut page = SettingsPage::load(&state, principal, lang).await?;
            if !form.new_email.trim().is_empty() {
                page.awaiting_code(&form.new_email);
            }
            page.email_error = Some(error.message.clone());
            page.respond(Some(&error))
        }
    }
}

/// `POST /settings/sessions/{id}/end`: signs another device out.
pub async fn end_session(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let principal = page.require("/settings")?;
    match state.app.end_session(&principal.user.id, &id).await {
        // Already ended elsewhere: the list shows the same either way.
        Ok(()) | Err(AppError::NotFound) => Ok(see_other("/settings?saved=session_ended")),
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/sessions/end-all`: ends every session, this one too (D1).
pub async fn end_all_sessions(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings")?;
    state.app.sign_out_everywhere(&principal.user.id).await?;
    let mut response = see_other("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::clear_session_cookie(state.app.settings()),
    );
    Ok(response)
}

/// `POST /settings/tokens`: creates a token and shows it this once, with an example call.
pub async fn create_token(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewTokenForm>,
) -> PageResult {
    let principal = page.require("/settings")?;
    let lang = page.lang;
    let created = state
        .app
        .create_access_token(&principal.user.id, &form.name)
        .await;
    match created {
        Ok((_, token)) => {
            let mut page = SettingsPage::load(&state, principal, lang).await?;
            page.curl_example = format!(
                "curl -H \"Authorization: Bearer {token}\" {}/api/v1/me",
                state
                    .app
                    .settings()
                    .public_url
                    .as_str()
                    .trim_end_matches('/')
            );
            page.new_token = Some(token);
            page.respond(None)
        }
        Err(e) => {
            let error = FormError::from_app(lang.messages(), e)?;
            let mut page = SettingsPage::load(&state, principal, lang).await?;
            page.token_name = form.name;
            page.token_error = Some(error.message.clone());
            page.respond(Some(&error))
        }
    }
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let principal = page.require("/settings")?;
    match state.app.revoke_access_token(&principal.user.id, &id).await {
        // Already revoked: the list shows the same either way.
        Ok(()) | Err(AppError::NotFound) => Ok(see_other("/settings?saved=token_revoked")),
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/assistant-logs/delete`: deletes the user's whole assistant history now (D6).
pub async fn delete_assistant_logs(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings")?;
    state.app.delete_assistant_logs(&principal.user.id).await?;
    Ok(see_other("/settings?saved=assistant_deleted#assistant"))
}

/// `GET` of a settings form's target (a reload, a bookmark): back to the settings.
pub async fn to_settings() -> Response {
    see_other("/settings")
}
