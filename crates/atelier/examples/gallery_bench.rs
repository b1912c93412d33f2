//! Gallery benchmark (run by hand through `bench/gallery.sh`, never in the test suite).
//!
//! `gallery_bench build DATA_DIR N` synthesizes N gallery items from the demo vocabulary, writes
//! them to the database named by `ATELIER_DATABASE_URL` (default: SQLite under DATA_DIR) in
//! batches, builds DATA_DIR/search, and measures in-process search latency.
//! `gallery_bench search DATA_DIR` measures the same queries again on a built folder (rebuilding
//! the index first if its schema changed); `BENCH_DETAIL=1` adds the slowest kinds of query.
//! `gallery_bench one DATA_DIR TEXT [newest|liked] [ASPECT]` times one query five times.
//! `gallery_bench load URL SECONDS CONNECTIONS` runs concurrent HTTP searches against a running
//! instance and prints the latency distribution.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use atelier_app::gallery::demo::demo_item;
use atelier_core::Settings;
use atelier_core::settings::RawSettings;
use atelier_db::{PoolOptions, Store};
use atelier_search::{SearchIndex, SearchQuery, Sort};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "lighthouse",
    "orange cat umbrella",
    "cinematic photograph sunset",
    "watercolor",
    "neon city night",
    "lighthuose",
    "ramen",
    "橘猫",
    "雨中",
    "水墨画",
    "product photography",
    "isometric 3D render",
    "northern lights snowy forest",
    "fox",
    "poster",
    "ukiyo-e",
    "golden hour",
    "85mm",
    "dragon clouds",
    "咖啡",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn query(i: usize) -> SearchQuery {
    let text = QUERIES[i % QUERIES.len()].to_owned();
    let sort = match i % 5 {
        0 => Sort::Newest,
        1 => Sort::MostLiked,
        _ => Sort::Relevance,
    };
    let aspect = i.is_multiple_of(7).then(|| "3:4".to_owned());
    SearchQuery {
        text,
        sort,
        aspect,
        limit: 20,
        ..SearchQuery::default()
    }
}

async fn build(data_dir: &str, n: u32) {
    let settings = Settings::resolve(RawSettings {
        data_dir: data_dir.into(),
        ..RawSettings::default()
    })
    .unwrap();
    let url = std::env::var("ATELIER_DATABASE_URL")
        .unwrap_or_else(|_| settings.database_url.expose().clone());
    let options = PoolOptions {
        sqlite_cache_kib: atelier_app::BULK_SQLITE_CACHE_KIB,
        ..PoolOptions::default()
    };
    let store = Store::connect(&url, options).await.unwrap();
    store.migrate().await.unwrap();
    let now = 1_780_000_000_000;

    let started = Instant::now();
    let mut items = Vec::with_capacity(1000);
    let mut writer = atelier_app::gallery::import::GalleryWriter::new(store.clone());
    let mut written = 0u64;
    for n_item in 0..n {
        let mut item = demo_item(n_item % 2400, now - i64::from(n_item) * 1000);
        item.source = "bench".to_owned();
        item.source_post_id = format!("bench-{n_item}");
        item.prompt = format!("{} #{}", item.prompt, n_item / 2400);
        items.push(item);
        if items.len() == 1000 || n_item + 1 == n {
            // As `atelier import` writes: batches in flight on their own tasks (two at once on
            // PostgreSQL).
            for outcomes in writer.push(std::mem::take(&mut items), now).await.unwrap() {
                written += outcomes.len() as u64;
            }
        }
    }
    for outcomes in writer.finish().await.unwrap() {
        written += outcomes.len() as u64;
    }
    let import_secs = started.elapsed().as_secs_f64();
    println!(
        "| database import | {written} items | {:.1} s | {:.0} items/s |",
        import_secs,
        written as f64 / import_secs
    );
    // Mark every image stored, as after a real import (the benchmark does not store pixels).
    let mark = Instant::now();
    store.bench_mark_all_images_ready().await.unwrap();
    // As `atelier import` does after a large import.
    store.analyze_gallery().await.unwrap();
    println!(
        "| mark images ready | | {:.1} s | |",
        mark.elapsed().as_secs_f64()
    );

    store.close().await;

    // The index is built the way a server builds it on first start: the product's rebuild.
    let settings = Settings::resolve(RawSettings {
        data_dir: data_dir.into(),
        database_url: Some(url.into()),
        ..RawSettings::default()
    })
    .unwrap();
    let app = atelier_app::App::open_serving(settings, Arc::new(atelier_core::SystemClock))
        .await
        .unwrap();
    let started = Instant::now();
    let report = app.sync_search_index().await.unwrap();
    assert!(report.rebuilt, "the benchmark's index should be rebuilt");
    let indexed = report.upserted;
    let index_secs = started.elapsed().as_secs_f64();
    println!(
        "| index build (from the database) | {indexed} docs | {index_secs:.1} s | {:.0} docs/s |",
        indexed as f64 / index_secs
    );
    println!(
        "| import + index | {written} items | {:.1} s | {:.0} items/s |",
        import_secs + index_secs,
        written as f64 / (import_secs + index_secs)
    );

    search_latency(app.search().unwrap());
}

