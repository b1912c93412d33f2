//! What pages and the API show of gallery items: image URLs, sizes, attribution — built once
//! here from the database rows so that the grid, the detail page and both APIs agree.

use atelier_app::gallery::browse::GalleryCard;
use atelier_core::Settings;
use atelier_db::gallery::{GalleryImageRow, GalleryItemRow};
use serde::Serialize;

/// The path of a gallery image variant (`original`, `w320`, `w480`, `w640`, `w1280`).
pub use atelier_app::image_urls::gallery as image_path;

/// An absolute URL on this instance.
#[must_use]
pub fn absolute(settings: &Settings, path: &str) -> String {
    format!(
        "{}{}",
        settings.public_url.as_str().trim_end_matches('/'),
        path
    )
}

/// The first stored image of an item.
#[must_use]
pub fn cover(item: &GalleryItemRow) -> Option<&GalleryImageRow> {
    item.images.iter().find(|i| i.is_ready())
}

/// An image's dominant colour as a page may write it into an attribute (`#rrggbb`, nothing
/// else), or empty while the image has none.
#[must_use]
pub fn color_of(image: &GalleryImageRow) -> String {
    image
        .color
        .as_deref()
        .and_then(atelier_media::Rgb::parse_hex)
        .map(atelier_media::Rgb::hex)
        .unwrap_or_default()
}

/// How many cards of a gallery's first page load their image at once (two columns on a phone).
pub const EAGER_CARDS: usize = 2;

/// A card of the grid.
#[derive(Debug, Clone)]
pub struct CardView {
    /// The gallery item's id.
    pub id: String,
    /// Whether the signed-in viewer has hearted it.
    pub favorited: bool,
    /// Detail page path.
    pub href: String,
    /// `src` of the thumbnail.
    pub src: String,
    /// `srcset` with the thumbnail widths.
    pub srcset: String,
    /// The image's dominant colour (`#rrggbb`), painted behind it until it arrives; empty
    /// while unknown.
    pub color: String,
    /// Fetched at once with high priority instead of lazily: the first cards of a gallery's
    /// first page, where the largest contentful paint is.
    pub eager: bool,
    /// Intrinsic width (for layout without jumps).
    pub width: i64,
    /// Intrinsic height.
    pub height: i64,
    /// Alt text: the prompt's start.
    pub alt: String,
    /// Highlighted prompt fragment (already escaped).
    pub snippet_html: String,
    /// Creator's display name or handle.
    pub author: String,
    /// Likes at the source.
    pub likes: String,
    /// Model name.
    pub model: String,
}

/// Shortens text to `max` characters at a word boundary, with an ellipsis.
#[must_use]
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let trimmed = cut
        .rfind(char::is_whitespace)
        .filter(|&i| i > max / 2)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", trimmed.trim_end_matches([',', '.', ';', ' ']))
}

/// A moment as pages show it: the RFC 3339 form for `<time datetime>` (which `app.js` turns into
/// the reader's local time) and a readable UTC text for everyone else.
#[derive(Debug, Clone)]
pub struct TimeView {
    /// `2025-06-15T14:30:00Z`.
    pub iso: String,
    /// `2025-06-15 14:30 UTC`.
    pub text: String,
}

impl TimeView {
    /// The view of a time in milliseconds.
    #[must_use]
    pub fn at(ms: i64) -> Self {
        let iso = atelier_core::time::rfc3339(ms);
        let text = format!("{} UTC", iso.get(..16).unwrap_or(&iso).replace('T', " "));
        Self { iso, text }
    }
}

/// `1.2k`, `35k`, `1.4M`.
#[must_use]
pub fn compact_number(n: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let f = n as f64;
    if n >= 1_000_000 {
        format!("{:.1}M", f / 1_000_000.0)
    } else if n >= 10_000 {
        format!("{:.0}k", f / 1_000.0)
    } else if n >= 1_000 {
        format!("{:.1}k", f / 1_000.0)
    } else {
        n.to_string()
    }
}

/// The name to credit.
#[must_use]
pub fn author_label(item: &GalleryItemRow) -> String {
    if !item.author_name.is_empty() {
        item.author_name.clone()
    } else if !item.author_handle.is_empty() {
        format!("@{}", item.author_handle)
    } else {
        String::new()
    }
}

impl CardView {
    /// The card of a search result.
    #[must_use]
    pub fn from_card(card: &GalleryCard) -> Option<Self> {
        Self::build(&card.item, card.snippet_html.clone())
    }

