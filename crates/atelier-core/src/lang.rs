//! The languages Atelier speaks (G9): English and Simplified Chinese, for pages and mail alike.
//!
//! One rule reads a BCP 47 tag, so a page and the mail sent after it never disagree about a
//! language: the primary subtag decides, in any case, with `-` or `_` between subtags. `en`,
//! `en-GB`, … are English; every `zh` tag (`zh`, `zh-CN`, `zh-Hans`, `zh-SG`, and also `zh-TW` and
//! `zh-Hant`, for which Simplified Chinese is nearer than English) is Simplified Chinese; anything
//! else is no language of ours.

/// A language of the interface and of mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    /// Every language.
    pub const ALL: [Self; 2] = [Self::En, Self::ZhCn];

    /// The language's BCP 47 tag, as stored, as sent in `<html lang>` and as the name of a mail
    /// template folder: `en` or `zh-CN`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// The language of a tag such as `zh-CN`, `zh`, `zh-Hans`, `zh_cn` or `en-GB` (see the module
    /// comment for the rule), or `None` when the tag names neither language.
    #[must_use]
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else if primary.eq_ignore_ascii_case("zh") {
            Some(Self::ZhCn)
        } else {
            None
        }
    }

    /// The language of a tag as [`Lang::parse`] reads it, English when it names neither.
    #[must_use]
    pub fn from_tag(tag: &str) -> Self {
        Self::parse(tag).unwrap_or(Self::En)
    }

    /// The language an `Accept-Language` header asks for most: of the tags [`Lang::parse`] knows,
    /// the one with the highest quality (`q=`, 1 when absent; the first on a tie). `values` are
    /// the header's values, in order, when it is sent more than once. `None` when no tag is ours.
    #[must_use]
    pub fn from_accept_language<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in values.into_iter().flat_map(|value| value.split(',')) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Self::parse(tag)
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn every_zh_tag_is_simplified_chinese() {
        for tag in [
            "zh",
            "zh-CN",
            "zh-cn",
            "ZH-CN",
            "zh_CN",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-SG",
            "zh-TW",
            "zh-Hant",
            " zh-CN ",
        ] {
            assert_eq!(Lang::parse(tag), Some(Lang::ZhCn), "{tag}");
            assert_eq!(Lang::from_tag(tag), Lang::ZhCn, "{tag}");
        }
    }

    #[test]
    fn en_tags_are_english_and_others_none() {
        for tag in ["en", "EN", "en-GB", "en_US"] {
            assert_eq!(Lang::parse(tag), Some(Lang::En), "{tag}");
        }
        for tag in ["", "fr", "de-DE", "zhx", "eng", "*", "-zh"] {
            assert_eq!(Lang::parse(tag), None, "{tag}");
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag}");
        }
    }

    #[test]
    fn as_str_gives_the_stored_tags_and_reads_back() {
        assert_eq!(Lang::En.as_str(), "en");
        assert_eq!(Lang::ZhCn.as_str(), "zh-CN");
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.as_str()), Some(lang));
        }
    }

    #[test]
    fn accept_language_picks_the_highest_quality_of_ours() {
        let best = |values: &[&str]| Lang::from_accept_language(values.iter().copied());
        assert_eq!(best(&[]), None);
        assert_eq!(best(&["de, fr;q=0.8"]), None);
        assert_eq!(best(&["zh-CN,zh;q=0.9,en;q=0.8"]), Some(Lang::ZhCn));
        assert_eq!(best(&["fr-FR, en;q=0.5, zh;q=0.7"]), Some(Lang::ZhCn));
        assert_eq!(best(&["en-US,en;q=0.9,zh-TW;q=0.8"]), Some(Lang::En));
        // A tie keeps the first; a bad quality counts as 1.
        assert_eq!(best(&["en, zh"]), Some(Lang::En));
        assert_eq!(best(&["en;q=0.5, zh;q=x"]), Some(Lang::ZhCn));
        // Several header lines are one list.
        assert_eq!(best(&["en;q=0.3", "zh-Hans;q=0.6"]), Some(Lang::ZhCn));
    }
}
