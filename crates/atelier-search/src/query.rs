//! Turns a [`SearchQuery`] into a tantivy query, without ever parsing user syntax.
//!
//! User text goes through the same analyzer as the index (never tantivy's `QueryParser`, whose
//! operators would error on `a:b` or `(((`). Each resulting term must match (AND), in any of the
//! prompt (BM25 ×1), author (×2) or categories (×1.5):
//! - exactly; or
//! - fuzzily (Latin terms only): Levenshtein 1 from 5 typed characters, 2 from 9 (fewer for
//!   short stems), and as a prefix for the last term while it is still being typed. The fuzzy
//!   candidates are read from the term dictionaries: the [`MAX_EXPANSIONS`] most frequent per
//!   field among those [`MIN_POPULARITY_RATIO`] times more frequent than the typed term (a
//!   typo is rare, its correction common), remembered per index generation in an
//!   [`ExpansionCache`], and scored as BM25 × [`FUZZY_WEIGHT`].
//!
//! Ranking is tiered (see [`crate::search`]): documents matching every term exactly come first,
//! then those that needed a fuzzy match. Filters are exact term or range clauses that add no
//! score.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analyzer::{is_cjk, keyword};
use crate::error::SearchError;
use crate::schema::Fields;
use crate::types::SearchQuery;

/// Multiplier of the BM25 score of fuzzy (typo or prefix) matches.
const FUZZY_WEIGHT: f32 = 0.5;
/// A fuzzy candidate must be in this many times more documents than the term as typed (in the
/// same field). The rule of spell checkers' "more popular" suggestions: a typo is rare and its
/// correction common, while two common neighbours ("light", "night") are different words, not
/// typos of each other. Terms absent from a field accept any candidate there.
const MIN_POPULARITY_RATIO: u64 = 4;
/// Most fuzzy candidates kept per term and field.
const MAX_EXPANSIONS: usize = 8;
/// Most matching dictionary terms looked at per term, field and segment while collecting
/// candidates (dense vocabularies match hundreds of terms within two edits).
const MAX_VISITED: usize = 256;
/// Entries kept in the [`ExpansionCache`] before it starts over.
const EXPANSION_CACHE_ENTRIES: usize = 10_000;
/// Only the first terms of a long text are used.
pub(crate) const MAX_TERMS: usize = 32;
/// Only this much of the text is analyzed (far more than 32 terms need).
const MAX_TEXT_BYTES: usize = 4_096;
/// The last term is also matched as a prefix from this many characters on.
const MIN_PREFIX_CHARS: usize = 3;

const PROMPT_BOOST: f32 = 1.0;
const AUTHOR_BOOST: f32 = 2.0;
const CATEGORY_BOOST: f32 = 1.5;

/// English words that are dropped from a query that also has other words.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "with",
];

/// One analyzed query term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryTerm {
    /// The term as indexed (lowercased, folded, stemmed; or a CJK n-gram).
    pub text: String,
    /// CJK n-grams are matched exactly only.
    pub cjk: bool,
    /// Stopwords (kept only in a query of nothing else) are matched exactly only.
    stopword: bool,
    /// The last Latin term of a text that does not end in a space or punctuation.
    pub prefix: bool,
    /// Byte offset in the text where the term's token ends.
    end: usize,
    /// Length of the word as typed (before stemming), in characters.
    typed_chars: usize,
}

/// The stemmed forms of [`STOPWORDS`], computed once with the query analyzer.
pub(crate) fn stopword_set(analyzer: &mut TextAnalyzer) -> HashSet<String> {
    let mut set = HashSet::new();
    for word in STOPWORDS {
        let mut stream = analyzer.token_stream(word);
        while let Some(token) = stream.next() {
            set.insert(token.text.clone());
        }
    }
    set
}

/// Analyzes user text into at most [`MAX_TERMS`] distinct terms.
pub(crate) fn analyze(
    analyzer: &mut TextAnalyzer,
    stopwords: &HashSet<String>,
    text: &str,
) -> Vec<QueryTerm> {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = text.get(..end).unwrap_or("");
    let mut terms: Vec<QueryTerm> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if terms.iter().any(|t| t.text == token.text) {
            continue;
        }
        if terms.len() == MAX_TERMS {
            break;
        }
        terms.push(QueryTerm {
            text: token.text.clone(),
            cjk: token.text.chars().any(is_cjk),
            stopword: stopwords.contains(&token.text),
            prefix: false,
            end: token.offset_to,
            typed_chars: text
                .get(token.offset_from..token.offset_to)
                .map_or(0, |w| w.chars().count()),
        });
    }
    if terms.iter().any(|t| !t.stopword) {
        terms.retain(|t| !t.stopword);
    }
    if let Some(last) = terms.last_mut() {
        last.prefix = !last.cjk
            && !last.stopword
            && last.end == text.len()
            && last.text.chars().count() >= MIN_PREFIX_CHARS;
    }
    terms
}

