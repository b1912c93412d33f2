//! The interface's languages (G9): English and Simplified Chinese, chosen from the `lang` cookie,
//! else from `Accept-Language`. Every UI string lives in [`Messages`], so a missing translation is
//! a compile error, not a blank on a page.
//!
//! [`Messages`] is made of one group per page or concept (`groups.rs`); each language's
//! strings live in their own file (`en.rs`, `zh_cn.rs`), in the same groups.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

mod en;
mod groups;
#[cfg(test)]
mod tests;
mod zh_cn;

pub use en::EN;
pub use groups::{
    AccountSettings, Admin, Assistant, Collections, Common, Credits, Errors, Gallery, Generations,
    Login, Privacy, PrivacyCenter, Studio,
};
pub use zh_cn::ZH_CN;

/// The cookie that keeps a chosen language (essential: SEC5).
pub const LANG_COOKIE: &str = "lang";

/// A language of the interface: the same type as mail's, with one rule for tags.
pub use atelier_core::Lang;

/// What a page needs of its [`Lang`]: the one a request asks for, and that language's strings.
pub trait PageLang: Sized {
    /// The cookie's choice, else the best match of `Accept-Language` by quality, else English.
    fn from_headers(headers: &HeaderMap) -> Self;

    /// The strings of this language.
    fn messages(self) -> &'static Messages;
}

impl PageLang for Lang {
    fn from_headers(headers: &HeaderMap) -> Self {
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
        let accepted = headers
            .get_all(ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        Self::from_accept_language(accepted).unwrap_or(Self::En)
    }

    fn messages(self) -> &'static Messages {
        match self {
            Self::En => &EN,
            Self::ZhCn => &ZH_CN,
        }
    }
}

/// Every string of the interface, one group per page or concept.
#[derive(Debug)]
pub struct Messages {
    /// The frame of every page (header, menu, footer, not found) and words pages share.
    pub common: Common,
    /// The gallery: home, search, filters, cards and an artwork's page.
    pub gallery: Gallery,
    /// Signing in: the e-mail form, the code page and the sign-in link page.
    pub login: Login,
    /// Account settings: profile, e-mail, sessions, API tokens and assistant history.
    pub settings: AccountSettings,
    /// The studio's generation form.
    pub studio: Studio,
    /// A generation's page, its delete page and the list of generations.
    pub generations: Generations,
    /// The prompt assistant (enhance, describe) and the image edit page.
    pub assistant: Assistant,
    /// Favorites, boards, adding to a board and shared boards.
    pub collections: Collections,
    /// The credits page.
    pub credits: Credits,
    /// The operator's console.
    pub admin: Admin,
    /// The privacy policy page, its banner and links to the privacy center.
    pub privacy: Privacy,
    /// The privacy center (data held, retention, mail, export) and the account deletion page.
    pub privacy_center: PrivacyCenter,
    /// What a form says when it refuses its input (refusals and form errors).
    pub errors: Errors,
}
