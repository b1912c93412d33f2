//! Highlighted prompt snippets.
//!
//! Written here rather than with tantivy's `SnippetGenerator` for three reasons: windows are
//! measured in characters (not bytes, which shortens CJK snippets to a third), overlapping CJK
//! bigram matches are merged into one `<mark>`, and a prompt that matched only through its
//! author or category still gets its beginning as the snippet.

use std::collections::HashSet;
use std::ops::Range;

use crate::analyzer::TermMatcher;

/// Target snippet length in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;
/// Characters of context kept before the first highlighted match of a window.
const LEAD_CHARS: usize = 30;
/// Don't let a word boundary shorten a snippet by more than this many characters.
const MAX_SNAP_CHARS: usize = 40;
const ELLIPSIS: &str = "…";

/// The best ≈200-character fragment of `prompt` for `terms` (analyzed forms), HTML-escaped with
/// matches wrapped in `<mark>`; the escaped beginning of the prompt when nothing matches.
pub(crate) fn snippet_html(
    matcher: &mut TermMatcher,
    prompt: &str,
    terms: &HashSet<String>,
) -> String {
    let matches = find_matches(matcher, prompt, terms);
    if matches.is_empty() {
        return head_html(prompt);
    }
    let starts: Vec<usize> = prompt.char_indices().map(|(i, _)| i).collect();
    let char_of = |byte: usize| starts.partition_point(|&b| b < byte);
    let total = starts.len();
    let (mut from, mut to) = (0, prompt.len());
    if total > SNIPPET_CHARS {
        let (s, e) = best_window(&matches, &char_of, total);
        from = starts.get(s).copied().unwrap_or(0);
        to = starts.get(e).copied().unwrap_or(prompt.len());
        let first = matches.iter().find(|m| m.range.start >= from);
        let last = matches.iter().rev().find(|m| m.range.end <= to);
        if let (Some(first), Some(last)) = (first, last) {
            from = snap_start(prompt, from, first.range.start);
            to = snap_end(prompt, last.range.end, to);
        }
    }
    let ranges = merged(
        matches
            .iter()
            .filter(|m| m.range.start >= from && m.range.end <= to)
            .map(|m| m.range.clone()),
    );
    let mut html = String::with_capacity((to - from) + 32);
    if from > 0 {
        html.push_str(ELLIPSIS);
    }
    let mut at = from;
    for range in ranges {
        escape_into(&mut html, prompt.get(at..range.start).unwrap_or(""));
        html.push_str("<mark>");
        escape_into(&mut html, prompt.get(range.clone()).unwrap_or(""));
        html.push_str("</mark>");
        at = range.end;
    }
    escape_into(&mut html, prompt.get(at..to).unwrap_or(""));
    if to < prompt.len() {
        html.push_str(ELLIPSIS);
    }
    html
}

/// The prompt's beginning (≈200 chars, cut at a space when one is near), escaped.
pub(crate) fn head_html(prompt: &str) -> String {
    let prompt = prompt.trim();
    let Some((cut, _)) = prompt.char_indices().nth(SNIPPET_CHARS) else {
        let mut html = String::with_capacity(prompt.len() + 16);
        escape_into(&mut html, prompt);
        return html;
    };
    let end = snap_end(prompt, 0, cut);
    let mut html = String::with_capacity(end + 16);
    escape_into(&mut html, prompt.get(..end).unwrap_or("").trim_end());
    html.push_str(ELLIPSIS);
    html
}

struct Match {
    range: Range<usize>,
    term: String,
}

fn find_matches(matcher: &mut TermMatcher, prompt: &str, terms: &HashSet<String>) -> Vec<Match> {
    let mut out = Vec::new();
    if terms.is_empty() {
        return out;
    }
    matcher.for_each_term(prompt, |range, term| {
        if terms.contains(term) {
            out.push(Match {
                range,
                term: term.to_owned(),
            });
        }
    });
    out.sort_by_key(|m| (m.range.start, m.range.end));
    out
}

/// Most matches tried as window anchors (long prompts with a frequent term).
const MAX_ANCHORS: usize = 64;

