//! The console's pages (issue 19: G8, SEC2, D3) under `/admin`: users (search, a user's file with
//! credit adjustment, roles and sessions), the audit log and the deletion queue. Staff only, as
//! the API: each handler turns the visitor into `Staff` and calls the same use cases, which write
//! the audit entries. Phone first; en and zh-CN.

use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageError, PageResult, SignedInPage, Viewer, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::TimeView;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::{Principal, User};
use atelier_app::admin::Staff;
use atelier_core::Role;
use atelier_core::clock::DAY_MS;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

/// Users on a page of the list.
const USERS_SHOWN: u32 = 50;
/// Audit entries on a page.
const AUDIT_SHOWN: u32 = 50;

/// The tab of the console a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Users,
    Audit,
    Deletions,
    Blocks,
    Takedowns,
}

/// A user in the list.
struct UserLine {
    id: String,
    email: String,
    joined: TimeView,
    credits: i64,
    roles: String,
}

fn roles_text(user: &User) -> String {
    user.roles
        .iter()
        .filter(|r| **r != Role::User)
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    search: String,
    users: Vec<UserLine>,
    more: Option<String>,
}

/// `?q=&cursor=`.
#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    cursor: Option<String>,
}

/// The staff member a signed-in visitor is (403 for anyone else: the error page says so).
fn staff_of(state: &AppState, principal: &Principal) -> Result<Staff, PageError> {
    state
        .app
        .staff(principal)
        .map_err(|e| PageError::from(crate::ApiError::from(e)))
}

/// `GET /admin`: the console opens on its users.
pub async fn home() -> Response {
    see_other("/admin/users")
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<UsersQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let search = query.q.unwrap_or_default();
    let list = state
        .app
        .admin_users(&staff, &search, USERS_SHOWN, query.cursor.as_deref())
        .await?;
    let view = UsersPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        tab: Tab::Users,
        read_only: !staff.is_admin(),
        more: list
            .next_cursor
            .map(|c| format!("/admin/users?q={}&cursor={}", encode(&search), encode(&c))),
        search,
        users: list
            .items
            .iter()
            .map(|s| UserLine {
                id: s.user.id.clone(),
                email: s.user.email.clone(),
                joined: TimeView::at(s.user.created_at),
                credits: s.credits,
                roles: roles_text(&s.user),
            })
            .collect(),
    };
    Ok(personal_page(render(&view)?, lang))
}

struct SessionLine {
    id: String,
    label: String,
    created: TimeView,
    last_seen: TimeView,
}

struct IpLine {
    kind: String,
    network: String,
    ip: String,
    when: TimeView,
}

struct EntryLine {
    kind: &'static str,
    amount: i64,
    reason: String,
    when: TimeView,
}

struct PurchaseLine {
    pack_id: String,
    price: String,
    status: &'static str,
    when: TimeView,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    saved: Option<&'static str>,
    error: Option<String>,
    subject: UserLine,
    display_name: String,
    language: String,
    news_mail: bool,
    is_support: bool,
    is_admin: bool,
    sessions: Vec<SessionLine>,
    ip_events: Vec<IpLine>,
    ledger: Vec<EntryLine>,
    purchases: Vec<PurchaseLine>,
    deletion: Option<String>,
}

/// `?saved=credits|roles|sessions`.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/users/{id}` (the read is audited).
pub async fn user(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let saved = match query.saved.as_deref() {
        Some("credits") => Some(m.admin.saved_credits),
        Some("roles") => Some(m.admin.saved_roles),
        Some("sessions") => Some(m.admin.saved_sessions),
        _ => None,
    };
    show_user(
        &state,
        (lang, m, here),
        &principal,
        &staff,
        &id,
        saved,
        None,
    )
    .await
}

