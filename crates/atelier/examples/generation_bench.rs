//! Generation benchmark (by hand, never in the test suite): `bench/generation.sh` runs it in
//! release mode.
//!
//! 1. The offline `local` provider alone: images of 1024 px on the long side, one after another.
//! 2. The whole pipeline on SQLite and a local blob folder: `create_generation` (validation,
//!    credit hold, job) and the job (render, encrypt and store the original and two thumbnails,
//!    settle the hold), N generations through the real job runner with 2 workers.
//! 3. The cost of encryption when serving an image: the same 1024×1024 PNG read N times as a plain
//!    blob and as an encrypted blob decrypted on the fly (same store, same run).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)]

use atelier_app::App;
use atelier_app::generation::NewGeneration;
use atelier_core::settings::RawSettings;
use atelier_core::{Aspect, Settings, SystemClock};
use atelier_db::accounts::UserRow;
use atelier_media::BlobKey;
use atelier_providers::{GenerateRequest, ImageProvider as _, LocalProvider};
use std::sync::Arc;
use std::time::Instant;

fn per_second(n: usize, secs: f64) -> f64 {
    n as f64 / secs
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();

    // 1. The provider alone.
    let provider = LocalProvider::new();
    let mut times = Vec::new();
    for i in 0..n {
        let mut req = GenerateRequest::new(
            "local",
            format!("a lighthouse on a cliff at dusk {i}"),
            Aspect::Square,
        );
        req.seed = Some(i as u64);
        let started = Instant::now();
        let images = provider.generate(&req).await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(images.len(), 1);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "local provider, 1024x1024 PNG: median {:.1} ms, p90 {:.1} ms per image ({n} images)",
        times[n / 2],
        times[(n * 9 / 10).min(n - 1)]
    );

    // 2. The whole pipeline.
    let mut raw = RawSettings {
        data_dir: dir.path().to_path_buf(),
        ..RawSettings::default()
    };
    raw.credits.signup_grant = Some(1_000_000);
    raw.generation.max_running_per_user = 1_000_000;
    let mut settings = Settings::resolve(raw).unwrap();
    settings.demo = true;
    let store = atelier_db::Store::connect(
        settings.database_url.expose(),
        atelier_db::PoolOptions::default(),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let blobs = atelier_media::BlobStore::open(&settings.storage_url, &settings.s3).unwrap();
    let app = App::from_parts(settings, store.clone(), blobs, Arc::new(SystemClock), None).unwrap();
    store
        .insert_user(&UserRow {
            id: "bench".into(),
            email: "bench@example.com".into(),
            display_name: None,
            language: "en".into(),
            roles: "user".into(),
            marketing_opt_in: false,
            created_at: 0,
            policy_version_seen: 0,
        })
        .await
        .unwrap();
    app.add_credits(
        "bench",
        atelier_db::credits::EntryKind::Grant,
        1_000_000,
        "bench",
        None,
    )
    .await
    .unwrap();
    let started = Instant::now();
    for i in 0..n {
        app.create_generation(
            "bench",
            NewGeneration {
                prompt: format!("a quiet harbour in the morning fog {i}"),
                ..NewGeneration::default()
            },
            None,
        )
        .await
        .unwrap();
    }
    let accepted = started.elapsed().as_secs_f64();
    let runner = atelier_jobs::Runner::new(
        app.queue().clone(),
        atelier_app::registry(&app),
        atelier_jobs::RunnerConfig {
            workers: 2,
            ..atelier_jobs::RunnerConfig::default()
        },
    );
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        done += runner.run_due().await.unwrap();
        if done < n {
            tokio::task::yield_now().await;
        }
    }
    let ran = started.elapsed().as_secs_f64();
    println!(
        "pipeline on SQLite + local folder: {:.0} requests/s accepted; {:.2} generations/s done \
         with 2 workers ({n} generations, 1 image each, original + 2 thumbnails encrypted)",
        per_second(n, accepted),
        per_second(n, ran)
    );

    // 3. Serving: plain vs encrypted.
    let mut req = GenerateRequest::new("local", "serving benchmark", Aspect::Square);
    req.seed = Some(1);
    let png = provider.generate(&req).await.unwrap().remove(0).bytes;
    let plain = BlobKey::generated("bench", "plain", "original");
    let sealed = BlobKey::generated("bench", "sealed", "original");
    app.blobs().put(&plain, png.clone()).await.unwrap();
    app.put_private_blob("bench", &sealed, &png).await.unwrap();
    let reads = n * 10;
    let started = Instant::now();
    for _ in 0..reads {
        let bytes = app.blobs().get(&plain).await.unwrap();
        assert_eq!(bytes.len(), png.len());
    }
    let plain_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for _ in 0..reads {
        let bytes = app.get_private_blob("bench", &sealed).await.unwrap();
        assert_eq!(bytes.len(), png.len());
    }
    let sealed_secs = started.elapsed().as_secs_f64();
    let mb = png.len() as f64 / 1e6;
    println!(
        "serving a {mb:.2} MB image {reads} times: plain {:.2} ms/read, encrypted {:.2} ms/read \
         (+{:.0}%, data key unwrapped per read)",
        plain_secs * 1000.0 / reads as f64,
        sealed_secs * 1000.0 / reads as f64,
        (sealed_secs / plain_secs - 1.0) * 100.0
    );
}
