//! The operator's console (issue 19: G8, SEC2, D3): what staff may see and do, as use cases.
//!
//! Roles gate everything here, in one place: [`App::staff`] turns a signed-in principal into a
//! [`Staff`] member or refuses with [`AppError::Forbidden`]; `support` reads, `admin` also
//! changes ([`Staff::manage`]). Every use case takes a `Staff`, so nothing in this module can run
//! for anyone else. Every read of one user's data and every change writes an audit entry (actor,
//! action, target, time) before the answer is given; the audit log is append-only (nothing here
//! edits or deletes it).

mod blocks;
mod takedowns;

pub use blocks::{MAX_BLOCK_DAYS, NewBlock, parse_network};
pub use takedowns::{
    TAKEDOWN_REQUESTS_PER_IP_PER_HOUR, TakedownAnswer, TakedownOutcome, TakedownRequest,
    TakedownTarget,
};

use crate::accounts::{Principal, User};
use crate::{App, AppError, Refusal};
use atelier_core::{Role, UnixMillis};
use atelier_db::accounts::{IpEventRow, SessionRow};
use atelier_db::billing::PurchaseRow;
use atelier_db::credits::EntryRow;
use atelier_db::privacy::{AuditRow, DeletionRequestRow};

/// How many rows a user's page shows of each kind.
pub const USER_PAGE_ROWS: i64 = 50;

/// A signed-in member of staff: `support` (reads) or `admin` (reads and changes).
#[derive(Debug, Clone)]
pub struct Staff {
    user: User,
    admin: bool,
}

impl Staff {
    /// The staff member's account.
    #[must_use]
    pub const fn user(&self) -> &User {
        &self.user
    }

    /// Whether they may change things (the `admin` role).
    #[must_use]
    pub const fn is_admin(&self) -> bool {
        self.admin
    }

