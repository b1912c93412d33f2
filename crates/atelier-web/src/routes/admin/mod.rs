//! The console's API (issue 19: G8, SEC2, D3): `/api/v1/admin/*`. Staff only — `support` reads,
//! `admin` changes; anyone else gets 403 `forbidden`. The handlers are thin: each turns the caller
//! into `Staff` (the one gate, `App::staff`) and calls one use case, which writes the audit entry.

use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, Invalid, NotFound, StaffOnly, Unauthorized};
use crate::routes::account::CreditEntryJson;
use crate::routes::billing::PurchaseJson;
use crate::state::AppState;
use crate::{ApiError, ApiJson, ApiQuery};
use atelier_app::accounts::User;
use atelier_core::Role;
use atelier_core::time::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// A user in the console's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserJson {
    /// Id.
    id: String,
    /// Address.
    email: String,
    /// When the account was made.
    created_at: String,
    /// Balance.
    credits: i64,
    /// `user`, and `support` or `admin` for staff.
    roles: Vec<&'static str>,
}

impl AdminUserJson {
    fn new(user: &User, credits: i64) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            created_at: rfc3339(user.created_at),
            credits,
            roles: user.roles.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// `{items, next_cursor}` of users.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserList {
    /// Users, newest first.
    items: Vec<AdminUserJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// `?q=&cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersParams {
    /// Part of an address, or a user id; empty for everyone.
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Users per page, 1 to 100 (default 50).
    limit: Option<u32>,
}

/// Users, newest first, found by part of their address or their id.
#[utoipa::path(
    get, path = "/api/v1/admin/users", tag = "admin", operation_id = "adminListUsers",
    params(UsersParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "A page of users", body = AdminUserList), BadRequest, Unauthorized, StaffOnly)
)]
pub async fn users(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(params): ApiQuery<UsersParams>,
) -> Result<Json<AdminUserList>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let list = state
        .app
        .admin_users(
            &staff,
            params.q.as_deref().unwrap_or(""),
            params.limit.unwrap_or(50),
            params.cursor.as_deref(),
        )
        .await?;
    Ok(Json(AdminUserList {
        items: list
            .items
            .iter()
            .map(|s| AdminUserJson::new(&s.user, s.credits))
            .collect(),
        next_cursor: list.next_cursor,
    }))
}

/// A live session, as staff see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminSessionJson {
    /// Id (to end it).
    id: String,
    /// Browser and system, in words.
    label: String,
    /// When it began.
    created_at: String,
    /// Last use.
    last_seen_at: String,
    /// When it ends at the latest.
    expires_at: String,
}

/// A sign-in or sign-up from an address.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminIpEventJson {
    /// `signup`, `sign_in` or `session`.
    kind: String,
    /// The client address.
    ip: String,
    /// Its network (/24 or /48), to block.
    network: String,
    /// When.
    created_at: String,
}

/// A pending deletion of the account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminDeletionJson {
    /// The account.
    user_id: String,
    /// `self` (asked in the app) or `admin` (by mail, entered by staff).
    source: String,
    /// When it was asked for.
    requested_at: String,
    /// When it will be carried out.
    due_at: String,
    /// The latest it may be carried out (30 days after the request, D3).
    deadline_at: String,
}

/// One user, as the console shows them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserFile {
    /// The account.
    user: AdminUserJson,
    /// The display name, if set.
    display_name: Option<String>,
    /// `en` or `zh-CN`.
    language: String,
    /// Whether they accept news mail.
    marketing_opt_in: bool,
    /// Live sessions.
    sessions: Vec<AdminSessionJson>,
    /// Sign-ins and sign-ups by address, newest first (the latest 50).
    ip_events: Vec<AdminIpEventJson>,
    /// Ledger entries, newest first (the latest 50).
    ledger: Vec<CreditEntryJson>,
    /// Purchases, newest first (the latest 50).
    purchases: Vec<PurchaseJson>,
    /// The pending deletion request, or null.
    deletion: Option<AdminDeletionJson>,
}

/// One user with their sessions, IP events, ledger, purchases and deletion request (audited).
#[utoipa::path(
    get, path = "/api/v1/admin/users/{id}", tag = "admin", operation_id = "adminGetUser",
    params(("id" = String, Path, description = "The user's id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The user's file; the read is written to the audit log", body = AdminUserFile), Unauthorized, StaffOnly, NotFound)
)]
pub async fn user(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<AdminUserFile>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let file = state.app.admin_user(&staff, &id).await?;
    let deadline_days = atelier_app::privacy::deletion::DELETION_DEADLINE_DAYS;
    Ok(Json(AdminUserFile {
        user: AdminUserJson::new(&file.user, file.credits),
        display_name: file.user.display_name.clone(),
        language: file.user.language.clone(),
        marketing_opt_in: file.user.marketing_opt_in,
        sessions: file
            .sessions
            .into_iter()
            .map(|s| AdminSessionJson {
                id: s.id,
                label: s.label,
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                expires_at: rfc3339(s.expires_at),
            })
            .collect(),
        ip_events: file
            .ip_events
            .into_iter()
            .map(|e| AdminIpEventJson {
                kind: e.kind,
                ip: e.ip,
                network: e.network,
                created_at: rfc3339(e.created_at),
            })
            .collect(),
        ledger: file.ledger.into_iter().map(CreditEntryJson::from).collect(),
        purchases: file.purchases.into_iter().map(PurchaseJson::from).collect(),
        deletion: file.deletion.map(|d| AdminDeletionJson {
            deadline_at: rfc3339(d.requested_at + deadline_days * atelier_core::clock::DAY_MS),
            user_id: d.user_id,
            source: d.source,
            requested_at: rfc3339(d.requested_at),
            due_at: rfc3339(d.due_at),
        }),
    }))
}

