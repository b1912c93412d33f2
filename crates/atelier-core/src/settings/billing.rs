//! Buying credits through Stripe (`[billing]`, `[billing.stripe]`, `[[billing.packs]]`), issue 18
//! (G7, S1).
//!
//! Billing is off until both Stripe secrets are set: the secret key that creates Checkout sessions
//! and the webhook secret that proves an event came from Stripe. The packs are what users may buy;
//! each names its price in the currency's minor units, as Stripe's API does.

use super::{SettingsError, invalid};
use crate::Secret;
use serde::Deserialize;
use std::collections::HashSet;
use url::Url;

/// Billing settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingSettings {
    /// Stripe's credentials and API address.
    pub stripe: StripeSettings,
    /// The credit packs on sale (`[[billing.packs]]`).
    pub packs: Vec<CreditPack>,
}

impl BillingSettings {
    /// Whether billing is on: both Stripe secrets are set.
    #[must_use]
    pub const fn enabled(&self) -> bool {
        self.stripe.secret_key.is_some() && self.stripe.webhook_secret.is_some()
    }

    /// The pack with this id.
    #[must_use]
    pub fn pack(&self, id: &str) -> Option<&CreditPack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// Stripe's keys, then each pack in turn (the first wrong one is reported), ids appearing once.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        self.stripe.validate()?;
        let mut seen = HashSet::new();
        for pack in &self.packs {
            pack.validate()?;
            if !seen.insert(pack.id.as_str()) {
                return Err(invalid(
                    "billing.packs.id",
                    format!("`{}` appears twice", pack.id),
                ));
            }
        }
        Ok(())
    }
}

/// Stripe's credentials and API address.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StripeSettings {
    /// The secret API key (`sk_…` or a restricted `rk_…`).
    pub secret_key: Option<Secret<String>>,
    /// The signing secret of the webhook endpoint (`whsec_…`).
    pub webhook_secret: Option<Secret<String>>,
    /// The API's base URL (a fake server's in tests).
    pub base_url: String,
}

impl Default for StripeSettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            webhook_secret: None,
            base_url: "https://api.stripe.com".to_owned(),
        }
    }
}

impl StripeSettings {
    /// Secrets that fit in a header (non-empty, no spaces or control characters) and an http(s)
    /// base URL.
    fn validate(&self) -> Result<(), SettingsError> {
        for (key, secret) in [
            ("billing.stripe.secret_key", &self.secret_key),
            ("billing.stripe.webhook_secret", &self.webhook_secret),
        ] {
            if let Some(secret) = secret {
                let value = secret.expose();
                if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(invalid(
                        key,
                        "must be the key as Stripe shows it: not empty, no spaces",
                    ));
                }
            }
        }
        let url = Url::parse(&self.base_url)
            .map_err(|e| invalid("billing.stripe.base_url", format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid(
                "billing.stripe.base_url",
                "must be an http(s) URL such as `https://api.stripe.com`",
            ));
        }
        Ok(())
    }
}

/// One credit pack on sale.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CreditPack {
    /// Stable id, named in purchases and forms.
    pub id: String,
    /// The name shown on the page and on Stripe's checkout page.
    pub name: String,
    /// Credits the pack adds.
    pub credits: u32,
    /// The price in the currency's minor units (cents; yen for `jpy`).
    pub amount: u64,
    /// ISO 4217 code in lower case, as Stripe takes it (`usd`, `eur`, `jpy`).
    pub currency: String,
}

impl CreditPack {
    /// The price for display, such as `$4.99` or `¥500`.
    #[must_use]
    pub fn display_price(&self) -> String {
        format_price(self.amount, &self.currency)
    }

