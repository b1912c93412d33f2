//! Sign-in by email: a 6-digit code and a magic link in one mail, both single-use and valid
//! [`CODE_TTL_MINUTES`]; the account is created on first use. The answer to "send me a code" is the
//! same whether or not the account exists, and both paths do the same work.

use super::secrets::{hash_code, hash_token, new_access_token, new_token, same};
use super::{
    CODE_TTL_MINUTES, Client, MAX_CODE_ATTEMPTS, RateLimit, User, agent::browser_label,
    normalize_language,
};
use crate::mail::NewMail;
use crate::{App, AppError};
use atelier_core::clock::{DAY_MS, MINUTE_MS};
use atelier_core::id::new_id;
use atelier_core::{Email, Role, net, random_digits};
use atelier_db::DbError;
use atelier_db::accounts::{
    AccessTokenRow, ChallengePurpose, ChallengeRow, IpEventRow, SessionRow, UserRow,
};
use atelier_mail::MailKind;
use serde_json::json;

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account (new or existing).
    pub user: User,
    /// Whether the account was created by this sign-in.
    pub created: bool,
    /// The new session's token, for the cookie (shown nowhere else).
    pub session_token: String,
    /// When the session ends at the latest.
    pub session_expires_at: i64,
    /// A personal access token, when one was asked for (the JSON API returns one).
    pub access_token: Option<String>,
}

/// What following a magic link leads to.
#[derive(Debug, Clone)]
pub enum LinkOutcome {
    /// Signed in.
    SignedIn(Box<SignedIn>),
    /// The link was opened in another browser than the one that asked: confirm first.
    Confirm {
        /// The address, mostly hidden.
        email_masked: String,
    },
    /// Unknown, used or expired.
    Invalid,
}

/// The one error for a wrong, used, expired or voided code, so nothing can be told apart.
pub(crate) fn invalid_code() -> AppError {
    AppError::invalid(
        crate::Refusal::InvalidCode,
        "That code is wrong or has expired. Check the latest mail or ask for a new code.",
    )
}

impl App {
    /// Sends a sign-in mail with a code and a link (`POST /api/v1/auth/email`). `browser_nonce`
    /// is the random value of the asking browser's login cookie: the link signs in at once only
    /// there.
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_email` for a malformed address, [`AppError::RateLimited`].
    pub async fn request_sign_in(
        &self,
        email: &str,
        language: &str,
        client: &Client,
        browser_nonce: Option<&str>,
    ) -> Result<(), AppError> {
        let email = parse_email(email)?;
        self.hit_ip_limit(RateLimit::MailPerIp, client.ip).await?;
        self.hit_limit(RateLimit::MailPerAddress, email.as_str())
            .await?;
        let existing = self.store().user_by_email(email.as_str()).await?;
        if existing.is_none() && self.email_blocked(email.as_str()).await? {
            // An address deleted for abuse (R5, when the operator keeps hashes): the same answer
            // as always, and no mail.
            tracing::info!("sign-in refused for a blocked address");
            return Ok(());
        }
        let language = existing
            .as_ref()
            .map(|u| u.language.clone())
            .or_else(|| normalize_language(language).map(str::to_owned))
            .unwrap_or_else(|| "en".to_owned());
        let now = self.now_ms();
        let expires_at = now + CODE_TTL_MINUTES * MINUTE_MS;
        let id = new_id();
        let code = random_digits(6);
        let link_token = new_token();
        let challenge = ChallengeRow {
            code_hash: hash_code(&id, &code),
            id,
            email: email.as_str().to_owned(),
            user_id: None,
            link_hash: Some(hash_token(&link_token)),
            browser_hash: browser_nonce.map(hash_token),
            language: language.clone(),
            attempts: 0,
            created_at: now,
            expires_at,
        };
        self.store()
            .replace_challenge(ChallengePurpose::SignIn, &challenge)
            .await?;
        let link = format!(
            "{}/login/link?token={link_token}",
            self.settings().public_url.as_str().trim_end_matches('/')
        );
        self.queue_mail(NewMail {
            kind: MailKind::SignInCode,
            to: email.as_str(),
            language: &language,
            vars: json!({ "code": code, "link": link, "minutes": CODE_TTL_MINUTES }),
            user_id: existing.as_ref().map(|u| u.id.as_str()),
            expires_at: Some(expires_at),
        })
        .await?;
        Ok(())
    }

    /// Signs in with the code from the mail (`POST /api/v1/auth/verify`), creating the account on
    /// first use. A code is void after [`MAX_CODE_ATTEMPTS`] wrong tries.
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_code` for anything but the latest live code of the address,
    /// [`AppError::RateLimited`].
    pub async fn verify_sign_in_code(
        &self,
        email: &str,
        code: &str,
        client: &Client,
        want_access_token: bool,
    ) -> Result<SignedIn, AppError> {
        self.hit_ip_limit(RateLimit::VerifyPerIp, client.ip).await?;
        let email = Email::parse(email).map_err(|_| invalid_code())?;
        let challenge = self
            .store()
            .sign_in_challenge(email.as_str())
            .await?
            .ok_or_else(invalid_code)?;
        self.check_code(&challenge, code).await?;
        if !self.store().consume_challenge(&challenge.id).await? {
            return Err(invalid_code());
        }
        self.complete_sign_in(&email, &challenge.language, client, want_access_token)
            .await
    }

