//! A user's generation records (G6, C8, R7): one record's page with its progress and images, its
//! deletion behind a confirmation that says it is permanent and offers the downloads first, and
//! the list of records, newest first, a page at a time. Another user's record is the plain 404.

use super::{aspect_class, in_progress, model_label, plural, status_label, studio_href};
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, personal_page, render, see_other,
};
use crate::state::AppState;
use crate::views::{TimeView, excerpt};
use askama::Template;
use atelier_app::AppError;
use atelier_app::generation::Generation;
use atelier_app::image_urls;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

/// Records per page of the list.
const PAGE_SIZE: u32 = 24;

/// A delivered image as the pages show it.
struct ImageView {
    /// The image's id (for AI Edit).
    id: String,
    original: String,
    thumb: String,
    srcset: String,
    width: i64,
    height: i64,
    download_name: String,
    download_label: String,
}

impl ImageView {
    fn list(m: &Messages, g: &Generation) -> Vec<Self> {
        let short: String = g.row.id.chars().take(8).collect();
        g.images
            .iter()
            .map(|i| {
                let n = i.position + 1;
                let ext = match i.content_type.as_str() {
                    "image/jpeg" => "jpg",
                    "image/webp" => "webp",
                    "image/gif" => "gif",
                    _ => "png",
                };
                Self {
                    id: i.id.clone(),
                    original: image_urls::generated(&i.id, image_urls::ORIGINAL),
                    thumb: image_urls::generated(&i.id, &image_urls::thumb(640)),
                    srcset: format!(
                        "{} 320w, {} 640w",
                        image_urls::generated(&i.id, &image_urls::thumb(320)),
                        image_urls::generated(&i.id, &image_urls::thumb(640))
                    ),
                    width: i.width,
                    height: i.height,
                    download_name: format!("atelier-{short}-{n}.{ext}"),
                    download_label: format!("{} {n}", m.generations.download),
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "generation.html")]
struct GenerationPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    id: String,
    title: String,
    status: String,
    status_label: &'static str,
    in_progress: bool,
    progress: &'static str,
    error: Option<String>,
    images: Vec<ImageView>,
    aspect_class: String,
    placeholders: Vec<i64>,
    prompt: String,
    prompt_lang: &'static str,
    model_name: String,
    demo: bool,
    aspect: String,
    seed: Option<i64>,
    count: i64,
    credits_charged: i64,
    created: TimeView,
    use_again: String,
    /// Reference uploads: (original, thumbnail) paths.
    references: Vec<(String, String)>,
    /// The user's boards, for "add to board".
    boards: Vec<crate::page::BoardChoice>,
}

#[derive(Template)]
#[template(path = "generation_delete.html")]
struct DeletePage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    id: String,
    prompt: String,
    in_progress: bool,
    images: Vec<ImageView>,
}

/// A record in the list.
struct RecordCard {
    href: String,
    thumb: Option<ImageView>,
    prompt: String,
    model_name: String,
    status: String,
    status_label: &'static str,
    images: String,
    created: TimeView,
}

#[derive(Template)]
#[template(path = "generations.html")]
struct ListPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    cards: Vec<RecordCard>,
    next_href: Option<String>,
    first_page: bool,
    flash: Option<&'static str>,
}

/// `zh` for a prompt that is mostly Chinese or Japanese, else `en` (for fonts and screen readers).
fn prompt_lang(prompt: &str) -> &'static str {
    let cjk = prompt
        .chars()
        .filter(|c| ('\u{3040}'..='\u{9fff}').contains(c))
        .count();
    if cjk * 4 > prompt.chars().count() {
        "zh"
    } else {
        "en"
    }
}

