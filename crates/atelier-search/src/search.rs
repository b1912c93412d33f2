//! Running a search: query building, the four orders, paging, hits with snippets.

use std::collections::HashSet;

use tantivy::collector::{Count as CountCollector, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, DocSet as _, Score, Searcher, TERMINATED, TantivyDocument};

use crate::analyzer::TermMatcher;
use crate::cursor::{self, MAX_OFFSET};
use crate::error::SearchError;
use crate::index::Inner;
use crate::query::{TextQuery, all_of, analyze, filters, text_query};
use crate::rank::{BlockSkip, RankCollector, top_of_all};
use crate::schema::{Fields, RANK_FAVORITES, RANK_LIKES, RANK_NEWEST};
use crate::snippet::{head_html, snippet_html};
use crate::types::{COUNT_LIMIT, SearchHit, SearchPage, SearchQuery, Sort, clamp_limit};

pub(crate) fn run(inner: &Inner, q: &SearchQuery) -> Result<SearchPage, SearchError> {
    let limit = clamp_limit(q.limit);
    let offset = match q.cursor.as_deref() {
        Some(c) => cursor::decode(c, q.sort.as_str())?,
        None => q.offset.unwrap_or(0).min(MAX_OFFSET),
    };
    let searcher = inner.reader.searcher();
    let f = &inner.fields;
    let has_text = !q.text.trim().is_empty();
    let terms = if has_text {
        analyze(&mut inner.query_analyzer(), &inner.stopwords, &q.text)
    } else {
        Vec::new()
    };
    // Text with nothing searchable in it (punctuation, emoji) matches nothing.
    if has_text && terms.is_empty() {
        return Ok(SearchPage::default());
    }
    let text = if terms.is_empty() {
        None
    } else {
        match text_query(&searcher, f, &terms, &inner.expansions)? {
            Some(text) => Some(text),
            None => return Ok(SearchPage::default()),
        }
    };
    let page = Page { offset, limit };
    let (found, count) = match (&text, order(q.sort, has_text)) {
        (Some(text), None) => relevance(&searcher, f, q, text, page)?,
        (None, Some(field)) if filters(f, q).is_empty() => {
            let (docs, total) = top_of_all(&searcher, &inner.block_max, field, offset, limit)?;
            let docs = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
            (docs, Count::exact(total))
        }
        (_, Some(field)) => {
            let mut clauses = filters(f, q);
            if let Some(text) = &text {
                clauses.extend(text.sorted.iter().map(|c| c.box_clone()));
            }
            let query = all_of(clauses, None);
            let collector = RankCollector {
                field,
                offset,
                limit,
                skip: Some(BlockSkip {
                    cache: &inner.block_max,
                    searcher: &searcher,
                }),
            };
            let (docs, n, exact) = searcher.search(&*query, &collector)?;
            let docs = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
            (docs, Count { n, exact })
        }
        (None, None) => (Vec::new(), Count::exact(0)),
    };
    let highlight = text.map(|t| t.highlight).unwrap_or_default();
    let hits = hits(&searcher, f, &found, &highlight, has_text)?;
    let total = u64::try_from(count.n).unwrap_or(u64::MAX);
    let next = offset + found.len();
    let more = !count.exact || (next as u64) < total;
    let next_cursor = (found.len() == limit && more && next <= MAX_OFFSET)
        .then(|| cursor::encode(next, q.sort.as_str()));
    Ok(SearchPage {
        hits,
        next_cursor,
        total,
        total_exact: count.exact,
    })
}

/// A number of matches: exact, or a lower bound once counting stopped at [`COUNT_LIMIT`].
#[derive(Debug, Clone, Copy)]
struct Count {
    n: usize,
    exact: bool,
}

impl Count {
    const fn exact(n: usize) -> Self {
        Self { n, exact: true }
    }

    /// The count of two disjoint sets (a lower bound when either is).
    const fn plus(self, other: Self) -> Self {
        Self {
            n: self.n + other.n,
            exact: self.exact && other.exact,
        }
    }
}

