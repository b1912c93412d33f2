//! Chinese, Japanese and Korean prompts: bigram search, single characters, snippets.

use crate::support::{doc, find_text, index_with, text};

fn corpus() -> Vec<atelier_search::GalleryDoc> {
    vec![
        doc("zh", "一只在雨中撑伞的橘猫，电影感光影"),
        doc("ja", "桜の木の下で眠る猫"),
        doc("ja2", "夜の桜"),
        doc("ko", "비 오는 날의 고양이"),
        doc("en", "a cat in the rain"),
        doc("mix", "cyberpunk 东京 street, neon 雨"),
    ]
}

#[test]
fn chinese_prompts_are_found_by_their_words() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "橘猫"), ["zh"]);
    assert_eq!(find_text(&index, "雨中"), ["zh"]);
    assert_eq!(find_text(&index, "电影"), ["zh"]);
    assert_eq!(find_text(&index, "电影感"), ["zh"]);
    assert_eq!(find_text(&index, "橘猫 电影"), ["zh"]);
    assert!(find_text(&index, "黑猫").is_empty());
}

#[test]
fn japanese_prompts_are_found_by_words_and_single_characters() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "眠る"), ["ja"]);
    let mut sakura = find_text(&index, "桜");
    sakura.sort();
    // Found at the start of a run (桜の) and at its end (夜の桜).
    assert_eq!(sakura, ["ja", "ja2"]);
    let mut cats = find_text(&index, "猫");
    cats.sort();
    assert_eq!(cats, ["ja", "zh"]);
}

#[test]
fn korean_and_mixed_script_prompts_work() {
    let index = index_with(&corpus());
    assert_eq!(find_text(&index, "고양이"), ["ko"]);
    assert_eq!(find_text(&index, "东京 neon"), ["mix"]);
    assert_eq!(find_text(&index, "雨 cyberpunk"), ["mix"]);
}

#[test]
fn cjk_snippets_mark_whole_matches() {
    let index = index_with(&corpus());
    let page = index.search(&text("电影感")).unwrap();
    assert_eq!(
        page.hits[0].snippet_html,
        "一只在雨中撑伞的橘猫，<mark>电影感</mark>光影"
    );
    let page = index.search(&text("桜")).unwrap();
    for hit in &page.hits {
        assert!(hit.snippet_html.contains("<mark>桜</mark>"), "{hit:?}");
    }
}

#[test]
fn long_cjk_prompts_get_character_sized_snippets() {
    let prompt = format!("{}橘猫{}", "山".repeat(300), "水".repeat(300));
    let index = index_with(&[doc("long", &prompt)]);
    let page = index.search(&text("橘猫")).unwrap();
    let snippet = &page.hits[0].snippet_html;
    assert!(snippet.contains("<mark>橘猫</mark>"), "{snippet}");
    let chars = snippet.chars().count();
    assert!((190..240).contains(&chars), "{chars}: {snippet}");
}
