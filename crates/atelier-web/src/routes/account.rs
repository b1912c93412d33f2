//! The accounts API (C1, C3, D1, D5; CONTRACT.md): sign-in by email code, sign-out, the profile,
//! sessions, personal access tokens and email change.

use crate::auth::{self, ClientInfo, CurrentUser};
use crate::i18n::{Lang, PageLang};
use crate::openapi::{BadRequest, CsrfRejected, Invalid, NotFound, RateLimited, Unauthorized};
use crate::state::AppState;
use crate::{ApiError, ApiJson};
use atelier_app::accounts::{AccessTokenInfo, ProfileUpdate, SessionInfo, User};
use atelier_core::time::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// `{email}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmailBody {
    /// The address to send the sign-in mail to.
    email: String,
}

/// `{email, code}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyBody {
    /// The address the code was sent to.
    email: String,
    /// The 6-digit code.
    code: String,
}

/// The answer to a sign-in mail request: the same whether or not the account exists.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmailSent {
    /// Always `sent`.
    status: &'static str,
    /// Minutes the code and link work.
    expires_in_minutes: i64,
}

/// The signed-in account (`GET /api/v1/me`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeJson {
    /// Id.
    id: String,
    /// Email address.
    email: String,
    /// Display name, if set.
    display_name: Option<String>,
    /// Credit balance.
    credits: i64,
    /// `en` or `zh-CN`.
    language: String,
    /// Whether marketing mail may be sent (D7).
    marketing_opt_in: bool,
    /// `user`, and `support` or `admin` if granted.
    roles: Vec<String>,
    /// RFC 3339 creation time.
    created_at: String,
}

impl MeJson {
    fn new(user: &User, credits: i64) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            credits,
            language: user.language.clone(),
            marketing_opt_in: user.marketing_opt_in,
            roles: user.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            created_at: rfc3339(user.created_at),
        }
    }
}

/// `{user, token}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifiedJson {
    /// The account.
    user: MeJson,
    /// A personal access token for API use (shown once; it ends with the session's lifetime).
    token: String,
}

/// Sends a sign-in mail with a 6-digit code and a link.
#[utoipa::path(
    post, path = "/api/v1/auth/email", tag = "accounts", operation_id = "requestSignInCode",
    request_body = EmailBody, security(()),
    responses(
        (status = 202, description = "Sent if the address can receive mail; the same answer whether or not an account exists", body = EmailSent),
        BadRequest, CsrfRejected,
        (status = 422, description = "Not an email address (`invalid_email`)", body = crate::error::ErrorBody),
        (status = 429, description = "Too many sign-in mails for this address or network (`rate_limited`, `Retry-After`)", body = crate::error::ErrorBody),
    )
)]
pub async fn request_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    let settings = state.app.settings();
    let nonce = atelier_core::random_token(16);
    let lang = Lang::from_headers(&headers);
    state
        .app
        .request_sign_in(&body.email, lang.as_str(), &client, Some(&nonce))
        .await?;
    let cookie = auth::set_cookie(
        settings,
        auth::login_cookie_name(settings),
        &nonce,
        atelier_app::accounts::CODE_TTL_MINUTES * 60,
    );
    Ok((
        StatusCode::ACCEPTED,
        [(header::SET_COOKIE, cookie)],
        Json(EmailSent {
            status: "sent",
            expires_in_minutes: atelier_app::accounts::CODE_TTL_MINUTES,
        }),
    )
        .into_response())
}

/// Signs in with the code, creating the account on first use; sets the session cookie.
#[utoipa::path(
    post, path = "/api/v1/auth/verify", tag = "accounts", operation_id = "verifySignInCode",
    request_body = VerifyBody, security(()),
    responses(
        (status = 200, description = "Signed in: `Set-Cookie` carries the session cookie, the body says who", body = VerifiedJson),
        BadRequest, CsrfRejected,
        (status = 422, description = "Wrong, used or expired code (`invalid_code`)", body = crate::error::ErrorBody),
        (status = 429, description = "Too many attempts (`rate_limited`, `Retry-After`)", body = crate::error::ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .app
        .verify_sign_in_code(&body.email, &body.code, &client, true)
        .await?;
    let settings = state.app.settings();
    let cookie = auth::session_cookie(
        settings,
        &signed_in.session_token,
        state.app.now_ms(),
        signed_in.session_expires_at,
    );
    let clear_login = auth::set_cookie(settings, auth::login_cookie_name(settings), "", 0);
    let credits = state.app.credit_balance(&signed_in.user.id).await?;
    let mut response = Json(VerifiedJson {
        user: MeJson::new(&signed_in.user, credits),
        token: signed_in.access_token.unwrap_or_default(),
    })
    .into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_login);
    Ok(response)
}

