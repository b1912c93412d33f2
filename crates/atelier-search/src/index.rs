//! [`SearchIndex`]: opening the index folder, writing documents, the watermark.
//!
//! One `IndexWriter` behind a mutex; a reader with a manual reload policy, reloaded after every
//! commit, so that a write is visible to searches when the call returns. Index folders are not
//! safe for several processes (tantivy's lock file refuses a second writer): each node keeps its
//! own, fed from the database.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::{IndexWriterOptions, UserOperation};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, TantivyError, Term};

use crate::analyzer::{INDEX_ANALYZER, index_analyzer, query_analyzer};
use crate::error::SearchError;
use crate::query::{ExpansionCache, stopword_set};
use crate::rank::BlockMaxCache;
use crate::schema::{Fields, SCHEMA_VERSION, build_schema, to_document};
use crate::types::{GalleryDoc, SearchPage, SearchQuery};

/// Total indexing memory of the writer (split across its threads); tantivy flushes a segment
/// when a thread's share is full. Modest on purpose: the index is idle most of the time.
const WRITER_HEAP_BYTES: usize = 50_000_000;
/// Indexing threads (the target machine has 2 cores).
const MAX_WRITER_THREADS: usize = 2;
/// Operations per group [`SearchIndex::bulk_upsert`] hands to the indexing threads at once.
const BULK_GROUP: usize = 256;
/// [`SearchIndex::bulk_upsert`] compacts the index after writing at least this many documents.
const COMPACT_AFTER_BULK: u64 = 10_000;
/// A compacted index of this many documents keeps one segment per search thread.
pub const PARALLEL_MIN_DOCS: u64 = 100_000;
/// Most threads one search uses.
const MAX_SEARCH_THREADS: usize = 2;
/// The file in the index folder that records [`SCHEMA_VERSION`].
const VERSION_FILE: &str = "atelier-search.version";

