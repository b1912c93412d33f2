//! The sections about people and what is kept of them: accounts and sessions (`[accounts]`),
//! request rate limits (`[rate_limits]`), the privacy policy's retention periods (`[retention]`)
//! and who runs the instance (`[operator]`).

use super::{SettingsError, invalid};
use serde::Deserialize;

/// The longest grace period allowed before a requested account deletion runs: the policy promises
/// deletion within 30 days (D3), so the grace period must end before that.
pub const MAX_ACCOUNT_DELETION_GRACE_DAYS: u32 = 29;

/// Accounts and sessions.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Minutes a session lives without being used.
    pub session_idle_minutes: u32,
    /// Days a session lives at most, however often it is used.
    pub session_absolute_days: u32,
    /// Whether new accounts start opted in to marketing mail (the operator's choice).
    pub marketing_opt_in_default: bool,
    /// Whether a deleted account leaves a salted hash of its address, so that the same address
    /// can be refused when it was deleted for abuse (R5; off by default: nothing is kept).
    pub keep_deleted_email_hash: bool,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 7 * 24 * 60,
            session_absolute_days: 30,
            marketing_opt_in_default: false,
            keep_deleted_email_hash: false,
        }
    }
}

impl AccountSettings {
    /// Neither session lifetime may be 0: a session would end as it begins.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.session_idle_minutes == 0 {
            return Err(invalid(
                "accounts.session_idle_minutes",
                "must be at least 1",
            ));
        }
        if self.session_absolute_days == 0 {
            return Err(invalid(
                "accounts.session_absolute_days",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Request rate limits; each counts in a fixed window.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Sign-in mails to one address per hour.
    pub sign_in_mail_per_address_per_hour: u32,
    /// Sign-in mails asked for from one IP address per hour.
    pub sign_in_mail_per_ip_per_hour: u32,
    /// Code or link verifications from one IP address per hour.
    pub verify_per_ip_per_hour: u32,
    /// Requests of any kind from one IP address per minute, counted on each node.
    pub requests_per_ip_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            sign_in_mail_per_address_per_hour: 5,
            sign_in_mail_per_ip_per_hour: 20,
            verify_per_ip_per_hour: 30,
            requests_per_ip_per_minute: 1200,
        }
    }
}

impl RateLimitSettings {
    /// Every limit lets at least one request through: 0 would lock everyone out.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            (
                "rate_limits.sign_in_mail_per_address_per_hour",
                self.sign_in_mail_per_address_per_hour,
            ),
            (
                "rate_limits.sign_in_mail_per_ip_per_hour",
                self.sign_in_mail_per_ip_per_hour,
            ),
            (
                "rate_limits.verify_per_ip_per_hour",
                self.verify_per_ip_per_hour,
            ),
            (
                "rate_limits.requests_per_ip_per_minute",
                self.requests_per_ip_per_minute,
            ),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// Retention periods in days; 0 means "older than now" (everything due at once).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// AI assistant call logs (C9, R4).
    pub assistant_log_days: u32,
    /// IP events (C2).
    pub ip_event_days: u32,
    /// Grace period before a requested account deletion runs (D3); below 30.
    pub account_deletion_grace_days: u32,
    /// Technical log files under `log.dir` (R6).
    pub log_days: u32,
    /// A takedown requester's address, after the request was answered (C7).
    pub takedown_contact_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            assistant_log_days: 90,
            ip_event_days: 180,
            account_deletion_grace_days: 7,
            log_days: 14,
            takedown_contact_days: 30,
        }
    }
}

impl RetentionSettings {
    /// The deletion grace period ends before the policy's 30 days (D3); every other period may be
    /// anything from 0 up.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.account_deletion_grace_days > MAX_ACCOUNT_DELETION_GRACE_DAYS {
            return Err(invalid(
                "retention.account_deletion_grace_days",
                format!(
                    "must stay below 30 days (the policy promises deletion within 30 days), got {}",
                    self.account_deletion_grace_days
                ),
            ));
        }
        Ok(())
    }
}

/// Who runs the instance, as the privacy page names them (P1). Any text will do, so there is
/// nothing to validate.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OperatorSettings {
    /// The operator's name.
    pub name: String,
    /// Where people write about their data (deletion by mail, questions); the mail sender's
    /// address when unset.
    pub contact_email: Option<String>,
    /// A postal address, when the operator publishes one.
    pub address: Option<String>,
}

impl Default for OperatorSettings {
    fn default() -> Self {
        Self {
            name: "The operator of this Atelier instance".to_owned(),
            contact_email: None,
            address: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{RawSettings, Settings};

    #[test]
    fn d3_grace_period_of_30_days_is_refused() {
        let mut raw = RawSettings::default();
        raw.retention.account_deletion_grace_days = 30;
        let err = Settings::resolve(raw).unwrap_err();
        assert_eq!(err.key, "retention.account_deletion_grace_days");
        let mut raw = RawSettings::default();
        raw.retention.account_deletion_grace_days = 29;
        assert!(Settings::resolve(raw).is_ok());
    }

    #[test]
    fn zero_sessions_and_limits_name_their_key() {
        let accounts = AccountSettings {
            session_absolute_days: 0,
            ..AccountSettings::default()
        };
        assert_eq!(
            accounts.validate().unwrap_err().key,
            "accounts.session_absolute_days"
        );
        let limits = RateLimitSettings {
            verify_per_ip_per_hour: 0,
            ..RateLimitSettings::default()
        };
        assert_eq!(
            limits.validate().unwrap_err().key,
            "rate_limits.verify_per_ip_per_hour"
        );
        assert!(RetentionSettings::default().validate().is_ok());
    }
}
