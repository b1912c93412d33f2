//! The gallery analyzer: how prompts, names and categories become index terms.
//!
//! 1. Words are found with Unicode (UAX #29) word boundaries; a colon also splits (`style:anime`
//!    is two words, UAX #29 would keep it whole for Swedish). Pieces without a letter or digit
//!    (punctuation, emoji) are dropped.
//! 2. Latin and other alphabetic words are lowercased, ASCII-folded (`café` → `cafe`) and
//!    English-stemmed (`running` → `run`); words over 48 bytes are dropped.
//! 3. Runs of CJK ideographs, kana and hangul become overlapping bigrams
//!    (`橘猫电影` → `橘猫 猫电 电影`), so that Chinese and Japanese prompts are searchable by the
//!    words in them without a dictionary.
//!
//! Single CJK characters: the *index* analyzer also emits every CJK character as a unigram, so a
//! one-character query (`桜`) is an exact term lookup that finds the character anywhere in a run
//! (a prefix query on the bigrams would miss it at the end of a run, `夜の桜`). The *query*
//! analyzer emits only bigrams for runs of two or more characters and the unigram for a run of
//! one, so `橘猫` must match as a pair and `桜` as a character.

use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_segmentation::UnicodeSegmentation;

/// Name under which the index analyzer is registered with the tantivy index.
pub(crate) const INDEX_ANALYZER: &str = "atelier_gallery";

/// Tokens longer than this (in bytes) are dropped: URLs, hashes, hostile input.
const MAX_TOKEN_BYTES: usize = 48;

/// The analyzer used at indexing time (bigrams and unigrams for CJK).
pub(crate) fn index_analyzer() -> TextAnalyzer {
    build(true)
}

/// The analyzer used for user queries (bigrams, or a unigram for a one-character run).
pub(crate) fn query_analyzer() -> TextAnalyzer {
    build(false)
}

fn build(cjk_unigrams: bool) -> TextAnalyzer {
    TextAnalyzer::builder(GalleryTokenizer::new(cjk_unigrams)).build()
}

/// Entries a [`Normalizer`] remembers before it starts over.
const NORMALIZER_MEMO_ENTRIES: usize = 20_000;

/// How one raw word becomes its term: words over [`MAX_TOKEN_BYTES`] are dropped, the rest
/// lowercased, ASCII-folded and English-stemmed (tantivy's filters). Each distinct raw word's
/// term is remembered: prompts repeat words, and the filter chain (stemming above all) was the
/// most expensive step of indexing.
#[derive(Clone)]
struct Normalizer {
    chain: TextAnalyzer,
    memo: FxHashMap<Box<str>, Option<Box<str>>>,
}

impl Normalizer {
    fn new() -> Self {
        Normalizer {
            chain: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(Language::English))
                .build(),
            memo: FxHashMap::default(),
        }
    }

    /// Appends the term of `raw` to `out`; `false` (and nothing appended) when it has none.
    fn push_term(&mut self, raw: &str, out: &mut String) -> bool {
        if raw.len() > MAX_TOKEN_BYTES {
            return false;
        }
        if let Some(known) = self.memo.get(raw) {
            return match known {
                Some(term) => {
                    out.push_str(term);
                    true
                }
                None => false,
            };
        }
        let term = self
            .chain
            .token_stream(raw)
            .next()
            .map(|t| Box::<str>::from(t.text.as_str()));
        if let Some(term) = &term {
            out.push_str(term);
        }
        let found = term.is_some();
        if self.memo.len() >= NORMALIZER_MEMO_ENTRIES {
            self.memo.clear();
        }
        self.memo.insert(raw.into(), term);
        found
    }
}

/// Produces the same (byte range, term) pairs as the index analyzer, for snippets (one
/// [`Normalizer`] across a page of prompts, which repeat most words).
pub(crate) struct TermMatcher {
    spans: Vec<(usize, usize)>,
    normalizer: Normalizer,
    term: String,
}

impl TermMatcher {
    pub(crate) fn new() -> Self {
        TermMatcher {
            spans: Vec::new(),
            normalizer: Normalizer::new(),
            term: String::new(),
        }
    }

