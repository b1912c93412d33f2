//! "Related items": documents sharing the rare terms of a prompt and its categories.
//!
//! A small, predictable more-like-this: the prompt is analyzed like at indexing time, its terms
//! are weighted by tf·idf (stopwords, terms only this document has and terms most documents
//! have are skipped), and the best [`MAX_TERMS`] become optional clauses next to the categories.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::SearchError;
use crate::index::Inner;
use crate::types::clamp_limit;

/// Most prompt terms used.
const MAX_TERMS: usize = 20;
/// Terms in more than this share of the documents say nothing about similarity.
const MAX_DOC_SHARE: f64 = 0.3;
/// Below this many documents the share rule above would drop everything useful.
const MIN_DOCS_FOR_SHARE: f64 = 20.0;
/// Weight of a shared category relative to a shared prompt term.
const CATEGORY_BOOST: f32 = 1.5;

pub(crate) fn run(inner: &Inner, id: &str, limit: usize) -> Result<Vec<String>, SearchError> {
    let limit = clamp_limit(limit);
    let f = &inner.fields;
    let searcher = inner.reader.searcher();
    let id_term = Term::from_field_text(f.id, id);
    let own = TermQuery::new(id_term, IndexRecordOption::Basic);
    let Some((_, address)) = searcher
        .search(&own, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(Vec::new());
    };
    let doc: TantivyDocument = searcher.doc(address)?;
    let prompt = doc
        .get_first(f.prompt)
        .and_then(|v| v.as_str())
        .unwrap_or("");

    let mut tf: HashMap<String, u32> = HashMap::new();
    let mut analyzer = inner.index_analyzer();
    let mut stream = analyzer.token_stream(prompt);
    while let Some(token) = stream.next() {
        *tf.entry(token.text.clone()).or_default() += 1;
    }
    let total = searcher.num_docs().max(1) as f64;
    let mut weighted: Vec<(f64, String)> = Vec::new();
    for (text, count) in tf {
        let df = searcher.doc_freq(&Term::from_field_text(f.prompt, &text))? as f64;
        let common = total >= MIN_DOCS_FOR_SHARE && df / total > MAX_DOC_SHARE;
        if df <= 1.0 || common || inner.stopwords.contains(&text) {
            continue;
        }
        weighted.push((f64::from(count) * (total / df).ln(), text));
    }
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = weighted
        .into_iter()
        .take(MAX_TERMS)
        .map(|(_, text)| {
            let term = Term::from_field_text(f.prompt, &text);
            let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Should, q)
        })
        .collect();
    for category in doc.get_all(f.category_key).filter_map(|v| v.as_str()) {
        let term = Term::from_field_text(f.category_key, category);
        let q = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        clauses.push((Occur::Should, Box::new(BoostQuery::new(q, CATEGORY_BOOST))));
    }
    if clauses.is_empty() {
        return Ok(Vec::new());
    }
    clauses.push((Occur::MustNot, Box::new(own)));
    let query = BooleanQuery::new(clauses);
    let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
    let mut ids = Vec::with_capacity(top.len());
    for (_, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(other) = doc.get_first(f.id).and_then(|v| v.as_str()) {
            ids.push(other.to_owned());
        }
    }
    Ok(ids)
}