/// The character window `[start, end)` of `SNIPPET_CHARS` holding the most distinct terms
/// (then the most matches; the earliest on ties).
fn best_window(
    matches: &[Match],
    char_of: &dyn Fn(usize) -> usize,
    total: usize,
) -> (usize, usize) {
    let spans: Vec<(usize, usize, &str)> = matches
        .iter()
        .map(|m| {
            (
                char_of(m.range.start),
                char_of(m.range.end),
                m.term.as_str(),
            )
        })
        .collect();
    let mut best = ((0, 0), 0, SNIPPET_CHARS.min(total));
    for &(anchor, _, _) in spans.iter().take(MAX_ANCHORS) {
        let end = (anchor.saturating_sub(LEAD_CHARS) + SNIPPET_CHARS).min(total);
        let start = end.saturating_sub(SNIPPET_CHARS);
        let inside = spans.iter().filter(|(s, e, _)| *s >= start && *e <= end);
        let distinct: HashSet<&str> = inside.clone().map(|(_, _, t)| *t).collect();
        let key = (distinct.len(), inside.count());
        if key > best.0 {
            best = (key, start, end);
        }
    }
    (best.1, best.2)
}

/// Moves a window start forward to just after a space, if one lies close before `first_match`.
fn snap_start(text: &str, from: usize, first_match: usize) -> usize {
    if from == 0 {
        return 0;
    }
    let before = text.get(from..first_match).unwrap_or("");
    match before.char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) if before[..i].chars().count() <= MAX_SNAP_CHARS => from + i + c.len_utf8(),
        _ => from,
    }
}

/// Moves a window end back to a space, if one lies close after `last_match`.
fn snap_end(text: &str, last_match: usize, to: usize) -> usize {
    if to >= text.len() {
        return text.len();
    }
    let after = text.get(last_match..to).unwrap_or("");
    match after.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        Some((i, _)) if after[i..].chars().count() <= MAX_SNAP_CHARS => last_match + i,
        _ => to,
    }
}

/// Sorted ranges with overlapping or touching ones merged (overlapping CJK bigrams).
fn merged(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::TermMatcher;

    fn set(terms: &[&str]) -> HashSet<String> {
        terms.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn highlights_and_escapes() {
        let mut a = TermMatcher::new();
        let html = snippet_html(&mut a, "a <b>red</b> Cat & \"dogs\"", &set(&["cat", "dog"]));
        assert_eq!(
            html,
            "a &lt;b&gt;red&lt;/b&gt; <mark>Cat</mark> &amp; &quot;<mark>dogs</mark>&quot;"
        );
    }

    #[test]
    fn overlapping_cjk_bigrams_become_one_mark() {
        let mut a = TermMatcher::new();
        let html = snippet_html(&mut a, "一只橘猫，电影感光影", &set(&["电影", "影感"]));
        assert_eq!(html, "一只橘猫，<mark>电影感</mark>光影");
    }

    #[test]
    fn long_prompts_get_a_window_around_the_matches() {
        let mut a = TermMatcher::new();
        let prompt = format!(
            "{} lighthouse at dusk {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let html = snippet_html(&mut a, &prompt, &set(&["lighthous"]));
        assert!(
            html.starts_with(ELLIPSIS) && html.ends_with(ELLIPSIS),
            "{html}"
        );
        assert!(html.contains("<mark>lighthouse</mark>"));
        assert!(html.chars().count() <= SNIPPET_CHARS + 20, "{html}");
        assert!(!html.contains("wor…") && !html.contains("…ord"), "{html}");
    }

    #[test]
    fn no_match_gives_the_escaped_beginning() {
        let mut a = TermMatcher::new();
        assert_eq!(
            snippet_html(&mut a, "<i>x</i>", &set(&[])),
            "&lt;i&gt;x&lt;/i&gt;"
        );
        let long = "abc ".repeat(100);
        let head = head_html(&long);
        assert!(head.ends_with(ELLIPSIS));
        assert!(head.chars().count() <= SNIPPET_CHARS + 1);
    }
}
