//! Loading settings: defaults, then `atelier.toml` (or `--config`), then `ATELIER_*` variables with
//! `__` between nested keys (CONTRACT.md). A wrong value stops start-up with a message naming the
//! key.

use anyhow::{Context as _, bail};
use atelier_core::Settings;
use atelier_core::settings::RawSettings;
use figment::Figment;
use figment::providers::{Env, Format as _, Toml};
use std::path::Path;

/// The settings file read when no `--config` is given, if it exists.
const DEFAULT_FILE: &str = "atelier.toml";

/// Variables with the prefix that are not settings (test harness, the config path itself).
fn is_setting(key: &str) -> bool {
    !(key.starts_with("test_") || key == "config")
}

/// Reads the settings from the file and the environment.
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Settings> {
    let mut figment = Figment::new();
    match explicit {
        Some(path) => {
            if !path.is_file() {
                bail!("settings file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        None if Path::new(DEFAULT_FILE).is_file() => {
            figment = figment.merge(Toml::file_exact(DEFAULT_FILE))
        }
        None => {}
    }
    let figment = figment.merge(
        Env::prefixed("ATELIER_")
            .filter(|key| is_setting(&key.as_str().to_ascii_lowercase()))
            .split("__"),
    );
    let raw: RawSettings = figment.extract().map_err(describe)?;
    Settings::resolve(raw).context("the settings cannot be used")
}

/// Turns figment's errors into one message per problem, each naming its key and its source.
fn describe(err: figment::Error) -> anyhow::Error {
    let messages: Vec<String> = err
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("`{}`: ", e.path.join("."))
            };
            let source = e
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            format!("invalid setting {key}{}{source}", e.kind)
        })
        .collect();
    anyhow::anyhow!(messages.join("; "))
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its own large error type.
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_need_no_file() {
        Jail::expect_with(|_jail| {
            let s = load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_with_double_underscore_nesting() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "atelier.toml",
                "bind = \"0.0.0.0:9000\"\n[retention]\nip_event_days = 30\nassistant_log_days = 10\n",
            )?;
            jail.set_env("ATELIER_RETENTION__ASSISTANT_LOG_DAYS", "0");
            jail.set_env("ATELIER_PUBLIC_URL", "https://art.example.com");
            jail.set_env("ATELIER_TEST_DATABASE_URL", "postgres://ignored");
            let s = load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
            assert_eq!(s.retention.ip_event_days, 30);
            assert_eq!(
                s.retention.assistant_log_days, 0,
                "the environment wins over the file"
            );
            assert!(s.is_https());
            Ok(())
        });
    }

    #[test]
    fn explicit_config_path_must_exist() {
        Jail::expect_with(|jail| {
            jail.create_file("other.toml", "data_dir = \"/srv/atelier\"\n")?;
            let s = load(Some(Path::new("other.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.data_dir, Path::new("/srv/atelier"));
            let err = load(Some(Path::new("missing.toml")))
                .unwrap_err()
                .to_string();
            assert!(err.contains("missing.toml"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn wrong_values_stop_startup_naming_the_key() {
        Jail::expect_with(|jail| {
            jail.set_env("ATELIER_RETENTION__IP_EVENT_DAYS", "forever");
            let err = format!("{:#}", load(None).unwrap_err());
            assert!(err.contains("retention.ip_event_days"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ATELIER_RETENTION__ACCOUNT_DELETION_GRACE_DAYS", "45");
            let err = format!("{:#}", load(None).unwrap_err());
            assert!(
                err.contains("retention.account_deletion_grace_days"),
                "{err}"
            );
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.create_file("atelier.toml", "bnid = \"0.0.0.0:1\"\n")?;
            let err = format!("{:#}", load(None).unwrap_err());
            assert!(err.contains("bnid"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn g7_billing_comes_from_the_file_and_its_secrets_from_the_environment() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "atelier.toml",
                "[[billing.packs]]\nid = \"starter\"\nname = \"Starter\"\ncredits = 100\namount = 499\ncurrency = \"usd\"\n\
                 [[billing.packs]]\nid = \"yen\"\nname = \"Yen pack\"\ncredits = 120\namount = 500\ncurrency = \"jpy\"\n",
            )?;
            let s = load(None).map_err(|e| e.to_string())?;
            assert!(!s.billing.enabled(), "off until both secrets are set");
            assert_eq!(s.billing.stripe.base_url, "https://api.stripe.com");
            jail.set_env("ATELIER_BILLING__STRIPE__SECRET_KEY", "sk_test_fromenv");
            jail.set_env("ATELIER_BILLING__STRIPE__WEBHOOK_SECRET", "whsec_fromenv");
            let s = load(None).map_err(|e| e.to_string())?;
            assert!(s.billing.enabled());
            let prices: Vec<String> = s.billing.packs.iter().map(|p| p.display_price()).collect();
            assert_eq!(prices, ["$4.99", "¥500"]);
            assert!(!format!("{s:?}").contains("fromenv"));
            jail.set_env("ATELIER_BILLING__STRIPE__BASE_URL", "mailto:x@example.com");
            let err = format!("{:#}", load(None).unwrap_err());
            assert!(err.contains("billing.stripe.base_url"), "{err}");
            Ok(())
        });
    }
}
