//! `atelier import`: adding gallery items from a JSON array or JSON lines (docs/import.md).
//! Idempotent: a post already here (same source and post id) is updated, never duplicated; a post
//! under a takedown tombstone stays out (C7). A bad record is reported with its line (or record)
//! number and skipped.

use super::fetch::Fetcher;
use super::images::{FetchJob, guess_aspect};
use crate::{App, AppError, JobKind};
use atelier_core::Aspect;
use atelier_core::UnixMillis;
use atelier_db::gallery::{GalleryImageInput, GalleryItemInput, UpsertOutcome};
use futures::StreamExt as _;
use serde::Deserialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::BufRead;
use std::sync::Mutex;

/// An import that created at least this many items refreshes the database planner's statistics
/// of the gallery tables (see `Store::analyze_gallery`).
const ANALYZE_AFTER_CREATED: u64 = 10_000;

/// Longest prompt accepted (the longest real prompt in the sample data has 16,011 characters).
pub const MAX_PROMPT_CHARS: usize = 32_000;
/// Most images per post.
pub const MAX_IMAGES_PER_ITEM: usize = 8;
/// Records written per transaction.
const IMPORT_BATCH: usize = 256;
/// After this many failed downloads from one host, the import stops trying that host.
const HOST_FAILURE_LIMIT: u32 = 3;

/// One post as written in an import file. Unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct ImportRecord {
    /// The post's id at its source (string or number).
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The prompt.
    pub prompt: String,
    /// Author handle.
    #[serde(default, deserialize_with = "null_as_default")]
    pub author: String,
    /// Author display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub author_name: String,
    /// Author profile URL.
    #[serde(default)]
    pub author_url: Option<String>,
    /// Likes at the source.
    #[serde(default, deserialize_with = "null_as_default")]
    pub likes: i64,
    /// Views at the source.
    #[serde(default, deserialize_with = "null_as_default")]
    pub views: i64,
    /// The first image's URL.
    #[serde(default)]
    pub image: Option<String>,
    /// Every image's URL.
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<String>,
    /// Model name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub model: String,
    /// Categories.
    #[serde(default, deserialize_with = "null_as_default")]
    pub categories: Vec<String>,
    /// Publication date (`YYYY-MM-DD`, RFC 3339, or epoch seconds/milliseconds).
    #[serde(default, deserialize_with = "optional_string_or_number")]
    pub date: Option<String>,
    /// The post's URL.
    #[serde(default)]
    pub source_url: Option<String>,
    /// Source name; `x` when `source_url` is on x.com or twitter.com, else `import`.
    #[serde(default)]
    pub source: Option<String>,
    /// Aspect ratio such as `3:4`; guessed from the prompt and categories when absent.
    #[serde(default)]
    pub aspect: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

/// A field written as `null` means the same as a missing one.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A date written as text or as epoch seconds or milliseconds; `null` is no date.
fn optional_string_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a date as text or a number, got {other}"
        ))),
    }
}

/// A record of an import file, or why it could not be read; numbered from 1 (line number for
/// JSON lines, record number for a JSON array).
pub type NumberedRecord = (usize, Result<ImportRecord, String>);

/// Reads an import file: a JSON array, or one JSON object per line (blank lines skipped).
///
/// # Errors
/// When the file cannot be read, or is a JSON array that does not parse as a whole.
pub fn read_records<'a>(
    mut reader: impl BufRead + Send + 'a,
) -> Result<Box<dyn Iterator<Item = NumberedRecord> + Send + 'a>, String> {
    // A byte-order mark, as some editors write, is not part of the JSON.
    if reader
        .fill_buf()
        .map_err(|e| e.to_string())?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    let first = loop {
        let buf = reader.fill_buf().map_err(|e| e.to_string())?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                break Some(b);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => Ok(Box::new(std::iter::empty())),
        Some(b'[') => {
            let values: Vec<serde_json::Value> = serde_json::from_reader(reader)
                .map_err(|e| format!("the JSON array does not parse: {e}"))?;
            Ok(Box::new(values.into_iter().enumerate().map(|(i, v)| {
                (i + 1, record_from(serde_path_to_error::deserialize(v)))
            })))
        }
        Some(_) => Ok(Box::new(reader.lines().enumerate().filter_map(
            |(i, line)| match line {
                Ok(l) if l.trim().is_empty() => None,
                Ok(l) => Some((
                    i + 1,
                    record_from(serde_path_to_error::deserialize(
                        &mut serde_json::Deserializer::from_str(&l),
                    )),
                )),
                Err(e) => Some((i + 1, Err(format!("unreadable line: {e}")))),
            },
        ))),
    }
}