    /// Checks a code against a live challenge, counting a wrong one and voiding the challenge at
    /// the last allowed try.
    pub(crate) async fn check_code(
        &self,
        challenge: &ChallengeRow,
        code: &str,
    ) -> Result<(), AppError> {
        if challenge.expires_at <= self.now_ms() || challenge.attempts >= MAX_CODE_ATTEMPTS {
            self.store().consume_challenge(&challenge.id).await?;
            return Err(invalid_code());
        }
        let code = code.trim();
        let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if !well_formed || !same(&hash_code(&challenge.id, code), &challenge.code_hash) {
            let attempts = self.store().count_challenge_failure(&challenge.id).await?;
            if attempts >= MAX_CODE_ATTEMPTS {
                self.store().consume_challenge(&challenge.id).await?;
            }
            return Err(invalid_code());
        }
        Ok(())
    }

    /// Follows a magic link. In the browser that asked for it, it signs in at once; elsewhere it
    /// asks for confirmation first (`confirmed` is the answer).
    ///
    /// # Errors
    /// [`AppError::RateLimited`], or a database failure.
    pub async fn sign_in_with_link(
        &self,
        token: &str,
        browser_nonce: Option<&str>,
        confirmed: bool,
        client: &Client,
    ) -> Result<LinkOutcome, AppError> {
        self.hit_ip_limit(RateLimit::VerifyPerIp, client.ip).await?;
        if token.is_empty() || token.len() > 128 {
            return Ok(LinkOutcome::Invalid);
        }
        let Some(challenge) = self.store().challenge_by_link(&hash_token(token)).await? else {
            return Ok(LinkOutcome::Invalid);
        };
        if challenge.expires_at <= self.now_ms() || challenge.attempts >= MAX_CODE_ATTEMPTS {
            self.store().consume_challenge(&challenge.id).await?;
            return Ok(LinkOutcome::Invalid);
        }
        let same_browser = match (&challenge.browser_hash, browser_nonce) {
            (Some(expected), Some(nonce)) => same(expected, &hash_token(nonce)),
            _ => false,
        };
        let email = Email::from_trusted(challenge.email.clone());
        if !same_browser && !confirmed {
            return Ok(LinkOutcome::Confirm {
                email_masked: email.masked(),
            });
        }
        if !self.store().consume_challenge(&challenge.id).await? {
            return Ok(LinkOutcome::Invalid);
        }
        let signed_in = self
            .complete_sign_in(&email, &challenge.language, client, false)
            .await?;
        Ok(LinkOutcome::SignedIn(Box::new(signed_in)))
    }

