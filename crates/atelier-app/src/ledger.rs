//! The ledger as a user reads it (issue 18, C4): one line per thing that moved the balance — a
//! generation or an assistant call with its hold, capture and release folded into one line whose
//! change is what it finally cost (or what it holds while it runs), a purchase, a refund, a grant,
//! an adjustment. The raw entries stay in the API and the export.

use crate::{App, AppError};
use atelier_db::credits::{ActivityRow, EntryKind};

/// The reason a generation's hold is written with: `Generation: …`.
pub(crate) const GENERATION_REASON: &str = "Generation";
/// The reason an assistant call's hold is written with: `Assistant: <feature>`.
pub(crate) const ASSISTANT_REASON: &str = "Assistant";

/// What a line is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityKind {
    /// Credits given by the operator (the sign-up grant), with the reason given.
    Grant(String),
    /// A credit pack bought; its id.
    Purchase(Option<String>),
    /// A refund of a credit pack; its id.
    Refund(Option<String>),
    /// An operator's correction, with the reason given.
    Adjustment(String),
    /// A generation.
    Generation {
        /// Images delivered, once it ended (known while its record exists).
        delivered: Option<i64>,
        /// Images asked for (known while its record exists).
        asked: Option<i64>,
    },
    /// An assistant call: `enhance`, `describe` or `edit`.
    Assistant(String),
    /// Other work that held credits.
    Work(String),
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The first entry's id (the cursor).
    pub id: String,
    /// What it is about.
    pub kind: ActivityKind,
    /// Its effect on the balance so far: what work cost once it ended, what it holds while it
    /// runs.
    pub change: i64,
    /// Whether the work is still running (its credits held, not spent yet).
    pub in_progress: bool,
    /// When it began.
    pub created_at: atelier_core::UnixMillis,
}

impl From<ActivityRow> for Activity {
    fn from(row: ActivityRow) -> Self {
        let e = row.entry;
        let (kind, change, in_progress) = match e.kind {
            EntryKind::Hold => {
                let change = row.captured.map_or(-e.amount, |c| -c);
                let kind = match e.reason.split_once(": ") {
                    Some((ASSISTANT_REASON, feature)) => {
                        ActivityKind::Assistant(feature.to_owned())
                    }
                    _ if e.reason.starts_with(GENERATION_REASON) => ActivityKind::Generation {
                        delivered: row.captured.zip(row.generation).and_then(
                            |(captured, (_, price))| (price > 0).then(|| captured / price),
                        ),
                        asked: row.generation.map(|(count, _)| count),
                    },
                    _ => ActivityKind::Work(e.reason.clone()),
                };
                (kind, change, row.captured.is_none())
            }
            EntryKind::Grant => (ActivityKind::Grant(e.reason.clone()), e.effect(), false),
            EntryKind::Purchase => (ActivityKind::Purchase(row.pack_id), e.effect(), false),
            EntryKind::Refund => (ActivityKind::Refund(row.pack_id), e.effect(), false),
            EntryKind::Adjustment | EntryKind::Capture | EntryKind::Release => (
                ActivityKind::Adjustment(e.reason.clone()),
                e.effect(),
                false,
            ),
        };
        Self {
            id: e.id,
            kind,
            change,
            in_progress,
            created_at: e.created_at,
        }
    }
}

/// A page of the ledger in lines.
#[derive(Debug, Clone)]
pub struct ActivityPage {
    /// Lines, newest first.
    pub items: Vec<Activity>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

impl App {
    /// A page of the user's ledger in lines, newest first (the credits page).
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn credit_activity(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<ActivityPage, AppError> {
        let limit = i64::from(limit.clamp(1, 200));
        let before = crate::paging::decode(cursor)?;
        let mut rows = self
            .store()
            .credit_activity(user_id, limit + 1, before)
            .await?;
        let next_cursor = crate::paging::split_page(&mut rows, limit, |r| {
            (r.entry.created_at, r.entry.id.as_str())
        });
        Ok(ActivityPage {
            items: rows.into_iter().map(Activity::from).collect(),
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_db::credits::EntryRow;

    fn row(kind: EntryKind, amount: i64, reason: &str) -> ActivityRow {
        ActivityRow {
            entry: EntryRow {
                id: "e1".into(),
                user_id: "u1".into(),
                kind,
                amount,
                hold_id: None,
                reference: Some("g1".into()),
                reason: reason.into(),
                created_at: 5,
            },
            captured: None,
            generation: None,
            pack_id: None,
        }
    }

    #[test]
    fn c4_a_settled_generation_is_one_line_of_what_it_cost() {
        let mut r = row(EntryKind::Hold, 10, "Generation: 5 × Local");
        r.captured = Some(8);
        r.generation = Some((5, 2));
        let a = Activity::from(r);
        assert_eq!(
            a.kind,
            ActivityKind::Generation {
                delivered: Some(4),
                asked: Some(5)
            }
        );
        assert_eq!((a.change, a.in_progress), (-8, false));
    }

    #[test]
    fn c4_an_open_hold_shows_what_it_holds_and_is_in_progress() {
        let a = Activity::from(row(EntryKind::Hold, 3, "Assistant: enhance"));
        assert_eq!(a.kind, ActivityKind::Assistant("enhance".into()));
        assert_eq!((a.change, a.in_progress), (-3, true));
    }

    #[test]
    fn c4_a_generation_whose_record_is_gone_still_has_its_cost() {
        let mut r = row(EntryKind::Hold, 4, "Generation: 2 × Local");
        r.captured = Some(0);
        let a = Activity::from(r);
        assert_eq!(
            a.kind,
            ActivityKind::Generation {
                delivered: None,
                asked: None
            }
        );
        assert_eq!(a.change, 0);
    }

    #[test]
    fn c4_refunds_take_and_purchases_give() {
        let mut r = row(EntryKind::Refund, 50, "Refund of credit pack small");
        r.pack_id = Some("small".into());
        let a = Activity::from(r);
        assert_eq!(a.kind, ActivityKind::Refund(Some("small".into())));
        assert_eq!(a.change, -50);
        let a = Activity::from(row(EntryKind::Purchase, 100, "Credit pack small"));
        assert_eq!(a.change, 100);
    }
}