/// `GET /generations/{id}`: the record's progress (the page refreshes itself while it runs),
/// then its images; its prompt, parameters and cost; "use again", downloads and deletion.
pub async fn generation_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Path(id): Path<String>,
) -> PageResult {
    // Not there or not theirs: 404, the friendly page (`html_errors`).
    let g = state.app.generation(&principal.user.id, &id).await?;
    let balance = state.app.credit_balance(&principal.user.id).await?;
    let (model_name, demo) = model_label(&state.app.models(), &g.row.model_id);
    let images = ImageView::list(m, &g);
    let r = &g.row;
    let running = in_progress(&r.status);
    let page = GenerationPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::with_credits(&principal, balance)),
        id: r.id.clone(),
        title: excerpt(&r.prompt, 60),
        status: r.status.clone(),
        status_label: status_label(m, &r.status),
        in_progress: running,
        progress: if r.status == "queued" {
            m.generations.progress_queued
        } else {
            m.generations.progress_running
        },
        error: (r.status == "failed").then(|| r.error.clone().unwrap_or_default()),
        images,
        aspect_class: aspect_class(&r.aspect),
        placeholders: if running {
            (1..=r.count).collect()
        } else {
            Vec::new()
        },
        prompt: r.prompt.clone(),
        prompt_lang: prompt_lang(&r.prompt),
        model_name,
        demo,
        aspect: r.aspect.clone(),
        seed: r.seed,
        count: r.count,
        credits_charged: r.credits_charged,
        created: TimeView::at(r.created_at),
        use_again: studio_href(&r.prompt, &r.model_id, &r.aspect),
        references: g
            .reference_upload_ids
            .iter()
            .map(|id| {
                (
                    image_urls::upload(id, image_urls::ORIGINAL),
                    image_urls::upload(id, &image_urls::thumb(320)),
                )
            })
            .collect(),
        boards: crate::page::board_choices(&state, Some(&principal)).await?,
    };
    Ok(personal_page(render(&page)?, lang))
}

/// `GET /generations/{id}/delete`: the confirmation (R7): deletion is permanent, what goes with
/// it, and the downloads first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Path(id): Path<String>,
) -> PageResult {
    // Not there or not theirs: 404, the friendly page (`html_errors`).
    let g = state.app.generation(&principal.user.id, &id).await?;
    let balance = state.app.credit_balance(&principal.user.id).await?;
    let page = DeletePage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::with_credits(&principal, balance)),
        id: g.row.id.clone(),
        prompt: excerpt(&g.row.prompt, 240),
        in_progress: in_progress(&g.row.status),
        images: ImageView::list(m, &g),
    };
    Ok(personal_page(render(&page)?, lang))
}

/// `POST /generations/{id}/delete`: deletes the record for good (D2, C5, C6, C8) and goes to
/// the list. One already gone reads the same (a second click of the button).
pub async fn delete_generation(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let principal = page.require("/generations")?;
    match state.app.delete_generation(&principal.user.id, &id).await {
        Ok(()) | Err(AppError::NotFound) => Ok(see_other("/generations?deleted=1")),
        Err(e) => Err(e.into()),
    }
}

/// `?cursor=&deleted=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    cursor: Option<String>,
    deleted: Option<String>,
}

/// `GET /generations` (G6): the user's records, newest first, [`PAGE_SIZE`] a page.
pub async fn generations_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let user_id = &principal.user.id;
    let cursor = query.cursor.filter(|c| !c.is_empty());
    // A page never fails on a cursor it cannot read: it starts from the newest.
    let (records, next, first_page) = match state
        .app
        .generations(user_id, PAGE_SIZE, cursor.as_deref())
        .await
    {
        Ok((records, next)) => (records, next, cursor.is_none()),
        Err(AppError::BadRequest { .. }) => {
            let (records, next) = state.app.generations(user_id, PAGE_SIZE, None).await?;
            (records, next, true)
        }
        Err(e) => return Err(e.into()),
    };
    let balance = state.app.credit_balance(user_id).await?;
    let models = state.app.models();
    let cards = records
        .iter()
        .map(|g| {
            let r = &g.row;
            RecordCard {
                href: format!("/generations/{}", r.id),
                thumb: ImageView::list(m, g).into_iter().next(),
                prompt: excerpt(&r.prompt, 140),
                model_name: model_label(&models, &r.model_id).0,
                status: r.status.clone(),
                status_label: status_label(m, &r.status),
                // What was asked for until it ends, then what was delivered.
                images: plural(
                    if in_progress(&r.status) {
                        r.count
                    } else {
                        i64::try_from(g.images.len()).unwrap_or(0)
                    },
                    m.generations.image_count_one,
                    m.generations.image_count_many,
                ),
                created: TimeView::at(r.created_at),
            }
        })
        .collect();
    let page = ListPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::with_credits(&principal, balance)),
        cards,
        next_href: next.map(|c| {
            let c: String = url::form_urlencoded::byte_serialize(c.as_bytes()).collect();
            format!("/generations?cursor={c}")
        }),
        first_page,
        flash: query
            .deleted
            .is_some()
            .then_some(m.generations.deleted_flash),
    };
    Ok(personal_page(render(&page)?, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_in_chinese_are_marked_so() {
        assert_eq!(prompt_lang("一只在雨中撑伞的橘猫"), "zh");
        assert_eq!(prompt_lang("a cat with an umbrella"), "en");
    }
}
