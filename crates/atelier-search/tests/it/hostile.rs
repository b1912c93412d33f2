//! Hostile and odd input: results or an empty page, never an error or a panic.

use crate::support::{doc, index_with, text};
use atelier_search::SearchQuery;

/// A small deterministic generator (no `rand` dependency for one test).
fn noise(len: usize, mut seed: u64) -> String {
    let alphabet: Vec<char> =
        "abcdefghijklmnopqrstuvwxyz ABC:()[]{}\"'*?~^+-!&|/\\<>=@#$%雨猫の😀\u{0301}\u{200d}\n\t"
            .chars()
            .collect();
    let mut out = String::new();
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let i = usize::try_from(seed % alphabet.len() as u64).unwrap();
        out.push(alphabet[i]);
    }
    out
}

#[test]
fn hostile_queries_never_fail() {
    let index = index_with(&[
        doc("1", "a cat: (in) the \"rain\" AND snow OR NOT"),
        doc("2", "雨の中の猫 😀"),
        doc("3", "a:b c*d e?f"),
    ]);
    let mut queries: Vec<String> = [
        "\"unbalanced",
        "a:b",
        "(((",
        ")))",
        "AND OR NOT",
        "*?~^",
        "+-!",
        "",
        "   ",
        "!!!...,,,;;;",
        "😀",
        "🐱‍👤🏳️‍🌈",
        "title:cat",
        "cat~2",
        "cat^10",
        "[a TO z]",
        "{* TO *}",
        "\\",
        "\u{0000}\u{FFFF}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "e\u{0301}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    queries.push(noise(10_000, 42));
    queries.push(noise(10_000, 7));
    queries.push("cat ".repeat(3_000));
    queries.push("猫".repeat(5_000));
    queries.push("x".repeat(10_000));
    for q in &queries {
        let page = index.search(&text(q));
        assert!(page.is_ok(), "{q:?}: {page:?}");
        let page = page.unwrap();
        for hit in &page.hits {
            assert!(!hit.snippet_html.contains("<script"), "{hit:?}");
        }
    }
    // Operators are plain words: "a:b" finds the document that says a:b.
    assert_eq!(index.search(&text("a:b")).unwrap().hits[0].id, "3");
}

#[test]
fn odd_filters_and_ranges_never_fail() {
    let index = index_with(&[doc("1", "a cat")]);
    let queries = [
        SearchQuery {
            model: Some("\"(((".into()),
            category: Some("😀".into()),
            ..SearchQuery::default()
        },
        SearchQuery {
            from_ms: Some(i64::MAX),
            to_ms: Some(i64::MIN),
            ..SearchQuery::default()
        },
        SearchQuery {
            from_ms: Some(i64::MIN),
            to_ms: Some(i64::MAX),
            ..SearchQuery::default()
        },
        SearchQuery {
            text: "cat".into(),
            aspect: Some("x".repeat(100_000)),
            ..SearchQuery::default()
        },
    ];
    for q in &queries {
        assert!(index.search(q).is_ok(), "{q:?}");
    }
    assert_eq!(index.search(&queries[2]).unwrap().total, 1);
    assert_eq!(index.search(&queries[1]).unwrap().total, 0);
}

#[test]
fn hostile_documents_index_fine() {
    let mut d = doc("huge", &"lighthouse ".repeat(20_000));
    d.model = "M".repeat(100_000);
    d.author_handle = "@".repeat(70_000);
    d.categories = vec!["x".repeat(70_000), String::new(), "  ".into()];
    let mut odd = doc("odd", "\u{0}\u{FFFF} 🐱‍👤 <b>&amp;</b>");
    odd.posted_at = i64::MIN;
    odd.likes = i64::MIN;
    odd.favorites = i64::MAX;
    let index = index_with(&[d, odd]);
    let mut q = text("lighthouse");
    q.model = Some("M".repeat(100_000));
    assert_eq!(index.search(&q).unwrap().total, 1);
    for sort in [
        atelier_search::Sort::Newest,
        atelier_search::Sort::MostFavorited,
    ] {
        let mut q = text("");
        q.sort = sort;
        assert_eq!(index.search(&q).unwrap().total, 2);
    }
    assert!(index.upsert(&[]).is_ok() && index.delete(&[]).is_ok());
}

#[test]
fn queries_without_searchable_terms_return_an_empty_page() {
    let index = index_with(&[doc("1", "a cat")]);
    for q in ["!!!", "😀", "((( )))"] {
        let page = index.search(&text(q)).unwrap();
        assert!(page.hits.is_empty() && page.total == 0 && page.next_cursor.is_none());
    }
}
