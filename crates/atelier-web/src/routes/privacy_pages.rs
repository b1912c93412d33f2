//! The privacy pages (P1, D3, D4, D6, D7, D8): the instance's privacy policy at `/privacy`, with
//! every configured period and the operator's details, and the privacy center at
//! `/settings/privacy`: what is held about the signed-in user, each retention period, who receives
//! what, the export, the marketing choice and account deletion with its grace period. Plain forms
//! with Post/Redirect/Get: everything works without JavaScript.

use super::privacy::{RecipientJson, recipients};
use crate::ApiError;
use crate::i18n::{Lang, Messages, PageLang};
use crate::page::{ASSET_VERSION, Page, PageResult, Viewer, personal_page, render, see_other};
use crate::state::AppState;
use crate::views::TimeView;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::{Principal, ProfileUpdate};
use atelier_app::privacy::deletion::{DELETION_DEADLINE_DAYS, DeletionSource};
use atelier_app::privacy::{Holdings, POLICY_EFFECTIVE, POLICY_VERSION};
use atelier_core::clock::DAY_MS;
use atelier_core::time::rfc3339;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

/// How long shared caches may keep the signed-out policy page.
const PUBLIC_POLICY_CACHE: &str = "public, max-age=300";

/// The longest time any user-content image response may be cached (C6).
const IMAGE_CACHE_DAYS: u32 = 7;

/// One recipient of data, in the visitor's language (S1, U4).
pub struct RecipientView {
    provider: String,
    receives: String,
    on_this_server: bool,
}

impl RecipientView {
    fn new(lang: Lang, r: &RecipientJson) -> Self {
        let (provider, receives) = match lang {
            Lang::En => (capitalized(r.provider), capitalized(r.receives)),
            Lang::ZhCn => (
                zh_words(r.provider).map_or_else(|| r.provider.to_owned(), str::to_owned),
                zh_words(r.receives).map_or_else(|| r.receives.to_owned(), str::to_owned),
            ),
        };
        Self {
            provider,
            receives,
            on_this_server: r.on_this_server,
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The Chinese for the recipients' English words (names of companies stay as they are).
fn zh_words(en: &str) -> Option<&'static str> {
    Some(match en {
        "Atelier (offline, on this server)" => "Atelier（离线生成，在本服务器上）",
        "the operator's mail server" => "运营方的邮件服务器",
        "this server's outbox folder" => "本服务器的发件箱文件夹",
        "prompts and reference images of generations and AI Edits" => {
            "生成与 AI 编辑的提示词和参考图"
        }
        "prompts to enhance and uploads to describe" => "要优化的提示词和要反推提示词的图片",
        "your email address and the mail sent to it" => "你的邮箱地址和发给你的邮件",
        _ => return None,
    })
}

fn recipient_views(state: &AppState, lang: Lang) -> Vec<RecipientView> {
    recipients(state)
        .iter()
        .map(|r| RecipientView::new(lang, r))
        .collect()
}

/// `N days`, `N hours` or `N minutes`, whichever is whole.
fn duration_words(m: &Messages, minutes: u32) -> String {
    let (text, n) = if minutes.is_multiple_of(24 * 60) {
        (m.privacy_center.kept_days, minutes / (24 * 60))
    } else if minutes.is_multiple_of(60) {
        (m.privacy_center.kept_hours, minutes / 60)
    } else {
        (m.privacy_center.kept_minutes, minutes)
    };
    text.replace("{n}", &n.to_string())
}

fn days(m: &Messages, n: u32) -> String {
    m.privacy_center.kept_days.replace("{n}", &n.to_string())
}

/// `2026-11-25`.
fn date(ms: i64) -> String {
    rfc3339(ms).get(..10).unwrap_or_default().to_owned()
}

/// The operator's name; the default placeholder reads naturally in Chinese too.
fn operator_name(configured: &str, lang: Lang) -> String {
    let placeholder = atelier_core::settings::OperatorSettings::default().name;
    if lang == Lang::ZhCn && configured == placeholder {
        "本 Atelier 实例的运营方".to_owned()
    } else {
        configured.to_owned()
    }
}

/// The configured periods, as both pages state them.
struct Periods {
    assistant_log_days: u32,
    ip_event_days: u32,
    grace_days: u32,
    deadline_days: i64,
    session_idle: String,
    session_days: u32,
    image_cache_days: u32,
}

impl Periods {
    fn of(state: &AppState, m: &Messages) -> Self {
        let settings = state.app.settings();
        Self {
            assistant_log_days: settings.retention.assistant_log_days,
            ip_event_days: settings.retention.ip_event_days,
            grace_days: settings.retention.account_deletion_grace_days,
            deadline_days: DELETION_DEADLINE_DAYS,
            session_idle: duration_words(m, settings.accounts.session_idle_minutes),
            session_days: settings.accounts.session_absolute_days,
            image_cache_days: IMAGE_CACHE_DAYS,
        }
    }
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PolicyPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    version_line: String,
    operator_name: String,
    operator_address: Option<String>,
    contact: String,
    p: Periods,
    recipients: Vec<RecipientView>,
    keep_email_hash: bool,
    marketing_default: bool,
    zh: bool,
}

/// `GET /privacy`: the instance's privacy policy (P1). Opening it signed in marks the current
/// version read, so the banner goes.
pub async fn policy(State(state): State<AppState>, page: Page) -> PageResult {
    let lang = page.lang;
    let m = page.m;
    let user = match page.principal.as_ref() {
        Some(principal) => {
            state.app.mark_policy_read(&principal.user.id).await?;
            let mut viewer = Viewer::of(principal);
            viewer.policy_unread = false;
            Some(viewer)
        }
        None => None,
    };
    let settings = state.app.settings();
    let page = PolicyPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        version_line: m
            .privacy
            .version
            .replace("{version}", &POLICY_VERSION.to_string())
            .replace("{date}", POLICY_EFFECTIVE),
        operator_name: operator_name(&settings.operator.name, lang),
        operator_address: settings
            .operator
            .address
            .clone()
            .filter(|a| !a.trim().is_empty()),
        contact: state.app.privacy_contact(),
        p: Periods::of(&state, m),
        recipients: recipient_views(&state, lang),
        keep_email_hash: settings.accounts.keep_deleted_email_hash,
        marketing_default: settings.accounts.marketing_opt_in_default,
        zh: lang == Lang::ZhCn,
        user,
    };
    let signed_in = page.user.is_some();
    let mut response = personal_page(render(&page)?, lang);
    if !signed_in {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PUBLIC_POLICY_CACHE),
        );
    }
    Ok(response)
}

