//! Filters (model, aspect, category, source, dates) and the four orders.

use crate::support::{DAY, T0, doc, find, index_with, text};
use atelier_search::{GalleryDoc, SearchQuery, Sort};

fn item(
    id: &str,
    model: &str,
    aspect: &str,
    source: &str,
    day: i64,
    likes: i64,
    favs: i64,
) -> GalleryDoc {
    let mut d = doc(id, &format!("a portrait of a robot number {id}"));
    d.model = model.into();
    d.aspect = aspect.into();
    d.source = source.into();
    d.posted_at = T0 + day * DAY;
    d.likes = likes;
    d.favorites = favs;
    d.categories = if likes % 2 == 0 {
        vec!["Portrait".into()]
    } else {
        vec!["Illustration".into(), "Sci-Fi".into()]
    };
    d
}

fn corpus() -> Vec<GalleryDoc> {
    vec![
        item("a", "nanobanana", "3:4", "x", 0, 10, 1),
        item("b", "midjourney", "1:1", "import", 1, 30, 2),
        item("c", "nanobanana", "16:9", "demo", 2, 20, 9),
        item("d", "MidJourney", "3:4", "x", 3, 5, 4),
        item("e", "flux", "3:4", "x", 4, 30, 0),
    ]
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn each_filter_restricts_results() {
    let index = index_with(&corpus());
    let q = |f: fn(&mut SearchQuery)| {
        let mut q = text("robot");
        f(&mut q);
        sorted(find(&index, &q))
    };
    assert_eq!(q(|q| q.model = Some("midjourney".into())), ["b", "d"]);
    assert_eq!(q(|q| q.model = Some(" NanoBanana ".into())), ["a", "c"]);
    assert_eq!(q(|q| q.aspect = Some("3:4".into())), ["a", "d", "e"]);
    assert_eq!(q(|q| q.source = Some("X".into())), ["a", "d", "e"]);
    assert_eq!(
        q(|q| q.category = Some("portrait".into())),
        ["a", "b", "c", "e"]
    );
    assert_eq!(q(|q| q.category = Some("SCI-FI".into())), ["d"]);
    assert_eq!(q(|q| q.from_ms = Some(T0 + 2 * DAY)), ["c", "d", "e"]);
    assert_eq!(q(|q| q.to_ms = Some(T0 + 2 * DAY)), ["a", "b"]);
    assert_eq!(
        q(|q| {
            q.from_ms = Some(T0 + DAY);
            q.to_ms = Some(T0 + 4 * DAY);
        }),
        ["b", "c", "d"]
    );
    assert!(q(|q| q.model = Some("dall-e".into())).is_empty());
    // Blank filter values mean "any".
    assert_eq!(q(|q| q.model = Some("  ".into())).len(), 5);
}

#[test]
fn filters_combine_and_work_without_text() {
    let index = index_with(&corpus());
    let q = SearchQuery {
        aspect: Some("3:4".into()),
        source: Some("x".into()),
        model: Some("midjourney".into()),
        ..SearchQuery::default()
    };
    assert_eq!(find(&index, &q), ["d"]);
}

#[test]
fn filters_do_not_change_relevance_scores() {
    let index = index_with(&corpus());
    let plain = index.search(&text("robot")).unwrap();
    let mut filtered = text("robot");
    filtered.model = Some("nanobanana".into());
    let filtered = index.search(&filtered).unwrap();
    let score =
        |page: &atelier_search::SearchPage| page.hits.iter().find(|h| h.id == "a").unwrap().score;
    assert!((score(&plain) - score(&filtered)).abs() < 1e-4);
}

#[test]
fn each_sort_orders_results() {
    let index = index_with(&corpus());
    let by = |sort: Sort, t: &str| {
        let mut q = text(t);
        q.sort = sort;
        find(&index, &q)
    };
    for t in ["", "robot"] {
        assert_eq!(by(Sort::Newest, t), ["e", "d", "c", "b", "a"]);
        // Likes, then newest on ties (b and e have 30).
        assert_eq!(by(Sort::MostLiked, t), ["e", "b", "c", "a", "d"]);
        assert_eq!(by(Sort::MostFavorited, t), ["c", "d", "b", "a", "e"]);
    }
    // Browsing (no text, relevance) is trending: most liked, then newest.
    assert_eq!(by(Sort::Relevance, ""), ["e", "b", "c", "a", "d"]);
}

#[test]
fn sorted_hits_score_zero_and_relevance_hits_score_positive() {
    let index = index_with(&corpus());
    let mut q = text("robot");
    assert!(index.search(&q).unwrap().hits.iter().all(|h| h.score > 0.0));
    q.sort = Sort::Newest;
    assert!(
        index
            .search(&q)
            .unwrap()
            .hits
            .iter()
            .all(|h| h.score == 0.0)
    );
}

#[test]
fn ties_break_deterministically() {
    let docs: Vec<GalleryDoc> = (0..30).map(|i| doc(&format!("t{i}"), "same")).collect();
    let index = index_with(&docs);
    let mut q = text("same");
    q.sort = Sort::MostLiked;
    q.limit = 100;
    let first = find(&index, &q);
    assert_eq!(first.len(), 30);
    index.upsert(&docs[..5]).unwrap(); // rewrites some documents into a new segment
    assert_eq!(find(&index, &q), first);
}

#[test]
fn sorted_orders_correct_typos_but_do_not_widen_exact_words() {
    let mut newer = doc("catalog", "a catalog of lamps");
    newer.posted_at = T0 + 10 * DAY;
    let index = index_with(&[
        doc("cat", "a cat on a mat"),
        newer,
        doc("castle", "a castel"),
    ]);
    let mut q = text("cat");
    q.sort = Sort::Newest;
    // A complete word is not widened to longer ones; a partial one is completed.
    assert_eq!(find(&index, &text("cat")), ["cat"]);
    assert_eq!(find(&index, &q), ["cat"]);
    assert_eq!(find(&index, &text("catal")), ["catalog"]);
    // A word with no exact match at all is still found through its typo candidates.
    q.text = "castle".into();
    assert_eq!(find(&index, &q), ["castle"]);
}
