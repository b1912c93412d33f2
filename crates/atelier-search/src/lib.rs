//! The public gallery's full-text search index, built on tantivy.
//!
//! A derived cache: the database is the truth and this index can always be rebuilt from it
//! ([`SearchIndex::bulk_upsert`] after [`SearchIndex::clear`]). Each node keeps its own index
//! folder; a caller-defined watermark stored with every commit tells the feeder where to resume.
//!
//! What it offers (the requirements):
//! - full text over the prompt, the author's handle and name and the categories, with English
//!   stemming and CJK-aware tokenizing (overlapping bigrams);
//! - typo tolerance for longer terms, exact matches always ranked above fuzzy ones;
//! - exact filters (model, aspect, category, source, date range) and four sorts;
//! - a highlighted, HTML-escaped snippet of the prompt per hit;
//! - opaque cursors; hostile input never errors or panics — only a malformed cursor does
//!   ([`SearchError::BadCursor`], which the web layer maps to 400).
//!
//! How (module by module):
//! - `analyzer`: UAX #29 words (an ASCII fast path), lowercased, ASCII-folded, English-stemmed;
//!   CJK runs as overlapping bigrams, plus unigrams in the index so one-character queries work.
//! - `query`: user text is analyzed, never parsed: no syntax, no operators, at most 32 terms.
//! - `search`: relevance in two tiers (all terms exact, then fuzzy), each ranked by BM25 with
//!   block-max WAND where tantivy can; `rank`: the sorted orders read one precomputed rank fast
//!   field per document, counting in the same pass.
//! - `cursor`: URL-safe base64 of `{"o":offset,"s":sort}`; `snippet`: the highlighted fragment.
//! - `index`: one writer behind a mutex, a manually reloaded reader (writes are visible when the
//!   call returns), the schema-version file and the watermark in the commit payload.

mod analyzer;
mod cursor;
mod error;
mod index;
mod query;
mod rank;
mod related;
mod schema;
mod search;
mod snippet;
mod types;

pub use error::SearchError;
pub use index::SearchIndex;
pub use schema::SCHEMA_VERSION;
pub use types::{COUNT_LIMIT, GalleryDoc, SearchHit, SearchPage, SearchQuery, Sort};