    /// Calls `found` with each token of `text` (byte range, indexed term).
    pub(crate) fn for_each_term(&mut self, text: &str, mut found: impl FnMut(Range<usize>, &str)) {
        self.spans.clear();
        split_spans(text, true, &mut self.spans);
        for &(from, to) in &self.spans {
            let Some(raw) = text.get(from..to) else {
                continue;
            };
            self.term.clear();
            if self.normalizer.push_term(raw, &mut self.term) {
                found(from..to, &self.term);
            }
        }
    }
}

/// Longest filter value kept (model, aspect, source, category); longer ones are cut, the same
/// way at indexing and query time.
const MAX_KEYWORD_BYTES: usize = 200;

/// Normalizes a filter value (model, aspect, source, category) for the exact-match fields:
/// trimmed, lowercased, at most [`MAX_KEYWORD_BYTES`].
pub(crate) fn keyword(value: &str) -> String {
    let mut key = value.trim().to_lowercase();
    if key.len() > MAX_KEYWORD_BYTES {
        let mut end = MAX_KEYWORD_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

/// Whether `c` is written without spaces between words: CJK ideographs, kana, hangul.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x3005..=0x3007    // 々 〆 〇
        | 0x3040..=0x309F    // Hiragana
        | 0x30A0..=0x30FF    // Katakana
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xA960..=0xA97F    // Hangul Jamo extended A
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xD7B0..=0xD7FF    // Hangul Jamo extended B
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // Halfwidth katakana
        | 0x20000..=0x323AF  // CJK extensions B–H
    )
}

/// Splits text into word and CJK n-gram spans (see the module comment).
///
/// Holds a span buffer that is reused from one text to the next, so that steady-state
/// tokenizing allocates nothing but the token text.
#[derive(Clone)]
pub(crate) struct GalleryTokenizer {
    cjk_unigrams: bool,
    spans: Vec<(usize, usize)>,
    normalizer: Normalizer,
}

impl GalleryTokenizer {
    fn new(cjk_unigrams: bool) -> Self {
        GalleryTokenizer {
            cjk_unigrams,
            spans: Vec::new(),
            normalizer: Normalizer::new(),
        }
    }
}

impl Tokenizer for GalleryTokenizer {
    type TokenStream<'a> = GalleryTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GalleryTokenStream<'a> {
        self.spans.clear();
        split_spans(text, self.cjk_unigrams, &mut self.spans);
        GalleryTokenStream {
            text,
            spans: &self.spans,
            normalizer: &mut self.normalizer,
            next: 0,
            token: Token::default(),
        }
    }
}

/// The token stream of [`GalleryTokenizer`]: walks the precomputed spans, normalizing each.
pub(crate) struct GalleryTokenStream<'a> {
    text: &'a str,
    spans: &'a [(usize, usize)],
    normalizer: &'a mut Normalizer,
    next: usize,
    token: Token,
}

impl TokenStream for GalleryTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(&(from, to)) = self.spans.get(self.next) {
            // A token's position is its span's index, also when a word before it was dropped.
            self.token.position = self.next;
            self.next += 1;
            self.token.position_length = 1;
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.text.clear();
            // Spans always fall on char boundaries; `get` keeps that a non-panicking promise.
            let raw = self.text.get(from..to).unwrap_or("");
            if self.normalizer.push_term(raw, &mut self.token.text) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A run of consecutive CJK characters being turned into n-grams.
#[derive(Default)]
struct CjkRun {
    /// Byte span of the previous character of the run.
    prev: Option<(usize, usize)>,
    len: usize,
}

impl CjkRun {
    fn push(&mut self, from: usize, to: usize, unigrams: bool, out: &mut Vec<(usize, usize)>) {
        if let Some((prev_from, _)) = self.prev {
            out.push((prev_from, to));
        }
        if unigrams {
            out.push((from, to));
        }
        self.prev = Some((from, to));
        self.len += 1;
    }

