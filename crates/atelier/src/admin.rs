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
            app.audit("cli", "role.granted", Some(&user.id), role.as_str())
                .await?;
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
            app.audit(
                "cli",
                "credits.adjusted",
                Some(&user.id),
                &format!("{amount:+}"),
            )
            .await?;
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
    let app = open(settings).await?;
    for (job, removed) in app.run_all_retention().await? {
        say(&format!("{}: {removed} removed", job.describe(&app)));
    }
    Ok(())
}

/// `atelier admin delete EMAIL`: enters a deletion request that came by mail (D3); the account
/// is deleted after the grace period, like one requested in the app.
pub async fn delete(settings: Settings, email: &str) -> anyhow::Result<()> {
    let app = open(settings).await?;
    let (email, request) = app
        .request_account_deletion_by_email(email, "cli")
        .await
        .map_err(|e| match e {
            AppError::NotFound => anyhow::anyhow!("no account uses that address"),
            e => e.into(),
        })?;
    say(&format!(
        "deletion of {} requested; it will be carried out at {} (the user was told by mail and may withdraw it until then)",
        email,
        atelier_core::time::rfc3339(request.due_at)
    ));
    Ok(())
}

/// `atelier admin takedown TARGET [--author] --reason TEXT`: removes a gallery item (or all of its
/// author's) at its creator's request (C7), as the console does.
pub async fn takedown(
    settings: Settings,
    target: &str,
    author: bool,
    reason: &str,
) -> anyhow::Result<()> {
    let app = open(settings).await?;
    let outcome = app
        .take_down(
            "cli",
            atelier_app::admin::TakedownTarget::parse(target),
            author,
            reason,
        )
        .await
        .map_err(|e| match e {
            AppError::NotFound => anyhow::anyhow!("no gallery item has that id or source URL"),
            e => e.into(),
        })?;
    say(&format!(
        "{} item(s) taken down: {}",
        outcome.removed.len(),
        outcome.removed.join(", ")
    ));
    if let Some((source, handle)) = outcome.author {
        say(&format!(
            "later posts of {handle} on {source} will not be imported"
        ));
    }
    Ok(())
}

/// `atelier admin deletions`: the pending deletion requests with their 30-day deadline.
pub async fn deletions(settings: Settings) -> anyhow::Result<()> {
    let app = open(settings).await?;
    let pending = app.pending_deletions().await?;
    if pending.is_empty() {
        say("no pending deletion requests");
    }
    for d in pending {
        let deadline = d.requested_at
            + atelier_app::privacy::deletion::DELETION_DEADLINE_DAYS * atelier_core::clock::DAY_MS;
        say(&format!(
            "{}  requested {} by {}  due {}  deadline {}",
            d.user_id,
            atelier_core::time::rfc3339(d.requested_at),
            d.source,
            atelier_core::time::rfc3339(d.due_at),
            atelier_core::time::rfc3339(deadline)
        ));
    }
    Ok(())
}

/// `atelier admin policy-notice`: tells every account by mail that the privacy policy changed
/// (P1; service mail).
pub async fn policy_notice(settings: Settings) -> anyhow::Result<()> {
    let app = open(settings).await?;
    let queued = app.announce_policy_change().await?;
    app.audit(
        "cli",
        "policy.announced",
        None,
        &atelier_app::privacy::POLICY_VERSION.to_string(),
    )
    .await?;
    say(&format!(
        "{queued} message(s) queued: privacy policy version {} of {}",
        atelier_app::privacy::POLICY_VERSION,
        atelier_app::privacy::POLICY_EFFECTIVE
    ));
    Ok(())
}

/// `atelier admin announce --title T --body-file F`: marketing mail to users who opted in, each
/// with a one-click unsubscribe (C1, D7).
pub async fn announce(
    settings: Settings,
    title: &str,
    body_file: &std::path::Path,
) -> anyhow::Result<()> {
    let body = std::fs::read_to_string(body_file)
        .with_context(|| format!("cannot read {}", body_file.display()))?;
    let app = open(settings).await?;
    let done = app.announce(title, &body).await?;
    say(&format!(
        "{} message(s) queued to users who opted in to news",
        done.queued
    ));
    Ok(())
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}