/// A parsed record, or what is wrong with it, naming the field when one is to blame
/// (`` `likes`: invalid type: string "1.2k", expected i64 ``).
fn record_from(
    parsed: Result<ImportRecord, serde_path_to_error::Error<serde_json::Error>>,
) -> Result<ImportRecord, String> {
    parsed.map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("`{path}`: {}", e.into_inner())
        }
    })
}

/// Checks a record and turns it into the row to upsert.
///
/// # Errors
/// A message saying what is wrong with the record.
pub fn to_item(record: &ImportRecord, now: i64) -> Result<GalleryItemInput, String> {
    let id = record.id.trim();
    if id.is_empty() || id.len() > 128 {
        return Err("`id` must be 1 to 128 characters".to_owned());
    }
    let prompt = record.prompt.trim();
    if prompt.is_empty() {
        return Err("`prompt` is empty".to_owned());
    }
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(format!(
            "`prompt` is longer than {MAX_PROMPT_CHARS} characters"
        ));
    }
    let web_url = |u: &Option<String>| -> Result<Option<String>, String> {
        match u.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => match url::Url::parse(s) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                    Ok(Some(parsed.to_string()))
                }
                _ => Err(format!("`{s}` is not an http(s) URL")),
            },
        }
    };
    let source_url = web_url(&record.source_url)?;
    let on_x = source_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .is_some_and(|u| {
            matches!(
                u.host_str(),
                Some(
                    "x.com"
                        | "www.x.com"
                        | "twitter.com"
                        | "www.twitter.com"
                        | "mobile.twitter.com"
                )
            )
        });
    let source = match record
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => clean_token(s, 32),
        None if on_x => "x".to_owned(),
        None => "import".to_owned(),
    };
    let handle = record.author.trim().trim_start_matches('@');
    let handle = clean_token(handle, 64);
    let author_url = match web_url(&record.author_url)? {
        Some(u) => Some(u),
        None if source == "x" && !handle.is_empty() => Some(format!("https://x.com/{handle}")),
        None => None,
    };
    let mut urls: Vec<String> = record.images.clone();
    if urls.is_empty() {
        urls.extend(record.image.clone());
    }
    urls.truncate(MAX_IMAGES_PER_ITEM);
    let categories: Vec<String> = record
        .categories
        .iter()
        .map(|c| c.trim().chars().take(64).collect::<String>())
        .filter(|c| !c.is_empty())
        .take(16)
        .collect();
    let aspect = match record.aspect.as_deref() {
        Some(a) => {
            Aspect::parse(a).ok_or_else(|| format!("`{a}` is not an aspect ratio such as 3:4"))?
        }
        None => guess_aspect(prompt, &categories),
    };
    let (width, height) = aspect.dimensions(super::images::RENDER_LONG_EDGE);
    let mut images = Vec::new();
    for u in urls.iter().map(|u| Some(u.clone())) {
        images.push(GalleryImageInput {
            width: i64::from(width),
            height: i64::from(height),
            remote_url: web_url(&u)?,
        });
    }
    if images.is_empty() {
        images.push(GalleryImageInput {
            width: i64::from(width),
            height: i64::from(height),
            remote_url: None,
        });
    }
    let posted_at = match record.date.as_deref() {
        Some(d) => {
            atelier_core::time::parse_datetime(d).ok_or_else(|| format!("`{d}` is not a date"))?
        }
        None => now,
    };
    Ok(GalleryItemInput {
        source,
        source_post_id: id.to_owned(),
        source_url,
        prompt: prompt.to_owned(),
        model: clean_token(&record.model.to_lowercase(), 64),
        aspect: aspect.as_str().to_owned(),
        categories,
        author_handle: handle,
        author_name: record.author_name.trim().chars().take(100).collect(),
        author_url,
        likes: record.likes.max(0),
        views: record.views.max(0),
        posted_at,
        images,
    })
}

/// Keeps letters, digits and `_-.` (handles, model and source names).
fn clean_token(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(max)
        .collect()
}