/// The gallery search index. Cheap to clone (an `Arc` inside); `Send + Sync`.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) reader: IndexReader,
    index: Index,
    pub(crate) fields: Fields,
    pub(crate) stopwords: HashSet<String>,
    pub(crate) expansions: Mutex<ExpansionCache>,
    /// Block maxima of the rank fields, for browsing everything without reading every rank.
    pub(crate) block_max: BlockMaxCache,
    query_analyzer: TextAnalyzer,
    index_analyzer: TextAnalyzer,
    /// `None` only while [`SearchIndex::compact`] swaps the writer (or if reopening it failed;
    /// the next write tries again).
    writer: Mutex<Option<IndexWriter>>,
    /// The watermark of the last commit (also in the commit's payload).
    watermark: Mutex<Option<i64>>,
    dir: Option<PathBuf>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.inner.dir)
            .field("doc_count", &self.doc_count())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing). If the folder holds an index of another
    /// schema version (see [`SCHEMA_VERSION`]), or one whose schema does not match, it is wiped
    /// and recreated: the caller then sees `watermark() == None` and rebuilds.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        fs::create_dir_all(dir)?;
        let (schema, fields) = build_schema();
        if version_mismatch(dir)? {
            tracing::warn!(dir = %dir.display(), "search index of another schema version; rebuilding it");
            wipe(dir)?;
        }
        let builder = || Index::builder().schema(schema.clone()).settings(settings());
        let index = match builder().open_or_create(MmapDirectory::open(dir)?) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(reason)) => {
                tracing::warn!(dir = %dir.display(), %reason, "search index schema differs; rebuilding it");
                wipe(dir)?;
                builder().open_or_create(MmapDirectory::open(dir)?)?
            }
            Err(err) => return Err(err.into()),
        };
        write_version(dir)?;
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// A RAM index (tests).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_ram()?;
        Self::from_index(index, fields, None)
    }

    fn from_index(
        mut index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        // Large indexes are compacted into one segment per core, searched in parallel.
        if search_threads() > 1 {
            index.set_multithread_executor(search_threads())?;
        }
        index
            .tokenizers()
            .register(INDEX_ANALYZER, index_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = new_writer(&index)?;
        let watermark = match index.load_metas()?.payload {
            None => None,
            Some(payload) => match payload.trim().parse::<i64>() {
                Ok(value) => Some(value),
                Err(_) => {
                    tracing::warn!(%payload, "search index commit payload is not a watermark; ignoring it");
                    None
                }
            },
        };
        let mut query_analyzer = query_analyzer();
        let stopwords = stopword_set(&mut query_analyzer);
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                reader,
                fields,
                stopwords,
                expansions: Mutex::new(ExpansionCache::default()),
                block_max: BlockMaxCache::default(),
                query_analyzer,
                index_analyzer: index_analyzer(),
                index,
                writer: Mutex::new(Some(writer)),
                watermark: Mutex::new(watermark),
                dir,
            }),
        })
    }

    /// Adds or replaces documents (by id) and commits; visible to searches when it returns.
    pub fn upsert(&self, docs: &[GalleryDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.inner.write(|writer, fields| {
            for doc in docs {
                writer.delete_term(Term::from_field_text(fields.id, &doc.id));
                writer.add_document(to_document(fields, doc))?;
            }
            Ok(())
        })
    }

    /// Removes documents by id and commits; gone from results when it returns.
    pub fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.inner.write(|writer, fields| {
            for id in ids {
                writer.delete_term(Term::from_field_text(fields.id, id));
            }
            Ok(())
        })
    }

    /// Bulk (re)build: streams many docs with one commit at the end (use it for full rebuilds,
    /// after [`clear`](Self::clear)). Documents replace earlier ones with the same id. After a
    /// large bulk (≥ 10,000 documents) the index is [compacted](Self::compact) before this
    /// returns, so that searches are at full speed at once. Returns the number written.
    pub fn bulk_upsert<I: IntoIterator<Item = GalleryDoc>>(
        &self,
        docs: I,
    ) -> Result<u64, SearchError> {
        let reader = &self.inner.reader;
        let count = self.inner.write(|writer, fields| {
            // Into an empty index, deleting by id first only matters for repeated ids in the
            // stream; a rebuild from the database has none, so skip the per-document delete.
            // (Checked under the writer lock: no other commit can land in between.)
            let was_empty = reader.searcher().num_docs() == 0;
            let mut count = 0u64;
            // Handed to the indexing threads in groups: one document at a time, the hand-over
            // (a channel send and a thread wake-up per document) cost more than a sixth of a
            // rebuild. Operations of a group keep their order, so a delete still precedes the
            // add it makes room for.
            let mut group = Vec::with_capacity(2 * BULK_GROUP);
            for doc in docs {
                if !was_empty {
                    group.push(UserOperation::Delete(Term::from_field_text(
                        fields.id, &doc.id,
                    )));
                }
                group.push(UserOperation::Add(to_document(fields, &doc)));
                count += 1;
                if group.len() >= BULK_GROUP {
                    writer.run(group.drain(..))?;
                }
            }
            if !group.is_empty() {
                writer.run(group)?;
            }
            Ok(count)
        })?;
        if count >= COMPACT_AFTER_BULK {
            self.compact()?;
        }
        Ok(count)
    }

    /// Removes every document and commits.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.inner.write(|writer, _| {
            writer.delete_all_documents()?;
            Ok(())
        })
    }

    /// The state of the index searches currently see. It changes with every reload after a
    /// commit or merge, so results computed under one generation stay exact while it lasts.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.inner.reader.searcher().generation().generation_id()
    }

    /// Number of searchable documents.
    #[must_use]
    pub fn doc_count(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Whether a document with this id is searchable.
    pub fn contains(&self, id: &str) -> Result<bool, SearchError> {
        let searcher = self.inner.reader.searcher();
        let term = Term::from_field_text(self.inner.fields.id, id);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        Ok(searcher.search(&query, &tantivy::collector::Count)? > 0)
    }

    /// A caller-defined sync watermark stored with the index's commits (e.g. the highest
    /// database change sequence indexed). `None` for a fresh (or wiped) index.
    pub fn watermark(&self) -> Option<i64> {
        *lock(&self.inner.watermark)
    }

    /// Stores a new watermark with a commit (durable when it returns, for a folder index).
    pub fn set_watermark(&self, value: i64) -> Result<(), SearchError> {
        let mut slot = lock(&self.inner.writer);
        self.inner
            .commit(writer_of(&mut slot, &self.inner.index)?, Some(value))?;
        *lock(&self.inner.watermark) = Some(value);
        Ok(())
    }

    /// Searches: see [`SearchQuery`] for the knobs. Never fails on odd input; only a
    /// malformed cursor gives [`SearchError::BadCursor`].
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage, SearchError> {
        crate::search::run(&self.inner, query)
    }

    /// Ids of the documents most similar to the given one (shared rare terms of its prompt,
    /// same categories), excluding itself — for a "related items" strip. Empty if unknown id.
    /// `limit` is clamped like a page size.
    pub fn related(&self, id: &str, limit: usize) -> Result<Vec<String>, SearchError> {
        crate::related::run(&self.inner, id, limit)
    }

    /// Merges the segments and waits for it: into one (each segment repeats the per-query
    /// work), or — from [`PARALLEL_MIN_DOCS`] documents on — into one of about equal size per
    /// core, which a search then walks in parallel. [`bulk_upsert`](Self::bulk_upsert) calls
    /// it after large bulks; tantivy's merge policy also merges in the background. Writes wait
    /// while it runs.
    pub fn compact(&self) -> Result<(), SearchError> {
        let mut slot = lock(&self.inner.writer);
        // Background merges hold segments that an explicit merge needs: let them finish by
        // retiring the writer, then merge everything with a fresh one.
        let waited = match slot.take() {
            Some(writer) => writer.wait_merging_threads(),
            None => Ok(()),
        };
        let writer = writer_of(&mut slot, &self.inner.index)?;
        waited?;
        let metas = self.inner.index.searchable_segment_metas()?;
        let docs: u64 = metas.iter().map(|m| u64::from(m.num_docs())).sum();
        let parts = if docs >= PARALLEL_MIN_DOCS {
            search_threads()
        } else {
            1
        };
        // Largest first, each into the lightest group so far.
        let mut metas = metas;
        metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
        let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); parts];
        for meta in &metas {
            if let Some(lightest) = groups.iter_mut().min_by_key(|(n, _)| *n) {
                lightest.0 += u64::from(meta.num_docs());
                lightest.1.push(meta.id());
            }
        }
        for (_, ids) in groups {
            if ids.len() > 1 {
                writer.merge(&ids).wait()?;
            }
        }
        self.inner.reader.reload()?;
        Ok(())
    }

    /// Number of index segments (fewer is faster to search; see [`compact`](Self::compact)).
    pub fn segment_count(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }
}

