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
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub account_settings: &'static str,
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub login_new_account: &'static str,
    pub email_label: &'static str,
    pub email_placeholder: &'static str,
    pub send_code: &'static str,
    pub check_mail_title: &'static str,
    pub check_mail_sent_to: &'static str,
    pub check_mail_expiry: &'static str,
    pub code_label: &'static str,
    pub verify_code: &'static str,
    pub check_mail_spam: &'static str,
    /// When mail goes to files (demo): where to find it; `{path}` is the folder.
    pub outbox_hint: &'static str,
    pub resend_code: &'static str,
    pub use_other_email: &'static str,
    pub link_confirm_title: &'static str,
    pub link_confirm_question: &'static str,
    pub link_confirm_note: &'static str,
    pub link_confirm_button: &'static str,
    pub cancel: &'static str,
    pub link_invalid_title: &'static str,
    pub link_invalid_body: &'static str,
    pub link_invalid_action: &'static str,
    pub err_invalid_email: &'static str,
    pub err_invalid_code: &'static str,
    pub err_rate_limited: &'static str,
    pub err_same_email: &'static str,
    pub err_email_taken: &'static str,
    pub err_display_name: &'static str,
    pub err_token_name: &'static str,
    pub err_language: &'static str,
    pub settings_signed_in_as: &'static str,
    pub profile_heading: &'static str,
    pub display_name_label: &'static str,
    pub display_name_hint: &'static str,
    pub language_hint: &'static str,
    pub marketing_label: &'static str,
    pub marketing_hint: &'static str,
    pub save: &'static str,
    pub saved_profile: &'static str,
    pub email_heading: &'static str,
    pub email_current: &'static str,
    pub email_new_label: &'static str,
    pub email_change_hint: &'static str,
    pub email_send_code: &'static str,
    pub email_code_sent: &'static str,
    pub email_confirm: &'static str,
    pub saved_email: &'static str,
    pub sessions_heading: &'static str,
    pub sessions_intro: &'static str,
    pub this_device: &'static str,
    pub signed_in_at: &'static str,
    pub last_active: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_hint: &'static str,
    pub saved_session_ended: &'static str,
    pub tokens_heading: &'static str,
    pub tokens_intro: &'static str,
    pub tokens_empty: &'static str,
    pub token_name_label: &'static str,
    pub token_name_placeholder: &'static str,
    pub token_create: &'static str,
    pub token_new_title: &'static str,
    pub token_copy_now: &'static str,
    pub token_copy: &'static str,
    pub token_try: &'static str,
    pub token_created: &'static str,
    pub token_last_used: &'static str,
    pub token_never_used: &'static str,
    pub token_expires: &'static str,
    pub token_no_expiry: &'static str,
    pub token_revoke: &'static str,
    pub saved_token_revoked: &'static str,
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
    sign_in: "Sign in",
    sign_out: "Sign out",
    account_settings: "Account settings",
    login_title: "Sign in to Atelier",
    login_lead: "Enter your email address and we'll send you a 6-digit code and a sign-in link. No password needed.",
    login_new_account: "New here? The same step creates your account.",
    email_label: "Email address",
    email_placeholder: "you@example.com",
    send_code: "Email me a code",
    check_mail_title: "Check your email",
    check_mail_sent_to: "We sent a sign-in code and link to",
    check_mail_expiry: "The code and the link expire in {minutes} minutes and work only once.",
    code_label: "6-digit code",
    verify_code: "Sign in",
    check_mail_spam: "No email? Check your spam folder, or send a new code.",
    outbox_hint: "This instance writes mail to files instead of sending it: open the newest .eml file in {path}",
    resend_code: "Send a new code",
    use_other_email: "Use a different address",
    link_confirm_title: "Sign in on this device?",
    link_confirm_question: "Sign in as {email} on this device?",
    link_confirm_note: "This link was opened in a different browser than the one that asked for it. Continue only if you just asked to sign in.",
    link_confirm_button: "Yes, sign me in",
    cancel: "Cancel",
    link_invalid_title: "This link no longer works",
    link_invalid_body: "Sign-in links work only once and expire after {minutes} minutes. Ask for a new code to sign in.",
    link_invalid_action: "Get a new code",
    err_invalid_email: "That doesn't look like an email address. Check it and try again.",
    err_invalid_code: "That code is wrong or has expired. Check the latest email, or send a new code.",
    err_rate_limited: "Too many attempts. Please wait {minutes} min and try again.",
    err_same_email: "That is already your address.",
    err_email_taken: "Another account already uses that address.",
    err_display_name: "A display name has at most 60 characters and no control characters.",
    err_token_name: "Give the token a name of 1 to 80 characters.",
    err_language: "Choose English or Simplified Chinese.",
    settings_signed_in_as: "Signed in as",
    profile_heading: "Profile",
    display_name_label: "Display name",
    display_name_hint: "Shown instead of your email address. Leave it empty to use the part before the @.",
    language_hint: "For the interface and the email we send you.",
    marketing_label: "Email me news and product updates",
    marketing_hint: "Service mail such as sign-in codes and security alerts is sent either way.",
    save: "Save",
    saved_profile: "Your profile was saved.",
    email_heading: "Email address",
    email_current: "Current address",
    email_new_label: "New address",
    email_change_hint: "We send a code to the new address to confirm it, and let your current address know about the change.",
    email_send_code: "Send code",
    email_code_sent: "Enter the code we sent to {email}.",
    email_confirm: "Confirm change",
    saved_email: "Your email address was changed.",
    sessions_heading: "Where you're signed in",
    sessions_intro: "Browsers signed in to your account. Sign out of any you don't recognise.",
    this_device: "This device",
    signed_in_at: "Signed in",
    last_active: "Last active",
    sign_out_everywhere: "Sign out everywhere",
    sign_out_everywhere_hint: "Ends every session, this one included. Access tokens keep working until you revoke them.",
    saved_session_ended: "That device was signed out.",
    tokens_heading: "Personal access tokens",
    tokens_intro: "Tokens let scripts and apps use the API as you. Keep them as secret as a password.",
    tokens_empty: "You have no access tokens.",
    token_name_label: "Token name",
    token_name_placeholder: "e.g. Backup script",
    token_create: "Create token",
    token_new_title: "Your new token",
    token_copy_now: "Copy it now: it will not be shown again.",
    token_copy: "Copy token",
    token_try: "Try it:",
    token_created: "Created",
    token_last_used: "Last used",
    token_never_used: "Never used",
    token_expires: "Expires",
    token_no_expiry: "Never expires",
    token_revoke: "Revoke",
    saved_token_revoked: "The token was revoked.",
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
    sign_in: "登录",
    sign_out: "退出登录",
    account_settings: "账户设置",
    login_title: "登录 Atelier",
    login_lead: "输入你的邮箱地址，我们会给你发送一个 6 位验证码和一个登录链接，无需密码。",
    login_new_account: "第一次来？同样的步骤会为你创建账户。",
    email_label: "邮箱地址",
    email_placeholder: "you@example.com",
    send_code: "发送验证码",
    check_mail_title: "请查收邮件",
    check_mail_sent_to: "我们已将登录验证码和链接发送至",
    check_mail_expiry: "验证码和链接在 {minutes} 分钟内有效，且只能使用一次。",
    code_label: "6 位验证码",
    verify_code: "登录",
    check_mail_spam: "没有收到？请检查垃圾邮件文件夹，或重新发送验证码。",
    outbox_hint: "本实例不发送邮件，而是把邮件写成文件：请打开 {path} 中最新的 .eml 文件",
    resend_code: "重新发送验证码",
    use_other_email: "换一个邮箱地址",
    link_confirm_title: "在此设备上登录？",
    link_confirm_question: "要以 {email} 的身份在此设备上登录吗？",
    link_confirm_note: "此链接是在另一个浏览器中打开的，而不是发起登录请求的那个浏览器。只有在你刚刚请求登录时才继续。",
    link_confirm_button: "是的，登录",
    cancel: "取消",
    link_invalid_title: "此链接已失效",
    link_invalid_body: "登录链接只能使用一次，并会在 {minutes} 分钟后过期。请重新获取验证码登录。",
    link_invalid_action: "重新获取验证码",
    err_invalid_email: "这看起来不是有效的邮箱地址，请检查后重试。",
    err_invalid_code: "验证码错误或已过期。请查看最新的邮件，或重新发送验证码。",
    err_rate_limited: "尝试次数过多，请等待 {minutes} 分钟后再试。",
    err_same_email: "这已经是你当前的邮箱地址。",
    err_email_taken: "该邮箱地址已被其他账户使用。",
    err_display_name: "显示名称最多 60 个字符，且不能包含控制字符。",
    err_token_name: "请为令牌起一个 1 到 80 个字符的名称。",
    err_language: "请选择英语或简体中文。",
    settings_signed_in_as: "当前账户",
    profile_heading: "个人资料",
    display_name_label: "显示名称",
    display_name_hint: "代替邮箱地址显示。留空则使用邮箱地址中 @ 之前的部分。",
    language_hint: "用于界面显示和我们发给你的邮件。",
    marketing_label: "通过邮件接收新闻和产品动态",
    marketing_hint: "登录验证码、安全提醒等服务邮件不受此设置影响，仍会照常发送。",
    save: "保存",
    saved_profile: "个人资料已保存。",
    email_heading: "邮箱地址",
    email_current: "当前地址",
    email_new_label: "新地址",
    email_change_hint: "我们会向新地址发送验证码以确认更改，并通知你当前的地址。",
    email_send_code: "发送验证码",
    email_code_sent: "请输入我们发送到 {email} 的验证码。",
    email_confirm: "确认更改",
    saved_email: "邮箱地址已更改。",
    sessions_heading: "已登录的设备",
    sessions_intro: "以下浏览器已登录你的账户。如有不认识的，请将其退出登录。",
    this_device: "当前设备",
    signed_in_at: "登录于",
    last_active: "最近活动",
    sign_out_everywhere: "退出所有设备",
    sign_out_everywhere_hint: "结束所有会话（包括当前会话）。访问令牌在你撤销之前仍然有效。",
    saved_session_ended: "该设备已退出登录。",
    tokens_heading: "个人访问令牌",
    tokens_intro: "令牌可让脚本和应用以你的身份使用 API，请像保管密码一样保管它们。",
    tokens_empty: "你还没有访问令牌。",
    token_name_label: "令牌名称",
    token_name_placeholder: "例如：备份脚本",
    token_create: "创建令牌",
    token_new_title: "你的新令牌",
    token_copy_now: "请立即复制：它不会再次显示。",
    token_copy: "复制令牌",
    token_try: "试一试：",
    token_created: "创建于",
    token_last_used: "最近使用",
    token_never_used: "从未使用",
    token_expires: "过期时间",
    token_no_expiry: "永不过期",
    token_revoke: "撤销",
    saved_token_revoked: "令牌已撤销。",
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