/// How an import treats images.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Downloads published images (public addresses only); `None` never downloads.
    pub fetcher: Option<Fetcher>,
    /// Draws images that cannot be downloaded right away, instead of leaving them to a background
    /// job.
    pub render_missing: bool,
    /// Records processed at once.
    pub concurrency: usize,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Added.
    Created,
    /// Already here, updated.
    Updated,
    /// Taken down earlier; skipped (C7).
    Tombstoned,
    /// Could not be used; skipped.
    Bad {
        /// Line or record number.
        number: usize,
        /// Why.
        message: String,
    },
}

/// Totals of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// New items.
    pub created: u64,
    /// Updated items.
    pub updated: u64,
    /// Skipped: taken down.
    pub tombstoned: u64,
    /// Skipped: bad records.
    pub bad: u64,
    /// Images downloaded.
    pub downloaded: u64,
    /// Images drawn offline.
    pub rendered: u64,
    /// Images left to a background job.
    pub deferred: u64,
}

#[derive(Debug, Default)]
struct ImageTally {
    downloaded: u64,
    rendered: u64,
    deferred: u64,
}

/// Writes a bulk job's batches (one transaction each) with up to
/// [`Store::write_parallelism`](atelier_db::Store::write_parallelism) of them in flight, each
/// on a task of its own, so that a PostgreSQL server works on two batches at once while the
/// caller prepares the next one or fetches the images of the last. Outcomes come back in the
/// order the batches were pushed. A batch that names a post also named by a batch still in
/// flight waits for it first: the later record then wins, as when batches are written one
/// after the other, and the two never race for the same row.
#[derive(Debug)]
pub struct GalleryWriter {
    store: atelier_db::Store,
    parallel: usize,
    in_flight: VecDeque<InFlight>,
}

#[derive(Debug)]
struct InFlight {
    posts: HashSet<(String, String)>,
    task: tokio::task::JoinHandle<Result<Vec<UpsertOutcome>, atelier_db::DbError>>,
}

impl GalleryWriter {
    /// A writer on `store`.
    #[must_use]
    pub fn new(store: atelier_db::Store) -> Self {
        GalleryWriter {
            parallel: store.write_parallelism().max(1),
            store,
            in_flight: VecDeque::new(),
        }
    }

    /// Starts writing `items` as one batch. Returns the outcomes of the earlier batches that
    /// had to finish to make room for it (oldest first; often none).
    ///
    /// # Errors
    /// A database error of an earlier batch (nothing of that batch was written).
    pub async fn push(
        &mut self,
        items: Vec<GalleryItemInput>,
        now: UnixMillis,
    ) -> Result<Vec<Vec<UpsertOutcome>>, AppError> {
        let posts: HashSet<(String, String)> = items
            .iter()
            .map(|i| (i.source.clone(), i.source_post_id.clone()))
            .collect();
        let overlaps = self.in_flight.iter().any(|f| !f.posts.is_disjoint(&posts));
        let mut done = Vec::new();
        while overlaps || self.in_flight.len() >= self.parallel {
            let Some(outcomes) = self.finish_oldest().await? else {
                break;
            };
            done.push(outcomes);
        }
        let store = self.store.clone();
        let task = tokio::spawn(async move { store.upsert_gallery_items(&items, now).await });
        self.in_flight.push_back(InFlight { posts, task });
        Ok(done)
    }

    /// Waits for every batch still in flight; their outcomes, oldest first.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub async fn finish(mut self) -> Result<Vec<Vec<UpsertOutcome>>, AppError> {
        let mut done = Vec::new();
        while let Some(outcomes) = self.finish_oldest().await? {
            done.push(outcomes);
        }
        Ok(done)
    }

    async fn finish_oldest(&mut self) -> Result<Option<Vec<UpsertOutcome>>, AppError> {
        let Some(oldest) = self.in_flight.pop_front() else {
            return Ok(None);
        };
        let outcomes = oldest
            .task
            .await
            .map_err(|e| AppError::Unavailable(format!("import batch task: {e}")))??;
        Ok(Some(outcomes))
    }
}

