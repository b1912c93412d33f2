//! "Related items".

use crate::support::{doc, index_with};

#[test]
fn related_finds_documents_sharing_rare_terms_and_categories() {
    let mut a = doc("a", "a lighthouse on a rocky cliff at dusk, watercolor");
    a.categories = vec!["Landscape".into()];
    let b = doc("b", "watercolor lighthouse in a storm");
    let mut c = doc("c", "portrait of a knight");
    c.categories = vec!["landscape".into()];
    let d = doc("d", "a bowl of ramen");
    let e = doc("e", "a cliff with a lighthouse");
    let index = index_with(&[a, b, c, d, e]);
    let related = index.related("a", 10).unwrap();
    assert!(!related.contains(&"a".to_owned()), "{related:?}");
    assert!(!related.contains(&"d".to_owned()), "{related:?}");
    // The two sharing prompt terms come first, then the one sharing only a category.
    let mut first_two = related[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, ["b", "e"], "{related:?}");
    assert_eq!(related.len(), 3, "{related:?}");
    assert!(
        related.contains(&"c".to_owned()),
        "shares a category: {related:?}"
    );
    assert_eq!(index.related("a", 1).unwrap().len(), 1);
}

#[test]
fn related_of_an_unknown_id_is_empty() {
    let index = index_with(&[doc("a", "x y z")]);
    assert!(index.related("missing", 10).unwrap().is_empty());
    assert!(index.related("", 10).unwrap().is_empty());
    // A document sharing nothing has no related items.
    assert!(index.related("a", 10).unwrap().is_empty());
}
