//! Server-rendered pages (G1, G2, G9): the gallery with search and filter chips, the detail page,
//! the language switch and the friendly 404. They work without JavaScript; `app.js` adds masonry,
//! infinite scroll and the copy button.

use super::collection_pages::{BoardChoice, board_choices, mark_favorites};
use super::gallery::GalleryParams;
use crate::ApiError;
use crate::auth::MaybeUser;
use crate::i18n::{LANG_COOKIE, Lang, Messages, PageLang};
use crate::server::AppState;
use crate::views::{CardView, author_label, image_path};
use askama::Template;
use atelier_app::accounts::Principal;
use atelier_core::Settings;
use atelier_search::Sort;
use axum::Form;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::LazyLock;
use url::form_urlencoded;

/// Cache-busting version of the assets: a hash of their content.
pub static ASSET_VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in super::assets::APP_CSS
        .bytes()
        .chain(super::assets::APP_JS.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
});

/// The signed-in visitor as the page header shows them.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The display name, else the address's local part.
    pub name: String,
    /// The name's first letter, for the round badge.
    pub initial: String,
    /// The credit balance, on the pages that read it anyway (the studio and the records).
    pub credits: Option<i64>,
    /// Whether they have yet to open the current privacy policy: the banner shows (P1).
    pub policy_unread: bool,
    /// Whether they never opened any version (the banner then asks to read it, not what changed).
    pub policy_never_read: bool,
}

impl Viewer {
    /// The header's view of a signed-in user.
    #[must_use]
    pub fn of(principal: &Principal) -> Self {
        let name = principal.user.shown_name().to_owned();
        let initial = name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        let seen = principal.user.policy_version_seen;
        Self {
            name,
            initial,
            credits: None,
            policy_unread: seen < atelier_app::privacy::POLICY_VERSION,
            policy_never_read: seen <= 0,
        }
    }

    /// The banner's sentence while the current policy is unread (P1).
    #[must_use]
    pub fn policy_banner(&self, m: &Messages) -> String {
        let text = if self.policy_never_read {
            m.privacy.banner_new
        } else {
            m.privacy.banner_changed
        };
        text.replace(
            "{version}",
            &atelier_app::privacy::POLICY_VERSION.to_string(),
        )
    }

    /// The banner's link text.
    #[must_use]
    pub fn policy_banner_link(&self, m: &'static Messages) -> &'static str {
        if self.policy_never_read {
            m.privacy.banner_read
        } else {
            m.privacy.banner_read_changes
        }
    }

    /// The header's view of whoever is asking.
    #[must_use]
    pub fn from_maybe(principal: Option<&Principal>) -> Option<Self> {
        principal.map(Self::of)
    }
}

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
    original: String,
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

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
}

/// Renders a page; a template failure is a logged 500.
pub(crate) fn render(template: &impl Template) -> Result<Html<String>, ApiError> {
    template.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError::internal("template")
    })
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

/// The page's own path and query, for the language switch and the sign-in link to come back to.
pub(crate) fn here(uri: &OriginalUri) -> String {
    uri.0
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
}

/// `GET /`: the gallery, searched and filtered by the query string.
pub async fn home(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    axum::extract::Query(params): axum::extract::Query<GalleryParams>,
) -> Result<Response, ApiError> {
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
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
    let page = match state.app.browse_gallery(query.clone()).await {
        Ok(page) => page,
        Err(atelier_app::AppError::BadRequest { .. }) => {
            query.cursor = None;
            state.app.browse_gallery(query).await?
        }
        Err(e) => return Err(e.into()),
    };
    let next_href = page
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
    let mut cards: Vec<CardView> = page.cards.iter().filter_map(CardView::from_card).collect();
    mark_favorites(&state, principal.as_ref(), &mut cards).await?;
    let page_view = HomePage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: here(&uri),
        q: text,
        user: Viewer::from_maybe(principal.as_ref()),
        cards,
        total: if page.total_exact {
            page.total.to_string()
        } else {
            format!("{}+", page.total)
        },
        next_href,
        sorts,
        models,
        aspects,
        clear_href,
        filtered,
    };
    Ok(page_response(render(&page_view)?, lang))
}

/// `GET /g/{id}`: one artwork with its full prompt, parameters, attribution and related items.
pub async fn detail(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let lang = Lang::from_headers(&headers);
    let (item, related) = match state.app.gallery_detail(&id, 12).await {
        Ok(found) => found,
        Err(atelier_app::AppError::NotFound) => {
            return Ok(not_found_page(
                &headers,
                &uri,
                Viewer::from_maybe(principal.as_ref()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let m = lang.messages();
    let images: Vec<DetailImage> = item
        .images
        .iter()
        .filter(|i| i.is_ready())
        .map(|i| DetailImage {
            original: image_path(&item.id, i.position, "original"),
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
    mark_favorites(&state, principal.as_ref(), &mut marked).await?;
    if let Some(me) = marked.pop() {
        fav = me;
    }
    let boards = board_choices(&state, principal.as_ref()).await?;
    let page_view = DetailPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here: here(&uri),
        q: String::new(),
        user: Viewer::from_maybe(principal.as_ref()),
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
    Ok(page_response(render(&page_view)?, lang))
}

/// The friendly 404 page, in the visitor's language.
pub fn not_found_page(headers: &HeaderMap, uri: &OriginalUri, user: Option<Viewer>) -> Response {
    let lang = Lang::from_headers(headers);
    let page = NotFoundPage {
        m: lang.messages(),
        lang,
        asset_version: &ASSET_VERSION,
        here: here(uri),
        q: String::new(),
        user,
    };
    match render(&page) {
        Ok(html) => (StatusCode::NOT_FOUND, page_response(html, lang)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Pages vary by language (cookie and Accept-Language) and are not cached by shared caches.
fn page_response(html: Html<String>, lang: Lang) -> Response {
    page_with_cache(html, lang, "private, no-cache")
}

/// A page with personal data (sign-in, settings): no cache keeps a copy, not even the browser's
/// back-forward one.
pub(crate) fn personal_page(html: Html<String>, lang: Lang) -> Response {
    page_with_cache(html, lang, "no-store")
}

fn page_with_cache(html: Html<String>, lang: Lang, cache_control: &'static str) -> Response {
    let mut response = html.into_response();
    let h = response.headers_mut();
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(lang.as_str()) {
        h.insert(header::CONTENT_LANGUAGE, v);
    }
    response
}

/// The language switch's form.
#[derive(Debug, Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// Whether `next` is a path on this site (`/…`, never `//host` or `/\host`), safe to redirect to.
pub(crate) fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
}

/// The `Set-Cookie` value that keeps `lang` for a year (an essential cookie: SEC5).
pub(crate) fn lang_cookie(settings: &Settings, lang: Lang) -> Option<HeaderValue> {
    let secure = if settings.is_https() { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.as_str()
    );
    HeaderValue::from_str(&cookie).ok()
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