    /// Refuses a change by `support`.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] unless the staff member is an admin.
    pub const fn manage(&self) -> Result<(), AppError> {
        if self.admin {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// One user in the console's list.
#[derive(Debug, Clone)]
pub struct UserSummary {
    /// The account.
    pub user: User,
    /// Their balance.
    pub credits: i64,
}

/// A page of users.
#[derive(Debug, Clone)]
pub struct UserList {
    /// Users, newest first.
    pub items: Vec<UserSummary>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// Everything the console shows of one user (each read audited).
#[derive(Debug, Clone)]
pub struct UserFile {
    /// The account.
    pub user: User,
    /// Their balance.
    pub credits: i64,
    /// Live sessions.
    pub sessions: Vec<SessionRow>,
    /// IP events, newest first.
    pub ip_events: Vec<IpEventRow>,
    /// Ledger entries, newest first.
    pub ledger: Vec<EntryRow>,
    /// Purchases, newest first.
    pub purchases: Vec<PurchaseRow>,
    /// Their pending deletion request.
    pub deletion: Option<DeletionRequestRow>,
}

/// A page of the audit log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditRow>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

/// A pending deletion in the queue (D3).
#[derive(Debug, Clone)]
pub struct PendingDeletion {
    /// The request.
    pub request: DeletionRequestRow,
    /// The latest it may be carried out: 30 days after it was asked for.
    pub deadline_at: UnixMillis,
}

impl App {
    /// The staff member `principal` is, or [`AppError::Forbidden`] for anyone else.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] without the `support` or `admin` role.
    pub fn staff(&self, principal: &Principal) -> Result<Staff, AppError> {
        let user = &principal.user;
        let admin = user.has_role(Role::Admin);
        if admin || user.has_role(Role::Support) {
            Ok(Staff {
                user: user.clone(),
                admin,
            })
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Users whose address contains `q`, or whose id is `q` (everyone when empty), newest first.
    /// A search is audited with the number of matches, never the query (it may be an address).
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn admin_users(
        &self,
        staff: &Staff,
        q: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<UserList, AppError> {
        let limit = i64::from(limit.clamp(1, 100));
        let before = crate::paging::decode(cursor)?;
        let q = q.trim();
        let mut rows = self.store().search_users(q, limit + 1, before).await?;
        let next_cursor =
            crate::paging::split_page(&mut rows, limit, |u| (u.created_at, u.id.as_str()));
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let credits = self.credit_balance(&row.id).await?;
            items.push(UserSummary {
                user: User::from(row),
                credits,
            });
        }
        self.audit(
            &staff.user.id,
            "admin.users.searched",
            None,
            &format!("{} shown", items.len()),
        )
        .await?;
        Ok(UserList { items, next_cursor })
    }

    /// One user's account, sessions, IP events, ledger, purchases and deletion request; the read
    /// is audited.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown user.
    pub async fn admin_user(&self, staff: &Staff, user_id: &str) -> Result<UserFile, AppError> {
        let user = User::from(self.store().user(user_id).await?);
        self.audit(&staff.user.id, "admin.user.viewed", Some(&user.id), "")
            .await?;
        let store = self.store();
        Ok(UserFile {
            credits: self.credit_balance(&user.id).await?,
            sessions: store.sessions_of_user(&user.id).await?,
            ip_events: store.ip_events_of_user(&user.id, USER_PAGE_ROWS).await?,
            ledger: store.credit_entries(&user.id, USER_PAGE_ROWS, None).await?,
            purchases: store.purchases_of(&user.id, USER_PAGE_ROWS, None).await?,
            deletion: store.deletion_request(&user.id).await?,
            user,
        })
    }

    /// An admin's credit adjustment of a user, with a reason; audited. Returns the new balance.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; as [`App::add_credits`].
    pub async fn admin_adjust_credits(
        &self,
        staff: &Staff,
        user_id: &str,
        amount: i64,
        reason: &str,
    ) -> Result<i64, AppError> {
        staff.manage()?;
        let user = self.store().user(user_id).await?;
        self.add_credits(
            &user.id,
            atelier_db::credits::EntryKind::Adjustment,
            amount,
            reason,
            None,
        )
        .await?;
        self.audit(
            &staff.user.id,
            "credits.adjusted",
            Some(&user.id),
            &format!("{amount:+}"),
        )
        .await?;
        self.credit_balance(&user.id).await
    }

    /// Ends one of a user's sessions (`Some(id)`) or all of them; audited. Returns how many ended.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; [`AppError::NotFound`] for an unknown user or session.
    pub async fn admin_end_sessions(
        &self,
        staff: &Staff,
        user_id: &str,
        session_id: Option<&str>,
    ) -> Result<u64, AppError> {
        staff.manage()?;
        let user = self.store().user(user_id).await?;
        let ended = match session_id {
            Some(id) => {
                if !self.store().delete_session(&user.id, id).await? {
                    return Err(AppError::NotFound);
                }
                1
            }
            None => self.store().delete_sessions_of_user(&user.id).await?,
        };
        self.audit(
            &staff.user.id,
            "sessions.revoked",
            Some(&user.id),
            &format!("{ended} ended"),
        )
        .await?;
        Ok(ended)
    }

    /// Gives or takes the `support` and `admin` roles; audited. An admin cannot take their own
    /// admin role (so an instance never loses its last admin by a slip).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; [`AppError::Invalid`] `own_admin_role` for the slip.
    pub async fn admin_set_roles(
        &self,
        staff: &Staff,
        user_id: &str,
        roles: &[Role],
    ) -> Result<User, AppError> {
        staff.manage()?;
        let user = User::from(self.store().user(user_id).await?);
        if user.id == staff.user.id && !roles.contains(&Role::Admin) {
            return Err(AppError::invalid(
                Refusal::OwnAdminRole,
                "You cannot take your own admin role; ask another admin.",
            ));
        }
        let stored = Role::join(roles);
        self.store()
            .set_user_roles(&user.id, &stored, self.now_ms())
            .await?;
        self.audit(&staff.user.id, "roles.changed", Some(&user.id), &stored)
            .await?;
        Ok(User::from(self.store().user(&user.id).await?))
    }

    /// The audit log, newest first (only about `subject` when given). Reading it is not itself
    /// audited: it holds no user data beyond ids.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn admin_audit(
        &self,
        _staff: &Staff,
        subject: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<AuditPage, AppError> {
        let limit = i64::from(limit.clamp(1, 200));
        let before = crate::paging::decode(cursor)?;
        let mut items = self.store().audit_page(limit + 1, before, subject).await?;
        let next_cursor =
            crate::paging::split_page(&mut items, limit, |a| (a.created_at, a.id.as_str()));
        Ok(AuditPage { items, next_cursor })
    }

    /// Pending account deletions with their due date and 30-day deadline (D3), soonest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn admin_deletions(&self, _staff: &Staff) -> Result<Vec<PendingDeletion>, AppError> {
        let mut pending: Vec<PendingDeletion> = self
            .pending_deletions()
            .await?
            .into_iter()
            .map(|request| PendingDeletion {
                deadline_at: request.requested_at
                    + crate::privacy::deletion::DELETION_DEADLINE_DAYS
                        * atelier_core::clock::DAY_MS,
                request,
            })
            .collect();
        pending.sort_by_key(|p| (p.request.due_at, p.request.user_id.clone()));
        Ok(pending)
    }
}