async fn show_user(
    state: &AppState,
    (lang, m, here): (Lang, &'static Messages, String),
    principal: &Principal,
    staff: &Staff,
    id: &str,
    saved: Option<&'static str>,
    error: Option<String>,
) -> PageResult {
    let file = state.app.admin_user(staff, id).await?;
    let deadline_days = atelier_app::privacy::deletion::DELETION_DEADLINE_DAYS;
    let view = UserPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(principal)),
        tab: Tab::Users,
        read_only: !staff.is_admin(),
        saved,
        error,
        subject: UserLine {
            id: file.user.id.clone(),
            email: file.user.email.clone(),
            joined: TimeView::at(file.user.created_at),
            credits: file.credits,
            roles: roles_text(&file.user),
        },
        display_name: file.user.display_name.clone().unwrap_or_default(),
        language: file.user.language.clone(),
        news_mail: file.user.marketing_opt_in,
        is_support: file.user.has_role(Role::Support),
        is_admin: file.user.has_role(Role::Admin),
        sessions: file
            .sessions
            .iter()
            .map(|s| SessionLine {
                id: s.id.clone(),
                label: s.label.clone(),
                created: TimeView::at(s.created_at),
                last_seen: TimeView::at(s.last_seen_at),
            })
            .collect(),
        ip_events: file
            .ip_events
            .iter()
            .map(|e| IpLine {
                kind: e.kind.clone(),
                network: e.network.clone(),
                ip: e.ip.clone(),
                when: TimeView::at(e.created_at),
            })
            .collect(),
        ledger: file
            .ledger
            .iter()
            .map(|e| EntryLine {
                kind: e.kind.as_str(),
                amount: e.effect(),
                reason: e.reason.clone(),
                when: TimeView::at(e.created_at),
            })
            .collect(),
        purchases: file
            .purchases
            .iter()
            .map(|p| PurchaseLine {
                pack_id: p.pack_id.clone(),
                price: atelier_core::settings::format_price(
                    u64::try_from(p.amount).unwrap_or(0),
                    &p.currency,
                ),
                status: p.status.as_str(),
                when: TimeView::at(p.created_at),
            })
            .collect(),
        deletion: file.deletion.map(|d| {
            m.admin
                .deletion_pending
                .replace("{due}", &TimeView::at(d.due_at).text)
                .replace(
                    "{deadline}",
                    &TimeView::at(d.requested_at + deadline_days * DAY_MS).text,
                )
        }),
    };
    Ok(personal_page(render(&view)?, lang))
}

/// Shows a user's page again with the reason a form was refused, under its status; other
/// failures are the error page.
async fn refused(
    state: &AppState,
    page: Page,
    principal: &Principal,
    staff: &Staff,
    id: &str,
    e: AppError,
) -> PageResult {
    let words = e
        .refusal()
        .and_then(|r| crate::refusals::form_message(page.m, r))
        .or_else(|| {
            matches!(e, AppError::InsufficientCredits { .. })
                .then(|| page.m.errors.assistant_credits.to_owned())
        });
    let Some(words) = words else {
        return Err(PageError::from(crate::ApiError::from(e)));
    };
    let status = crate::ApiError::from(e).status();
    let Page { lang, m, .. } = page;
    let here = format!("/admin/users/{}", encode(id));
    let shown = show_user(
        state,
        (lang, m, here),
        principal,
        staff,
        id,
        None,
        Some(words),
    )
    .await?;
    Ok((status, shown).into_response())
}

/// The credit adjustment form.
#[derive(Debug, Deserialize)]
pub struct AdjustForm {
    amount: String,
    reason: String,
}

/// `POST /admin/users/{id}/credits`.
pub async fn adjust(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<AdjustForm>,
) -> PageResult {
    let here = format!("/admin/users/{}", encode(&id));
    let principal = page.require(&here)?.clone();
    let staff = staff_of(&state, &principal)?;
    let Ok(amount) = form.amount.trim().parse::<i64>() else {
        let e = AppError::invalid(atelier_app::Refusal::InvalidAmount, "Not a whole number.");
        return refused(&state, page, &principal, &staff, &id, e).await;
    };
    match state
        .app
        .admin_adjust_credits(&staff, &id, amount, &form.reason)
        .await
    {
        Ok(_) => Ok(see_other(&format!("{here}?saved=credits"))),
        Err(e) => refused(&state, page, &principal, &staff, &id, e).await,
    }
}

/// The roles form: a checkbox per staff role.
#[derive(Debug, Deserialize)]
pub struct RolesForm {
    support: Option<String>,
    admin: Option<String>,
}

/// `POST /admin/users/{id}/roles`.
pub async fn roles(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<RolesForm>,
) -> PageResult {
    let here = format!("/admin/users/{}", encode(&id));
    let principal = page.require(&here)?.clone();
    let staff = staff_of(&state, &principal)?;
    let mut roles = Vec::new();
    if form.support.is_some() {
        roles.push(Role::Support);
    }
    if form.admin.is_some() {
        roles.push(Role::Admin);
    }
    match state.app.admin_set_roles(&staff, &id, &roles).await {
        Ok(_) => Ok(see_other(&format!("{here}?saved=roles"))),
        Err(e) => refused(&state, page, &principal, &staff, &id, e).await,
    }
}

/// `POST /admin/users/{id}/sessions/end` (all) and `/admin/users/{id}/sessions/{sid}/end`.
pub async fn end_all(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    end(&state, page, &id, None).await
}

/// `POST /admin/users/{id}/sessions/{sid}/end`.
pub async fn end_one(
    State(state): State<AppState>,
    page: Page,
    Path((id, session_id)): Path<(String, String)>,
) -> PageResult {
    end(&state, page, &id, Some(&session_id)).await
}