    /// An id of letters, digits and `-_` (at most 64), a name, credits and a price above zero,
    /// and a currency code of three lower-case letters.
    fn validate(&self) -> Result<(), SettingsError> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return Err(invalid(
                "billing.packs.id",
                format!("`{}` is not a pack id (letters, digits, - and _)", self.id),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(invalid(
                "billing.packs.name",
                format!("pack `{}` needs a name", self.id),
            ));
        }
        if self.credits == 0 {
            return Err(invalid(
                "billing.packs.credits",
                format!("pack `{}` must add at least 1 credit", self.id),
            ));
        }
        if self.amount == 0 {
            return Err(invalid(
                "billing.packs.amount",
                format!("pack `{}` must cost more than 0", self.id),
            ));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(invalid(
                "billing.packs.currency",
                format!(
                    "`{}` is not an ISO 4217 code in lower case (`usd`, `eur`, `jpy`)",
                    self.currency
                ),
            ));
        }
        Ok(())
    }
}

/// Currencies whose API amounts have no minor unit (Stripe's list of zero-decimal currencies).
const ZERO_DECIMAL: [&str; 16] = [
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Currencies whose API amounts have three decimals (Stripe's list of three-decimal currencies).
const THREE_DECIMAL: [&str; 5] = ["bhd", "jod", "kwd", "omr", "tnd"];

/// The decimals of `currency`'s amounts in Stripe's API: 0 for zero-decimal currencies, 3 for
/// three-decimal ones, else 2 (including ISK, HUF and TWD, which Stripe takes as two-decimal).
#[must_use]
pub fn currency_exponent(currency: &str) -> u32 {
    let currency = currency.to_ascii_lowercase();
    if ZERO_DECIMAL.contains(&currency.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&currency.as_str()) {
        3
    } else {
        2
    }
}

/// `amount` minor units of `currency` for display: `$4.99` (usd 499), `€10.00`, `£1.50`, `¥500`
/// (jpy 500), `¥35.00` (cny 3500), else the upper-case code before the number (`CHF 12.50`).
#[must_use]
pub fn format_price(amount: u64, currency: &str) -> String {
    let currency = currency.to_ascii_lowercase();
    let exponent = currency_exponent(&currency);
    let number = if exponent == 0 {
        amount.to_string()
    } else {
        let unit = 10u64.pow(exponent);
        format!(
            "{}.{:0width$}",
            amount / unit,
            amount % unit,
            width = usize::try_from(exponent).unwrap_or(2)
        )
    };
    match currency.as_str() {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        "jpy" | "cny" => format!("¥{number}"),
        other => format!("{} {number}", other.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{RawSettings, Settings};

    fn pack(id: &str) -> CreditPack {
        CreditPack {
            id: id.into(),
            name: "Starter".into(),
            credits: 100,
            amount: 499,
            currency: "usd".into(),
        }
    }

    fn both_secrets() -> StripeSettings {
        StripeSettings {
            secret_key: Some(Secret::new("sk_test_123".into())),
            webhook_secret: Some(Secret::new("whsec_abc".into())),
            ..StripeSettings::default()
        }
    }

    #[test]
    fn g7_billing_is_off_until_both_secrets_are_set() {
        let s = Settings::defaults().unwrap();
        assert!(!s.billing.enabled());
        assert_eq!(s.billing.stripe.base_url, "https://api.stripe.com");
        assert!(s.billing.packs.is_empty());
        let mut billing = BillingSettings {
            stripe: both_secrets(),
            packs: vec![pack("starter")],
        };
        assert!(billing.enabled());
        assert_eq!(billing.pack("starter").unwrap().credits, 100);
        assert!(billing.pack("other").is_none());
        billing.stripe.webhook_secret = None;
        assert!(!billing.enabled());
        billing.stripe.webhook_secret = Some(Secret::new("whsec_abc".into()));
        billing.stripe.secret_key = None;
        assert!(!billing.enabled());
    }

    #[test]
    fn g7_packs_are_checked_naming_the_key() {
        let check = |p: CreditPack| {
            BillingSettings {
                packs: vec![p],
                ..BillingSettings::default()
            }
            .validate()
            .map_err(|e| e.key)
        };
        assert_eq!(check(pack("starter")), Ok(()));
        assert_eq!(check(pack("")), Err("billing.packs.id"));
        assert_eq!(check(pack("a b")), Err("billing.packs.id"));
        let mut p = pack("p");
        p.credits = 0;
        assert_eq!(check(p), Err("billing.packs.credits"));
        let mut p = pack("p");
        p.amount = 0;
        assert_eq!(check(p), Err("billing.packs.amount"));
        let mut p = pack("p");
        p.name = " ".into();
        assert_eq!(check(p), Err("billing.packs.name"));
        for bad in ["USD", "us", "usdd", "u5d", "€ur"] {
            let mut p = pack("p");
            p.currency = bad.into();
            assert_eq!(check(p), Err("billing.packs.currency"), "{bad}");
        }
        let twice = BillingSettings {
            packs: vec![pack("a"), pack("a")],
            ..BillingSettings::default()
        };
        let err = twice.validate().unwrap_err();
        assert_eq!(err.key, "billing.packs.id");
        assert!(err.message.contains("twice"), "{}", err.message);
    }

    #[test]
    fn s1_stripe_keys_and_base_url_are_checked_and_resolve_reports_them() {
        let raw = RawSettings {
            billing: BillingSettings {
                stripe: StripeSettings {
                    base_url: "ftp://api.stripe.com".into(),
                    ..StripeSettings::default()
                },
                ..BillingSettings::default()
            },
            ..RawSettings::default()
        };
        assert_eq!(
            Settings::resolve(raw).unwrap_err().key,
            "billing.stripe.base_url"
        );
        let mut stripe = both_secrets();
        stripe.base_url = "not a url".into();
        assert_eq!(
            stripe.validate().unwrap_err().key,
            "billing.stripe.base_url"
        );
        let mut stripe = both_secrets();
        stripe.secret_key = Some(Secret::new("sk_test 123\n".into()));
        assert_eq!(
            stripe.validate().unwrap_err().key,
            "billing.stripe.secret_key"
        );
        let mut stripe = both_secrets();
        stripe.webhook_secret = Some(Secret::new(String::new()));
        assert_eq!(
            stripe.validate().unwrap_err().key,
            "billing.stripe.webhook_secret"
        );
        assert!(both_secrets().validate().is_ok());
    }

    #[test]
    fn s1_stripe_secrets_never_show_in_debug() {
        let raw = RawSettings {
            billing: BillingSettings {
                stripe: StripeSettings {
                    secret_key: Some(Secret::new("sk_live_topsecret".into())),
                    webhook_secret: Some(Secret::new("whsec_topsecret".into())),
                    ..StripeSettings::default()
                },
                packs: vec![pack("starter")],
            },
            ..RawSettings::default()
        };
        let s = Settings::resolve(raw).unwrap();
        assert!(s.billing.enabled());
        assert!(!format!("{s:?}").contains("topsecret"));
    }

    #[test]
    fn g7_prices_show_the_currency_exponent_and_symbol() {
        assert_eq!(format_price(499, "usd"), "$4.99");
        assert_eq!(format_price(5, "usd"), "$0.05");
        assert_eq!(format_price(1000, "eur"), "€10.00");
        assert_eq!(format_price(150, "gbp"), "£1.50");
        assert_eq!(format_price(500, "jpy"), "¥500");
        assert_eq!(format_price(3500, "cny"), "¥35.00");
        assert_eq!(format_price(10_000, "krw"), "KRW 10000");
        assert_eq!(format_price(1250, "chf"), "CHF 12.50");
        assert_eq!(format_price(12_345, "kwd"), "KWD 12.345");
        assert_eq!(format_price(1000, "isk"), "ISK 10.00");
        assert_eq!(currency_exponent("JPY"), 0);
        assert_eq!(currency_exponent("vnd"), 0);
        assert_eq!(currency_exponent("clp"), 0);
        assert_eq!(currency_exponent("usd"), 2);
        assert_eq!(pack("p").display_price(), "$4.99");
    }
}