/// Ends this session (or, with a bearer token, revokes that token).
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "accounts", operation_id = "signOut",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "Signed out: the session ends and its cookie is cleared"), Unauthorized, CsrfRejected)
)]
pub async fn logout(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Response, ApiError> {
    state.app.sign_out(&principal).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            auth::clear_session_cookie(state.app.settings()),
        )],
    )
        .into_response())
}

/// Ends every session of the account (D1). Access tokens stay until revoked.
#[utoipa::path(
    post, path = "/api/v1/auth/logout-all", tag = "accounts", operation_id = "signOutEverywhere",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "Every session of the account ended"), Unauthorized, CsrfRejected)
)]
pub async fn logout_all(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Response, ApiError> {
    state.app.sign_out_everywhere(&principal.user.id).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            auth::clear_session_cookie(state.app.settings()),
        )],
    )
        .into_response())
}

/// The signed-in account.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "accounts", operation_id = "getAccount",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The signed-in account and its credit balance", body = MeJson), Unauthorized)
)]
pub async fn me(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<MeJson>, ApiError> {
    let credits = state.app.credit_balance(&principal.user.id).await?;
    Ok(Json(MeJson::new(&principal.user, credits)))
}

/// `{display_name?, language?, marketing_opt_in?}`; `display_name: null` or `""` removes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMe {
    /// New display name (at most 60 characters).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    display_name: Option<Option<String>>,
    /// `en` or `zh-CN`.
    language: Option<String>,
    /// Marketing mail opt-in (D7).
    marketing_opt_in: Option<bool>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Updates the profile settings.
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "accounts", operation_id = "updateAccount",
    request_body = PatchMe,
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The account as changed", body = MeJson), BadRequest, Unauthorized, CsrfRejected, Invalid)
)]
pub async fn patch_me(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<PatchMe>,
) -> Result<Json<MeJson>, ApiError> {
    let user = state
        .app
        .update_profile(
            &principal.user.id,
            ProfileUpdate {
                display_name: body.display_name,
                language: body.language,
                marketing_opt_in: body.marketing_opt_in,
            },
        )
        .await?;
    let credits = state.app.credit_balance(&user.id).await?;
    Ok(Json(MeJson::new(&user, credits)))
}

/// A session in the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionJson {
    /// Id.
    id: String,
    /// Browser label, such as "Firefox on Linux" (no location is kept).
    browser: String,
    /// Sign-in time.
    created_at: String,
    /// Last use.
    last_seen_at: String,
    /// Whether this request came with it.
    current: bool,
}

impl From<SessionInfo> for SessionJson {
    fn from(s: SessionInfo) -> Self {
        Self {
            id: s.id,
            browser: s.label,
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            current: s.current,
        }
    }
}

/// `{items, next_cursor}` of sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionList {
    /// Live sessions, most recently used first.
    items: Vec<SessionJson>,
    /// Always null: the list is whole.
    next_cursor: Option<String>,
}

/// The account's active sessions.
#[utoipa::path(
    get, path = "/api/v1/me/sessions", tag = "accounts", operation_id = "listSessions",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The account's sessions (the whole list: `next_cursor` is null)", body = SessionList), Unauthorized)
)]
pub async fn sessions(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<SessionList>, ApiError> {
    let items = state.app.sessions(&principal).await?;
    Ok(Json(SessionList {
        items: items.into_iter().map(SessionJson::from).collect(),
        next_cursor: None,
    }))
}

/// Ends one session.
#[utoipa::path(
    delete, path = "/api/v1/me/sessions/{id}", tag = "accounts", operation_id = "endSession",
    params(("id" = String, Path, description = "Session id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The session ended"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn end_session(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.end_session(&principal.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A personal access token (never the token itself).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenJson {
    /// Id.
    id: String,
    /// Name.
    name: String,
    /// Creation time.
    created_at: String,
    /// Last use.
    last_used_at: Option<String>,
    /// Expiry, if any.
    expires_at: Option<String>,
}

impl From<AccessTokenInfo> for TokenJson {
    fn from(t: AccessTokenInfo) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            expires_at: t.expires_at.map(rfc3339),
        }
    }
}

/// `{items, next_cursor}` of tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenList {
    /// Tokens, newest first.
    items: Vec<TokenJson>,
    /// Always null: the list is whole.
    next_cursor: Option<String>,
}

/// The account's personal access tokens.
#[utoipa::path(
    get, path = "/api/v1/me/tokens", tag = "accounts", operation_id = "listAccessTokens",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The account's access tokens, without the tokens themselves", body = TokenList), Unauthorized)
)]
pub async fn tokens(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<TokenList>, ApiError> {
    let items = state.app.access_tokens(&principal.user.id).await?;
    Ok(Json(TokenList {
        items: items.into_iter().map(TokenJson::from).collect(),
        next_cursor: None,
    }))
}

/// `{name}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewTokenBody {
    /// 1 to 80 characters.
    name: String,
}