async fn end(state: &AppState, page: Page, id: &str, session: Option<&str>) -> PageResult {
    let here = format!("/admin/users/{}", encode(id));
    let principal = page.require(&here)?.clone();
    let staff = staff_of(state, &principal)?;
    state.app.admin_end_sessions(&staff, id, session).await?;
    Ok(see_other(&format!("{here}?saved=sessions")))
}

struct AuditLine {
    when: TimeView,
    actor: String,
    action: String,
    target: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    entries: Vec<AuditLine>,
    more: Option<String>,
}

/// `?target=&cursor=`.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    target: Option<String>,
    cursor: Option<String>,
}

/// `GET /admin/audit`.
pub async fn audit(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<AuditQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let target = query.target.filter(|t| !t.is_empty());
    let page = state
        .app
        .admin_audit(
            &staff,
            target.as_deref(),
            AUDIT_SHOWN,
            query.cursor.as_deref(),
        )
        .await?;
    let view = AuditPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        tab: Tab::Audit,
        read_only: !staff.is_admin(),
        more: page.next_cursor.map(|c| {
            format!(
                "/admin/audit?target={}&cursor={}",
                encode(target.as_deref().unwrap_or("")),
                encode(&c)
            )
        }),
        entries: page
            .items
            .into_iter()
            .map(|a| AuditLine {
                when: TimeView::at(a.created_at),
                actor: a.actor,
                action: a.action,
                target: a.subject_user_id,
                detail: a.detail,
            })
            .collect(),
    };
    Ok(personal_page(render(&view)?, lang))
}

struct DeletionLine {
    user_id: String,
    source: &'static str,
    requested: TimeView,
    due: TimeView,
    deadline: TimeView,
    days_left: String,
}

#[derive(Template)]
#[template(path = "admin_deletions.html")]
struct DeletionsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    deletions: Vec<DeletionLine>,
}

/// Whole days until `due` (a part of a day counts as one).
fn days_left(due: i64, now: i64) -> i64 {
    ((due - now).max(0) + DAY_MS - 1) / DAY_MS
}

/// `GET /admin/deletions` (D3).
pub async fn deletions(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let now = state.app.now_ms();
    let pending = state.app.admin_deletions(&staff).await?;
    let view = DeletionsPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        tab: Tab::Deletions,
        read_only: !staff.is_admin(),
        deletions: pending
            .into_iter()
            .map(|p| DeletionLine {
                source: if p.request.source == "admin" {
                    m.admin.source_admin
                } else {
                    m.admin.source_self
                },
                requested: TimeView::at(p.request.requested_at),
                due: TimeView::at(p.request.due_at),
                deadline: TimeView::at(p.deadline_at),
                days_left: m
                    .admin
                    .days_left
                    .replace("{n}", &days_left(p.request.due_at, now).to_string()),
                user_id: p.request.user_id,
            })
            .collect(),
    };
    Ok(personal_page(render(&view)?, lang))
}

struct BlockLine {
    id: String,
    network: String,
    reason: String,
    until: String,
    since: TimeView,
}

#[derive(Template)]
#[template(path = "admin_blocks.html")]
struct BlocksPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    saved: Option<&'static str>,
    error: Option<String>,
    /// The form's values, kept after a refusal.
    network: String,
    reason: String,
    /// Whether the refusal was about the staff member's own network (the box to confirm shows).
    ask_confirm: bool,
    blocks: Vec<BlockLine>,
}

/// What a refused block form showed.
#[derive(Default)]
struct BlockFormState {
    error: Option<String>,
    network: String,
    reason: String,
    ask_confirm: bool,
}

async fn show_blocks(
    state: &AppState,
    (lang, m, here): (Lang, &'static Messages, String),
    principal: &Principal,
    staff: &Staff,
    saved: Option<&'static str>,
    form: BlockFormState,
) -> PageResult {
    let blocks = state.app.admin_blocks(staff).await?;
    let view = BlocksPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(principal)),
        tab: Tab::Blocks,
        read_only: !staff.is_admin(),
        saved,
        error: form.error,
        network: form.network,
        reason: form.reason,
        ask_confirm: form.ask_confirm,
        blocks: blocks
            .into_iter()
            .map(|b| BlockLine {
                until: b.expires_at.map_or_else(
                    || m.admin.block_forever.to_owned(),
                    |at| {
                        m.admin
                            .block_until
                            .replace("{date}", &TimeView::at(at).text)
                    },
                ),
                since: TimeView::at(b.created_at),
                id: b.id,
                network: b.network,
                reason: b.reason,
            })
            .collect(),
    };
    Ok(personal_page(render(&view)?, lang))
}

/// `GET /admin/blocks`.
pub async fn blocks(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let saved = match query.saved.as_deref() {
        Some("block") => Some(m.admin.saved_block),
        Some("unblock") => Some(m.admin.saved_unblock),
        _ => None,
    };
    show_blocks(
        &state,
        (lang, m, here),
        &principal,
        &staff,
        saved,
        BlockFormState::default(),
    )
    .await
}

