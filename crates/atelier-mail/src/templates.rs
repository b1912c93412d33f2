//! The mail templates: one folder per kind and language under `templates/`, embedded in the
//! binary and compiled once.
//!
//! `subject.txt` and `body.txt` are rendered without escaping, `body.html` with HTML escaping;
//! a variable the template uses but the caller did not give is an error (strict undefined).

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, ErrorKind, Output, State, UndefinedBehavior};

use crate::MailError;

/// The languages mail is written in: the same as the pages', with the same rule for tags.
pub use atelier_core::Lang;

/// The kinds of mail; each is a template folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// A sign-in code and magic link.
    SignInCode,
    /// A sign-in from a network the account had not used before.
    SecurityAlert,
    /// A code confirming a new address, sent to that new address.
    EmailChangeCode,
    /// A notice to the old address that the account's address changed.
    EmailChangedNotice,
    /// The confirmation of an account deletion request, with its date (D3).
    DeletionRequested,
    /// The last mail to a deleted account's address (D3).
    AccountDeleted,
    /// Marketing: news for users who opted in, with a one-click unsubscribe (C1, D7).
    Announcement,
    /// A background data export is ready, with its signed link (D4).
    ExportReady,
    /// The privacy policy changed (P1): service mail to every account.
    PolicyChanged,
    /// The billing confirmation of a paid purchase (C1, G7): service mail.
    PurchaseReceipt,
    /// A refund took back credits of a purchase (C1, G7): service mail.
    RefundNotice,
    /// The answer to a creator's takedown request (C7): service mail.
    TakedownAnswer,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [Self; 12] = [
        Self::SignInCode,
        Self::SecurityAlert,
        Self::EmailChangeCode,
        Self::EmailChangedNotice,
        Self::DeletionRequested,
        Self::AccountDeleted,
        Self::Announcement,
        Self::ExportReady,
        Self::PolicyChanged,
        Self::PurchaseReceipt,
        Self::RefundNotice,
        Self::TakedownAnswer,
    ];

    /// The kind's name, which is also its template folder.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignInCode => "sign_in_code",
            Self::SecurityAlert => "security_alert",
            Self::EmailChangeCode => "email_change_code",
            Self::EmailChangedNotice => "email_changed_notice",
            Self::DeletionRequested => "deletion_requested",
            Self::AccountDeleted => "account_deleted",
            Self::Announcement => "announcement",
            Self::ExportReady => "export_ready",
            Self::PolicyChanged => "policy_changed",
            Self::PurchaseReceipt => "purchase_receipt",
            Self::RefundNotice => "refund_notice",
            Self::TakedownAnswer => "takedown_answer",
        }
    }

    /// Whether this is marketing mail: sent only to users who opted in, always with
    /// `List-Unsubscribe` (C1, D7). Everything else is service mail, which continues after an
    /// opt-out.
    #[must_use]
    pub fn is_marketing(self) -> bool {
        matches!(self, Self::Announcement)
    }

    /// The kind named `s` (as [`MailKind::as_str`] writes it).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Rendered subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, trimmed.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
}

macro_rules! kind_templates {
    ($($kind:literal),* $(,)?) => {
        &[$(
            (concat!($kind, "/en/subject.txt"), include_str!(concat!("../templates/", $kind, "/en/subject.txt"))),
            (concat!($kind, "/en/body.txt"), include_str!(concat!("../templates/", $kind, "/en/body.txt"))),
            (concat!($kind, "/en/body.html"), include_str!(concat!("../templates/", $kind, "/en/body.html"))),
            (concat!($kind, "/zh-CN/subject.txt"), include_str!(concat!("../templates/", $kind, "/zh-CN/subject.txt"))),
            (concat!($kind, "/zh-CN/body.txt"), include_str!(concat!("../templates/", $kind, "/zh-CN/body.txt"))),
            (concat!($kind, "/zh-CN/body.html"), include_str!(concat!("../templates/", $kind, "/zh-CN/body.html"))),
        )*]
    };
}

/// Every template, by name.
const SOURCES: &[(&str, &str)] = kind_templates!(
    "sign_in_code",
    "security_alert",
    "email_change_code",
    "email_changed_notice",
    "deletion_requested",
    "account_deleted",
    "announcement",
    "export_ready",
    "policy_changed",
    "purchase_receipt",
    "refund_notice",
    "takedown_answer",
);

/// The shared layouts the bodies extend.
const LAYOUTS: &[(&str, &str)] = &[
    (
        "_layout/en/base.txt",
        include_str!("../templates/_layout/en/base.txt"),
    ),
    (
        "_layout/en/base.html",
        include_str!("../templates/_layout/en/base.html"),
    ),
    (
        "_layout/zh-CN/base.txt",
        include_str!("../templates/_layout/zh-CN/base.txt"),
    ),
    (
        "_layout/zh-CN/base.html",
        include_str!("../templates/_layout/zh-CN/base.html"),
    ),
];

