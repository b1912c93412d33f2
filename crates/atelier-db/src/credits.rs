//! Rows of the credits ledger. Every change is one transaction that first serializes on the user
//! (a row lock on PostgreSQL; SQLite's single writer), so two holds cannot both spend the same
//! credits and the derived balance never goes below zero.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use atelier_core::settings::DatabaseKind;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// What an entry does to the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Credits given by the operator (sign-up grant).
    Grant,
    /// Credits bought.
    Purchase,
    /// Credits set aside for work in progress (a pending debit).
    Hold,
    /// The part of a hold that was spent.
    Capture,
    /// The part of a hold given back.
    Release,
    /// Credits taken back because the payment that bought them was refunded (issue 18): like a
    /// hold, its amount comes off the balance, and it may take the balance below zero.
    Refund,
    /// A correction by an operator, positive or negative.
    Adjustment,
}

impl EntryKind {
    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Purchase => "purchase",
            Self::Hold => "hold",
            Self::Capture => "capture",
            Self::Release => "release",
            Self::Refund => "refund",
            Self::Adjustment => "adjustment",
        }
    }

    /// The entry's effect on the available balance, given its stored amount (contract v2: the
    /// signed `amount` the API and the export show, so that the balance is the sum of the
    /// entries): holds and refunds take theirs off, releases give back, a capture only confirms
    /// what its hold already took. `BALANCE_SQL` sums the same rule.
    #[must_use]
    pub const fn effect(self, stored: i64) -> i64 {
        match self {
            Self::Hold | Self::Refund => -stored,
            Self::Capture => 0,
            Self::Grant | Self::Purchase | Self::Release | Self::Adjustment => stored,
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Grant,
            Self::Purchase,
            Self::Hold,
            Self::Capture,
            Self::Release,
            Self::Refund,
            Self::Adjustment,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Kind.
    pub kind: EntryKind,
    /// Credits as stored: never negative except for a downward adjustment (holds and refunds
    /// take theirs off; [`EntryRow::effect`] is the signed effect).
    pub amount: i64,
    /// For captures and releases: the hold they settle.
    pub hold_id: Option<String>,
    /// What it is about (a generation id, a purchase id).
    pub reference: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// When.
    pub created_at: UnixMillis,
}

impl EntryRow {
    /// The entry's signed effect on the balance.
    #[must_use]
    pub const fn effect(&self) -> i64 {
        self.kind.effect(self.amount)
    }
}

fn entry_from_row(row: &AnyRow) -> Result<EntryRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(EntryRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        kind: EntryKind::parse(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown entry kind {kind}").into()))?,
        amount: row.try_get("amount")?,
        hold_id: row.try_get("hold_id")?,
        reference: row.try_get("reference")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

/// How entries move the available balance, as [`EntryKind::effect`] says: holds and refunds take,
/// releases give back, captures only confirm what the hold already took.
/// (PostgreSQL sums BIGINT as NUMERIC, hence the cast.)
const BALANCE_SQL: &str = "SELECT CAST(COALESCE(SUM(CASE kind \
     WHEN 'hold' THEN -amount WHEN 'refund' THEN -amount WHEN 'capture' THEN 0 ELSE amount END), 0) AS BIGINT) AS balance \
     FROM credit_entries WHERE user_id = $1";

/// The outcome of settling a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Settled now.
    Settled,
    /// It had been settled before; nothing changed.
    AlreadySettled,
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Store {
    /// Serializes ledger changes of one user for the rest of the transaction.
    pub(crate) async fn lock_user(&self, tx: &mut Tx, user_id: &str) -> Result<(), DbError> {
        let sql = match self.kind() {
            DatabaseKind::Postgres => "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            // BEGIN IMMEDIATE already holds SQLite's write lock.
            DatabaseKind::Sqlite => "SELECT id FROM users WHERE id = $1",
        };
        sqlx::query(sql)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DbError::NotFound)?;
        Ok(())
    }

    async fn balance_in(tx: &mut Tx, user_id: &str) -> Result<i64, DbError> {
        let row = sqlx::query(BALANCE_SQL)
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(row.try_get("balance")?)
    }

    pub(crate) async fn insert_entry(tx: &mut Tx, e: &EntryRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO credit_entries (id, user_id, kind, amount, hold_id, reference, reason, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(e.kind.as_str())
        .bind(e.amount)
        .bind(&e.hold_id)
        .bind(&e.reference)
        .bind(&e.reason)
        .bind(e.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The available balance of a user.
    ///
    /// # Errors
    /// On database failure.
    pub async fn credit_balance(&self, user_id: &str) -> Result<i64, DbError> {
        let row = sqlx::query(BALANCE_SQL)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("balance")?)
    }

    /// Appends a grant, purchase, adjustment or hold, unless it would take the balance below
    /// zero; returns `false` then (nothing is written). (Refunds are booked with their purchase,
    /// in `billing`.)
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the user does not exist.
    pub async fn append_credit_entry(&self, entry: &EntryRow) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = self.append_in(&mut tx, entry).await;
        crate::store::finish_tx(tx, outcome, |appended| *appended).await
    }

    async fn append_in(&self, tx: &mut Tx, entry: &EntryRow) -> Result<bool, DbError> {
        self.lock_user(tx, &entry.user_id).await?;
        let effect = entry.kind.effect(entry.amount);
        if effect < 0 {
            let balance = Self::balance_in(tx, &entry.user_id).await?;
            if balance + effect < 0 {
                return Ok(false);
            }
        }
        Self::insert_entry(tx, entry).await?;
        Ok(true)
    }

    /// Settles a hold exactly once: a capture of `captured` and a release of the rest (either may
    /// be 0). A second settlement of the same hold changes nothing.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown hold; [`DbError::Conflict`] when `captured` exceeds it.
    pub async fn settle_credit_hold(
        &self,
        hold_id: &str,
        captured: i64,
        capture_id: &str,
        release_id: &str,
        reason: &str,
        now: UnixMillis,
    ) -> Result<Settlement, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = self
            .settle_in(
                &mut tx,
                hold_id,
                captured,
                [capture_id, release_id],
                reason,
                now,
            )
            .await;
        crate::store::finish_tx(tx, outcome, |s| *s == Settlement::Settled).await
    }

    async fn settle_in(
        &self,
        tx: &mut Tx,
        hold_id: &str,
        captured: i64,
        [capture_id, release_id]: [&str; 2],
        reason: &str,
        now: UnixMillis,
    ) -> Result<Settlement, DbError> {
        let hold = sqlx::query(
            "SELECT id, user_id, kind, amount, hold_id, reference, reason, created_at \
             FROM credit_entries WHERE id = $1 AND kind = 'hold'",
        )
        .bind(hold_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(DbError::NotFound)?;
        let hold = entry_from_row(&hold)?;
        if !(0..=hold.amount).contains(&captured) {
            return Err(DbError::Conflict);
        }
        self.lock_user(tx, &hold.user_id).await?;
        let settled = sqlx::query("SELECT COUNT(*) AS n FROM credit_entries WHERE hold_id = $1")
            .bind(hold_id)
            .fetch_one(&mut **tx)
            .await?;
        if settled.try_get::<i64, _>("n")? > 0 {
            return Ok(Settlement::AlreadySettled);
        }
        for (id, kind, amount) in [
            (capture_id, EntryKind::Capture, captured),
            (release_id, EntryKind::Release, hold.amount - captured),
        ] {
            let entry = EntryRow {
                id: id.to_owned(),
                user_id: hold.user_id.clone(),
                kind,
                amount,
                hold_id: Some(hold.id.clone()),
                reference: hold.reference.clone(),
                reason: reason.to_owned(),
                created_at: now,
            };
            match Self::insert_entry(tx, &entry).await {
                Ok(()) => {}
                // A concurrent settlement won the unique index.
                Err(DbError::Conflict) => return Ok(Settlement::AlreadySettled),
                Err(e) => return Err(e),
            }
        }
        Ok(Settlement::Settled)
    }

    /// A user's entries, newest first, before the `(created_at, id)` cursor when given.
    ///
    /// # Errors
    /// On database failure.
    pub async fn credit_entries(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<EntryRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT id, user_id, kind, amount, hold_id, reference, reason, created_at \
             FROM credit_entries WHERE user_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id < $3) OR $3 = '') \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }

    /// Holds of a user that are not settled yet.
    ///
    /// # Errors
    /// On database failure.
    pub async fn open_credit_holds(&self, user_id: &str) -> Result<Vec<EntryRow>, DbError> {
        let rows = sqlx::query(
            "SELECT h.id, h.user_id, h.kind, h.amount, h.hold_id, h.reference, h.reason, h.created_at \
             FROM credit_entries h WHERE h.user_id = $1 AND h.kind = 'hold' \
             AND NOT EXISTS (SELECT 1 FROM credit_entries s WHERE s.hold_id = h.id) \
             ORDER BY h.created_at, h.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(entry_from_row).collect::<Result<_, _>>()?)
    }
}

/// A line of the ledger as a user reads it: an entry other than a settlement, with — for a hold —
/// what its settlement captured and the generation it paid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    /// The entry (never a capture or a release: those are folded into their hold).
    pub entry: EntryRow,
    /// For a settled hold: the credits captured. `None` while the hold is open, and for other
    /// kinds.
    pub captured: Option<i64>,
    /// For a generation's hold: the images asked for and the price of one, while the generation
    /// exists.
    pub generation: Option<(i64, i64)>,
    /// For a purchase or a refund: the pack bought.
    pub pack_id: Option<String>,
}

impl Store {
    /// A user's ledger in lines, newest first, before the `(created_at, id)` cursor when given:
    /// each hold with its settlement folded in, every other entry as it is (holds of nothing,
    /// work that was free, are left out).
    ///
    /// # Errors
    /// On database failure.
    pub async fn credit_activity(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<ActivityRow>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT e.id, e.user_id, e.kind, e.amount, e.hold_id, e.reference, e.reason, \
             e.created_at, c.amount AS captured, g.count AS g_count, \
             g.price_per_image AS g_price, p.pack_id AS pack_id \
             FROM credit_entries e \
             LEFT JOIN credit_entries c ON c.hold_id = e.id AND c.kind = 'capture' \
             LEFT JOIN generations g ON e.kind = 'hold' AND g.id = e.reference \
             LEFT JOIN purchases p ON e.kind IN ('purchase', 'refund') AND p.id = e.reference \
             WHERE e.user_id = $1 AND e.kind NOT IN ('capture', 'release') \
             AND NOT (e.kind = 'hold' AND e.amount = 0) \
             AND (e.created_at < $2 OR (e.created_at = $2 AND e.id < $3) OR $3 = '') \
             ORDER BY e.created_at DESC, e.id DESC LIMIT $4",
        )
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let count: Option<i64> = row.try_get("g_count")?;
                let price: Option<i64> = row.try_get("g_price")?;
                Ok(ActivityRow {
                    entry: entry_from_row(row)?,
                    captured: row.try_get("captured")?,
                    generation: count.zip(price),
                    pack_id: row.try_get("pack_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }
}
