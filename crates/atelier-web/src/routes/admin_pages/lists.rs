//! The console's audit log and deletion queue (D3).

use super::*;

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
