//! The console's users: the list with its search, and a user's file with its forms.

use super::*;

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
    let Some(words) = refusal_words(page.m, &e, None) else {
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
