//! The console's abuse blocks (C2).

use super::*;

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
            let Some(words) = refusal_words(page.m, &e, None) else {
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