struct SessionView {
    label: String,
    last_seen: TimeView,
    current: bool,
}

struct ConsentView {
    what: String,
    how: &'static str,
    when: TimeView,
}

struct ExportView {
    status: &'static str,
    ready: bool,
    failed: bool,
    created: TimeView,
    expires: TimeView,
}

struct DeletionView {
    pending: String,
    hint: String,
}

#[derive(Template)]
#[template(path = "privacy_center.html")]
struct CenterPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    flash: Option<&'static str>,
    email: String,
    held: Holdings,
    generations_note: String,
    sessions: Vec<SessionView>,
    kept_sessions: String,
    kept_ip: String,
    kept_assistant: String,
    kept_account: String,
    kept_cdn: String,
    recipients: Vec<RecipientView>,
    consents: Vec<ConsentView>,
    marketing: bool,
    exports: Vec<ExportView>,
    export_error: Option<String>,
    deletion: Option<DeletionView>,
    delete_lead: String,
}

/// Consents listed on the page (the newest).
const CONSENTS_SHOWN: usize = 20;

impl CenterPage<'_> {
    async fn load(state: &AppState, principal: &Principal, lang: Lang) -> Result<Self, ApiError> {
        let m = lang.messages();
        let user = &principal.user;
        let held = state.app.holdings(&user.id).await?;
        let mut sessions: Vec<SessionView> = state
            .app
            .sessions(principal)
            .await?
            .into_iter()
            .map(|s| SessionView {
                label: s.label,
                last_seen: TimeView::at(s.last_seen_at),
                current: s.current,
            })
            .collect();
        sessions.sort_by_key(|s| !s.current);
        let consents = state
            .app
            .consent_events(&user.id)
            .await?
            .into_iter()
            .take(CONSENTS_SHOWN)
            .map(|c| ConsentView {
                what: match (c.kind.as_str(), c.value.as_str()) {
                    ("marketing", "opt_in") => m.privacy_center.consent_marketing_in.to_owned(),
                    ("marketing", _) => m.privacy_center.consent_marketing_out.to_owned(),
                    (_, version) => m
                        .privacy_center
                        .consent_policy
                        .replace("{version}", version),
                },
                how: match c.source.as_str() {
                    "signup" => m.privacy_center.source_signup,
                    "api" => m.privacy_center.source_api,
                    "unsubscribe_link" => m.privacy_center.source_unsubscribe,
                    "policy_page" => m.privacy_center.source_policy,
                    _ => m.privacy_center.source_settings,
                },
                when: TimeView::at(c.created_at),
            })
            .collect();
        let exports = state
            .app
            .exports(&user.id)
            .await?
            .into_iter()
            .map(|e| ExportView {
                status: match e.status.as_str() {
                    "ready" => m.privacy_center.export_ready_status,
                    "failed" => m.privacy_center.export_failed_status,
                    _ => m.privacy_center.export_queued_status,
                },
                ready: e.status == "ready",
                failed: e.status == "failed",
                created: TimeView::at(e.created_at),
                expires: TimeView::at(e.expires_at),
            })
            .collect();
        let deletion = state
            .app
            .deletion_request(&user.id)
            .await?
            .map(|d| DeletionView {
                pending: m
                    .privacy_center
                    .delete_pending
                    .replace("{date}", &date(d.due_at)),
                hint: m
                    .privacy_center
                    .delete_pending_hint
                    .replace("{date}", &date(d.requested_at)),
            });
        let p = Periods::of(state, m);
        Ok(Self {
            m,
            lang,
            asset_version: &ASSET_VERSION,
            here: "/settings/privacy".to_owned(),
            q: String::new(),
            user: Some(Viewer::of(principal)),
            flash: None,
            email: user.email.clone(),
            generations_note: m
                .privacy_center
                .generations_note
                .replace("{images}", &held.generated_images.to_string()),
            held,
            sessions,
            kept_sessions: m
                .privacy_center
                .kept_sessions
                .replace("{idle}", &p.session_idle)
                .replace("{days}", &p.session_days.to_string()),
            kept_ip: days(m, p.ip_event_days),
            kept_assistant: days(m, p.assistant_log_days),
            kept_account: m
                .privacy_center
                .ret_account_value
                .replace("{grace}", &p.grace_days.to_string())
                .replace("{max}", &p.deadline_days.to_string()),
            kept_cdn: m.privacy_center.ret_cdn_value.to_owned(),
            recipients: recipient_views(state, lang),
            consents,
            marketing: user.marketing_opt_in,
            exports,
            export_error: None,
            deletion,
            delete_lead: m
                .privacy_center
                .delete_lead
                .replace("{grace}", &p.grace_days.to_string()),
        })
    }
}