    /// Finds or creates the account, records the IP event, alerts on a new network, and opens a
    /// fresh session (a new token at every sign-in).
    async fn complete_sign_in(
        &self,
        email: &Email,
        language: &str,
        client: &Client,
        want_access_token: bool,
    ) -> Result<SignedIn, AppError> {
        let now = self.now_ms();
        let store = self.store();
        let (user, created) = match store.user_by_email(email.as_str()).await? {
            Some(row) => (User::from(row), false),
            None => {
                let row = UserRow {
                    id: new_id(),
                    email: email.as_str().to_owned(),
                    display_name: None,
                    language: normalize_language(language).unwrap_or("en").to_owned(),
                    roles: Role::join(&[Role::User]),
                    marketing_opt_in: self.settings().accounts.marketing_opt_in_default,
                    created_at: now,
                    policy_version_seen: 0,
                };
                match store.insert_user(&row).await {
                    Ok(()) => (User::from(row), true),
                    // Created by a concurrent sign-in of the same address.
                    Err(DbError::Conflict) => (
                        User::from(
                            store
                                .user_by_email(email.as_str())
                                .await?
                                .ok_or(AppError::NotFound)?,
                        ),
                        false,
                    ),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let network = net::network_of(client.ip).to_string();
        if created {
            self.grant_signup_credits(&user.id).await?;
            if user.marketing_opt_in {
                // The operator's default opted the account in: on record, like any consent.
                self.record_consent(&user.id, "marketing", "opt_in", "signup_default")
                    .await?;
            }
            self.record_ip_event(Some(&user.id), "signup", client)
                .await?;
        } else {
            let (seen_any, seen_network) = store.ip_history(&user.id, &network).await?;
            if seen_any && !seen_network {
                self.queue_mail(NewMail {
                    kind: MailKind::SecurityAlert,
                    to: &user.email,
                    language: &user.language,
                    vars: json!({
                        "when": format!("{} UTC", atelier_core::time::rfc3339(now).replace('T', " ").trim_end_matches('Z')),
                        "network": network,
                        "browser": browser_label(client.user_agent.as_deref()),
                        "settings_url": format!("{}/settings", self.settings().public_url.as_str().trim_end_matches('/')),
                    }),
                    user_id: Some(&user.id),
                    expires_at: None,
                })
                .await?;
            }
        }
        self.record_ip_event(Some(&user.id), "sign_in", client)
            .await?;

        let session_token = new_token();
        let session_expires_at =
            now + i64::from(self.settings().accounts.session_absolute_days) * DAY_MS;
        store
            .insert_session(&SessionRow {
                id: new_id(),
                token_hash: hash_token(&session_token),
                user_id: user.id.clone(),
                label: browser_label(client.user_agent.as_deref()),
                created_at: now,
                last_seen_at: now,
                expires_at: session_expires_at,
                ip_logged_at: now,
            })
            .await?;
        let access_token = if want_access_token {
            let token = new_access_token();
            store
                .insert_access_token(&AccessTokenRow {
                    id: new_id(),
                    token_hash: hash_token(&token),
                    user_id: user.id.clone(),
                    name: "Sign-in token".to_owned(),
                    created_at: now,
                    last_used_at: None,
                    expires_at: Some(session_expires_at),
                })
                .await?;
            Some(token)
        } else {
            None
        };
        Ok(SignedIn {
            user,
            created,
            session_token,
            session_expires_at,
            access_token,
        })
    }

    /// Writes an IP event (C2).
    pub(crate) async fn record_ip_event(
        &self,
        user_id: Option<&str>,
        kind: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let ip = net::canonical(client.ip);
        self.store()
            .insert_ip_event(&IpEventRow {
                id: new_id(),
                user_id: user_id.map(str::to_owned),
                kind: kind.to_owned(),
                ip: ip.to_string(),
                network: net::network_of(ip).to_string(),
                created_at: self.now_ms(),
            })
            .await?;
        Ok(())
    }
}

/// Parses an address typed by a user.
pub(crate) fn parse_email(input: &str) -> Result<Email, AppError> {
    Email::parse(input)
        .map_err(|e| AppError::invalid(crate::Refusal::InvalidEmail, capitalize(&e.to_string())))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        format!("{}{}.", c.to_uppercase(), chars.as_str())
    })
}