impl Inner {
    /// A fresh copy of the query analyzer (analyzers need `&mut` to run).
    pub(crate) fn query_analyzer(&self) -> TextAnalyzer {
        self.query_analyzer.clone()
    }

    /// A fresh copy of the index analyzer (for snippets and related items).
    pub(crate) fn index_analyzer(&self) -> TextAnalyzer {
        self.index_analyzer.clone()
    }

    /// Runs `f` with the writer, then commits (keeping the watermark); rolls back on error.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter, &Fields) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut slot = lock(&self.writer);
        let writer = writer_of(&mut slot, &self.index)?;
        let result = f(writer, &self.fields).and_then(|value| {
            let watermark = *lock(&self.watermark);
            self.commit(writer, watermark).map(|()| value)
        });
        if result.is_err()
            && let Err(err) = writer.rollback()
        {
            tracing::warn!(%err, "search index rollback failed");
        }
        result
    }

    fn commit(&self, writer: &mut IndexWriter, watermark: Option<i64>) -> Result<(), SearchError> {
        let mut prepared = writer.prepare_commit()?;
        if let Some(value) = watermark {
            prepared.set_payload(&value.to_string());
        }
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }
}

/// Index settings: 4 KB doc store blocks (not 16 KB), so that fetching a page of 20 hits
/// decompresses a quarter as much.
fn settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: 4_096,
        ..IndexSettings::default()
    }
}

/// The index writer: 2 indexing threads at most, [`WRITER_HEAP_BYTES`] between them, one
/// merge thread.
/// Threads a search uses (one per segment of a compacted large index): the cores, at most two.
fn search_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, MAX_SEARCH_THREADS)
}

fn new_writer(index: &Index) -> Result<IndexWriter, SearchError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WRITER_THREADS);
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(WRITER_HEAP_BYTES / threads)
        .num_merge_threads(1)
        .build();
    Ok(index.writer_with_options(options)?)
}

/// The writer in its slot, reopened first if a failed [`SearchIndex::compact`] left none.
fn writer_of<'a>(
    slot: &'a mut Option<IndexWriter>,
    index: &Index,
) -> Result<&'a mut IndexWriter, SearchError> {
    if slot.is_none() {
        *slot = Some(new_writer(index)?);
    }
    slot.as_mut()
        .ok_or_else(|| SearchError::Index("index writer unavailable".to_owned()))
}

/// Locks a mutex; a panic elsewhere while holding it leaves tantivy's writer usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether `dir` holds an index written with another schema version (or with none recorded).
fn version_mismatch(dir: &Path) -> Result<bool, SearchError> {
    match fs::read_to_string(dir.join(VERSION_FILE)) {
        Ok(text) => Ok(text.trim() != SCHEMA_VERSION.to_string()),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(dir.join("meta.json").exists()),
        Err(err) => Err(err.into()),
    }
}

/// Removes everything inside the index folder (not the folder: it may be a mount point).
fn wipe(dir: &Path) -> Result<(), SearchError> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Records the schema version, atomically (write a temporary file, then rename).
fn write_version(dir: &Path) -> Result<(), SearchError> {
    let path = dir.join(VERSION_FILE);
    let wanted = format!("{SCHEMA_VERSION}\n");
    if fs::read_to_string(&path).is_ok_and(|current| current == wanted) {
        return Ok(());
    }
    let tmp = dir.join(format!("{VERSION_FILE}.tmp"));
    fs::write(&tmp, wanted)?;
    fs::rename(&tmp, &path)?;
    Ok(())
}