/// `?done=`: which change the flash message confirms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

fn flash(m: &'static Messages, done: &str) -> Option<&'static str> {
    Some(match done {
        "marketing_on" => m.privacy_center.saved_marketing_on,
        "marketing_off" => m.privacy_center.saved_marketing_off,
        "export" => m.privacy_center.export_queued,
        "deletion" => m.privacy_center.saved_deletion,
        "withdrawn" => m.privacy_center.saved_withdrawn,
        _ => return None,
    })
}

/// `GET /settings/privacy`: the privacy center (D8); signed out, the sign-in page first.
pub async fn center(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let principal = page.require("/settings/privacy")?;
    let lang = page.lang;
    let mut page = CenterPage::load(&state, principal, lang).await?;
    page.flash = flash(page.m, &query.done);
    Ok(personal_page(render(&page)?, lang))
}

/// The marketing mail form: `on` subscribes, anything else unsubscribes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarketingForm {
    marketing: String,
}

/// `POST /settings/privacy/marketing`: the news-and-offers mail choice (D7, C1).
pub async fn marketing(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<MarketingForm>,
) -> PageResult {
    let principal = page.require("/settings/privacy")?;
    let on = form.marketing == "on";
    let update = ProfileUpdate {
        marketing_opt_in: Some(on),
        ..ProfileUpdate::default()
    };
    state.app.update_profile(&principal.user.id, update).await?;
    Ok(see_other(if on {
        "/settings/privacy?done=marketing_on#mail"
    } else {
        "/settings/privacy?done=marketing_off#mail"
    }))
}

