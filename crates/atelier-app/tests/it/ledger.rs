//! C4, U1: the credits ledger keeps its invariants under concurrent operations and injected
//! failures — the balance never goes below zero, each hold is settled exactly once, and the
//! balance always equals what the entries say.

use atelier_app::{App, AppError};
use atelier_core::{ManualClock, Settings};
use atelier_db::credits::{EntryKind, Settlement};
use atelier_db::testing::TestDb;
use atelier_media::BlobStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

async fn app(db: &TestDb) -> App {
    App::from_parts(
        Settings::defaults().unwrap(),
        db.store.clone(),
        BlobStore::memory(),
        Arc::new(ManualClock::new(1_750_000_000_000)),
        None,
    )
    .unwrap()
}

/// A small deterministic generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::test]
async fn c4_u1_ledger_invariants_hold_under_concurrency_and_injected_failures() {
    let db = TestDb::new().await;
    let app = app(&db).await;
    let users = ["u0", "u1", "u2"];
    for u in users {
        db.insert_user(u, &format!("{u}@example.com")).await;
        app.add_credits(u, EntryKind::Grant, 40, "start", None)
            .await
            .unwrap();
    }
    // Holds placed and not yet settled: (hold id, user, amount).
    let open: Arc<Mutex<Vec<(String, String, i64)>>> = Arc::default();
    let mut tasks = Vec::new();
    for task in 0..12u64 {
        let app = app.clone();
        let open = Arc::clone(&open);
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (task + 1).wrapping_mul(0x1000_0001));
            for _ in 0..25 {
                let who = users[usize::try_from(rng.below(3)).unwrap()];
                match rng.below(10) {
                    0..=3 => {
                        let amount = i64::try_from(rng.below(25)).unwrap() + 1;
                        match app.hold_credits(who, amount, "work", "gen").await {
                            Ok(id) => open.lock().unwrap().push((id, who.to_owned(), amount)),
                            Err(AppError::InsufficientCredits { .. }) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    4..=6 => {
                        let picked = {
                            let mut open = open.lock().unwrap();
                            if open.is_empty() {
                                None
                            } else {
                                let i = usize::try_from(rng.below(open.len() as u64)).unwrap();
                                // Injected failure: a "crashed" worker leaves the hold in the list
                                // for someone else to settle too (a retry after a lost lease).
                                if rng.below(3) == 0 {
                                    Some(open[i].clone())
                                } else {
                                    Some(open.swap_remove(i))
                                }
                            }
                        };
                        if let Some((id, _, amount)) = picked {
                            let captured =
                                i64::try_from(rng.below(u64::try_from(amount).unwrap() + 1))
                                    .unwrap();
                            // Two settlements racing for the same hold: exactly one wins.
                            let (a, b) = tokio::join!(
                                app.settle_credits(&id, captured, "done"),
                                app.settle_credits(&id, amount - captured, "done again"),
                            );
                            let outcomes = [a.unwrap(), b.unwrap()];
                            assert!(
                                outcomes
                                    .iter()
                                    .filter(|s| **s == Settlement::Settled)
                                    .count()
                                    <= 1
                            );
                        }
                    }
                    7 => {
                        let amount = i64::try_from(rng.below(10)).unwrap() + 1;
                        app.add_credits(who, EntryKind::Grant, amount, "bonus", None)
                            .await
                            .unwrap();
                    }
                    8 => {
                        let amount = -(i64::try_from(rng.below(30)).unwrap() + 1);
                        match app
                            .add_credits(who, EntryKind::Adjustment, amount, "correction", None)
                            .await
                        {
                            Ok(_) | Err(AppError::InsufficientCredits { .. }) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    _ => {
                        // A capture larger than its hold is refused.
                        let picked = open.lock().unwrap().first().cloned();
                        if let Some((id, _, amount)) = picked {
                            assert!(
                                app.settle_credits(&id, amount + 1, "too much")
                                    .await
                                    .is_err()
                            );
                        }
                    }
                }
                assert!(app.credit_balance(who).await.unwrap() >= 0);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Recovery after the "crash": every hold still open is released.
    for u in users {
        for hold in db.store.open_credit_holds(u).await.unwrap() {
            app.settle_credits(&hold.id, 0, "recovered").await.unwrap();
        }
    }

    for u in users {
        let entries = db.store.credit_entries(u, 100_000, None).await.unwrap();
        let mut settled: HashMap<&str, Vec<(EntryKind, i64)>> = HashMap::new();
        for e in &entries {
            if let Some(h) = &e.hold_id {
                settled
                    .entry(h.as_str())
                    .or_default()
                    .push((e.kind, e.amount));
            }
        }
        let mut expected = 0;
        for e in &entries {
            match e.kind {
                EntryKind::Hold => {
                    let s = settled.get(e.id.as_str()).expect("every hold settled");
                    assert_eq!(s.len(), 2, "one capture and one release per hold");
                    assert_eq!(s.iter().map(|(_, a)| a).sum::<i64>(), e.amount);
                    let captured: i64 = s
                        .iter()
                        .filter(|(k, _)| *k == EntryKind::Capture)
                        .map(|(_, a)| a)
                        .sum();
                    expected -= captured;
                }
                EntryKind::Grant | EntryKind::Adjustment | EntryKind::Purchase => {
                    expected += e.amount;
                }
                EntryKind::Refund => expected -= e.amount,
                EntryKind::Capture | EntryKind::Release => {}
            }
        }
        let balance = app.credit_balance(u).await.unwrap();
        assert_eq!(balance, expected, "the balance is what the entries say");
        assert!(balance >= 0);
    }
}

#[tokio::test]
async fn u1_a_hold_is_settled_once_and_the_balance_is_derived() {
    let db = TestDb::new().await;
    let app = app(&db).await;
    db.insert_user("a", "a@example.com").await;
    app.add_credits("a", EntryKind::Grant, 10, "start", None)
        .await
        .unwrap();
    let hold = app.hold_credits("a", 8, "4 images", "gen1").await.unwrap();
    assert_eq!(app.credit_balance("a").await.unwrap(), 2);
    assert!(matches!(
        app.hold_credits("a", 3, "more", "gen2").await,
        Err(AppError::InsufficientCredits {
            needed: 3,
            balance: 2
        })
    ));
    assert_eq!(
        app.settle_credits(&hold, 6, "3 delivered").await.unwrap(),
        Settlement::Settled
    );
    assert_eq!(app.credit_balance("a").await.unwrap(), 4);
    assert_eq!(
        app.settle_credits(&hold, 0, "again").await.unwrap(),
        Settlement::AlreadySettled
    );
    assert_eq!(app.credit_balance("a").await.unwrap(), 4);
    assert!(
        app.add_credits("a", EntryKind::Adjustment, -5, "too much", None)
            .await
            .is_err()
    );
    assert!(
        app.add_credits("a", EntryKind::Grant, 0, "nothing", None)
            .await
            .is_err()
    );
    assert!(
        app.add_credits("a", EntryKind::Grant, 1, "", None)
            .await
            .is_err()
    );
    let history = app.credit_history("a", 2, None).await.unwrap();
    assert_eq!(history.entries.len(), 2);
    let next = app
        .credit_history("a", 2, history.next_cursor.as_deref())
        .await
        .unwrap();
    assert_eq!(next.entries.len(), 2);
    assert!(next.next_cursor.is_none());
    assert!(app.credit_history("a", 2, Some("junk")).await.is_err());
}
