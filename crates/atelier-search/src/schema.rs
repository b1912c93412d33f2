//! The index schema and how a [`GalleryDoc`] becomes a tantivy document.
//!
//! Stored minimally: the id (to answer with), the prompt (for snippets) and the normalized
//! category keys (for [`related`](crate::SearchIndex::related)). Everything else is indexed or
//! a fast field only.

use tantivy::TantivyDocument;
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};

use crate::analyzer::{INDEX_ANALYZER, keyword};
use crate::types::GalleryDoc;

/// Version of the schema and analyzer. An index folder written with another version is wiped
/// and recreated on open (the caller sees a fresh index, `watermark() == None`, and rebuilds).
/// Bump it whenever the schema, the analyzer or the meaning of a field changes.
/// Version 3 adds `any_text` and indexes keyword fields without frequencies.
pub const SCHEMA_VERSION: u32 = 3;

/// Fast field names of the sort keys (see [`rank`]).
pub(crate) const RANK_NEWEST: &str = "rank_newest";
pub(crate) const RANK_LIKES: &str = "rank_likes";
pub(crate) const RANK_FAVORITES: &str = "rank_favorites";
pub(crate) const ID_HASH: &str = "id_hash";

/// Bits of a composite rank given to the count (likes, favorites); larger counts saturate.
const COUNT_BITS: u32 = 23;
/// Bits of a composite rank given to the post time in seconds (enough for 30,000 years).
const SECONDS_BITS: u32 = 40;

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub id_hash: Field,
    pub prompt: Field,
    pub author: Field,
    pub categories: Field,
    /// Every term of the prompt, author and categories, for matching without scoring (the
    /// sorted orders): one posting list per term instead of a union over three fields, which
    /// an intersection can only seek slowly.
    pub any_text: Field,
    pub category_key: Field,
    pub model: Field,
    pub aspect: Field,
    pub source: Field,
    pub posted_at: Field,
    pub rank_newest: Field,
    pub rank_likes: Field,
    pub rank_favorites: Field,
}

/// Full-text options: the gallery analyzer, term frequencies (BM25) without positions — the
/// index never runs phrase queries, and positions would double its size.
fn text(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(INDEX_ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Matching-only options: the gallery analyzer, doc ids only (nothing to score with).
fn match_only() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(INDEX_ANALYZER)
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    TextOptions::default().set_indexing_options(indexing)
}

/// Exact-match options: the whole (normalized) value is one term; no norms, no frequencies.
fn keyword_field(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("raw")
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema.
pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", keyword_field(true)),
        id_hash: b.add_u64_field(ID_HASH, FAST),
        prompt: b.add_text_field("prompt", text(true)),
        author: b.add_text_field("author", text(false)),
        categories: b.add_text_field("categories", text(false)),
        any_text: b.add_text_field("any_text", match_only()),
        category_key: b.add_text_field("category_key", keyword_field(true)),
        model: b.add_text_field("model", keyword_field(false)),
        aspect: b.add_text_field("aspect", keyword_field(false)),
        source: b.add_text_field("source", keyword_field(false)),
        posted_at: b.add_i64_field("posted_at", FAST),
        rank_newest: b.add_u64_field(RANK_NEWEST, FAST),
        rank_likes: b.add_u64_field(RANK_LIKES, FAST),
        rank_favorites: b.add_u64_field(RANK_FAVORITES, FAST),
    };
    (b.build(), fields)
}

/// A stable 64-bit hash of an id (FNV-1a): the last tie-breaker of the sorted orders, stable
/// across segment merges and process restarts (unlike doc addresses or `DefaultHasher`).
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A sort key that orders by `count` and then by `posted_at`, packed in one `u64` so that the
/// sorted orders read one fast field per document: 23 bits of count (saturating at 8.4
/// million), then 40 bits of post time in seconds. Negative values count as 0.
pub(crate) fn rank(count: i64, posted_at_ms: i64) -> u64 {
    let count = u64::try_from(count).unwrap_or(0).min((1 << COUNT_BITS) - 1);
    let seconds = u64::try_from(posted_at_ms / 1000)
        .unwrap_or(0)
        .min((1 << SECONDS_BITS) - 1);
    (count << SECONDS_BITS) | seconds
}

/// Converts a gallery item into a tantivy document.
pub(crate) fn to_document(f: &Fields, doc: &GalleryDoc) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_text(f.id, &doc.id);
    d.add_u64(f.id_hash, id_hash(&doc.id));
    d.add_text(f.prompt, &doc.prompt);
    d.add_text(f.any_text, &doc.prompt);
    if !doc.author_handle.trim().is_empty() {
        d.add_text(f.author, &doc.author_handle);
        d.add_text(f.any_text, &doc.author_handle);
    }
    if !doc.author_name.trim().is_empty() {
        d.add_text(f.author, &doc.author_name);
        d.add_text(f.any_text, &doc.author_name);
    }
    for category in &doc.categories {
        let key = keyword(category);
        if !key.is_empty() {
            d.add_text(f.categories, category);
            d.add_text(f.any_text, category);
            d.add_text(f.category_key, &key);
        }
    }
    d.add_text(f.model, keyword(&doc.model));
    d.add_text(f.aspect, keyword(&doc.aspect));
    d.add_text(f.source, keyword(&doc.source));
    d.add_i64(f.posted_at, doc.posted_at);
    d.add_u64(f.rank_newest, u64::try_from(doc.posted_at).unwrap_or(0));
    d.add_u64(f.rank_likes, rank(doc.likes, doc.posted_at));
    d.add_u64(f.rank_favorites, rank(doc.favorites, doc.posted_at));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_hash_is_fnv1a() {
        assert_eq!(id_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(id_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(id_hash("g1"), id_hash("g2"));
    }

    #[test]
    fn ranks_order_by_count_then_time() {
        assert!(rank(2, 0) > rank(1, 9_999_999_999_000));
        assert!(rank(1, 2_000) > rank(1, 1_000));
        assert_eq!(rank(-5, -5), 0);
        assert_eq!(rank(i64::MAX, 0), rank(1 << 23, 0));
        assert!(rank(i64::MAX, i64::MAX) > rank((1 << 23) - 2, i64::MAX));
    }
}