/// All templates, embedded in the binary, compiled once.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// Compiles the embedded templates.
    ///
    /// # Panics
    /// Never once the crate's tests pass: the templates are fixed at build time and a test
    /// compiles every one of them.
    #[must_use]
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(format_value);
        for (name, source) in LAYOUTS.iter().chain(SOURCES) {
            env.add_template(name, source)
                .expect("embedded mail templates compile");
        }
        Self { env }
    }

    /// Renders one mail. `lang` is a language tag as stored, `en` or `zh-CN` (read by
    /// [`Lang::from_tag`]: any `zh` tag is Simplified Chinese, anything else English); `vars` is a
    /// JSON object of the kind's variables. The bodies also see `lang` and `subject` (the rendered
    /// subject).
    ///
    /// # Errors
    /// [`MailError::InvalidVars`] when `vars` is not an object, [`MailError::Template`] when a
    /// variable is missing, [`MailError::InvalidSubject`] when the subject holds control
    /// characters other than line breaks (which become spaces).
    pub fn render(
        &self,
        kind: MailKind,
        lang: &str,
        vars: &serde_json::Value,
    ) -> Result<Rendered, MailError> {
        let lang = Lang::from_tag(lang);
        let serde_json::Value::Object(vars) = vars else {
            return Err(MailError::InvalidVars);
        };
        let mut ctx = vars.clone();
        ctx.insert("lang".into(), lang.as_str().into());

        let subject = self.render_one(kind, lang, "subject.txt", &ctx)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        if subject.chars().any(char::is_control) {
            return Err(MailError::InvalidSubject(kind.as_str()));
        }
        ctx.insert("subject".into(), subject.clone().into());

        let text = self.render_one(kind, lang, "body.txt", &ctx)?;
        let html = self.render_one(kind, lang, "body.html", &ctx)?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }

    fn render_one(
        &self,
        kind: MailKind,
        lang: Lang,
        file: &str,
        ctx: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<String, MailError> {
        let name = format!("{}/{}/{file}", kind.as_str(), lang.as_str());
        let wrap = |source| MailError::Template {
            name: name.clone(),
            source,
        };
        let template = self.env.get_template(&name).map_err(wrap)?;
        template.render(ctx).map_err(wrap)
    }
}

/// Prints a value: refuses undefined ones (strict mode, which a custom formatter must enforce
/// itself) and HTML-escapes `& < > " '` — unlike minijinja's default it leaves `/` alone, so
/// links stay readable in the HTML source.
fn format_value(
    out: &mut Output<'_>,
    state: &State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if value.is_undefined() {
        return Err(minijinja::Error::new(
            ErrorKind::UndefinedError,
            "a variable the template prints is missing",
        ));
    }
    if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
        let text = value.to_string();
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&#39;"),
                c => escaped.push(c),
            }
        }
        out.write_str(&escaped)?;
        Ok(())
    } else {
        minijinja::escape_formatter(out, state, value)
    }
}

#[cfg(test)]
mod samples;
#[cfg(test)]
mod snapshots;

#[cfg(test)]
mod tests {
    use super::samples::vars;
    use super::*;
    use serde_json::json;

