//! The signed-in visitor as the page header shows them.

use crate::i18n::Messages;
use atelier_app::accounts::Principal;

/// The signed-in visitor as the page header shows them.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The display name, else the address's local part.
    pub name: String,
    /// The name's first letter, for the round badge.
    pub initial: String,
    /// The credit balance, on the pages that read it anyway (the studio and the records).
    pub credits: Option<i64>,
    /// Whether they have yet to open the current privacy policy: the banner shows (P1).
    pub policy_unread: bool,
    /// Whether they never opened any version (the banner then asks to read it, not what changed).
    pub policy_never_read: bool,
    /// Whether they are staff (`support` or `admin`): the menu links to the console.
    pub staff: bool,
}

impl Viewer {
    /// The header's view of a signed-in user.
    #[must_use]
    pub fn of(principal: &Principal) -> Self {
        let name = principal.user.shown_name().to_owned();
        let initial = name
            .chars()
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        let seen = principal.user.policy_version_seen;
        Self {
            name,
            initial,
            credits: None,
            policy_unread: seen < atelier_app::privacy::POLICY_VERSION,
            policy_never_read: seen <= 0,
            staff: principal.user.has_role(atelier_core::Role::Support)
                || principal.user.has_role(atelier_core::Role::Admin),
        }
    }

    /// The header's view of a signed-in user, with the balance the studio's pages show.
    #[must_use]
    pub fn with_credits(principal: &Principal, balance: i64) -> Self {
        let mut viewer = Self::of(principal);
        viewer.credits = Some(balance);
        viewer
    }

    /// The banner's sentence while the current policy is unread (P1).
    #[must_use]
    pub fn policy_banner(&self, m: &Messages) -> String {
        let text = if self.policy_never_read {
            m.privacy.banner_new
        } else {
            m.privacy.banner_changed
        };
        text.replace(
            "{version}",
            &atelier_app::privacy::POLICY_VERSION.to_string(),
        )
    }

    /// The banner's link text.
    #[must_use]
    pub fn policy_banner_link(&self, m: &'static Messages) -> &'static str {
        if self.policy_never_read {
            m.privacy.banner_read
        } else {
            m.privacy.banner_read_changes
        }
    }

    /// The header's view of whoever is asking.
    #[must_use]
    pub fn from_maybe(principal: Option<&Principal>) -> Option<Self> {
        principal.map(Self::of)
    }
}