/// Counts the live documents `query` matches, stopping once there are more than
/// [`COUNT_LIMIT`]. Walking every match of a common word only to print its count was most of
/// the cost of broad queries over a million items.
fn count_up_to_limit(searcher: &Searcher, query: &dyn Query) -> Result<Count, SearchError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut n = 0usize;
    for reader in searcher.segment_readers() {
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                n += 1;
                if n > COUNT_LIMIT {
                    return Ok(Count {
                        n: COUNT_LIMIT,
                        exact: false,
                    });
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(Count::exact(n))
}

/// The slice of the result list a request asks for.
#[derive(Clone, Copy)]
struct Page {
    offset: usize,
    limit: usize,
}

impl Page {
    fn top(self) -> TopDocs {
        TopDocs::with_limit(self.limit.max(1)).and_offset(self.offset)
    }
}

/// Relevance ranking in two tiers: documents matching every term exactly (BM25), then those
/// that needed a fuzzy match for some term (BM25 of what matched). Exact matches therefore
/// always rank above typo matches, and an unfiltered exact tier is usually a plain term union
/// or intersection that tantivy ranks with block-max WAND instead of scoring every match.
///
/// Reported scores keep the tiers apart: `1 + bm25` for exact, `bm25 / (1 + bm25)` (below 1)
/// for fuzzy.
fn relevance(
    searcher: &Searcher,
    f: &Fields,
    q: &SearchQuery,
    text: &TextQuery,
    page: Page,
) -> Result<(Vec<(Score, DocAddress)>, Count), SearchError> {
    let filtered = !filters(f, q).is_empty();
    let mut found: Vec<(Score, DocAddress)> = Vec::new();
    let mut exact_total = Count::exact(0);
    if let Some(exact) = &text.exact {
        let query = tier(exact, f, q, None);
        // A bare term union (one term) or intersection (terms each in one field): block-max
        // WAND skips most documents when ranking. (With filters, scoring every match in one
        // pass that also counts them is faster than counting first and then ranking.)
        let prunable = !filtered && (exact.len() == 1 || text.exact_is_plain);
        let (top, total) = collect(searcher, &*query, page, prunable, true)?;
        found.extend(top.into_iter().map(|(s, a)| (1.0 + s, a)));
        exact_total = total;
    }
    let Some(any) = &text.any else {
        return Ok((found, exact_total));
    };
    // The fuzzy tier: everything matching, minus the exact tier.
    let excluded = text.exact.as_ref().map(|exact| all_of(boxed(exact), None));
    let query = match (&text.fuzzy_only, &text.fuzzy_guard) {
        (Some(only), _) => tier(&[only.box_clone()], f, q, excluded),
        (None, Some(guard)) => {
            let mut clauses = boxed(any);
            clauses.push(guard.box_clone());
            tier(&clauses, f, q, excluded)
        }
        (None, None) => tier(any, f, q, excluded),
    };
    // A page full of exact matches needs nothing from the fuzzy tier, which ranks below them;
    // counting it (a union of typo candidates, slow to walk even when it matches nothing)
    // would only refine the total, which is then reported as a lower bound.
    if found.len() == page.limit || !exact_total.exact {
        return Ok((
            found,
            Count {
                n: exact_total.n,
                exact: false,
            },
        ));
    }
    let fuzzy_page = Page {
        offset: page.offset.saturating_sub(exact_total.n),
        limit: page.limit - found.len(),
    };
    let (top, fuzzy_total) = collect(searcher, &*query, fuzzy_page, false, fuzzy_page.limit > 0)?;
    found.extend(top.into_iter().map(|(s, a)| (s / (1.0 + s), a)));
    Ok((found, exact_total.plus(fuzzy_total)))
}

/// Counts a tier (up to [`COUNT_LIMIT`]) and ranks its page: in one pass, or — for
/// `prunable` queries (bare term unions and intersections) — a count plus a top-k pass that
/// skips most documents.
fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    page: Page,
    prunable: bool,
    need_hits: bool,
) -> Result<(Vec<(Score, DocAddress)>, Count), SearchError> {
    if !need_hits {
        return Ok((Vec::new(), count_up_to_limit(searcher, query)?));
    }
    if prunable {
        let total = count_up_to_limit(searcher, query)?;
        if total.exact && page.offset >= total.n {
            return Ok((Vec::new(), total));
        }
        let top = searcher.search(query, &page.top().order_by_score())?;
        return Ok((top, total));
    }
    let (top, total) = searcher.search(query, &(page.top().order_by_score(), CountCollector))?;
    Ok((top, Count::exact(total)))
}

/// One tier's query: its per-term clauses and the filters, minus `excluded`.
fn tier(
    clauses: &[Box<dyn Query>],
    f: &Fields,
    q: &SearchQuery,
    excluded: Option<Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut all = boxed(clauses);
    all.extend(filters(f, q));
    all_of(all, excluded)
}

fn boxed(clauses: &[Box<dyn Query>]) -> Vec<Box<dyn Query>> {
    clauses.iter().map(|c| c.box_clone()).collect()
}

fn hits(
    searcher: &Searcher,
    f: &Fields,
    found: &[(Score, DocAddress)],
    highlight: &HashSet<String>,
    has_text: bool,
) -> Result<Vec<SearchHit>, SearchError> {
    let mut matcher = TermMatcher::new();
    let mut hits = Vec::with_capacity(found.len());
    for &(score, address) in found {
        let doc: TantivyDocument = searcher.doc(address)?;
        let Some(id) = doc.get_first(f.id).and_then(|v| v.as_str()) else {
            continue;
        };
        let prompt = doc
            .get_first(f.prompt)
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let snippet_html = if has_text {
            snippet_html(&mut matcher, prompt, highlight)
        } else {
            head_html(prompt)
        };
        hits.push(SearchHit {
            id: id.to_owned(),
            score,
            snippet_html,
        });
    }
    Ok(hits)
}

/// The rank field of a sorted order; `None` for relevance (BM25) with text.
fn order(sort: Sort, has_text: bool) -> Option<&'static str> {
    match sort {
        Sort::Relevance if has_text => None,
        // Browsing: trending, i.e. most liked, then newest.
        Sort::Relevance | Sort::MostLiked => Some(RANK_LIKES),
        Sort::Newest => Some(RANK_NEWEST),
        Sort::MostFavorited => Some(RANK_FAVORITES),
    }
}
