//! Cursors, limits and totals.

use std::collections::HashSet;

use crate::support::{T0, doc, index_with, text};
use atelier_search::{GalleryDoc, SearchError, SearchIndex, SearchQuery, Sort};

fn corpus(n: usize) -> Vec<GalleryDoc> {
    (0..n)
        .map(|i| {
            let mut d = doc(
                &format!("d{i:03}"),
                &format!("a red fox number {i} in the snow"),
            );
            d.likes = (i % 7) as i64;
            d.favorites = (i % 3) as i64;
            d.posted_at = T0 + (i % 11) as i64 * 1000;
            d
        })
        .collect()
}

/// Pages through every result; asserts no id repeats.
fn walk(index: &SearchIndex, mut q: SearchQuery) -> (Vec<String>, usize) {
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = index.search(&q).unwrap();
        pages += 1;
        assert!(page.hits.len() <= q.effective_limit());
        seen.extend(page.hits.iter().map(|h| h.id.clone()));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
        assert!(pages < 100, "runaway paging");
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "duplicates across pages");
    (seen, pages)
}

#[test]
fn cursors_page_through_every_order_without_duplicates_or_gaps() {
    let index = index_with(&corpus(53));
    for sort in [
        Sort::Relevance,
        Sort::Newest,
        Sort::MostLiked,
        Sort::MostFavorited,
    ] {
        for t in ["", "fox snow"] {
            let mut q = text(t);
            q.sort = sort;
            q.limit = 10;
            let (seen, pages) = walk(&index, q.clone());
            assert_eq!(seen.len(), 53, "{sort:?} {t:?}");
            assert_eq!(pages, 6, "{sort:?} {t:?}");
            // The concatenated pages equal one big page.
            q.limit = 100;
            let all: Vec<String> = index
                .search(&q)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(seen, all, "{sort:?} {t:?}");
        }
    }
}

#[test]
fn total_counts_all_matches_and_last_page_has_no_cursor() {
    let index = index_with(&corpus(30));
    let mut q = text("fox");
    q.limit = 30;
    let page = index.search(&q).unwrap();
    assert_eq!(page.total, 30);
    assert_eq!(page.hits.len(), 30);
    assert!(page.next_cursor.is_none());
    q.limit = 29;
    assert!(index.search(&q).unwrap().next_cursor.is_some());
}

#[test]
fn malformed_cursors_are_rejected() {
    let index = index_with(&corpus(30));
    let bad = [
        "",
        "garbage",
        "%%%",
        "eyJvIjoxMH0",                      // {"o":10} without a sort
        "eyJvIjotMSwicyI6InJlbGV2YW5jZSJ9", // negative offset
    ];
    for cursor in bad {
        let mut q = text("fox");
        q.cursor = Some(cursor.to_owned());
        assert!(
            matches!(index.search(&q), Err(SearchError::BadCursor)),
            "{cursor:?}"
        );
    }
    // A cursor of another sort is refused.
    let mut q = text("fox");
    q.limit = 5;
    q.sort = Sort::Newest;
    let cursor = index.search(&q).unwrap().next_cursor.unwrap();
    q.sort = Sort::MostLiked;
    q.cursor = Some(cursor);
    assert!(matches!(index.search(&q), Err(SearchError::BadCursor)));
    q.sort = Sort::Newest;
    assert!(index.search(&q).is_ok());
    assert_eq!(SearchError::BadCursor.to_string(), "malformed cursor");
}

#[test]
fn limits_are_clamped() {
    let index = index_with(&corpus(120));
    let with_limit = |limit: usize| {
        let mut q = text("");
        q.limit = limit;
        index.search(&q).unwrap().hits.len()
    };
    assert_eq!(with_limit(0), 24);
    assert_eq!(with_limit(1), 1);
    assert_eq!(with_limit(7), 7);
    assert_eq!(with_limit(100), 100);
    assert_eq!(with_limit(101), 100);
    assert_eq!(with_limit(usize::MAX), 100);
}

