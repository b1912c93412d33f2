//! The interface's languages (G9): English and Simplified Chinese, chosen from the `lang` cookie,
//! else from `Accept-Language`. Every UI string lives in [`Messages`], so a missing translation is
//! a compile error, not a blank on a page.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

/// The cookie that keeps a chosen language (essential: SEC5).
pub const LANG_COOKIE: &str = "lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// The strings of this language.
    #[must_use]
    pub const fn messages(self) -> &'static Messages {
        match self {
            Self::En => &EN,
            Self::ZhCn => &ZH_CN,
        }
    }

    /// Reads a tag such as `zh-CN`, `zh`, `zh-Hans`, `en-GB`.
    #[must_use]
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "zh" => Some(Self::ZhCn),
            _ => None,
        }
    }

    /// The cookie's choice, else the best match of `Accept-Language` by quality, else English.
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let cookie_choice = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Self::parse(value));
        if let Some(lang) = cookie_choice {
            return lang;
        }
        let mut best: Option<(f32, Self)> = None;
        for header in headers
            .get_all(ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            for part in header.split(',') {
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
        }
        best.map_or(Self::En, |(_, lang)| lang)
    }
}

/// Every string of the interface.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct Messages {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub sort_likes: &'static str,
    pub sort_favorites: &'static str,
    pub filter_models: &'static str,
    pub filter_aspects: &'static str,
    pub filter_categories: &'static str,
    pub filter_clear: &'static str,
    pub results_for: &'static str,
    pub results_suffix: &'static str,
    pub no_results: &'static str,
    pub no_results_hint: &'static str,
    pub gallery_empty: &'static str,
    pub next_page: &'static str,
    pub loading: &'static str,
    pub by: &'static str,
    pub likes: &'static str,
    pub views: &'static str,
    pub prompt: &'static str,
    pub copy_prompt: &'static str,
    pub copied: &'static str,
    pub copy_failed: &'static str,
    pub use_prompt: &'static str,
    pub parameters: &'static str,
    pub model: &'static str,
    pub aspect: &'static str,
    pub size: &'static str,
    pub categories: &'static str,
    pub posted: &'static str,
    pub source: &'static str,
    pub images: &'static str,
    pub view_original_post: &'static str,
    pub creator_rights: &'static str,
    pub demo_notice: &'static str,
    pub related: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_to_gallery: &'static str,
    pub language: &'static str,
    pub change_language: &'static str,
    pub footer_privacy: &'static str,
    pub footer_api: &'static str,
}

/// English.
pub static EN: Messages = Messages {
    site_name: "Atelier",
    tagline: "A gallery of AI artwork and the prompts behind it",
    skip_to_content: "Skip to content",
    search_label: "Search prompts",
    search_placeholder: "Search prompts, styles, creators…",
    search_button: "Search",
    sort_label: "Sort",
    sort_relevance: "Best match",
    sort_newest: "Newest",
    sort_likes: "Most liked",
    sort_favorites: "Most favorited",
    filter_models: "Models",
    filter_aspects: "Aspect ratios",
    filter_categories: "Categories",
    filter_clear: "Clear filters",
    results_for: "results for",
    results_suffix: "artworks",
    no_results: "Nothing matches that yet.",
    no_results_hint: "Try fewer or different words, or clear the filters.",
    gallery_empty: "The gallery is empty for now. Import posts with `atelier import`, or start with `serve --demo`.",
    next_page: "More artworks",
    loading: "Loading…",
    by: "by",
    likes: "likes",
    views: "views",
    prompt: "Prompt",
    copy_prompt: "Copy prompt",
    copied: "Copied!",
    copy_failed: "Select the text to copy it",
    use_prompt: "Use this prompt",
    parameters: "Parameters",
    model: "Model",
    aspect: "Aspect ratio",
    size: "Size",
    categories: "Categories",
    posted: "Posted",
    source: "Source",
    images: "Images",
    view_original_post: "View the original post",
    creator_rights: "The creator keeps all rights to this work. Creators can ask for removal at any time.",
    demo_notice: "Demo artwork drawn on this server by the offline generator.",
    related: "More like this",
    not_found_title: "Not found",
    not_found_body: "There is nothing at this address. It may have been removed at its creator's request.",
    back_to_gallery: "Back to the gallery",
    language: "Language",
    change_language: "Change",
    footer_privacy: "Privacy",
    footer_api: "API",
};

/// Simplified Chinese.
pub static ZH_CN: Messages = Messages {
    site_name: "Atelier",
    tagline: "AI 艺术作品与其背后的提示词",
    skip_to_content: "跳到正文",
    search_label: "搜索提示词",
    search_placeholder: "搜索提示词、风格、创作者…",
    search_button: "搜索",
    sort_label: "排序",
    sort_relevance: "最相关",
    sort_newest: "最新",
    sort_likes: "最多点赞",
    sort_favorites: "最多收藏",
    filter_models: "模型",
    filter_aspects: "画幅比例",
    filter_categories: "分类",
    filter_clear: "清除筛选",
    results_for: "条结果：",
    results_suffix: "件作品",
    no_results: "暂时没有匹配的作品。",
    no_results_hint: "试试更少或不同的关键词，或清除筛选。",
    gallery_empty: "画廊暂时是空的。可以用 `atelier import` 导入作品，或以 `serve --demo` 启动。",
    next_page: "更多作品",
    loading: "加载中…",
    by: "作者",
    likes: "点赞",
    views: "浏览",
    prompt: "提示词",
    copy_prompt: "复制提示词",
    copied: "已复制！",
    copy_failed: "请选中文字后复制",
    use_prompt: "使用这个提示词",
    parameters: "参数",
    model: "模型",
    aspect: "画幅比例",
    size: "尺寸",
    categories: "分类",
    posted: "发布于",
    source: "来源",
    images: "图片",
    view_original_post: "查看原帖",
    creator_rights: "作品的全部权利归创作者所有。创作者可随时要求移除。",
    demo_notice: "演示作品：由本服务器的离线生成器绘制。",
    related: "相似作品",
    not_found_title: "页面不存在",
    not_found_body: "这个地址没有内容，可能已应创作者要求移除。",
    back_to_gallery: "返回画廊",
    language: "语言",
    change_language: "切换",
    footer_privacy: "隐私",
    footer_api: "API",
};

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn g9_language_from_cookie_then_accept_language() {
        assert_eq!(Lang::from_headers(&headers(&[])), Lang::En);
        assert_eq!(
            Lang::from_headers(&headers(&[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")])),
            Lang::ZhCn
        );
        assert_eq!(
            Lang::from_headers(&headers(&[(
                "accept-language",
                "fr-FR, en;q=0.5, zh;q=0.7"
            )])),
            Lang::ZhCn
        );
        assert_eq!(
            Lang::from_headers(&headers(&[("accept-language", "de")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_headers(&headers(&[
                ("accept-language", "zh-CN"),
                ("cookie", "a=b; lang=en")
            ])),
            Lang::En
        );
        assert_eq!(
            Lang::from_headers(&headers(&[("cookie", "lang=zh-CN")])),
            Lang::ZhCn
        );
    }
}
