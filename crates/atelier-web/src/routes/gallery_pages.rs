//! The gallery's pages (G1, G2, G9): the gallery with search and filter chips, the detail page
//! and the language switch. They work without JavaScript; `app.js` adds masonry,
//! infinite scroll and the copy button.

use super::gallery::GalleryParams;
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, BoardChoice, Page, PageResult, Viewer, board_choices, is_local_path,
    lang_cookie, mark_favorites, not_found_page, page_response, render,
};
use crate::state::AppState;
use crate::views::{CardView, EAGER_CARDS, author_label, color_of, image_path};
use askama::Template;
use atelier_search::Sort;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use url::form_urlencoded;

/// A link that sets or clears one filter.
#[derive(Debug, Clone)]
pub struct Chip {
    /// Shown text.
    pub label: String,
    /// Where it goes.
    pub href: String,
    /// Whether it is the current choice.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    cards: Vec<CardView>,
    /// The number of results, "10000+" once counting stopped.
    total: String,
    next_href: Option<String>,
    sorts: Vec<Chip>,
    models: Vec<Chip>,
    aspects: Vec<Chip>,
    clear_href: Option<String>,
    filtered: bool,
}

struct DetailImage {
    /// The original, served only by this explicit download.
    original: String,
    /// The download's file name.
    download_name: String,
    color: String,
    src: String,
    srcset: String,
    width: i64,
    height: i64,
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    title: String,
    prompt: String,
    prompt_lang: &'static str,
    images: Vec<DetailImage>,
    author: String,
    handle: String,
    author_url: Option<String>,
    model: String,
    aspect: String,
    size: String,
    categories: Vec<String>,
    posted: String,
    posted_iso: String,
    likes: String,
    source: String,
    source_url: Option<String>,
    is_demo: bool,
    related: Vec<CardView>,
    /// The studio prefilled with this prompt and aspect (G1 "use this prompt").
    use_href: String,
    /// The heart (G5).
    fav: CardView,
    /// How many users hearted it.
    favorites: String,
    /// The signed-in user's boards, for "add to board".
    boards: Vec<BoardChoice>,
}

/// The query string of the gallery with `key` set to `value` (or removed), the cursor dropped.
fn href_with(params: &GalleryParams, key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut push = |k: &'static str, v: &Option<String>| {
        if k != key
            && let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty())
        {
            pairs.push((k, v.to_owned()));
        }
    };
    push("q", &params.q);
    push("model", &params.model);
    push("aspect", &params.aspect);
    push("category", &params.category);
    push("source", &params.source);
    push("from", &params.from);
    push("to", &params.to);
    push("sort", &params.sort);
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        serializer.append_pair(k, v);
    }
    if let Some(v) = value {
        serializer.append_pair(key, v);
    }
    let query = serializer.finish();
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

fn toggle_chip(
    params: &GalleryParams,
    key: &str,
    current: Option<&String>,
    value: &str,
    label: String,
) -> Chip {
    let active = current.is_some_and(|c| c.eq_ignore_ascii_case(value));
    Chip {
        label,
        href: href_with(params, key, (!active).then_some(value)),
        active,
    }
}