/// Fuzzy candidates already looked up, valid for one searcher generation (a commit or merge
/// changes the dictionaries and empties it). Popular queries repeat, and walking a large term
/// dictionary with a two-edit automaton is the costliest step of a typo-tolerant query.
#[derive(Debug, Default)]
pub(crate) struct ExpansionCache {
    generation: u64,
    map: HashMap<(Field, String, u8, bool, u64), Vec<String>>,
}

/// The compiled text part of a query: one clause per term, in two tiers.
pub(crate) struct TextQuery {
    /// Per term: its exact matches in any field (BM25 with field boosts). `None` when some term
    /// has no exact match anywhere (then no document is in the exact tier).
    pub exact: Option<Vec<Box<dyn Query>>>,
    /// Per term: its exact and fuzzy matches. `None` when no term has fuzzy candidates (then
    /// every match is exact).
    pub any: Option<Vec<Box<dyn Query>>>,
    /// Per term, for the sorted orders (which interleave everything they match): its exact
    /// matches, or its fuzzy ones when it has none — typos are corrected, but "cat" sorted by
    /// date does not also list "catalog".
    pub sorted: Vec<Box<dyn Query>>,
    /// Multi-term queries: every fuzzy candidate of every term, scoring nothing. A document of
    /// the fuzzy tier misses some term exactly, so it holds one of these: as an extra required
    /// clause it changes no result but lets the intersection start from these (usually rare)
    /// postings instead of the common words' ones.
    pub fuzzy_guard: Option<Box<dyn Query>>,
    /// Single-term queries: the fuzzy candidates alone (the fuzzy tier, once the exact matches
    /// are excluded, needs no exact postings).
    pub fuzzy_only: Option<Box<dyn Query>>,
    /// Whether every exact clause is a single term query (each term found in one field only):
    /// then the exact tier is a plain term intersection, rankable with block-max WAND.
    pub exact_is_plain: bool,
    /// Prompt terms (exact and fuzzy) to highlight in snippets.
    pub highlight: HashSet<String>,
}

/// Builds the text clauses; `None` when some term matches nothing anywhere (so no document can
/// match all terms and the search can answer an empty page at once).
pub(crate) fn text_query(
    searcher: &Searcher,
    f: &Fields,
    terms: &[QueryTerm],
    cache: &Mutex<ExpansionCache>,
) -> Result<Option<TextQuery>, SearchError> {
    let mut exact_clauses: Vec<Box<dyn Query>> = Vec::with_capacity(terms.len());
    let mut any_clauses: Vec<Box<dyn Query>> = Vec::with_capacity(terms.len());
    let mut sorted_clauses: Vec<Box<dyn Query>> = Vec::with_capacity(terms.len());
    let mut all_fuzzy: Vec<Box<dyn Query>> = Vec::new();
    let mut all_exact = true;
    let mut exact_is_plain = true;
    let mut some_fuzzy = false;
    let mut fuzzy_only = None;
    let mut highlight = HashSet::new();
    let boosted = [
        (f.prompt, PROMPT_BOOST),
        (f.author, AUTHOR_BOOST),
        (f.categories, CATEGORY_BOOST),
    ];
    for term in terms {
        let mut exact: Vec<Box<dyn Query>> = Vec::new();
        let mut exact_df = [0u64; 3];
        for (i, (field, boost)) in boosted.into_iter().enumerate() {
            let t = Term::from_field_text(field, &term.text);
            let df = searcher.doc_freq(&t)?;
            exact_df[i] = df;
            if df > 0 {
                if field == f.prompt {
                    highlight.insert(term.text.clone());
                }
                exact.push(boosted_term(t, boost));
            }
        }
        let mut fuzzy: Vec<Box<dyn Query>> = Vec::new();
        if let Some(fuzzy_spec) = fuzzy_spec(term) {
            for (i, (field, boost)) in boosted.into_iter().enumerate() {
                let min_df = exact_df[i].saturating_mul(MIN_POPULARITY_RATIO);
                for candidate in expand_cached(searcher, field, &fuzzy_spec, min_df, cache)? {
                    if field == f.prompt {
                        highlight.insert(candidate.clone());
                    }
                    let t = Term::from_field_text(field, &candidate);
                    fuzzy.push(boosted_term(t, boost * FUZZY_WEIGHT));
                }
            }
        }
        if exact.is_empty() && fuzzy.is_empty() {
            return Ok(None);
        }
        all_exact &= !exact.is_empty();
        exact_is_plain &= exact.len() == 1;
        some_fuzzy |= !fuzzy.is_empty();
        all_fuzzy.extend(fuzzy.iter().map(|q| q.box_clone()));
        if terms.len() == 1 && !fuzzy.is_empty() {
            fuzzy_only = Some(any_of(fuzzy.iter().map(|q| q.box_clone()).collect()));
        }
        if exact.is_empty() {
            sorted_clauses.push(any_of(fuzzy.iter().map(|q| q.box_clone()).collect()));
        } else {
            exact_clauses.push(any_of(exact.iter().map(|q| q.box_clone()).collect()));
            // The same documents as the union of the fields' exact matches, in one list.
            let anywhere = Term::from_field_text(f.any_text, &term.text);
            sorted_clauses.push(Box::new(TermQuery::new(anywhere, IndexRecordOption::Basic)));
        }
        exact.extend(fuzzy);
        any_clauses.push(any_of(exact));
    }
    Ok(Some(TextQuery {
        exact: all_exact.then_some(exact_clauses),
        any: some_fuzzy.then_some(any_clauses),
        sorted: sorted_clauses,
        fuzzy_guard: (terms.len() > 1 && !all_fuzzy.is_empty())
            .then(|| no_score(any_of(all_fuzzy))),
        fuzzy_only,
        exact_is_plain,
        highlight,
    }))
}

