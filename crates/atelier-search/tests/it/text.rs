//! English full text: stemming, typos, ranking, author and category search, snippets.

use crate::support::{doc, find_text, index_with, text};
use atelier_search::GalleryDoc;

fn corpus() -> Vec<GalleryDoc> {
    let mut portrait = doc("p1", "studio shot of an old fisherman, dramatic rim light");
    portrait.categories = vec!["Photography".into(), "Portrait".into()];
    portrait.author_handle = "@someone".into();
    portrait.author_name = "Jane Doe".into();
    vec![
        doc("c1", "a cat runs through the rain"),
        doc("c2", "a sleeping dog on a sofa"),
        doc("l1", "a lighthouse on a cliff at dusk, waves crashing"),
        doc("l2", "lighthouses of brittany, watercolor"),
        portrait,
    ]
}

#[test]
fn english_stemming_matches_other_word_forms() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "cats running"), ["c1"]);
    assert_eq!(find_text(&index, "Cat RUN"), ["c1"]);
    assert_eq!(find_text(&index, "sleep dogs"), ["c2"]);
}

#[test]
fn all_terms_must_match() {
    let index = index_with(&corpus());
    assert!(find_text(&index, "cat sofa").is_empty());
    assert_eq!(find_text(&index, "rain cat"), ["c1"]);
}

#[test]
fn typos_in_longer_terms_are_tolerated() {
    let index = index_with(&corpus());
    let found = find_text(&index, "lighthuose");
    assert!(found.contains(&"l1".to_owned()), "{found:?}");
    assert_eq!(find_text(&index, "fishermen dramatc"), ["p1"]);
    // The distance follows the typed word's length, not its stem's ("runnning" → "runn").
    assert_eq!(find_text(&index, "cat runnning"), ["c1"]);
    // Short terms must match exactly: "cot" is not "cat".
    assert!(find_text(&index, "cot").is_empty());
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    // The fuzzy candidates are made as attractive to BM25 as possible: short prompts of a
    // common word ("castle", a typo-neighbour of the rare "castel"), against an exact match
    // buried in a long prompt.
    let mut docs = vec![doc(
        "exact",
        "a painting of a castel on a hill among many other things in a long prompt",
    )];
    for i in 0..20 {
        docs.push(doc(&format!("castle{i}"), "castle"));
    }
    let index = index_with(&docs);
    let page = index.search(&text("castel")).unwrap();
    assert_eq!(page.total, 21);
    assert_eq!(page.hits[0].id, "exact", "{:?}", page.hits);
    assert!(page.hits[0].score > page.hits[1].score);
}

#[test]
fn common_words_are_not_typos_of_each_other() {
    // "night" is one edit from "light", but both are common: no typo matching between them.
    let mut docs: Vec<GalleryDoc> = (0..10).map(|i| doc(&format!("l{i}"), "light")).collect();
    docs.extend((0..10).map(|i| doc(&format!("n{i}"), "night")));
    let index = index_with(&docs);
    let found = find_text(&index, "light ");
    assert_eq!(found.len(), 10);
    assert!(found.iter().all(|id| id.starts_with('l')), "{found:?}");
}

#[test]
fn last_term_matches_as_a_prefix_while_typing() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "cliff lightho"), ["l1"]);
    assert!(find_text(&index, "cliff lightho ").is_empty());
}

#[test]
fn authors_are_searchable_by_handle_and_name() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "@someone"), ["p1"]);
    assert_eq!(find_text(&index, "someone"), ["p1"]);
    assert_eq!(find_text(&index, "jane doe"), ["p1"]);
}

#[test]
fn author_matches_outrank_prompt_matches() {
    let mut by_author = doc("a", "a red bicycle");
    by_author.author_name = "Bell".into();
    let index = index_with(&[doc("p", "a bell on a red bicycle"), by_author]);
    assert_eq!(find_text(&index, "bell"), ["a", "p"]);
}

#[test]
fn categories_are_searchable() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "portrait"), ["p1"]);
    assert_eq!(find_text(&index, "photography fisherman"), ["p1"]);
}

#[test]
fn snippets_highlight_matches_and_escape_html() {
    let index = index_with(&[doc("x", "a <script> cat & \"friends\" in the rain")]);
    let page = index.search(&text("cats rain")).unwrap();
    assert_eq!(
        page.hits[0].snippet_html,
        "a &lt;script&gt; <mark>cat</mark> &amp; &quot;friends&quot; in the <mark>rain</mark>"
    );
    let browse = index.search(&text("")).unwrap();
    assert_eq!(
        browse.hits[0].snippet_html,
        "a &lt;script&gt; cat &amp; &quot;friends&quot; in the rain"
    );
}

#[test]
fn snippets_of_long_prompts_center_on_the_match() {
    let prompt = format!(
        "{}the lighthouse {}",
        "filler words here ".repeat(30),
        "end ".repeat(60)
    );
    let index = index_with(&[doc("x", &prompt)]);
    let page = index.search(&text("lighthouse")).unwrap();
    let snippet = &page.hits[0].snippet_html;
    assert!(snippet.contains("<mark>lighthouse</mark>"), "{snippet}");
    assert!(
        snippet.starts_with('…') && snippet.ends_with('…'),
        "{snippet}"
    );
    assert!(snippet.chars().count() < 240, "{snippet}");
}

#[test]
fn typo_snippets_highlight_the_corrected_word() {
    let index = index_with(&corpus());
    let page = index.search(&text("lighthuose cliff")).unwrap();
    assert!(
        page.hits[0]
            .snippet_html
            .contains("<mark>lighthouse</mark>"),
        "{}",
        page.hits[0].snippet_html
    );
}