    fn finish(&mut self, unigrams: bool, out: &mut Vec<(usize, usize)>) {
        if let (1, false, Some(span)) = (self.len, unigrams, self.prev) {
            out.push(span);
        }
        *self = CjkRun::default();
    }
}

/// A word being accumulated inside one UAX #29 segment.
#[derive(Default)]
struct Word {
    start: Option<usize>,
    has_alnum: bool,
}

impl Word {
    fn add(&mut self, at: usize, c: char) {
        self.start.get_or_insert(at);
        self.has_alnum |= c.is_alphanumeric();
    }

    fn finish(&mut self, end: usize, out: &mut Vec<(usize, usize)>) {
        if let (Some(start), true) = (self.start, self.has_alnum) {
            out.push((start, end));
        }
        *self = Word::default();
    }
}

fn split_spans(text: &str, unigrams: bool, out: &mut Vec<(usize, usize)>) {
    if text.is_ascii() {
        split_ascii(text.as_bytes(), out);
    } else {
        split_unicode(text, unigrams, out);
    }
}

/// Any text: UAX #29 segments, split further at colons and at script changes to CJK.
fn split_unicode(text: &str, unigrams: bool, out: &mut Vec<(usize, usize)>) {
    let mut run = CjkRun::default();
    for (segment_start, segment) in text.split_word_bound_indices() {
        let mut word = Word::default();
        for (i, c) in segment.char_indices() {
            let at = segment_start + i;
            if is_cjk(c) {
                word.finish(at, out);
                run.push(at, at + c.len_utf8(), unigrams, out);
                continue;
            }
            run.finish(unigrams, out);
            if c == ':' {
                word.finish(at, out);
            } else {
                word.add(at, c);
            }
        }
        word.finish(segment_start + segment.len(), out);
    }
    run.finish(unigrams, out);
}

/// The same rules for ASCII-only text (most prompts), three times faster: UAX #29 reduced to
/// ASCII joins letters, digits and `_`, and keeps `.` and `'` between two letters and `.`, `,`,
/// `;`, `'` between two digits inside a word (`don't`, `e.g`, `1,000.5`).
fn split_ascii(b: &[u8], out: &mut Vec<(usize, usize)>) {
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if !is_word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut has_alnum = false;
        loop {
            while i < b.len() && is_word(b[i]) {
                has_alnum |= b[i] != b'_';
                i += 1;
            }
            let (Some(&prev), Some(&mid), Some(&next)) = (b.get(i - 1), b.get(i), b.get(i + 1))
            else {
                break;
            };
            let letters = prev.is_ascii_alphabetic()
                && next.is_ascii_alphabetic()
                && matches!(mid, b'.' | b'\'');
            let digits = prev.is_ascii_digit()
                && next.is_ascii_digit()
                && matches!(mid, b'.' | b',' | b';' | b'\'');
            if !(letters || digits) {
                break;
            }
            i += 1;
        }
        if has_alnum {
            out.push((start, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            assert!(text.get(token.offset_from..token.offset_to).is_some());
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn english_is_lowercased_folded_and_stemmed() {
        let mut a = index_analyzer();
        assert_eq!(
            terms(&mut a, "Cats RUNNING through the Café's rain"),
            ["cat", "run", "through", "the", "cafe", "rain"]
        );
        assert_eq!(
            terms(&mut a, "style:anime, 16:9"),
            ["style", "anim", "16", "9"]
        );
    }

    #[test]
    fn cjk_runs_become_bigrams_plus_unigrams_when_indexing() {
        let mut a = index_analyzer();
        assert_eq!(
            terms(&mut a, "橘猫，电影"),
            ["橘", "橘猫", "猫", "电", "电影", "影"]
        );
        assert_eq!(terms(&mut a, "夜"), ["夜"]);
    }

    #[test]
    fn queries_use_bigrams_or_a_lone_unigram() {
        let mut q = query_analyzer();
        assert_eq!(terms(&mut q, "橘猫"), ["橘猫"]);
        assert_eq!(terms(&mut q, "桜"), ["桜"]);
        assert_eq!(terms(&mut q, "眠る 猫"), ["眠る", "猫"]);
        assert_eq!(terms(&mut q, "电影感"), ["电影", "影感"]);
    }

    #[test]
    fn mixed_scripts_split_at_script_changes() {
        let mut q = query_analyzer();
        assert_eq!(terms(&mut q, "cat猫dog"), ["cat", "猫", "dog"]);
        assert_eq!(terms(&mut q, "한국어 text"), ["한국", "국어", "text"]);
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_uax29() {
        let alphabet = b"ab1_ .,;:'-\"()\n9Z";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = usize::try_from(seed % alphabet.len() as u64).unwrap();
                text.push(char::from(alphabet[i]));
            }
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            split_ascii(text.as_bytes(), &mut fast);
            split_unicode(&text, true, &mut slow);
            assert_eq!(fast, slow, "{text:?}");
        }
        let mut spans = Vec::new();
        split_ascii(b"don't e.g. 1,000.5 a..b some_one ___ x:y", &mut spans);
        let text = "don't e.g. 1,000.5 a..b some_one ___ x:y";
        let words: Vec<&str> = spans.iter().map(|&(f, t)| &text[f..t]).collect();
        assert_eq!(
            words,
            ["don't", "e.g", "1,000.5", "a", "b", "some_one", "x", "y"]
        );
    }

    #[test]
    fn the_term_matcher_agrees_with_the_index_analyzer() {
        let texts = [
            "Cats RUNNING through the Café's rain, style:anime 16:9",
            "一只在雨中撑伞的橘猫，电影感光影 and cats",
            "桜の木の下で眠る猫 한국어 TEXT naïve Œuvre",
            "don't e.g. 1,000.5 some_one @someone",
        ];
        let mut analyzer = index_analyzer();
        let mut matcher = TermMatcher::new();
        for text in texts {
            let mut expected = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while let Some(t) = stream.next() {
                expected.push((t.offset_from..t.offset_to, t.text.clone()));
            }
            for _ in 0..2 {
                let mut got = Vec::new();
                matcher.for_each_term(text, |r, t| got.push((r, t.to_owned())));
                assert_eq!(got, expected, "{text}");
            }
        }
    }

    #[test]
    fn the_memo_gives_the_filter_chains_terms_also_after_starting_over() {
        let mut memo = Normalizer::new();
        let mut plain = Normalizer::new();
        let mut words: Vec<String> = ["RUNNING", "Café's", "running", "橘猫", "naïve", "Œuvre"]
            .iter()
            .map(|w| (*w).to_owned())
            .collect();
        words.push("x".repeat(MAX_TOKEN_BYTES));
        words.push("x".repeat(MAX_TOKEN_BYTES + 1));
        // More distinct words than the memo keeps, then the first ones again.
        words.extend((0..NORMALIZER_MEMO_ENTRIES + 10).map(|i| format!("Walking{i}s")));
        words.extend(["RUNNING", "Café's"].map(str::to_owned));
        for word in &words {
            let mut got = String::new();
            let found = memo.push_term(word, &mut got);
            plain.memo.clear();
            let expected: Option<String> = plain
                .chain
                .token_stream(word)
                .next()
                .map(|t| t.text.clone());
            let expected = expected.filter(|_| word.len() <= MAX_TOKEN_BYTES);
            assert_eq!(found.then_some(got), expected, "{word}");
            assert!(memo.memo.len() <= NORMALIZER_MEMO_ENTRIES);
        }
    }

    #[test]
    fn keywords_are_trimmed_lowercased_and_bounded() {
        assert_eq!(keyword("  MidJourney "), "midjourney");
        assert_eq!(keyword(&"é".repeat(500)).len(), MAX_KEYWORD_BYTES);
    }

    #[test]
    fn punctuation_emoji_and_long_tokens_are_dropped() {
        let mut q = query_analyzer();
        assert!(terms(&mut q, "!!! ??? 🐱🎉 ((( ***").is_empty());
        assert!(terms(&mut q, &"x".repeat(100)).is_empty());
        assert_eq!(terms(&mut q, "@someone"), ["someon"]);
    }
}
