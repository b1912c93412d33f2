//! Rate limits kept in the database, so that every node counts the same hits: sign-in mail per
//! address and per IP, verification attempts per IP. Keys never hold an address in clear.

use crate::{App, AppError};
use atelier_core::clock::HOUR_MS;
use std::net::IpAddr;

/// A limited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    /// Sign-in (or email-change) mail to one address.
    MailPerAddress,
    /// Sign-in mail asked for from one IP address.
    MailPerIp,
    /// Code or link verification from one IP address.
    VerifyPerIp,
    /// Data exports (D4) started by one user, downloads and background requests together.
    Export,
    /// Takedown requests (C7) filed from one IP address.
    TakedownPerIp,
}

impl RateLimit {
    /// The limits counted per address or per user (not per IP): an account's deletion removes
    /// their counters (R5).
    pub const PER_PERSON: [Self; 2] = [Self::MailPerAddress, Self::Export];

    const fn prefix(self) -> &'static str {
        match self {
            Self::MailPerAddress => "mail_addr",
            Self::MailPerIp => "mail_ip",
            Self::VerifyPerIp => "verify_ip",
            Self::Export => "export",
            Self::TakedownPerIp => "takedown_ip",
        }
    }

    /// The counter's key for `subject`: the prefix and a hash, never the subject in clear.
    #[must_use]
    pub fn key(self, subject: &str) -> String {
        format!("{}:{}", self.prefix(), super::secrets::hash_token(subject))
    }
}

impl App {
    /// Counts one hit of `limit` for `subject` (an address or an IP); refuses past the limit.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] with the seconds until the window ends.
    pub async fn hit_limit(&self, limit: RateLimit, subject: &str) -> Result<(), AppError> {
        let settings = &self.settings().rate_limits;
        let max = match limit {
            RateLimit::MailPerAddress => settings.sign_in_mail_per_address_per_hour,
            RateLimit::MailPerIp => settings.sign_in_mail_per_ip_per_hour,
            RateLimit::VerifyPerIp => settings.verify_per_ip_per_hour,
            RateLimit::Export => crate::export::EXPORT_LIMIT_PER_HOUR,
            RateLimit::TakedownPerIp => crate::admin::TAKEDOWN_REQUESTS_PER_IP_PER_HOUR,
        };
        let key = limit.key(subject);
        let now = self.now_ms();
        let window = now - now.rem_euclid(HOUR_MS);
        let hits = self.store().hit_rate_limit(&key, window).await?;
        if hits > i64::from(max) {
            let left_ms = (window + HOUR_MS - now).max(1000);
            return Err(AppError::RateLimited {
                retry_after_secs: u64::try_from((left_ms + 999) / 1000).unwrap_or(3600),
            });
        }
        Ok(())
    }

    /// [`App::hit_limit`] for an IP address.
    ///
    /// # Errors
    /// As [`App::hit_limit`].
    pub async fn hit_ip_limit(&self, limit: RateLimit, ip: IpAddr) -> Result<(), AppError> {
        self.hit_limit(limit, &ip.to_string()).await
    }
}
