//! Writing, deleting, clearing, the watermark, reopening and schema-version wipes.

use crate::support::{doc, find_text, index_with};
use atelier_search::{SCHEMA_VERSION, SearchIndex};

#[test]
fn search_index_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_traits::<SearchIndex>();
}

#[test]
fn delete_makes_a_document_vanish_immediately() {
    let index = index_with(&[doc("a", "red fox"), doc("b", "red hen")]);
    assert_eq!(index.doc_count(), 2);
    index.delete(&["a".to_owned()]).unwrap();
    assert_eq!(find_text(&index, "red"), ["b"]);
    assert_eq!(index.doc_count(), 1);
    assert!(!index.contains("a").unwrap());
    // Deleting unknown ids is fine.
    index.delete(&["nope".to_owned()]).unwrap();
    assert_eq!(index.doc_count(), 1);
}

#[test]
fn upsert_replaces_without_duplicates() {
    let index = index_with(&[doc("a", "red fox")]);
    index.upsert(&[doc("a", "blue whale")]).unwrap();
    assert!(find_text(&index, "fox").is_empty());
    assert_eq!(find_text(&index, "whale"), ["a"]);
    // The same id twice in one batch: the last one wins.
    index
        .upsert(&[doc("a", "green frog"), doc("a", "yellow bird")])
        .unwrap();
    assert_eq!(index.doc_count(), 1);
    assert_eq!(find_text(&index, "bird"), ["a"]);
    assert!(find_text(&index, "frog").is_empty());
}

#[test]
fn bulk_upsert_and_clear() {
    let index = SearchIndex::in_memory().unwrap();
    let n = index
        .bulk_upsert((0..500).map(|i| doc(&format!("d{i}"), &format!("item {i} owl"))))
        .unwrap();
    assert_eq!(n, 500);
    assert_eq!(index.doc_count(), 500);
    // Into a non-empty index, bulk_upsert replaces by id.
    let n = index
        .bulk_upsert((0..10).map(|i| doc(&format!("d{i}"), "replaced heron")))
        .unwrap();
    assert_eq!(n, 10);
    assert_eq!(index.doc_count(), 500);
    assert_eq!(
        index.search(&crate::support::text("heron")).unwrap().total,
        10
    );
    index.clear().unwrap();
    assert_eq!(index.doc_count(), 0);
    assert!(find_text(&index, "owl").is_empty());
    index.upsert(&[doc("x", "owl")]).unwrap();
    assert_eq!(find_text(&index, "owl"), ["x"]);
}

#[test]
fn compact_keeps_results() {
    let index = SearchIndex::in_memory().unwrap();
    for i in 0..5 {
        index.upsert(&[doc(&format!("d{i}"), "kestrel")]).unwrap();
    }
    index.compact().unwrap();
    assert_eq!(
        index
            .search(&crate::support::text("kestrel"))
            .unwrap()
            .total,
        5
    );
}

#[test]
fn watermark_round_trips_in_memory() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.watermark(), None);
    index.set_watermark(41).unwrap();
    index.upsert(&[doc("a", "x")]).unwrap();
    assert_eq!(index.watermark(), Some(41));
    index.set_watermark(-7).unwrap();
    assert_eq!(index.watermark(), Some(-7));
}

#[test]
fn watermark_and_documents_survive_reopening_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.watermark(), None);
        index.upsert(&[doc("a", "red fox")]).unwrap();
        index.set_watermark(1234).unwrap();
        index.upsert(&[doc("b", "red hen")]).unwrap(); // later commits keep the watermark
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.watermark(), Some(1234));
    assert_eq!(index.doc_count(), 2);
    assert_eq!(find_text(&index, "fox"), ["a"]);
}

#[test]
fn compaction_keeps_documents_and_the_watermark() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        for i in 0..6 {
            index.upsert(&[doc(&format!("d{i}"), "merlin")]).unwrap();
        }
        index.set_watermark(77).unwrap();
        index.compact().unwrap();
        assert_eq!(index.segment_count(), 1);
        index.upsert(&[doc("after", "merlin")]).unwrap(); // the writer works after compacting
        assert_eq!(index.doc_count(), 7);
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.watermark(), Some(77));
    assert_eq!(
        index.search(&crate::support::text("merlin")).unwrap().total,
        7
    );
}

#[test]
fn another_schema_version_is_wiped_and_recreated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(&[doc("a", "red fox")]).unwrap();
        index.set_watermark(99).unwrap();
    }
    let version_file = dir.path().join("atelier-search.version");
    assert_eq!(
        std::fs::read_to_string(&version_file).unwrap().trim(),
        SCHEMA_VERSION.to_string()
    );
    std::fs::write(&version_file, "0\n").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.watermark(), None);
    assert_eq!(index.doc_count(), 0);
    index.upsert(&[doc("b", "blue whale")]).unwrap();
    drop(index);
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(find_text(&index, "whale"), ["b"]);
}

#[test]
fn an_index_without_a_version_file_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.upsert(&[doc("a", "red fox")]).unwrap();
    }
    std::fs::remove_file(dir.path().join("atelier-search.version")).unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.doc_count(), 0);
}

#[test]
fn a_second_writer_on_the_same_folder_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SearchIndex::open(dir.path()).unwrap();
    let second = SearchIndex::open(dir.path());
    assert!(second.is_err());
    assert!(second.unwrap_err().to_string().starts_with("search index:"));
}

#[test]
fn searches_run_while_another_thread_writes() {
    let index = index_with(&[doc("seed", "otter")]);
    let writer = index.clone();
    let handle = std::thread::spawn(move || {
        for i in 0..20 {
            writer
                .upsert(&[doc(&format!("w{i}"), "otter river")])
                .unwrap();
        }
    });
    for _ in 0..50 {
        let page = index.search(&crate::support::text("otter")).unwrap();
        assert!(page.total >= 1);
    }
    handle.join().unwrap();
    assert_eq!(
        index.search(&crate::support::text("otter")).unwrap().total,
        21
    );
}