impl App {
    /// Imports records in batches (one transaction each), then gets each new item's images,
    /// calling `on_record` as each record is done.
    ///
    /// # Errors
    /// Only for failures of the instance itself (database, storage); bad records are reported
    /// through `on_record` and counted.
    pub async fn import_gallery<I, F>(
        &self,
        records: I,
        options: &ImportOptions,
        on_record: F,
    ) -> Result<ImportSummary, AppError>
    where
        I: Iterator<Item = NumberedRecord> + Send,
        F: Fn(&RecordOutcome) + Send + Sync,
    {
        let host_failures: Mutex<HashMap<String, u32>> = Mutex::default();
        let mut summary = ImportSummary::default();
        let mut records = records;
        let mut writer = GalleryWriter::new(self.store().clone());
        loop {
            let batch: Vec<NumberedRecord> = records.by_ref().take(IMPORT_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let now = self.now_ms();
            let mut items = Vec::with_capacity(batch.len());
            for (number, record) in batch {
                match record.and_then(|r| to_item(&r, now)) {
                    Ok(item) => items.push(item),
                    Err(message) => {
                        summary.bad += 1;
                        on_record(&RecordOutcome::Bad { number, message });
                    }
                }
            }
            for outcomes in writer.push(items, now).await? {
                self.finish_batch(outcomes, options, &host_failures, &mut summary, &on_record)
                    .await?;
            }
        }
        for outcomes in writer.finish().await? {
            self.finish_batch(outcomes, options, &host_failures, &mut summary, &on_record)
                .await?;
        }
        if summary.created >= ANALYZE_AFTER_CREATED {
            self.store().analyze_gallery().await?;
        }
        Ok(summary)
    }

    /// Gets the images of a written batch's new and updated items and counts its outcomes.
    async fn finish_batch<F>(
        &self,
        outcomes: Vec<UpsertOutcome>,
        options: &ImportOptions,
        host_failures: &Mutex<HashMap<String, u32>>,
        summary: &mut ImportSummary,
        on_record: &F,
    ) -> Result<(), AppError>
    where
        F: Fn(&RecordOutcome) + Send + Sync,
    {
        let mut done = futures::stream::iter(outcomes)
            .map(|outcome| async move {
                let (outcome, id) = match outcome {
                    UpsertOutcome::Created(id) => (RecordOutcome::Created, id),
                    UpsertOutcome::Updated(id) => (RecordOutcome::Updated, id),
                    UpsertOutcome::Tombstoned => {
                        return Ok((RecordOutcome::Tombstoned, ImageTally::default()));
                    }
                };
                let tally = self.acquire_images(&id, options, host_failures).await?;
                Ok::<_, AppError>((outcome, tally))
            })
            .buffer_unordered(options.concurrency.max(1));
        while let Some(result) = done.next().await {
            let (outcome, tally) = result?;
            match outcome {
                RecordOutcome::Created => summary.created += 1,
                RecordOutcome::Updated => summary.updated += 1,
                RecordOutcome::Tombstoned => summary.tombstoned += 1,
                RecordOutcome::Bad { .. } => summary.bad += 1,
            }
            summary.downloaded += tally.downloaded;
            summary.rendered += tally.rendered;
            summary.deferred += tally.deferred;
            on_record(&outcome);
        }
        Ok(())
    }

    async fn acquire_images(
        &self,
        item_id: &str,
        options: &ImportOptions,
        host_failures: &Mutex<HashMap<String, u32>>,
    ) -> Result<ImageTally, AppError> {
        let item = self.store().gallery_item(item_id).await?;
        let mut tally = ImageTally::default();
        for image in item.images.iter().filter(|i| !i.is_ready()) {
            if let (Some(fetcher), Some(url)) = (&options.fetcher, &image.remote_url) {
                let host = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                let failures = host_failures
                    .lock()
                    .map(|m| m.get(&host).copied().unwrap_or(0))
                    .unwrap_or(0);
                if failures < HOST_FAILURE_LIMIT {
                    let stored = match fetcher.fetch(url).await {
                        Ok(bytes) => self
                            .store_gallery_download(item_id, image.position, bytes)
                            .await
                            .is_ok(),
                        Err(_) => false,
                    };
                    if stored {
                        tally.downloaded += 1;
                        continue;
                    }
                    if let Ok(mut m) = host_failures.lock() {
                        *m.entry(host).or_default() += 1;
                    }
                }
            }
            if options.render_missing {
                self.render_gallery_image(&item, image.position).await?;
                tally.rendered += 1;
            } else {
                let job = FetchJob {
                    item_id: item_id.to_owned(),
                    position: image.position,
                };
                self.queue()
                    .enqueue(
                        JobKind::GalleryFetchImage.name(),
                        &job,
                        atelier_jobs::EnqueueOptions {
                            dedup_key: Some(format!("fetch:{item_id}:{}", image.position)),
                            max_attempts: Some(3),
                            ..Default::default()
                        },
                    )
                    .await?;
                tally.deferred += 1;
            }
        }
        Ok(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> ImportRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_meigen_record_maps_to_an_x_item() {
        let r = record(
            r#"{"rank":1,"id":"2017928823497453789","prompt":" A cat --ar 16:9 ","author":"@Techie","author_name":"Techie SA",
            "likes":3567,"views":159772,"image":"https://img.example/0.jpg","images":["https://img.example/0.jpg","https://img.example/1.jpg"],
            "model":"GPTImage","categories":["UI & Graphic"],"rating":3,"score":67.7,"date":"2026-02-01",
            "source_url":"https://x.com/Techie/status/2017928823497453789"}"#,
        );
        let item = to_item(&r, 0).unwrap();
        assert_eq!(item.source, "x");
        assert_eq!(item.source_post_id, "2017928823497453789");
        assert_eq!(item.prompt, "A cat --ar 16:9");
        assert_eq!(item.author_handle, "Techie");
        assert_eq!(item.author_url.as_deref(), Some("https://x.com/Techie"));
        assert_eq!(item.model, "gptimage");
        assert_eq!(item.aspect, "16:9");
        assert_eq!(item.images.len(), 2);
        assert_eq!(item.posted_at, 1_769_904_000_000);
    }

    #[test]
    fn dates_in_every_accepted_form_and_null_fields() {
        // 2026-02-01T00:00:00Z in every form the importer accepts.
        let expected = 1_769_904_000_000;
        for date in [
            r#""2026-02-01""#,
            r#""2026-02-01T00:00:00Z""#,
            r#""2026-02-01T09:00:00+09:00""#,
            r#""2026-02-01 00:00:00""#,
            "1769904000",
            r#""1769904000""#,
            "1769904000000",
        ] {
            let r = record(&format!(r#"{{"id":"d","prompt":"x","date":{date}}}"#));
            assert_eq!(to_item(&r, 0).unwrap().posted_at, expected, "{date}");
        }
        let r = record(
            r#"{"id":"n","prompt":"x","date":null,"author":null,"author_name":null,"likes":null,
            "views":null,"images":null,"image":null,"model":null,"categories":null,"source_url":null}"#,
        );
        let item = to_item(&r, 5).unwrap();
        assert_eq!(
            (item.posted_at, item.likes, item.author_handle.as_str()),
            (5, 0, "")
        );
        assert!(
            serde_json::from_str::<ImportRecord>(r#"{"id":"x","prompt":"x","date":[1]}"#).is_err()
        );
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        assert!(
            to_item(&record(r#"{"id":"1","prompt":"  "}"#), 0)
                .unwrap_err()
                .contains("prompt")
        );
        assert!(
            to_item(&record(r#"{"id":"","prompt":"x"}"#), 0)
                .unwrap_err()
                .contains("id")
        );
        assert!(
            to_item(&record(r#"{"id":1,"prompt":"x","date":"someday"}"#), 0)
                .unwrap_err()
                .contains("date")
        );
        assert!(
            to_item(&record(r#"{"id":1,"prompt":"x","aspect":"7:3"}"#), 0)
                .unwrap_err()
                .contains("aspect")
        );
        assert!(
            to_item(
                &record(r#"{"id":1,"prompt":"x","images":["file:///etc/passwd"]}"#),
                0
            )
            .unwrap_err()
            .contains("URL")
        );
        let item = to_item(&record(r#"{"id":7,"prompt":"x"}"#), 5).unwrap();
        assert_eq!(
            (item.source.as_str(), item.posted_at, item.images.len()),
            ("import", 5, 1)
        );
    }

    #[test]
    fn json_lines_and_arrays_are_read_with_numbers() {
        let lines =
            "{\"id\":1,\"prompt\":\"a\"}\n\nnot json\n{\"id\":2}\n{\"id\":3,\"prompt\":\"c\"}\n";
        let got: Vec<(usize, bool)> = read_records(lines.as_bytes())
            .unwrap()
            .map(|(n, r)| (n, r.is_ok()))
            .collect();
        assert_eq!(got, vec![(1, true), (3, false), (4, false), (5, true)]);
        let array = "  [{\"id\":1,\"prompt\":\"a\"}, {\"prompt\":\"b\"}]";
        let got: Vec<(usize, bool)> = read_records(array.as_bytes())
            .unwrap()
            .map(|(n, r)| (n, r.is_ok()))
            .collect();
        assert_eq!(got, vec![(1, true), (2, false)]);
        assert!(read_records("[{".as_bytes()).is_err());
        assert_eq!(read_records("  \n".as_bytes()).unwrap().count(), 0);
    }
}