/// `GET /`: the gallery, searched and filtered by the query string.
pub async fn home(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Query(params): axum::extract::Query<GalleryParams>,
) -> PageResult {
    let m = page.m;
    // A page never fails on a bad parameter: it drops what it cannot read.
    let mut query = params.to_query().unwrap_or_else(|_| {
        GalleryParams {
            q: params.q.clone(),
            ..GalleryParams::default()
        }
        .to_query()
        .unwrap_or_default()
    });
    if query.limit == 0 {
        query.limit = 24;
    }
    let text = query.text.trim().to_owned();
    let results = match state.app.browse_gallery(query.clone()).await {
        Ok(results) => results,
        Err(atelier_app::AppError::BadRequest { .. }) => {
            query.cursor = None;
            state.app.browse_gallery(query).await?
        }
        Err(e) => return Err(e.into()),
    };
    let next_href = results
        .next_cursor
        .as_ref()
        .map(|c| href_with(&params, "cursor", Some(c)));
    let mut sorts = Vec::new();
    let current_sort =
        Sort::parse(params.sort.as_deref().unwrap_or("")).unwrap_or(if text.is_empty() {
            Sort::MostLiked
        } else {
            Sort::Relevance
        });
    let mut sort_options = vec![
        (Sort::Newest, m.gallery.sort_newest),
        (Sort::MostLiked, m.gallery.sort_likes),
        (Sort::MostFavorited, m.gallery.sort_favorites),
    ];
    if !text.is_empty() {
        sort_options.insert(0, (Sort::Relevance, m.gallery.sort_relevance));
    }
    for (option, label) in sort_options {
        sorts.push(Chip {
            label: label.to_owned(),
            href: href_with(&params, "sort", Some(option.as_str())),
            active: option == current_sort,
        });
    }
    let facets = state.app.gallery_facets().await?;
    // A filter with a single value filters nothing: show a group only when it offers a choice.
    let offers_choice = |values: &[atelier_app::gallery::facets::Facet]| values.len() > 1;
    let models = facets
        .models
        .iter()
        .filter(|_| offers_choice(&facets.models))
        .map(|f| {
            toggle_chip(
                &params,
                "model",
                params.model.as_ref(),
                &f.value,
                f.value.clone(),
            )
        })
        .collect();
    let aspects = facets
        .aspects
        .iter()
        .filter(|_| offers_choice(&facets.aspects))
        .map(|f| {
            toggle_chip(
                &params,
                "aspect",
                params.aspect.as_ref(),
                &f.value,
                f.value.clone(),
            )
        })
        .collect();
    let filtered = [
        &params.model,
        &params.aspect,
        &params.category,
        &params.source,
        &params.from,
        &params.to,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let clear_href = filtered.then(|| {
        let keep = GalleryParams {
            q: params.q.clone(),
            sort: params.sort.clone(),
            ..GalleryParams::default()
        };
        href_with(&keep, "", None)
    });
    let mut cards: Vec<CardView> = results
        .cards
        .iter()
        .filter_map(CardView::from_card)
        .collect();
    if params.cursor.is_none() {
        for card in cards.iter_mut().take(EAGER_CARDS) {
            card.eager = true;
        }
    }
    mark_favorites(&state, page.principal.as_ref(), &mut cards).await?;
    let page_view = HomePage {
        m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: text,
        user: page.viewer(),
        cards,
        total: if results.total_exact {
            results.total.to_string()
        } else {
            format!("{}+", results.total)
        },
        next_href,
        sorts,
        models,
        aspects,
        clear_href,
        filtered,
    };
    Ok(page_response(render(&page_view)?, page.lang))
}

/// The file name a downloaded original is saved under: `atelier-{id}-{position}.{extension}`.
fn download_name(item_id: &str, position: i64, content_type: Option<&str>) -> String {
    let extension = match content_type {
        Some("image/jpeg") => "jpg",
        Some("image/webp") => "webp",
        Some("image/gif") => "gif",
        _ => "png",
    };
    format!("atelier-{item_id}-{position}.{extension}")
}

/// `GET /g/{id}`: one artwork with its full prompt, parameters, attribution and related items.
pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let (item, related) = match state.app.gallery_detail(&id, 12).await {
        Ok(found) => found,
        Err(atelier_app::AppError::NotFound) => return Ok(not_found_page(&page)),
        Err(e) => return Err(e.into()),
    };
    let m = page.m;
    let principal = page.principal.as_ref();
    let images: Vec<DetailImage> = item
        .images
        .iter()
        .filter(|i| i.is_ready())
        .map(|i| DetailImage {
            original: image_path(&item.id, i.position, "original"),
            download_name: download_name(&item.id, i.position, i.content_type.as_deref()),
            color: color_of(i),
            src: image_path(&item.id, i.position, "w1280"),
            srcset: [640, 1280]
                .iter()
                .map(|w| {
                    format!(
                        "{} {w}w",
                        image_path(&item.id, i.position, &format!("w{w}"))
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            width: i.width,
            height: i.height,
        })
        .collect();
    let size = images
        .first()
        .map(|i| format!("{} × {}", i.width, i.height))
        .unwrap_or_default();
    let cjk = item
        .prompt
        .chars()
        .filter(|c| ('\u{3040}'..='\u{9fff}').contains(c))
        .count();
    let mut marked: Vec<CardView> = related.iter().filter_map(CardView::from_item).collect();
    let mut fav = CardView::from_item(&item).unwrap_or_else(|| CardView {
        id: item.id.clone(),
        favorited: false,
        href: format!("/g/{}", item.id),
        src: String::new(),
        srcset: String::new(),
        color: String::new(),
        eager: false,
        width: 0,
        height: 0,
        alt: String::new(),
        snippet_html: String::new(),
        author: String::new(),
        likes: String::new(),
        model: String::new(),
    });
    // One query marks the item and its related cards.
    marked.push(fav.clone());
    mark_favorites(&state, principal, &mut marked).await?;
    if let Some(me) = marked.pop() {
        fav = me;
    }
    let boards = board_choices(&state, principal).await?;
    let page_view = DetailPage {
        m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        user: page.viewer(),
        title: crate::views::excerpt(&item.prompt, 80),
        prompt_lang: if cjk * 4 > item.prompt.chars().count() {
            "zh"
        } else {
            "en"
        },
        prompt: item.prompt.clone(),
        images,
        author: author_label(&item),
        handle: item.author_handle.clone(),
        author_url: item.author_url.clone(),
        model: item.model.clone(),
        aspect: item.aspect.clone(),
        size,
        categories: item.categories.clone(),
        posted: atelier_core::time::date(item.posted_at),
        posted_iso: atelier_core::time::rfc3339(item.posted_at),
        likes: crate::views::compact_number(item.likes),
        source: item.source.clone(),
        source_url: item.source_url.clone(),
        is_demo: item.source == atelier_app::gallery::demo::DEMO_SOURCE,
        related: marked,
        fav,
        favorites: crate::views::compact_number(item.favorites),
        boards,
        use_href: format!(
            "/studio?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("prompt", &item.prompt)
                .append_pair("aspect", &item.aspect)
                .finish()
        ),
    };
    Ok(page_response(render(&page_view)?, page.lang))
}

/// The language switch's form.
#[derive(Debug, Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// `POST /lang`: keeps the chosen language in a cookie and goes back to the page.
pub async fn set_language(State(state): State<AppState>, Form(form): Form<LangForm>) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::En);
    let next = form
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&next).into_response();
    if let Some(v) = lang_cookie(state.app.settings(), lang) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
