//! The privacy center's API (D3, D7, D8, P1): what is held about the signed-in user with each
//! retention period and the providers that receive what; account deletion requested and
//! withdrawn; and the one-click unsubscribe of marketing mail (RFC 8058), which needs no cookie:
//! `POST` unsubscribes and answers 200 without a redirect, `GET` only shows a confirmation.

use crate::ApiError;
use crate::auth::CurrentUser;
use crate::i18n::{Lang, PageLang};
use crate::openapi::{CsrfRejected, Unauthorized};
use crate::state::AppState;
use atelier_app::privacy::deletion::DeletionSource;
use atelier_app::privacy::{POLICY_EFFECTIVE, POLICY_VERSION};
use atelier_core::settings::ProviderKind;
use atelier_core::time::rfc3339;
use atelier_db::privacy::DeletionRequestRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Counts of what is held.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldJson {
    sessions: i64,
    access_tokens: i64,
    ip_events: i64,
    generations: i64,
    generated_images: i64,
    uploads: i64,
    favorites: i64,
    boards: i64,
    ledger_entries: i64,
    assistant_logs: i64,
    consent_events: i64,
}

/// Retention periods in days (`null`: kept until you delete it).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetentionJson {
    assistant_log_days: u32,
    ip_event_days: u32,
    account_deletion_grace_days: u32,
    session_idle_minutes: u32,
    session_absolute_days: u32,
    image_cache_days: u32,
}

/// A provider and what it receives.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientJson {
    /// Who.
    pub(crate) provider: &'static str,
    /// What it receives.
    pub(crate) receives: &'static str,
    /// `true` when nothing leaves this server.
    pub(crate) on_this_server: bool,
}

/// A pending account deletion.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletionJson {
    /// When it was asked for.
    requested_at: String,
    /// When it will be carried out; it can be withdrawn until then.
    due_at: String,
    /// `self` or `admin`.
    source: String,
}

impl From<DeletionRequestRow> for DeletionJson {
    fn from(d: DeletionRequestRow) -> Self {
        Self {
            requested_at: rfc3339(d.requested_at),
            due_at: rfc3339(d.due_at),
            source: d.source,
        }
    }
}

/// The policy version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyJson {
    version: i64,
    effective: &'static str,
    /// Whether you have yet to open this version.
    unread: bool,
    url: &'static str,
}

/// What the instance holds about you (D8).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PrivacyJson {
    email: String,
    marketing_opt_in: bool,
    held: HeldJson,
    retention: RetentionJson,
    recipients: Vec<RecipientJson>,
    deletion: Option<DeletionJson>,
    policy: PolicyJson,
    /// Where to write about your data.
    contact: String,
}

/// Who receives what, from the configured models and assistant.
pub fn recipients(state: &AppState) -> Vec<RecipientJson> {
    let mut out: Vec<RecipientJson> = Vec::new();
    let mut seen = Vec::new();
    for model in state.app.models() {
        if seen.contains(&model.provider) {
            continue;
        }
        seen.push(model.provider);
        out.push(RecipientJson {
            provider: model.provider.display_name(),
            receives: "prompts and reference images of generations and AI Edits",
            on_this_server: model.provider == ProviderKind::Local,
        });
    }
    let assistant = state.app.assistant().kind();
    out.push(RecipientJson {
        provider: if assistant == "openai" {
            "OpenAI"
        } else {
            ProviderKind::Local.display_name()
        },
        receives: "prompts to enhance and uploads to describe",
        on_this_server: assistant != "openai",
    });
    out.push(RecipientJson {
        provider: match state.app.settings().mail.transport {
            atelier_core::settings::MailTransport::Resend => "Resend",
            atelier_core::settings::MailTransport::Smtp => "the operator's mail server",
            atelier_core::settings::MailTransport::File => "this server's outbox folder",
        },
        receives: "your email address and the mail sent to it",
        on_this_server: matches!(
            state.app.settings().mail.transport,
            atelier_core::settings::MailTransport::File
        ),
    });
    out
}