/// `{amount, reason}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AdjustBody {
    /// Credits to add (negative to take), not 0.
    amount: i64,
    /// Why, in words the user may read in their ledger (1 to 200 characters).
    reason: String,
}

/// `{balance}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BalanceJson {
    /// The user's balance after the change.
    balance: i64,
}

/// Adds or takes credits, with a reason (admin; audited).
#[utoipa::path(
    post, path = "/api/v1/admin/users/{id}/credits", tag = "admin", operation_id = "adminAdjustCredits",
    params(("id" = String, Path, description = "The user's id")),
    request_body = AdjustBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Booked as an `adjustment` entry", body = BalanceJson), BadRequest, Unauthorized, StaffOnly, NotFound, Invalid)
)]
pub async fn adjust_credits(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdjustBody>,
) -> Result<Json<BalanceJson>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let balance = state
        .app
        .admin_adjust_credits(&staff, &id, body.amount, &body.reason)
        .await?;
    Ok(Json(BalanceJson { balance }))
}

/// `{roles}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RolesBody {
    /// The staff roles the user holds from now on: none, `support`, `admin` (every account is
    /// also a `user`).
    roles: Vec<String>,
}

/// Gives or takes the `support` and `admin` roles (admin; audited).
#[utoipa::path(
    put, path = "/api/v1/admin/users/{id}/roles", tag = "admin", operation_id = "adminSetRoles",
    params(("id" = String, Path, description = "The user's id")),
    request_body = RolesBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The user with their roles", body = AdminUserJson), BadRequest, Unauthorized, StaffOnly, NotFound, Invalid)
)]
pub async fn set_roles(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RolesBody>,
) -> Result<Json<AdminUserJson>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let mut roles = Vec::with_capacity(body.roles.len());
    for name in &body.roles {
        roles.push(Role::parse(name).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_role",
                "A role is `support` or `admin`.",
            )
        })?);
    }
    let user = state.app.admin_set_roles(&staff, &id, &roles).await?;
    let credits = state.app.credit_balance(&user.id).await?;
    Ok(Json(AdminUserJson::new(&user, credits)))
}

/// `{ended}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndedJson {
    /// Sessions ended.
    ended: u64,
}

/// Signs a user out everywhere (admin; audited).
#[utoipa::path(
    delete, path = "/api/v1/admin/users/{id}/sessions", tag = "admin", operation_id = "adminEndSessions",
    params(("id" = String, Path, description = "The user's id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Every session of the user ended", body = EndedJson), Unauthorized, StaffOnly, NotFound)
)]
pub async fn end_sessions(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<EndedJson>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let ended = state.app.admin_end_sessions(&staff, &id, None).await?;
    Ok(Json(EndedJson { ended }))
}

/// Ends one session of a user (admin; audited).
#[utoipa::path(
    delete, path = "/api/v1/admin/users/{id}/sessions/{session_id}", tag = "admin", operation_id = "adminEndSession",
    params(
        ("id" = String, Path, description = "The user's id"),
        ("session_id" = String, Path, description = "The session's id")
    ),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The session ended", body = EndedJson), Unauthorized, StaffOnly, NotFound)
)]
pub async fn end_session(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Json<EndedJson>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let ended = state
        .app
        .admin_end_sessions(&staff, &id, Some(&session_id))
        .await?;
    Ok(Json(EndedJson { ended }))
}

/// An audit log entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditJson {
    /// Id.
    id: String,
    /// Who acted: a user id, `cli` or `system`.
    actor_id: String,
    /// What was done (`admin.user.viewed`, `credits.adjusted`, `deletion.requested`, …).
    action: String,
    /// Whose data it concerned; null when no one's, or once that account is deleted.
    target_id: Option<String>,
    /// More, without personal data.
    detail: String,
    /// When.
    created_at: String,
}

/// `{items, next_cursor}` of audit entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditList {
    /// Entries, newest first.
    items: Vec<AuditJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// `?target=&cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries about this user id.
    target: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Entries per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// The audit log, newest first: append-only, so there is no route to change it.
#[utoipa::path(
    get, path = "/api/v1/admin/audit", tag = "admin", operation_id = "adminListAudit",
    params(AuditParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "A page of the audit log", body = AuditList), BadRequest, Unauthorized, StaffOnly)
)]
pub async fn audit(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditList>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let page = state
        .app
        .admin_audit(
            &staff,
            params.target.as_deref().filter(|t| !t.is_empty()),
            params.limit.unwrap_or(50),
            params.cursor.as_deref(),
        )
        .await?;
    Ok(Json(AuditList {
        items: page
            .items
            .into_iter()
            .map(|a| AuditJson {
                id: a.id,
                actor_id: a.actor,
                action: a.action,
                target_id: a.subject_user_id,
                detail: a.detail,
                created_at: rfc3339(a.created_at),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `{items}` of pending deletions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletionList {
    /// Pending deletions, soonest first.
    items: Vec<AdminDeletionJson>,
}

/// Pending account deletions with their due date and 30-day deadline (D3).
#[utoipa::path(
    get, path = "/api/v1/admin/deletions", tag = "admin", operation_id = "adminListDeletions",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The deletion queue", body = DeletionList), Unauthorized, StaffOnly)
)]
pub async fn deletions(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<DeletionList>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let pending = state.app.admin_deletions(&staff).await?;
    Ok(Json(DeletionList {
        items: pending
            .into_iter()
            .map(|p| AdminDeletionJson {
                user_id: p.request.user_id,
                source: p.request.source,
                requested_at: rfc3339(p.request.requested_at),
                due_at: rfc3339(p.request.due_at),
                deadline_at: rfc3339(p.deadline_at),
            })
            .collect(),
    }))
}

pub mod blocks;
pub mod takedowns;
