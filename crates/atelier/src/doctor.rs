//! `atelier doctor` (SEC4): checks the instance's privacy promises and prints a report; the
//! exit status is 1 when one fails. The data checks are the app's; this adds the HTTP layer's
//! cache policies (C6: no image may be cached longer than 7 days), read from the code and, when
//! the instance answers at `public_url`, from a live response.

use anyhow::Context as _;
use atelier_app::App;
use atelier_app::privacy::doctor::Check;
use atelier_core::{Settings, SystemClock};
use std::sync::Arc;
use std::time::Duration;

/// A check failed (the report says which); the process exits with 1.
#[derive(Debug, thiserror::Error)]
#[error("a privacy check failed")]
pub struct Failed;

/// The longest an image may be cached (C6).
const MAX_IMAGE_CACHE_SECS: u64 = 7 * 24 * 3600;

/// Runs every check; `Ok(false)` when one failed.
pub async fn run(settings: Settings) -> anyhow::Result<bool> {
    let app = App::open(settings, Arc::new(SystemClock))
        .await
        .context("cannot open the database and storage")?;
    let mut checks = app.doctor_checks().await?;
    checks.extend(cache_checks(&app).await);
    let failed = checks.iter().filter(|c| !c.ok).count();
    for c in &checks {
        say(&format!(
            "{} {} — {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.name,
            c.detail
        ));
    }
    say(&format!("{} checks, {} failed", checks.len(), failed));
    Ok(failed == 0)
}

/// `max-age` of a Cache-Control value.
fn max_age(value: &str) -> Option<u64> {
    value
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.trim().parse().ok())
}

async fn cache_checks(app: &App) -> Vec<Check> {
    use atelier_web::cache as images;
    use atelier_web::cache as uploads;
    let mut checks = Vec::new();
    let policies = [
        ("gallery images", images::GALLERY_IMAGE_CACHE),
        ("gallery placeholders", images::FALLBACK_IMAGE_CACHE),
        ("private images", uploads::PRIVATE_IMAGE_CACHE),
    ];
    let too_long: Vec<String> = policies
        .iter()
        .filter(|(_, v)| max_age(v).is_none_or(|s| s > MAX_IMAGE_CACHE_SECS))
        .map(|(what, v)| format!("{what}: {v}"))
        .collect();
    checks.push(Check::new(
        "C6 image cache headers at most 7 days (configured)",
        too_long.is_empty(),
        if too_long.is_empty() {
            policies
                .iter()
                .map(|(what, v)| format!("{what}: {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            too_long.join("; ")
        },
    ));
    let base = app
        .settings()
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    match live_image_cache(&base).await {
        Ok(Some(value)) => checks.push(Check::new(
            "C6 image cache headers at most 7 days (served)",
            max_age(&value).is_some_and(|s| s <= MAX_IMAGE_CACHE_SECS),
            format!("a gallery image is served with `Cache-Control: {value}`"),
        )),
        Ok(None) => {}
        Err(reason) => checks.push(Check::new(
            "C6 image cache headers at most 7 days (served)",
            true,
            format!("not checked live: {reason}"),
        )),
    }
    checks
}

/// The Cache-Control of one gallery thumbnail as the running instance serves it; `None` when the
/// gallery is empty.
async fn live_image_cache(base: &str) -> Result<Option<String>, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let page: serde_json::Value = client
        .get(format!("{base}/api/v1/gallery?limit=1"))
        .send()
        .await
        .map_err(|_| format!("the instance does not answer at {base}"))?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let Some(url) = page["items"][0]["thumb_url"].as_str() else {
        return Ok(None);
    };
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    Ok(response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned))
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age("public, max-age=604800"), Some(604_800));
        assert_eq!(max_age("private,max-age=60, immutable"), Some(60));
        assert_eq!(max_age("no-store"), None);
    }
}