/// What the instance holds about you, each retention period, who receives what (D8).
#[utoipa::path(
    get, path = "/api/v1/me/privacy", tag = "privacy", operation_id = "getPrivacyOverview",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "What is held about you, for how long, and who receives what", body = PrivacyJson), Unauthorized)
)]
pub async fn overview(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<PrivacyJson>, ApiError> {
    let user = &principal.user;
    let h = state.app.holdings(&user.id).await?;
    let settings = state.app.settings();
    let r = &settings.retention;
    Ok(Json(PrivacyJson {
        email: user.email.clone(),
        marketing_opt_in: user.marketing_opt_in,
        held: HeldJson {
            sessions: h.sessions,
            access_tokens: h.access_tokens,
            ip_events: h.ip_events,
            generations: h.generations,
            generated_images: h.generated_images,
            uploads: h.uploads,
            favorites: h.favorites,
            boards: h.boards,
            ledger_entries: h.ledger_entries,
            assistant_logs: h.assistant_logs,
            consent_events: h.consent_events,
        },
        retention: RetentionJson {
            assistant_log_days: r.assistant_log_days,
            ip_event_days: r.ip_event_days,
            account_deletion_grace_days: r.account_deletion_grace_days,
            session_idle_minutes: settings.accounts.session_idle_minutes,
            session_absolute_days: settings.accounts.session_absolute_days,
            image_cache_days: 7,
        },
        recipients: recipients(&state),
        deletion: state.app.deletion_request(&user.id).await?.map(Into::into),
        policy: PolicyJson {
            version: POLICY_VERSION,
            effective: POLICY_EFFECTIVE,
            unread: user.policy_version_seen < POLICY_VERSION,
            url: "/privacy",
        },
        contact: state.app.privacy_contact(),
    }))
}

/// Requests the deletion of your account (D3): a confirmation mail, then deletion after the grace
/// period; withdraw it before then with `DELETE`. Asking again returns the pending request.
#[utoipa::path(
    post, path = "/api/v1/me/deletion", tag = "privacy", operation_id = "requestAccountDeletion",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 202, description = "Deletion is scheduled after the grace period; a confirmation mail is sent", body = DeletionJson), Unauthorized, CsrfRejected)
)]
pub async fn request_deletion(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<(StatusCode, Json<DeletionJson>), ApiError> {
    let id = &principal.user.id;
    let row = state
        .app
        .request_account_deletion(id, DeletionSource::User, id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// Withdraws a pending deletion request during the grace period.
#[utoipa::path(
    delete, path = "/api/v1/me/deletion", tag = "privacy", operation_id = "withdrawAccountDeletion",
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 204, description = "The pending deletion is withdrawn"),
        Unauthorized, CsrfRejected,
        (status = 404, description = "No deletion is pending (`not_found`)", body = crate::error::ErrorBody),
    )
)]
pub async fn withdraw_deletion(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<StatusCode, ApiError> {
    let id = &principal.user.id;
    if state.app.withdraw_account_deletion(id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(atelier_app::AppError::NotFound.into())
    }
}

/// Words of the unsubscribe pages.
struct UnsubscribeText {
    lang: &'static str,
    title: &'static str,
    ask: &'static str,
    button: &'static str,
    done: &'static str,
    service: &'static str,
    invalid: &'static str,
}

fn unsubscribe_text(lang: Lang) -> UnsubscribeText {
    match lang {
        Lang::ZhCn => UnsubscribeText {
            lang: "zh-CN",
            title: "退订动态邮件",
            ask: "不再接收 Atelier 的动态与推广邮件？",
            button: "退订",
            done: "已退订。你不会再收到动态与推广邮件。",
            service: "登录验证码、安全提醒等服务邮件会照常发送。可以随时在设置中重新订阅。",
            invalid: "这个退订链接无效。",
        },
        Lang::En => UnsubscribeText {
            lang: "en",
            title: "Unsubscribe from news",
            ask: "Stop receiving news and offers from Atelier by mail?",
            button: "Unsubscribe",
            done: "You are unsubscribed. You will get no more news or offers by mail.",
            service: "Service mail such as sign-in codes and security alerts continues. You can subscribe again in settings at any time.",
            invalid: "This unsubscribe link is not valid.",
        },
    }
}

/// What an unsubscribe page says.
enum UnsubscribeState {
    /// The question, with the form that posts to this token.
    Ask(String),
    /// Unsubscribed.
    Done,
    /// A token this instance did not sign.
    Invalid,
}

/// A small page of its own: no cookies read, none set, nothing cached.
#[derive(askama::Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    t: UnsubscribeText,
    state: UnsubscribeState,
}

fn unsubscribe_page(
    status: StatusCode,
    lang: Lang,
    state: UnsubscribeState,
) -> Result<Response, ApiError> {
    let page = UnsubscribePage {
        t: unsubscribe_text(lang),
        state,
    };
    let mut response = (status, crate::page::render(&page)?).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /unsubscribe/{token}`: only asks (link scanners follow links; they must not unsubscribe
/// anyone).
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let lang = Lang::from_headers(&headers);
    if state.app.verify_unsubscribe_token(&token).is_err() {
        return unsubscribe_page(StatusCode::NOT_FOUND, lang, UnsubscribeState::Invalid);
    }
    unsubscribe_page(StatusCode::OK, lang, UnsubscribeState::Ask(token))
}

/// `POST /unsubscribe/{token}` (RFC 8058 one-click, form-encoded or multipart, no cookie):
/// unsubscribes and answers 200 — no redirect.
pub async fn unsubscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let lang = Lang::from_headers(&headers);
    match state.app.unsubscribe(&token).await {
        Ok(()) => unsubscribe_page(StatusCode::OK, lang, UnsubscribeState::Done),
        Err(atelier_app::AppError::NotFound) => {
            unsubscribe_page(StatusCode::NOT_FOUND, lang, UnsubscribeState::Invalid)
        }
        Err(e) => Err(e.into()),
    }
}