/// A new token: the only time the token is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewTokenJson {
    /// The token's details.
    #[serde(flatten)]
    info: TokenJson,
    /// The token, for `Authorization: Bearer`. Stored only hashed: copy it now.
    token: String,
}

/// Creates a personal access token.
#[utoipa::path(
    post, path = "/api/v1/me/tokens", tag = "accounts", operation_id = "createAccessToken",
    request_body = NewTokenBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "The new token: the only time it is shown", body = NewTokenJson),
        BadRequest, Unauthorized, CsrfRejected, Invalid,
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<NewTokenJson>), ApiError> {
    let (info, token) = state
        .app
        .create_access_token(&principal.user.id, &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenJson {
            info: info.into(),
            token,
        }),
    ))
}

/// Revokes a personal access token.
#[utoipa::path(
    delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", operation_id = "revokeAccessToken",
    params(("id" = String, Path, description = "Token id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The token no longer works"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .revoke_access_token(&principal.user.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{new_email}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewEmailBody {
    /// The new address; a code is sent there.
    new_email: String,
}

/// `{code}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    /// The 6-digit code sent to the new address.
    code: String,
}

/// Starts an email change: sends a code to the new address (D5).
#[utoipa::path(
    post, path = "/api/v1/me/email", tag = "accounts", operation_id = "requestEmailChange",
    request_body = NewEmailBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 202, description = "A code was sent to the new address", body = EmailSent),
        BadRequest, Unauthorized, CsrfRejected, Invalid, RateLimited,
    )
)]
pub async fn change_email(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<NewEmailBody>,
) -> Result<(StatusCode, Json<EmailSent>), ApiError> {
    state
        .app
        .request_email_change(&principal.user, &body.new_email)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(EmailSent {
            status: "sent",
            expires_in_minutes: atelier_app::accounts::CODE_TTL_MINUTES,
        }),
    ))
}

/// Confirms the new address with its code; the old address gets a notice (D5).
#[utoipa::path(
    post, path = "/api/v1/me/email/verify", tag = "accounts", operation_id = "confirmEmailChange",
    request_body = CodeBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The account with its new address", body = MeJson),
        BadRequest, Unauthorized, CsrfRejected,
        (status = 422, description = "Wrong, used or expired code (`invalid_code`)", body = crate::error::ErrorBody),
    )
)]
pub async fn verify_email(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<MeJson>, ApiError> {
    let user = state
        .app
        .confirm_email_change(&principal.user, &body.code)
        .await?;
    let credits = state.app.credit_balance(&user.id).await?;
    Ok(Json(MeJson::new(&user, credits)))
}

/// One ledger entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditEntryJson {
    /// `grant`, `purchase`, `hold`, `capture`, `release`, `refund` or `adjustment`.
    kind: &'static str,
    /// The entry's effect on the balance (contract v2): a hold or a refund is negative, a release
    /// positive, a capture 0 (its hold already took the credits), so `balance` is the sum of all
    /// entries.
    amount: i64,
    /// Why.
    reason: String,
    /// What it is about (a generation id), if anything.
    reference: Option<String>,
    /// When.
    created_at: String,
}

impl From<atelier_db::credits::EntryRow> for CreditEntryJson {
    fn from(e: atelier_db::credits::EntryRow) -> Self {
        Self {
            kind: e.kind.as_str(),
            amount: e.effect(),
            reason: e.reason,
            reference: e.reference,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// `{balance, entries, next_cursor}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditsJson {
    /// Credits available now (pending holds already taken off).
    balance: i64,
    /// Ledger entries, newest first.
    entries: Vec<CreditEntryJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreditsParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Entries per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// The credit balance and the ledger (C4).
#[utoipa::path(
    get, path = "/api/v1/me/credits", tag = "accounts", operation_id = "getCreditHistory",
    params(CreditsParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The balance and a page of ledger entries", body = CreditsJson), BadRequest, Unauthorized)
)]
pub async fn credits(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    crate::ApiQuery(params): crate::ApiQuery<CreditsParams>,
) -> Result<Json<CreditsJson>, ApiError> {
    let history = state
        .app
        .credit_history(
            &principal.user.id,
            params.limit.unwrap_or(50),
            params.cursor.as_deref(),
        )
        .await?;
    Ok(Json(CreditsJson {
        balance: history.balance,
        entries: history
            .entries
            .into_iter()
            .map(CreditEntryJson::from)
            .collect(),
        next_cursor: history.next_cursor,
    }))
}
