//! Offline prompt enhancement: the user's prompt first, then descriptive terms learnt from
//! well-liked related prompts, or sensible defaults for the prompt's subject.
//!
//! For every category of the lexicon the prompt does not already cover, the term the examples
//! use most (each example weighted by its rank, best first) is added — with a second one when the
//! two appear together in an example, so they are known to go together. A category without
//! evidence gets the subject's default term, if it has one. Ties go to the lexicon's order, so
//! the result depends on the input only.

use super::lexicon::{Category, Subject, TERMS, Term, defaults, mentions, subject_of};
use crate::ProviderError;
use crate::assistant::{MAX_ASSISTANT_CHARS, is_chinese, truncate_chars};

/// The most examples read; the first has the largest weight.
const MAX_EXAMPLES: usize = 20;

/// The enhanced prompt; see the module comment.
///
/// # Errors
/// [`ProviderError::Rejected`] when the prompt is empty.
pub(super) fn enhance(
    prompt: &str,
    language: &str,
    examples: &[String],
) -> Result<String, ProviderError> {
    let prompt = truncate_chars(prompt.trim(), MAX_ASSISTANT_CHARS);
    if prompt.is_empty() {
        return Err(ProviderError::Rejected("the prompt is empty".into()));
    }
    let chinese = is_chinese(language) || mostly_cjk(prompt);
    let lower_prompt = prompt.to_lowercase();
    let lower_examples: Vec<String> = examples
        .iter()
        .take(MAX_EXAMPLES)
        .map(|e| e.to_lowercase())
        .collect();
    // Which terms each example mentions, and their rank-weighted scores.
    let mentioned: Vec<Vec<bool>> = lower_examples
        .iter()
        .map(|e| TERMS.iter().map(|t| mentions(e, t)).collect())
        .collect();
    let mut scores = vec![0usize; TERMS.len()];
    for (rank, row) in mentioned.iter().enumerate() {
        let weight = MAX_EXAMPLES - rank;
        for (score, hit) in scores.iter_mut().zip(row) {
            if *hit {
                *score += weight;
            }
        }
    }
    let subject = subject_of(&lower_prompt);
    let mut added: Vec<&Term> = Vec::new();
    for category in Category::ALL {
        let covered = TERMS
            .iter()
            .any(|t| t.category == category && mentions(&lower_prompt, t));
        if covered {
            continue;
        }
        added.extend(pick(category, &scores, &mentioned, subject));
    }
    let separator = if chinese { "，" } else { ", " };
    let mut out = prompt
        .trim_end_matches([',', '，', ';', '；', '、', '.', '。', ' '])
        .to_owned();
    let mut any = false;
    for term in added {
        let text = if chinese { term.zh } else { term.en };
        if out.chars().count() + separator.chars().count() + text.chars().count()
            > MAX_ASSISTANT_CHARS
        {
            break;
        }
        out.push_str(separator);
        out.push_str(text);
        any = true;
    }
    Ok(if any { out } else { prompt.to_owned() })
}

/// The terms to add for `category`: the best-scoring one (and a second that appears with it in
/// an example), else the subject's default.
fn pick(
    category: Category,
    scores: &[usize],
    mentioned: &[Vec<bool>],
    subject: Subject,
) -> Vec<&'static Term> {
    let mut ranked: Vec<usize> = (0..TERMS.len())
        .filter(|&i| TERMS[i].category == category && scores[i] > 0)
        .collect();
    // Highest score first; the lexicon's order breaks ties (the sort is stable).
    ranked.sort_by_key(|&i| std::cmp::Reverse(scores[i]));
    if let Some(&top) = ranked.first() {
        let mut picked = vec![&TERMS[top]];
        let together = ranked.iter().skip(1).find(|&&j| {
            scores[j] * 2 >= scores[top] && mentioned.iter().any(|row| row[top] && row[j])
        });
        if let Some(&second) = together {
            picked.push(&TERMS[second]);
        }
        return picked;
    }
    defaults(subject)
        .iter()
        .filter_map(|key| TERMS.iter().find(|t| t.en == *key))
        .filter(|t| t.category == category)
        .collect()
}

/// Whether most of `text` is Chinese, Japanese or Korean (a CJK character counts as much as two
/// Latin letters).
fn mostly_cjk(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| is_cjk(c)).count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    cjk > 0 && cjk * 2 >= latin
}