/// Runs 3,000 mixed queries against `index` and prints their latency; with `BENCH_DETAIL` set,
/// also the slowest query kinds.
fn search_latency(index: &SearchIndex) {
    let detail = std::env::var_os("BENCH_DETAIL").is_some();
    let mut by_kind: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let mut latencies = Vec::new();
    for i in 0..3000 {
        let q = query(i);
        let t = Instant::now();
        let page = index.search(&q).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        latencies.push(ms);
        if detail {
            by_kind
                .entry(format!("{:?} {:?} {:?}", q.text, q.sort, q.aspect))
                .or_default()
                .push(ms);
        }
        std::hint::black_box(page);
    }
    let mut kinds: Vec<(f64, f64, usize, String)> = by_kind
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            (percentile(&v, 99.0), percentile(&v, 50.0), v.len(), k)
        })
        .collect();
    kinds.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (p99, p50, n, kind) in kinds.iter().take(12) {
        println!("p99 {p99:6.2} ms  p50 {p50:6.2} ms  n {n:4}  {kind}");
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "| in-process top-20 search (3000 mixed queries) | p50 {:.2} ms | p99 {:.2} ms | max {:.2} ms |",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0.0)
    );
}

/// `connections` clients searching for `seconds`: back to back (`rate` = None, the most the
/// server answers), or together offering `rate` requests per second, each client on a fixed
/// schedule; a request's latency then counts from its scheduled time, so that a server falling
/// behind shows in the figures (no coordinated omission).
async fn load(base: &str, seconds: u64, connections: usize, rate: Option<f64>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let client = client.clone();
        let stop = Arc::clone(&stop);
        let base = base.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = c;
            // Each client's share of the rate, its first request offset to spread the clients.
            let interval = rate.map(|r| Duration::from_secs_f64(connections as f64 / r));
            let mut scheduled = Instant::now()
                + interval.map_or(Duration::ZERO, |d| d.mul_f64(c as f64 / connections as f64));
            while !stop.load(Ordering::Relaxed) {
                let q = QUERIES[i % QUERIES.len()];
                let url = format!("{base}/api/v1/gallery?q={}&limit=20", q.replace(' ', "+"));
                let t = match interval {
                    Some(interval) => {
                        tokio::time::sleep_until(scheduled.into()).await;
                        let at = scheduled;
                        scheduled += interval;
                        at
                    }
                    None => Instant::now(),
                };
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
                i += connections;
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort_by(f64::total_cmp);
    let offered = rate.map_or(String::new(), |r| format!(", {r:.0} req/s offered"));
    println!(
        "| HTTP search, {connections} connections{offered}, {seconds} s | {:.0} req/s | p50 {:.2} ms | p99 {:.2} ms | errors {errors} |",
        all.len() as f64 / seconds as f64,
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("build") => {
            build(
                &args[2],
                args.get(3).map_or(1_000_000, |n| n.parse().unwrap()),
            )
            .await
        }
        Some("search") => {
            // An index of another schema version is rebuilt first.
            let data_dir = &args[2];
            let mut raw = RawSettings {
                data_dir: data_dir.into(),
                ..RawSettings::default()
            };
            raw.database_url = std::env::var("ATELIER_DATABASE_URL").ok().map(Into::into);
            let settings = Settings::resolve(raw).unwrap();
            let app = atelier_app::App::open_serving(settings, Arc::new(atelier_core::SystemClock))
                .await
                .unwrap();
            let report = app.sync_search_index().await.unwrap();
            println!("index sync: {report:?}");
            search_latency(app.search().unwrap());
        }
        Some("one") => {
            let index = SearchIndex::open(&std::path::Path::new(&args[2]).join("search")).unwrap();
            let q = SearchQuery {
                text: args[3].clone(),
                sort: match args.get(4).map(String::as_str) {
                    Some("newest") => Sort::Newest,
                    Some("liked") => Sort::MostLiked,
                    _ => Sort::Relevance,
                },
                aspect: args.get(5).cloned(),
                limit: 20,
                ..SearchQuery::default()
            };
            for _ in 0..5 {
                let t = Instant::now();
                let page = index.search(&q).unwrap();
                eprintln!(
                    "total {} {:?}  {:?}\n",
                    page.total,
                    page.total_exact,
                    t.elapsed()
                );
            }
        }
        Some("load") => {
            load(
                &args[2],
                args.get(3).map_or(20, |s| s.parse().unwrap()),
                args.get(4).map_or(64, |c| c.parse().unwrap()),
                args.get(5).map(|r| r.parse().unwrap()),
            )
            .await;
        }
        _ => println!(
            "usage: gallery_bench build DATA_DIR [N] | search DATA_DIR | one DATA_DIR TEXT [newest|liked] [ASPECT] | load URL [SECONDS] [CONNECTIONS] [RATE]"
        ),
    }
}
