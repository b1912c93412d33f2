//! Rows of accounts: users, one-time codes, sessions, personal access tokens, IP events, the mail
//! outbox and rate-limit counters, one module each. Rules (expiry, attempts, what counts as a new
//! network) live in `atelier-app`; these modules read and write rows, each change that must not
//! race in one statement.

mod challenges;
mod ip_events;
mod outbox;
mod rate_limits;
mod sessions;
mod tokens;
mod users;

pub use challenges::{ChallengePurpose, ChallengeRow};
pub use ip_events::IpEventRow;
pub use outbox::OutboxRow;
pub use sessions::SessionRow;
pub use tokens::AccessTokenRow;
pub use users::UserRow;
