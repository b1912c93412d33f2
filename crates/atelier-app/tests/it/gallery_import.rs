//! The import's batch writer and the planner statistics it refreshes, on the backend under test.

use atelier_app::gallery::import::GalleryWriter;
use atelier_core::settings::DatabaseKind;
use atelier_db::gallery::{GalleryImageInput, GalleryItemInput, UpsertOutcome};
use atelier_db::testing::TestDb;
use sqlx::Connection as _;

fn item(post: &str, prompt: &str) -> GalleryItemInput {
    GalleryItemInput {
        source: "import".to_owned(),
        source_post_id: post.to_owned(),
        source_url: None,
        prompt: prompt.to_owned(),
        model: "nanobanana".to_owned(),
        aspect: "1:1".to_owned(),
        categories: Vec::new(),
        author_handle: "someone".to_owned(),
        author_name: "Someone".to_owned(),
        author_url: None,
        likes: 0,
        views: 0,
        posted_at: 1_000,
        images: vec![GalleryImageInput {
            width: 1024,
            height: 1024,
            remote_url: None,
        }],
    }
}

/// G1: batches come back in the order they were pushed, every record counted once, and a
/// post of a later batch updates the item an earlier batch created.
#[tokio::test]
async fn g1_the_batch_writer_answers_in_order_and_the_later_record_wins() {
    let db = TestDb::new().await;
    let mut writer = GalleryWriter::new(db.store.clone());
    let mut outcomes = Vec::new();
    for batch in 0..5 {
        let mut items: Vec<GalleryItemInput> = (0..40)
            .map(|i| item(&format!("b{batch}-{i}"), "a paper boat"))
            .collect();
        items.push(item("again", &format!("version {batch}")));
        outcomes.extend(writer.push(items, 1_000).await.unwrap());
    }
    outcomes.extend(writer.finish().await.unwrap());
    assert_eq!(outcomes.len(), 5);
    assert!(outcomes.iter().all(|o| o.len() == 41));
    assert!(matches!(outcomes[0][40], UpsertOutcome::Created(_)));
    assert!(
        outcomes[1..]
            .iter()
            .all(|o| matches!(o[40], UpsertOutcome::Updated(_)))
    );
    assert_eq!(db.store.gallery_count().await.unwrap(), 201);
    let items = db.store.gallery_items_after("", 500).await.unwrap();
    let again = items.iter().find(|i| i.source_post_id == "again").unwrap();
    assert_eq!(again.prompt, "version 4");
}

/// G1: `analyze_gallery` (run by large imports) gives PostgreSQL's planner statistics of the
/// gallery tables; on SQLite it does nothing and succeeds.
#[tokio::test]
async fn g1_analyze_gallery_gives_the_planner_statistics() {
    let db = TestDb::new().await;
    let items: Vec<GalleryItemInput> = (0..50)
        .map(|i| item(&format!("p{i}"), "a lantern by the sea"))
        .collect();
    db.store.upsert_gallery_items(&items, 1_000).await.unwrap();
    db.store.analyze_gallery().await.unwrap();
    if db.kind() == DatabaseKind::Postgres {
        let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
        let (tables,): (i64,) = sqlx::query_as(
            "SELECT count(DISTINCT tablename) FROM pg_stats WHERE schemaname = current_schema() \
             AND tablename IN ('gallery_items', 'gallery_images')",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(tables, 2);
        conn.close().await.unwrap();
    }
}