    /// The card of an item (related items: the prompt's start as snippet).
    #[must_use]
    pub fn from_item(item: &GalleryItemRow) -> Option<Self> {
        Self::build(item, escape(&excerpt(&item.prompt, 160)))
    }

    fn build(item: &GalleryItemRow, snippet_html: String) -> Option<Self> {
        let image = cover(item)?;
        let srcset = [320_i64, 480, 640]
            .iter()
            .map(|w| {
                format!(
                    "{} {w}w",
                    image_path(&item.id, image.position, &format!("w{w}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some(Self {
            id: item.id.clone(),
            favorited: false,
            href: format!("/g/{}", item.id),
            src: image_path(&item.id, image.position, "w320"),
            srcset,
            color: color_of(image),
            eager: false,
            width: image.width,
            height: image.height,
            alt: excerpt(&item.prompt, 140),
            snippet_html,
            author: author_label(item),
            likes: compact_number(item.likes),
            model: item.model.clone(),
        })
    }
}

/// Escapes text for HTML.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A gallery item as `/api/v1/gallery` shows it (CONTRACT.md).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GalleryItemJson {
    /// Item id.
    pub id: String,
    /// The full prompt.
    pub prompt: String,
    /// Model name.
    pub model: String,
    /// Aspect ratio such as `3:4`.
    pub aspect: String,
    /// Categories.
    pub categories: Vec<String>,
    /// The first image, full size.
    pub image_url: String,
    /// The first image, 640 px wide WebP.
    pub thumb_url: String,
    /// Width of the first image.
    pub width: i64,
    /// Height of the first image.
    pub height: i64,
    /// The creator.
    pub author: AuthorJson,
    /// `x`, `import` or `demo`.
    pub source: String,
    /// The original post.
    pub source_url: Option<String>,
    /// Likes at the source.
    pub likes: i64,
    /// Favorites on this instance.
    pub favorites: i64,
    /// Views at the source.
    pub views: i64,
    /// When the work was posted (RFC 3339).
    pub created_at: String,
    /// Every image.
    pub images: Vec<ImageJson>,
    /// With a search: the best-matching prompt fragment, HTML-escaped, matches in `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
}

/// A creator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorJson {
    /// Display name.
    pub name: String,
    /// Handle without `@`.
    pub handle: String,
    /// Profile URL.
    pub url: Option<String>,
}

/// One image of an item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageJson {
    /// Full size.
    pub url: String,
    /// 640 px wide WebP.
    pub thumb_url: String,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

impl GalleryItemJson {
    /// The API view of an item.
    #[must_use]
    pub fn new(settings: &Settings, item: &GalleryItemRow, highlight: Option<String>) -> Self {
        let images: Vec<ImageJson> = item
            .images
            .iter()
            .filter(|i| i.is_ready())
            .map(|i| ImageJson {
                url: absolute(settings, &image_path(&item.id, i.position, "original")),
                thumb_url: absolute(settings, &image_path(&item.id, i.position, "w640")),
                width: i.width,
                height: i.height,
            })
            .collect();
        let (image_url, thumb_url, width, height) = images
            .first()
            .map_or((String::new(), String::new(), 0, 0), |i| {
                (i.url.clone(), i.thumb_url.clone(), i.width, i.height)
            });
        Self {
            id: item.id.clone(),
            prompt: item.prompt.clone(),
            model: item.model.clone(),
            aspect: item.aspect.clone(),
            categories: item.categories.clone(),
            image_url,
            thumb_url,
            width,
            height,
            author: AuthorJson {
                name: item.author_name.clone(),
                handle: item.author_handle.clone(),
                url: item.author_url.clone(),
            },
            source: item.source.clone(),
            source_url: item.source_url.clone(),
            likes: item.likes,
            favorites: item.favorites,
            views: item.views,
            created_at: atelier_core::time::rfc3339(item.posted_at),
            images,
            highlight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(
            excerpt("a lighthouse on a cliff at sunset", 20),
            "a lighthouse on a…"
        );
        assert_eq!(excerpt("一只在雨中撑伞的橘猫电影感光影", 5), "一只在雨中…");
    }

    #[test]
    fn times_read_well() {
        let t = TimeView::at(1_749_997_800_000);
        assert_eq!(t.iso, "2025-06-15T14:30:00Z");
        assert_eq!(t.text, "2025-06-15 14:30 UTC");
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(compact_number(999), "999");
        assert_eq!(compact_number(3567), "3.6k");
        assert_eq!(compact_number(159_772), "160k");
        assert_eq!(compact_number(2_500_000), "2.5M");
    }

    #[test]
    fn escaping_covers_html_specials() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