/// Whether `c` is a CJK ideograph, kana or hangul syllable.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(prompt: &str, examples: &[&str]) -> String {
        let examples: Vec<String> = examples.iter().map(|e| (*e).to_owned()).collect();
        enhance(prompt, "en", &examples).unwrap()
    }

    fn parts(text: &str, separator: &str) -> Vec<String> {
        text.split(separator).map(|p| p.trim().to_owned()).collect()
    }

    fn assert_no_duplicates(text: &str, separator: &str) {
        let parts = parts(text, separator);
        for (i, a) in parts.iter().enumerate() {
            assert!(!parts[i + 1..].contains(a), "{a} twice in {text}");
        }
    }

    #[test]
    fn a_portrait_without_examples_gets_portrait_defaults() {
        let out = en("  a portrait of an old fisherman ", &[]);
        assert_eq!(
            out,
            "a portrait of an old fisherman, soft light, 85mm, shallow depth of field, highly detailed"
        );
        assert_no_duplicates(&out, ", ");
    }

    #[test]
    fn a_landscape_without_examples_gets_landscape_defaults() {
        let out = en("misty mountains above a lake.", &[]);
        assert!(out.starts_with("misty mountains above a lake"), "{out}");
        assert!(
            out.contains("wide shot") && out.contains("golden hour"),
            "{out}"
        );
    }

    #[test]
    fn examples_drive_the_vocabulary_by_rank() {
        let examples = [
            "a fox in snow, watercolor, soft light, pastel palette, highly detailed",
            "a deer at dawn, watercolour, soft lighting, rule of thirds, intricate details",
            "an owl, oil painting, dramatic lighting, 8k",
        ];
        let out = en("a red fox sleeping", &examples);
        assert!(out.starts_with("a red fox sleeping, "), "{out}");
        assert!(out.contains("watercolor"), "{out}");
        assert!(
            !out.contains("oil painting"),
            "the lower-ranked style loses: {out}"
        );
        assert!(out.contains("soft light"), "{out}");
        assert!(out.contains("pastel palette"), "{out}");
        assert!(out.contains("rule of thirds"), "{out}");
        // Detail: highly detailed wins; 8k never appears with it, intricate details neither.
        assert!(out.contains("highly detailed"), "{out}");
        // Lens has no evidence: the animal default.
        assert!(out.contains("shallow depth of field"), "{out}");
        assert_no_duplicates(&out, ", ");
    }

    #[test]
    fn covered_categories_are_left_alone_and_enhancing_twice_changes_nothing() {
        let rich =
            "a lighthouse at night, oil painting, moonlight, wide shot, 35mm, muted tones, 8k";
        let examples = ["watercolor, golden hour, close-up, 85mm, vibrant colors, highly detailed"];
        assert_eq!(en(rich, &examples), rich);
        let once = en("a cyberpunk street", &examples);
        assert_eq!(en(&once, &examples), once);
        assert!(once.starts_with("a cyberpunk street, "));
        assert!(!once.contains("watercolor"), "style already given: {once}");
    }

    #[test]
    fn chinese_prompts_get_chinese_terms() {
        let out = enhance("一位老渔夫的肖像", "zh-CN", &[]).unwrap();
        assert_eq!(out, "一位老渔夫的肖像，柔光，85mm 镜头，浅景深，高细节");
        let examples = vec![
            "雪中的狐狸，水彩，柔光，马卡龙色调，高细节".to_owned(),
            "a deer, watercolor, soft light, close-up".to_owned(),
        ];
        // Mostly Chinese: Chinese output even when the language says English.
        let out = enhance("森林里的小鹿", "en", &examples).unwrap();
        assert!(out.starts_with("森林里的小鹿，水彩，柔光"), "{out}");
        assert!(
            out.contains("马卡龙色调") && out.contains("高细节"),
            "{out}"
        );
        assert_no_duplicates(&out, "，");
        assert_eq!(enhance(&out, "zh-CN", &examples).unwrap(), out);
    }

    #[test]
    fn deterministic_bounded_and_refuses_empty_prompts() {
        let examples: Vec<String> = (0..30).map(|i| format!("city {i}, neon, 35mm")).collect();
        let a = enhance("a quiet street", "en", &examples).unwrap();
        let b = enhance("a quiet street", "en", &examples).unwrap();
        assert_eq!(a, b);
        assert!(a.contains("neon glow") && a.contains("35mm"), "{a}");
        let long = "word ".repeat(1200);
        let out = enhance(&long, "en", &[]).unwrap();
        assert!(out.chars().count() <= MAX_ASSISTANT_CHARS);
        assert!(matches!(
            enhance("   ", "en", &[]),
            Err(ProviderError::Rejected(_))
        ));
    }
}