/// `POST /settings/privacy/export`: prepares the export in the background and mails a link (D4).
/// Past the hourly limit the page says when to try again (429).
pub async fn export(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings/privacy")?;
    match state.app.request_export(&principal.user.id).await {
        Ok(_) => Ok(see_other("/settings/privacy?done=export#export")),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let lang = page.lang;
            let mut page = CenterPage::load(&state, principal, lang).await?;
            page.export_error = Some(
                page.m
                    .errors
                    .rate_limited
                    .replace("{minutes}", &retry_after_secs.div_ceil(60).to_string()),
            );
            let mut response = personal_page(render(&page)?, lang);
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "privacy_delete.html")]
struct DeletePage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    when: String,
    mail: String,
}

/// `GET /settings/privacy/delete`: what an account deletion removes, that it cannot be undone
/// after the grace period, the download offered first, and the final button (D3, R7).
pub async fn confirm_delete(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings/privacy/delete")?;
    if state
        .app
        .deletion_request(&principal.user.id)
        .await?
        .is_some()
    {
        return Ok(see_other("/settings/privacy#delete"));
    }
    let lang = page.lang;
    let m = lang.messages();
    let grace = state.app.settings().retention.account_deletion_grace_days;
    let due = state.app.now_ms() + i64::from(grace) * DAY_MS;
    let page = DeletePage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: "/settings/privacy/delete".to_owned(),
        q: String::new(),
        user: Some(Viewer::of(principal)),
        when: m
            .privacy_center
            .del_when
            .replace("{date}", &date(due))
            .replace("{grace}", &grace.to_string()),
        mail: m
            .privacy_center
            .del_mail
            .replace("{email}", &principal.user.email),
    };
    Ok(personal_page(render(&page)?, lang))
}

/// `POST /settings/privacy/delete`: requests the account's deletion (D3); a confirmation mail
/// follows. Asking again keeps the first request.
pub async fn request_deletion(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings/privacy")?;
    let id = &principal.user.id;
    state
        .app
        .request_account_deletion(id, DeletionSource::User, id)
        .await?;
    Ok(see_other("/settings/privacy?done=deletion#delete"))
}

/// `POST /settings/privacy/withdraw`: withdraws a pending deletion during the grace period.
pub async fn withdraw_deletion(State(state): State<AppState>, page: Page) -> PageResult {
    let principal = page.require("/settings/privacy")?;
    let id = &principal.user.id;
    // Nothing pending (withdrawn in another tab): the page shows the same either way.
    state.app.withdraw_account_deletion(id, id).await?;
    Ok(see_other("/settings/privacy?done=withdrawn#delete"))
}

/// `GET` of a privacy form's target (a reload, a bookmark): back to the privacy center.
pub async fn to_center() -> Response {
    see_other("/settings/privacy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_said_in_whole_units() {
        let en = Lang::En.messages();
        assert_eq!(duration_words(en, 7 * 24 * 60), "7 days");
        assert_eq!(duration_words(en, 120), "2 hours");
        assert_eq!(duration_words(en, 90), "90 minutes");
        assert_eq!(duration_words(Lang::ZhCn.messages(), 24 * 60), "1 天");
    }

    #[test]
    fn recipients_read_naturally_in_both_languages() {
        let r = RecipientJson {
            provider: "the operator's mail server",
            receives: "your email address and the mail sent to it",
            on_this_server: false,
        };
        let en = RecipientView::new(Lang::En, &r);
        assert_eq!(en.provider, "The operator's mail server");
        let zh = RecipientView::new(Lang::ZhCn, &r);
        assert_eq!(zh.provider, "运营方的邮件服务器");
        assert_eq!(zh.receives, "你的邮箱地址和发给你的邮件");
    }
}