/// A union of clauses (the clause itself when alone, so that tantivy sees plain term scorers).
fn any_of(mut clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if clauses.len() == 1
        && let Some(only) = clauses.pop()
    {
        return only;
    }
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
    ))
}

fn boosted_term(term: Term, boost: f32) -> Box<dyn Query> {
    let q = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// How a term is matched fuzzily: its text, edit distance, and whether as a prefix.
struct FuzzySpec {
    text: String,
    distance: u8,
    prefix: bool,
}

impl FuzzySpec {
    /// The fuzzy query whose automaton finds the candidates.
    fn query(&self) -> FuzzyTermQuery {
        // Any field works here: the automaton only looks at the text.
        let t = Term::from_field_text(Field::from_field_id(0), &self.text);
        if self.prefix {
            FuzzyTermQuery::new_prefix(t, self.distance, true)
        } else {
            FuzzyTermQuery::new(t, self.distance, true)
        }
    }
}

/// How a term's typo and prefix candidates are found, if it has any.
fn fuzzy_spec(term: &QueryTerm) -> Option<FuzzySpec> {
    if term.cjk || term.stopword {
        return None;
    }
    // The distance follows the word as typed: a typo in a suffix the stemmer strips from the
    // correct word ("runnning" → "runn" vs "run") still needs its edit. Short stems get fewer
    // edits so that they do not match half the dictionary.
    let mut distance = match term.typed_chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    match term.text.chars().count() {
        0..=3 => distance = 0,
        4..=5 => distance = distance.min(1),
        _ => {}
    }
    (distance > 0 || term.prefix).then(|| FuzzySpec {
        text: term.text.clone(),
        distance,
        prefix: term.prefix,
    })
}

/// [`expand`] through the cache.
fn expand_cached(
    searcher: &Searcher,
    field: Field,
    spec: &FuzzySpec,
    min_df: u64,
    cache: &Mutex<ExpansionCache>,
) -> Result<Vec<String>, SearchError> {
    let generation = searcher.generation().generation_id();
    let key = (field, spec.text.clone(), spec.distance, spec.prefix, min_df);
    {
        let cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.generation == generation
            && let Some(found) = cache.map.get(&key)
        {
            return Ok(found.clone());
        }
    }
    let found = expand(searcher, field, &spec.query(), &spec.text, min_df)?;
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.generation != generation || cache.map.len() >= EXPANSION_CACHE_ENTRIES {
        cache.generation = generation;
        cache.map.clear();
    }
    cache.map.insert(key, found.clone());
    Ok(found)
}

/// The most frequent dictionary terms of `field` matched by the automaton that are in more
/// than `min_df` documents, `exclude` aside.
fn expand(
    searcher: &Searcher,
    field: Field,
    query: &FuzzyTermQuery,
    exclude: &str,
    min_df: u64,
) -> Result<Vec<String>, SearchError> {
    let automaton = query.automaton()?;
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().search(&automaton).into_stream()?;
        let mut visited = 0;
        while stream.advance() && visited < MAX_VISITED {
            visited += 1;
            let key = stream.key();
            if key != exclude.as_bytes() {
                *found.entry(key.to_vec()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut ranked: Vec<(Vec<u8>, u64)> =
        found.into_iter().filter(|(_, df)| *df > min_df).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(ranked
        .into_iter()
        .filter_map(|(key, _)| String::from_utf8(key).ok())
        .take(MAX_EXPANSIONS)
        .collect())
}

/// The filter clauses of a query (exact values, date range), each scoring nothing.
pub(crate) fn filters(f: &Fields, q: &SearchQuery) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let exact = [
        (f.model, &q.model),
        (f.aspect, &q.aspect),
        (f.category_key, &q.category),
        (f.source, &q.source),
    ];
    for (field, value) in exact {
        let Some(value) = value.as_deref().map(keyword).filter(|v| !v.is_empty()) else {
            continue;
        };
        let term = Term::from_field_text(field, &value);
        out.push(no_score(Box::new(TermQuery::new(
            term,
            IndexRecordOption::Basic,
        ))));
    }
    if q.from_ms.is_some() || q.to_ms.is_some() {
        let lower = q.from_ms.map_or(Bound::Unbounded, |v| {
            Bound::Included(Term::from_field_i64(f.posted_at, v))
        });
        let upper = q.to_ms.map_or(Bound::Unbounded, |v| {
            Bound::Excluded(Term::from_field_i64(f.posted_at, v))
        });
        out.push(no_score(Box::new(RangeQuery::new(lower, upper))));
    }
    out
}

fn no_score(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

/// Intersects clauses, minus the documents `excluded` matches; `AllQuery` for no clause.
pub(crate) fn all_of(
    mut clauses: Vec<Box<dyn Query>>,
    excluded: Option<Box<dyn Query>>,
) -> Box<dyn Query> {
    if excluded.is_none()
        && clauses.len() == 1
        && let Some(only) = clauses.pop()
    {
        return only;
    }
    let mut all: Vec<(Occur, Box<dyn Query>)> =
        clauses.into_iter().map(|c| (Occur::Must, c)).collect();
    if all.is_empty() {
        all.push((Occur::Must, Box::new(AllQuery)));
    }
    if let Some(excluded) = excluded {
        all.push((Occur::MustNot, excluded));
    }
    Box::new(BooleanQuery::new(all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::query_analyzer;

    fn run(text: &str) -> Vec<QueryTerm> {
        let mut a = query_analyzer();
        let stop = stopword_set(&mut a);
        analyze(&mut a, &stop, text)
    }

    #[test]
    fn stopwords_are_dropped_unless_alone() {
        let texts: Vec<String> = run("a cat in the rain")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["cat", "rain"]);
        let texts: Vec<String> = run("AND OR NOT").into_iter().map(|t| t.text).collect();
        // "not" is not a stopword here; a query of stopwords only keeps them all.
        assert_eq!(texts, ["not"]);
        let texts: Vec<String> = run("the AND or").into_iter().map(|t| t.text).collect();
        assert_eq!(texts, ["the", "and", "or"]);
        // Stopwords are never matched fuzzily or as a prefix.
        assert!(
            run("the AND or")
                .iter()
                .all(|t| !t.prefix && fuzzy_spec(t).is_none())
        );
    }

    #[test]
    fn last_term_is_a_prefix_only_while_typing() {
        assert!(run("red lightho").last().unwrap().prefix);
        assert!(!run("red lightho ").last().unwrap().prefix);
        assert!(!run("red lightho.").last().unwrap().prefix);
        assert!(!run("red li").last().unwrap().prefix);
        assert!(!run("橘猫").last().unwrap().prefix);
        assert!(!run("lighthouse the").last().unwrap().prefix);
    }

    #[test]
    fn terms_are_deduplicated_and_capped() {
        assert_eq!(run("cat cats CAT").len(), 1);
        let long: String = (0..500).map(|i| format!("word{i} ")).collect();
        assert_eq!(run(&long).len(), MAX_TERMS);
    }
}
