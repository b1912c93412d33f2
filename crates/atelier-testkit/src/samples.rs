//! The project's sample data (`crates/atelier-testkit/data/`): gallery posts in the shapes real
//! exports from X have, and a file that goes wrong in every way a real one does.

/// The project's own sample posts (`crates/atelier-testkit/data/sample-posts.json`): 40 posts in
/// the shapes real exports from X have — JSON-structured and plain prompts from one word to about
/// 16,000 characters, English, Chinese and Japanese, emoji, numeric and string ids, every accepted
/// date form, posts without images, views or a date, and a post from another source.
pub const SAMPLE_POSTS: &str = include_str!("../data/sample-posts.json");

/// Import lines that go wrong in every way a real file does
/// (`crates/atelier-testkit/data/sample-posts-messy.jsonl`): bad JSON, missing and malformed
/// fields, a repeated id, a blank line, an over-long prompt and id. Its test says what each
/// line must do.
pub const MESSY_POSTS: &str = include_str!("../data/sample-posts-messy.jsonl");

/// The first `n` of [`SAMPLE_POSTS`], as a JSON array.
///
/// # Panics
/// When `n` is more than the sample holds, so that a test never silently gets fewer posts.
#[must_use]
pub fn sample_posts(n: usize) -> String {
    let all: Vec<serde_json::Value> = serde_json::from_str(SAMPLE_POSTS).expect("a JSON array");
    assert!(n <= all.len(), "the sample holds {} posts", all.len());
    serde_json::to_string(&all.into_iter().take(n).collect::<Vec<_>>()).expect("serialize")
}
