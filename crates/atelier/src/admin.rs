//! `atelier admin …` and `atelier purge`: operator commands that run one use case and print what
//! it did.

use anyhow::{Context as _, bail};
use atelier_app::{App, AppError};
use atelier_core::{Role, Settings, SystemClock};
use std::sync::Arc;

async fn open(settings: Settings) -> anyhow::Result<App> {
    App::open(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database and storage")
}

/// `atelier admin grant EMAIL ROLE`.
pub async fn grant(settings: Settings, email: &str, role: &str) -> anyhow::Result<()> {
    let role = match Role::parse(role) {
        Some(r @ (Role::Admin | Role::Support)) => r,
        _ => bail!("the role must be `admin` or `support`, not `{role}`"),
    };
    let app = open(settings).await?;
    match app.grant_role(email, role).await {
        Ok(user) => {
            let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
            say(&format!(
                "{} now has the roles: {}",
                user.email,
                roles.join(", ")
            ));
            Ok(())
        }
        Err(AppError::NotFound) => {
            bail!("no account uses that address (the user signs in once to create it)")
        }
        Err(e) => Err(e.into()),
    }
}

/// `atelier admin credits EMAIL N --reason TEXT`.
pub async fn credits(
    settings: Settings,
    email: &str,
    amount: i64,
    reason: &str,
) -> anyhow::Result<()> {
    let app = open(settings).await?;
    match app.adjust_credits(email, amount, reason).await {
        Ok((user, balance)) => {
            say(&format!(
                "{}: {amount:+} credits, balance now {balance}",
                user.email
            ));
            Ok(())
        }
        Err(AppError::NotFound) => {
            bail!("no account uses that address (the user signs in once to create it)")
        }
        Err(AppError::InsufficientCredits { balance, .. }) => {
            bail!("the balance is {balance}; it cannot go below zero")
        }
        Err(e) => Err(e.into()),
    }
}

/// `atelier purge`: runs every retention job once and prints what it removed.
pub async fn purge(settings: Settings) -> anyhow::Result<()> {
    let days = settings.retention.ip_event_days;
    let app = open(settings).await?;
    let ip_events = app.purge_ip_events().await?;
    let rows = app.purge_expired_account_rows().await?;
    let orphans = app.sweep_orphan_blobs().await?;
    say(&format!(
        "IP events older than {days} days: {ip_events} removed"
    ));
    say(&format!(
        "expired sign-in codes: {} removed",
        rows.challenges
    ));
    say(&format!("expired sessions: {} removed", rows.sessions));
    say(&format!(
        "expired access tokens: {} removed",
        rows.access_tokens
    ));
    say(&format!(
        "old rate-limit counters: {} removed",
        rows.rate_limits
    ));
    say(&format!("undeliverable mail: {} removed", rows.outbox));
    say(&format!("orphan blobs: {orphans} removed"));
    Ok(())
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}