/// The block form (also the one-click button beside a user's networks).
#[derive(Debug, Deserialize)]
pub struct BlockForm {
    network: String,
    reason: String,
    days: Option<String>,
    confirm: Option<String>,
}

/// `POST /admin/blocks`.
pub async fn block(
    State(state): State<AppState>,
    page: Page,
    client: Option<axum::Extension<crate::auth::ClientIp>>,
    Form(form): Form<BlockForm>,
) -> PageResult {
    let principal = page.require("/admin/blocks")?.clone();
    let staff = staff_of(&state, &principal)?;
    let days = form
        .days
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .and_then(|d| d.parse::<u32>().ok());
    let outcome = state
        .app
        .admin_block(
            &staff,
            &atelier_app::admin::NewBlock {
                network: &form.network,
                reason: &form.reason,
                days,
                own_ip: client.map(|c| c.0.0),
                confirm: form.confirm.is_some(),
            },
        )
        .await;
    match outcome {
        Ok(_) => Ok(see_other("/admin/blocks?saved=block")),
        Err(e) => {
            let words = e
                .refusal()
                .and_then(|r| crate::refusals::form_message(page.m, r));
            let Some(words) = words else {
                return Err(PageError::from(crate::ApiError::from(e)));
            };
            let ask_confirm = e.refusal() == Some(atelier_app::Refusal::BlocksOwnNetwork);
            let status = crate::ApiError::from(e).status();
            let Page { lang, m, .. } = page;
            let shown = show_blocks(
                &state,
                (lang, m, "/admin/blocks".to_owned()),
                &principal,
                &staff,
                None,
                BlockFormState {
                    error: Some(words),
                    network: form.network,
                    reason: form.reason,
                    ask_confirm,
                },
            )
            .await?;
            Ok((status, shown).into_response())
        }
    }
}

/// `POST /admin/blocks/{id}/lift`.
pub async fn unblock(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let principal = page.require("/admin/blocks")?.clone();
    let staff = staff_of(&state, &principal)?;
    state.app.admin_unblock(&staff, &id).await?;
    Ok(see_other("/admin/blocks?saved=unblock"))
}

#[derive(Template)]
#[template(path = "admin_takedowns.html")]
struct TakedownsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    tab: Tab,
    read_only: bool,
    saved: Option<String>,
    error: Option<String>,
    target: String,
    reason: String,
}

/// `?removed=N` after a takedown.
#[derive(Debug, Deserialize)]
pub struct TakedownsQuery {
    removed: Option<usize>,
}

/// `GET /admin/takedowns`.
pub async fn takedowns(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<TakedownsQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let view = TakedownsPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        tab: Tab::Takedowns,
        read_only: !staff.is_admin(),
        saved: query
            .removed
            .map(|n| m.admin.saved_takedown.replace("{n}", &n.to_string())),
        error: None,
        target: String::new(),
        reason: String::new(),
    };
    Ok(personal_page(render(&view)?, lang))
}

/// The takedown form.
#[derive(Debug, Deserialize)]
pub struct TakedownForm {
    target: String,
    author: Option<String>,
    reason: String,
}

/// `POST /admin/takedowns` (C7): the same use case as `atelier admin takedown`.
pub async fn takedown(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<TakedownForm>,
) -> PageResult {
    let principal = page.require("/admin/takedowns")?.clone();
    let staff = staff_of(&state, &principal)?;
    let target = atelier_app::admin::TakedownTarget::parse(&form.target);
    match state
        .app
        .admin_takedown(&staff, target, form.author.is_some(), &form.reason)
        .await
    {
        Ok(outcome) => Ok(see_other(&format!(
            "/admin/takedowns?removed={}",
            outcome.removed.len()
        ))),
        Err(e) => {
            let words = match &e {
                AppError::NotFound => Some(page.m.admin.error_not_found.to_owned()),
                other => other
                    .refusal()
                    .and_then(|r| crate::refusals::form_message(page.m, r)),
            };
            let Some(words) = words else {
                return Err(PageError::from(crate::ApiError::from(e)));
            };
            let status = crate::ApiError::from(e).status();
            let Page { lang, m, .. } = page;
            let view = TakedownsPage {
                m,
                lang,
                asset_version: &ASSET_VERSION,
                here: "/admin/takedowns".to_owned(),
                q: String::new(),
                user: Some(Viewer::of(&principal)),
                tab: Tab::Takedowns,
                read_only: !staff.is_admin(),
                saved: None,
                error: Some(words),
                target: form.target,
                reason: form.reason,
            };
            Ok((status, personal_page(render(&view)?, lang)).into_response())
        }
    }
}
