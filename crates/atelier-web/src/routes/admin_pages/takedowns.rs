//! Takedowns (C7): staff's form and the creators' requests, and the public request form.

use super::*;

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
    requests: Vec<RequestLine>,
}

/// A creator's request in the queue.
struct RequestLine {
    id: String,
    source_url: String,
    contact: String,
    reason: String,
    open: bool,
    status: &'static str,
    when: TimeView,
}

async fn request_lines(
    state: &AppState,
    m: &'static Messages,
    staff: &Staff,
) -> Result<Vec<RequestLine>, PageError> {
    let rows = state.app.admin_takedown_requests(staff).await?;
    Ok(rows
        .into_iter()
        .map(|r| RequestLine {
            open: r.status == "open",
            status: match r.status.as_str() {
                "open" => m.admin.status_open,
                "removed" => m.admin.status_removed,
                _ => m.admin.status_declined,
            },
            id: r.id,
            source_url: r.source_url,
            contact: r.contact_email.unwrap_or_default(),
            reason: r.reason,
            when: TimeView::at(r.created_at),
        })
        .collect())
}

/// `?removed=N` after a takedown, `?answered=1` after answering a request.
#[derive(Debug, Deserialize)]
pub struct TakedownsQuery {
    removed: Option<usize>,
    answered: Option<String>,
}

/// What the takedowns page shows besides its queue.
#[derive(Default)]
struct Shown {
    saved: Option<String>,
    error: Option<String>,
    target: String,
    reason: String,
}

async fn show_takedowns(
    state: &AppState,
    (lang, m): (Lang, &'static Messages),
    principal: &Principal,
    staff: &Staff,
    shown: Shown,
) -> Result<Response, PageError> {
    let view = TakedownsPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: "/admin/takedowns".to_owned(),
        q: String::new(),
        user: Some(Viewer::of(principal)),
        tab: Tab::Takedowns,
        read_only: !staff.is_admin(),
        saved: shown.saved,
        error: shown.error,
        target: shown.target,
        reason: shown.reason,
        requests: request_lines(state, m, staff).await?,
    };
    Ok(personal_page(render(&view)?, lang))
}

/// The page again with the reason a form was refused, under the refusal's status.
async fn refused(
    state: &AppState,
    page: Page,
    principal: &Principal,
    staff: &Staff,
    e: AppError,
    (target, reason): (String, String),
) -> PageResult {
    let Some(words) = refusal_words(page.m, &e, Some(page.m.admin.error_not_found)) else {
        return Err(PageError::from(crate::ApiError::from(e)));
    };
    let status = crate::ApiError::from(e).status();
    let shown = Shown {
        error: Some(words),
        target,
        reason,
        ..Shown::default()
    };
    let page = show_takedowns(state, (page.lang, page.m), principal, staff, shown).await?;
    Ok((status, page).into_response())
}

/// `GET /admin/takedowns`.
pub async fn takedowns(
    State(state): State<AppState>,
    SignedInPage {
        lang, m, principal, ..
    }: SignedInPage,
    Query(query): Query<TakedownsQuery>,
) -> PageResult {
    let staff = staff_of(&state, &principal)?;
    let saved = query
        .removed
        .map(|n| m.admin.saved_takedown.replace("{n}", &n.to_string()))
        .or_else(|| query.answered.map(|_| m.admin.saved_answer.to_owned()));
    let shown = Shown {
        saved,
        ..Shown::default()
    };
    show_takedowns(&state, (lang, m), &principal, &staff, shown).await
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
            refused(
                &state,
                page,
                &principal,
                &staff,
                e,
                (form.target, form.reason),
            )
            .await
        }
    }
}

/// The answer buttons of a request.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    action: String,
}

/// `POST /admin/takedown-requests/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    use atelier_app::admin::TakedownAnswer;
    let principal = page.require("/admin/takedowns")?.clone();
    let staff = staff_of(&state, &principal)?;
    let answer = match form.action.as_str() {
        "remove_author" => TakedownAnswer::Remove(true),
        "decline" => TakedownAnswer::Decline,
        _ => TakedownAnswer::Remove(false),
    };
    match state.app.admin_answer_takedown(&staff, &id, answer).await {
        Ok(_) => Ok(see_other("/admin/takedowns?answered=1")),
        Err(e) => refused(&state, page, &principal, &staff, e, Default::default()).await,
    }
}

#[derive(Template)]
#[template(path = "takedown.html")]
struct TakedownRequestPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    sent: bool,
    error: Option<String>,
    source_url: String,
    contact_email: String,
    reason: String,
}

/// `?sent=1` after a request.
#[derive(Debug, Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
}

/// `GET /takedown`: the public form where creators ask for a post's removal (C7).
pub async fn takedown_request_page(page: Page, Query(query): Query<SentQuery>) -> PageResult {
    let view = TakedownRequestPage {
        m: page.m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        user: page.principal.as_ref().map(Viewer::of),
        here: page.here,
        q: String::new(),
        sent: query.sent.is_some(),
        error: None,
        source_url: String::new(),
        contact_email: String::new(),
        reason: String::new(),
    };
    Ok(crate::page::page_response(render(&view)?, page.lang))
}

/// The public form.
#[derive(Debug, Deserialize)]
pub struct RequestForm {
    source_url: String,
    contact_email: String,
    reason: String,
}

/// `POST /takedown`.
pub async fn request_takedown(
    State(state): State<AppState>,
    page: Page,
    client: Option<axum::Extension<crate::auth::ClientIp>>,
    Form(form): Form<RequestForm>,
) -> PageResult {
    let ip = client.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.0);
    let outcome = state
        .app
        .request_takedown(&atelier_app::admin::TakedownRequest {
            source_url: &form.source_url,
            contact_email: &form.contact_email,
            reason: &form.reason,
            language: page.lang.as_str(),
            ip,
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other("/takedown?sent=1")),
        Err(e) => {
            let Some(words) = refusal_words(page.m, &e, None) else {
                return Err(PageError::from(crate::ApiError::from(e)));
            };
            let status = crate::ApiError::from(e).status();
            let view = TakedownRequestPage {
                m: page.m,
                lang: page.lang,
                asset_version: &ASSET_VERSION,
                user: page.principal.as_ref().map(Viewer::of),
                here: "/takedown".to_owned(),
                q: String::new(),
                sent: false,
                error: Some(words),
                source_url: form.source_url,
                contact_email: form.contact_email,
                reason: form.reason,
            };
            Ok((
                status,
                crate::page::page_response(render(&view)?, page.lang),
            )
                .into_response())
        }
    }
}
