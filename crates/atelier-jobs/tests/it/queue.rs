use atelier_core::{Clock, ManualClock, SystemClock};
use atelier_db::testing::TestDb;
use atelier_db::{PoolOptions, Store};
use atelier_jobs::{EnqueueOptions, JobError, Queue, Registry, Runner, RunnerConfig};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const T0: i64 = 1_750_000_000_000;

fn config() -> RunnerConfig {
    RunnerConfig {
        workers: 4,
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(30),
        scheduler_tick: Duration::from_millis(50),
        shutdown_grace: Duration::from_millis(200),
    }
}

fn manual(db: &TestDb) -> (Queue, ManualClock) {
    let clock = ManualClock::new(T0);
    (Queue::new(db.store.clone(), Arc::new(clock.clone())), clock)
}

#[tokio::test]
async fn enqueue_run_complete_and_dedup() {
    let db = TestDb::new().await;
    if std::env::var("ATELIER_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        assert_eq!(
            db.kind(),
            atelier_db::DatabaseKind::Postgres,
            "the suite must run on Postgres"
        );
    }
    let (queue, _clock) = manual(&db);
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut registry = Registry::new();
    let s = Arc::clone(&seen);
    registry.handle("greet", move |ctx| {
        let s = Arc::clone(&s);
        async move {
            let name: String = ctx.payload()?;
            s.lock().unwrap().push(name);
            Ok(())
        }
    });
    let dedup = EnqueueOptions {
        dedup_key: Some("greet:one".into()),
        ..Default::default()
    };
    assert!(
        queue
            .enqueue("greet", &"ada", dedup.clone())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        queue
            .enqueue("greet", &"ada again", dedup.clone())
            .await
            .unwrap()
            .is_none()
    );
    queue
        .enqueue("greet", &"bob", EnqueueOptions::default())
        .await
        .unwrap();

    let runner = Runner::new(queue.clone(), registry, config());
    assert_eq!(runner.run_due().await.unwrap(), 2);
    let mut got = seen.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, vec!["ada", "bob"]);
    assert_eq!(db.store.job_counts().await.unwrap(), Default::default());
    // Once done, the dedup key is free again.
    assert!(
        queue
            .enqueue("greet", &"ada", dedup)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn delayed_jobs_wait_for_their_time() {
    let db = TestDb::new().await;
    let (queue, clock) = manual(&db);
    let mut registry = Registry::new();
    registry.handle("later", |_| async { Ok(()) });
    let opts = EnqueueOptions {
        delay: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    queue.enqueue("later", &(), opts).await.unwrap();
    let runner = Runner::new(queue, registry, config());
    assert_eq!(runner.run_due().await.unwrap(), 0);
    clock.advance_ms(60_000);
    assert_eq!(runner.run_due().await.unwrap(), 1);
}

#[tokio::test]
async fn failures_retry_with_backoff_then_succeed() {
    let db = TestDb::new().await;
    let (queue, clock) = manual(&db);
    let calls = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let c = Arc::clone(&calls);
    registry.handle("flaky", move |_| {
        let c = Arc::clone(&c);
        async move {
            if c.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(JobError::retry("provider timed out"))
            } else {
                Ok(())
            }
        }
    });
    queue
        .enqueue("flaky", &(), EnqueueOptions::default())
        .await
        .unwrap();
    let runner = Runner::new(queue, registry, config());
    assert_eq!(runner.run_due().await.unwrap(), 1);
    assert_eq!(runner.run_due().await.unwrap(), 0, "waits for its back-off");
    clock.advance_ms(1_900);
    assert_eq!(
        runner.run_due().await.unwrap(),
        0,
        "first back-off is at least 2 s"
    );
    clock.advance_ms(700);
    assert_eq!(runner.run_due().await.unwrap(), 1);
    clock.advance_ms(3_900);
    assert_eq!(
        runner.run_due().await.unwrap(),
        0,
        "second back-off is at least 4 s"
    );
    clock.advance_ms(1_200);
    assert_eq!(runner.run_due().await.unwrap(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(db.store.job_counts().await.unwrap().queued, 0);
}

#[tokio::test]
async fn jobs_die_after_max_attempts_and_free_their_dedup_key() {
    let db = TestDb::new().await;
    let (queue, clock) = manual(&db);
    let mut registry = Registry::new();
    registry.handle("doomed", |_| async { Err(JobError::retry("always fails")) });
    let opts = EnqueueOptions {
        dedup_key: Some("doomed".into()),
        max_attempts: Some(3),
        ..Default::default()
    };
    queue.enqueue("doomed", &(), opts.clone()).await.unwrap();
    let runner = Runner::new(queue.clone(), registry, config());
    for _ in 0..3 {
        assert_eq!(runner.run_due().await.unwrap(), 1);
        clock.advance_ms(3_600_000);
    }
    assert_eq!(runner.run_due().await.unwrap(), 0);
    let counts = db.store.job_counts().await.unwrap();
    assert_eq!((counts.queued, counts.dead), (0, 1));
    let dead = db.store.dead_jobs(10).await.unwrap();
    assert_eq!(dead[0].attempts, 3);
    assert_eq!(dead[0].last_error.as_deref(), Some("always fails"));
    assert!(queue.enqueue("doomed", &(), opts).await.unwrap().is_some());
    // Old dead jobs can be pruned.
    assert_eq!(
        db.store.delete_dead_jobs(clock.now_ms() + 1).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn permanent_errors_unknown_kinds_and_bad_payloads_die_at_once() {
    let db = TestDb::new().await;
    let (queue, _clock) = manual(&db);
    let mut registry = Registry::new();
    registry.handle("strict", |ctx| async move {
        let _n: u32 = ctx.payload()?;
        Err(JobError::permanent("the thing is gone"))
    });
    queue
        .enqueue("strict", &7, EnqueueOptions::default())
        .await
        .unwrap();
    queue
        .enqueue("strict", &"not a number", EnqueueOptions::default())
        .await
        .unwrap();
    queue
        .enqueue("nobody-handles-this", &(), EnqueueOptions::default())
        .await
        .unwrap();
    let runner = Runner::new(queue, registry, config());
    assert_eq!(runner.run_due().await.unwrap(), 3);
    let counts = db.store.job_counts().await.unwrap();
    assert_eq!((counts.queued, counts.dead), (0, 3));
}

#[tokio::test]
async fn a_panicking_handler_is_retried_not_fatal() {
    let db = TestDb::new().await;
    let (queue, _clock) = manual(&db);
    let mut registry = Registry::new();
    registry.handle("boom", |_| async { panic!("handler bug") });
    queue
        .enqueue("boom", &(), EnqueueOptions::default())
        .await
        .unwrap();
    let runner = Runner::new(queue, registry, config());
    assert_eq!(runner.run_due().await.unwrap(), 1);
    let counts = db.store.job_counts().await.unwrap();
    assert_eq!(counts.queued, 1, "back on the queue for a retry");
}

#[tokio::test]
async fn a_killed_workers_job_is_retried_after_its_lease_expires() {
    let db = TestDb::new().await;
    let (queue, clock) = manual(&db);
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let r = Arc::clone(&runs);
    registry.handle("work", move |ctx| {
        let r = Arc::clone(&r);
        async move {
            assert_eq!(ctx.attempt, 2, "the dead worker's attempt counts");
            r.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    queue
        .enqueue("work", &(), EnqueueOptions::default())
        .await
        .unwrap();
    // A worker on another node claims the job, then its process is killed.
    let lease_until = clock.now_ms() + 30_000;
    let claimed = db
        .store
        .claim_jobs("killed-node", clock.now_ms(), lease_until, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);

    let runner = Runner::new(queue, registry, config());
    assert_eq!(
        runner.run_due().await.unwrap(),
        0,
        "leased to the dead worker"
    );
    clock.advance_ms(30_001);
    assert_eq!(runner.run_due().await.unwrap(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // The dead worker cannot complete it any more.
    assert!(
        !db.store
            .complete_job(&claimed[0].id, "killed-node")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn two_nodes_racing_run_every_job_exactly_once() {
    let db = TestDb::new().await;
    let counts: Arc<Mutex<HashMap<u32, u32>>> = Arc::default();
    let make_registry = |counts: Arc<Mutex<HashMap<u32, u32>>>| {
        let mut registry = Registry::new();
        registry.handle("count", move |ctx| {
            let counts = Arc::clone(&counts);
            async move {
                let n: u32 = ctx.payload()?;
                tokio::time::sleep(Duration::from_millis(1)).await;
                *counts.lock().unwrap().entry(n).or_default() += 1;
                Ok(())
            }
        });
        registry
    };
    // Two nodes: separate pools on the same database, real clock.
    let store_b = Store::connect(
        db.url(),
        PoolOptions {
            max_connections: 4,
            ..PoolOptions::default()
        },
    )
    .await
    .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let queue_a = Queue::new(db.store.clone(), Arc::clone(&clock));
    let queue_b = Queue::new(store_b, clock);
    const JOBS: u32 = 300;
    for n in 0..JOBS {
        queue_a
            .enqueue("count", &n, EnqueueOptions::default())
            .await
            .unwrap();
    }
    let shutdown = CancellationToken::new();
    let a = tokio::spawn(
        Runner::new(queue_a, make_registry(Arc::clone(&counts)), config()).run(shutdown.clone()),
    );
    let b = tokio::spawn(
        Runner::new(queue_b, make_registry(Arc::clone(&counts)), config()).run(shutdown.clone()),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let c = db.store.job_counts().await.unwrap();
        if c.queued + c.running == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "jobs did not finish: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    a.await.unwrap();
    b.await.unwrap();
    let counts = counts.lock().unwrap().clone();
    assert_eq!(counts.len(), JOBS as usize);
    assert!(
        counts.values().all(|&c| c == 1),
        "a job ran twice: {counts:?}"
    );
    assert_eq!(db.store.job_counts().await.unwrap().dead, 0);
}

#[tokio::test]
async fn periodic_jobs_run_once_per_period_across_nodes() {
    let db = TestDb::new().await;
    let clock = ManualClock::new(T0);
    let runs = Arc::new(AtomicUsize::new(0));
    let make = |store: Store| {
        let mut registry = Registry::new();
        let r = Arc::clone(&runs);
        registry.every("sweep", Duration::from_secs(3600), move |_| {
            let r = Arc::clone(&r);
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
        Runner::new(
            Queue::new(store, Arc::new(clock.clone())),
            registry,
            config(),
        )
    };
    let store_b = Store::connect(db.url(), PoolOptions::default())
        .await
        .unwrap();
    let (node_a, node_b) = (make(db.store.clone()), make(store_b));

    let (x, y) = tokio::join!(node_a.tick_scheduler(), node_b.tick_scheduler());
    assert_eq!(
        x.unwrap() + y.unwrap(),
        1,
        "exactly one node enqueues the first run"
    );
    assert_eq!(
        node_a.run_due().await.unwrap() + node_b.run_due().await.unwrap(),
        1
    );

    clock.advance_ms(1_800_000);
    assert_eq!(
        node_a.tick_scheduler().await.unwrap() + node_b.tick_scheduler().await.unwrap(),
        0
    );
    clock.advance_ms(1_800_000);
    assert_eq!(
        node_b.tick_scheduler().await.unwrap() + node_a.tick_scheduler().await.unwrap(),
        1
    );
    node_a.run_due().await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let status = db.store.periodic_status().await.unwrap();
    assert_eq!(
        status,
        vec![("sweep".to_owned(), 3_600_000, Some(T0 + 3_600_000))]
    );
}

#[tokio::test]
async fn shutdown_hands_unfinished_jobs_back() {
    let db = TestDb::new().await;
    let queue = Queue::new(db.store.clone(), Arc::new(SystemClock));
    let started = Arc::new(tokio::sync::Notify::new());
    let mut registry = Registry::new();
    let s = Arc::clone(&started);
    registry.handle("slow", move |_| {
        let s = Arc::clone(&s);
        async move {
            s.notify_one();
            tokio::time::sleep(Duration::from_secs(600)).await;
            Ok(())
        }
    });
    queue
        .enqueue("slow", &(), EnqueueOptions::default())
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let runner = tokio::spawn(Runner::new(queue, registry, config()).run(shutdown.clone()));
    started.notified().await;
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), runner)
        .await
        .unwrap()
        .unwrap();
    let counts = db.store.job_counts().await.unwrap();
    assert_eq!(
        (counts.queued, counts.running),
        (1, 0),
        "released, not lost"
    );
    // The released attempt does not count against the job.
    let again = db
        .store
        .claim_jobs("w", i64::MAX / 2, i64::MAX / 2 + 1, 1)
        .await
        .unwrap();
    assert_eq!(again[0].attempts, 1);
}