#[test]
fn paging_crosses_from_exact_to_fuzzy_matches_without_gaps() {
    // "castel" is a rare spelling; "castle" (more than 4× as common) is its typo candidate.
    let mut docs: Vec<GalleryDoc> = (0..3)
        .map(|i| doc(&format!("exact{i:02}"), "a castel on a hill"))
        .collect();
    docs.extend((0..21).map(|i| doc(&format!("fuzzy{i:02}"), "a castle on a hill")));
    let index = index_with(&docs);
    let mut q = text("castel hill");
    q.limit = 5;
    let (seen, pages) = walk(&index, q.clone());
    assert_eq!(seen.len(), 24);
    assert_eq!(pages, 5);
    assert!(
        seen[..3].iter().all(|id| id.starts_with("exact")),
        "{seen:?}"
    );
    assert!(
        seen[3..].iter().all(|id| id.starts_with("fuzzy")),
        "{seen:?}"
    );
    assert_eq!(index.search(&q).unwrap().total, 24);
    // Scores fall monotonically across the tier boundary.
    q.limit = 100;
    let scores: Vec<f32> = index
        .search(&q)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.score)
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn plain_offsets_page_like_cursors() {
    let index = index_with(&corpus(40));
    let mut q = text("fox");
    q.sort = Sort::MostLiked;
    q.limit = 10;
    let first = index.search(&q).unwrap();
    let mut by_cursor = q.clone();
    by_cursor.cursor = first.next_cursor;
    let mut by_offset = q;
    by_offset.offset = Some(10);
    let a: Vec<String> = index
        .search(&by_cursor)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    let b: Vec<String> = index
        .search(&by_offset)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(a, b);
    // Past the end: an empty page, no cursor; huge offsets are capped, not errors.
    by_offset.offset = Some(40);
    assert!(index.search(&by_offset).unwrap().hits.is_empty());
    by_offset.offset = Some(usize::MAX);
    let page = index.search(&by_offset).unwrap();
    assert!(page.hits.is_empty() && page.next_cursor.is_none());
}

/// G2: a relevance search over more than `COUNT_LIMIT` matches stops counting there and says
/// so; the sorted orders count every match while no block of documents can be skipped (here
/// every document has the same rank); a page the exact matches fill reports a lower
/// bound when typo matches could follow, and paging still reaches them.
#[test]
fn g2_relevance_counts_stop_at_the_limit_and_say_so() {
    let n = atelier_search::COUNT_LIMIT + 50;
    let docs: Vec<GalleryDoc> = (0..n)
        .map(|i| {
            doc(
                &format!("c{i:05}"),
                &format!("a quiet lighthouse at dusk {i}"),
            )
        })
        .collect();
    let index = SearchIndex::in_memory().unwrap();
    index.bulk_upsert(docs).unwrap();

    let page = index.search(&text("lighthouse")).unwrap();
    assert_eq!(page.total, atelier_search::COUNT_LIMIT as u64);
    assert!(!page.total_exact);
    assert!(page.next_cursor.is_some());

    let newest = index
        .search(&SearchQuery {
            sort: Sort::Newest,
            ..text("lighthouse")
        })
        .unwrap();
    assert_eq!(newest.total, n as u64);
    assert!(newest.total_exact);

    // Few matches: exact.
    let few = index_with(&corpus(30));
    let page = few.search(&text("snow")).unwrap();
    assert_eq!((page.total, page.total_exact), (30, true));

    // Exact and typo matches ("castel" → "castle"): both tiers are counted while the page has
    // room; a page the 3 exact matches fill says "at least 3", and paging reaches all 24.
    let mut docs: Vec<GalleryDoc> = (0..3)
        .map(|i| doc(&format!("exact{i:02}"), "a castel on a hill"))
        .collect();
    docs.extend((0..21).map(|i| doc(&format!("fuzzy{i:02}"), "a castle on a hill")));
    let typo = index_with(&docs);
    let page = typo.search(&text("castel hill")).unwrap();
    assert_eq!((page.total, page.total_exact), (24, true));
    let mut q = text("castel hill");
    q.limit = 3;
    let page = typo.search(&q).unwrap();
    assert_eq!((page.total, page.total_exact), (3, false));
    let (seen, _) = walk(&typo, q);
    assert_eq!(seen.len(), 24);
}