    /// The values a kind's mail must show in both its text and its HTML.
    fn must_show(kind: MailKind) -> Vec<&'static str> {
        match kind {
            MailKind::SignInCode => vec![
                "123456",
                "15",
                "https://art.example.com/sign-in/verify?token=abc",
            ],
            MailKind::SecurityAlert => vec![
                "2026-02-01 08:30 UTC",
                "203.0.113.0/24",
                "Firefox on Linux",
                "https://art.example.com/settings/sessions",
            ],
            MailKind::EmailChangeCode => vec!["654321", "new@example.com", "15"],
            MailKind::EmailChangedNotice => vec!["n***@example.com", "2026-02-01 08:30 UTC"],
            MailKind::DeletionRequested => {
                vec!["2026-02-08", "https://art.example.com/settings/privacy"]
            }
            MailKind::AccountDeleted => vec!["Atelier"],
            MailKind::Announcement => vec![
                "Boards can now be shared.",
                "https://art.example.com/unsubscribe/abc",
            ],
            MailKind::ExportReady => vec![
                "https://art.example.com/api/v1/me/exports/e1/download?expires=1",
                "24",
                "2026-02-02 08:30 UTC",
            ],
            MailKind::PolicyChanged => vec!["2026-12-01", "https://art.example.com/privacy"],
            MailKind::PurchaseReceipt => vec![
                "100",
                "$5.00",
                "USD",
                "2026-02-01",
                "01JPURCHASE",
                "120",
                "https://art.example.com/credits",
            ],
            MailKind::TakedownAnswer => vec!["https://x.com/someone/status/123"],
            MailKind::RefundNotice => vec![
                "50",
                "$2.50",
                "USD",
                "2026-02-03",
                "01JPURCHASE",
                "https://art.example.com/credits",
            ],
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("nope"), None);
        assert_eq!(MailKind::SignInCode.as_str(), "sign_in_code");
        assert_eq!(
            MailKind::EmailChangedNotice.as_str(),
            "email_changed_notice"
        );
    }

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(Lang::from_tag("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("zh-cn"), Lang::ZhCn);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }

    #[test]
    fn every_kind_renders_in_every_language() {
        let t = Templates::new();
        for kind in MailKind::ALL {
            for lang in Lang::ALL {
                let r = t.render(kind, lang.as_str(), &vars(kind)).unwrap();
                let label = format!("{}/{}", kind.as_str(), lang.as_str());
                assert!(!r.subject.is_empty(), "{label}");
                assert!(!r.subject.contains(['\r', '\n']), "{label}");
                assert_eq!(r.subject, r.subject.trim(), "{label}");
                assert!(r.subject.contains("Atelier"), "{label}: {}", r.subject);
                for needle in must_show(kind) {
                    assert!(r.text.contains(needle), "{label} text lacks {needle}");
                    assert!(r.html.contains(needle), "{label} html lacks {needle}");
                }
                assert!(r.html.starts_with("<!DOCTYPE html>"), "{label}");
                assert!(
                    r.html.contains(&format!("lang=\"{}\"", lang.as_str())),
                    "{label}"
                );
                assert!(
                    r.html.contains(&format!("<title>{}</title>", r.subject)),
                    "{label}"
                );
                assert!(!r.text.contains('<'), "{label} text has markup");
                assert!(!r.text.contains("{{"), "{label}");
                assert!(!r.html.contains("{{"), "{label}");
                if lang == Lang::ZhCn {
                    assert!(r.subject.chars().any(|c| c > '\u{2e80}'), "{label}");
                }
            }
        }
    }

    #[test]
    fn codes_are_in_the_subject() {
        let t = Templates::new();
        for lang in Lang::ALL {
            let r = t
                .render(
                    MailKind::SignInCode,
                    lang.as_str(),
                    &vars(MailKind::SignInCode),
                )
                .unwrap();
            assert!(r.subject.starts_with("123456"), "{}", r.subject);
            let r = t
                .render(
                    MailKind::EmailChangeCode,
                    lang.as_str(),
                    &vars(MailKind::EmailChangeCode),
                )
                .unwrap();
            assert!(r.subject.starts_with("654321"), "{}", r.subject);
        }
    }

    #[test]
    fn html_escapes_variables_and_text_does_not() {
        let t = Templates::new();
        let mut v = vars(MailKind::SecurityAlert);
        v["browser"] = json!("<script>alert('x')</script>");
        for lang in Lang::ALL {
            let r = t
                .render(MailKind::SecurityAlert, lang.as_str(), &v)
                .unwrap();
            assert!(!r.html.contains("<script>"));
            assert!(
                r.html
                    .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
            );
            assert!(r.text.contains("<script>alert('x')</script>"));
        }
        // `&` in a link is escaped once; `/` is left alone.
        let r = t
            .render(MailKind::SignInCode, "en", &vars(MailKind::SignInCode))
            .unwrap();
        assert!(
            r.html
                .contains("href=\"https://art.example.com/sign-in/verify?token=abc&amp;x=1\"")
        );
        assert!(
            r.text
                .contains("https://art.example.com/sign-in/verify?token=abc&x=1")
        );
    }

    #[test]
    fn line_breaks_in_a_subject_variable_become_spaces() {
        let t = Templates::new();
        let mut v = vars(MailKind::SecurityAlert);
        v["site_name"] = json!("Evil\r\nBcc: x@example.com");
        let r = t.render(MailKind::SecurityAlert, "en", &v).unwrap();
        assert!(!r.subject.contains(['\r', '\n']));
        assert!(r.subject.contains("Evil Bcc:"));
    }

    #[test]
    fn a_missing_variable_is_an_error() {
        let t = Templates::new();
        for kind in MailKind::ALL {
            for lang in Lang::ALL {
                let mut v = vars(kind);
                v.as_object_mut().unwrap().remove("site_url");
                let err = t.render(kind, lang.as_str(), &v).unwrap_err();
                assert!(matches!(err, MailError::Template { .. }), "{err}");
            }
        }
        let mut v = vars(MailKind::SignInCode);
        v.as_object_mut().unwrap().remove("code");
        assert!(t.render(MailKind::SignInCode, "en", &v).is_err());
    }

    #[test]
    fn vars_must_be_an_object() {
        let t = Templates::new();
        assert!(matches!(
            t.render(MailKind::SignInCode, "en", &json!([1, 2])),
            Err(MailError::InvalidVars)
        ));
    }

    #[test]
    fn the_support_hint_is_optional() {
        let t = Templates::new();
        for lang in Lang::ALL {
            let mut v = vars(MailKind::EmailChangedNotice);
            let without = t
                .render(MailKind::EmailChangedNotice, lang.as_str(), &v)
                .unwrap();
            assert!(without.text.contains("https://art.example.com"));
            v["support_hint"] = json!("Write to help@art.example.com & say <hi>.");
            let with = t
                .render(MailKind::EmailChangedNotice, lang.as_str(), &v)
                .unwrap();
            assert!(
                with.text
                    .contains("Write to help@art.example.com & say <hi>.")
            );
            assert!(
                with.html
                    .contains("Write to help@art.example.com &amp; say &lt;hi&gt;.")
            );
        }
    }
}
