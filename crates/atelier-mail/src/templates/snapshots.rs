//! Snapshots of every mail (issue 16): each kind in each language rendered from the fixed
//! [`vars`], and the full RFC 5322 message the file transport writes, so that a change to any
//! template or to the message's form is a reviewed diff in `snapshots/`, not an accident.
//!
//! A kind without a snapshot fails (`MailKind::ALL` drives the loop, and a template folder that
//! is not a kind fails too); a snapshot whose kind is gone fails the orphan check.

use super::samples::vars;
use super::{Lang, MailKind, Templates};
use crate::{FileTransport, OutgoingMail, Transport as _};

/// The snapshot name of a kind's mail in a language: `sign_in_code.en`.
fn snapshot_name(kind: MailKind, lang: Lang) -> String {
    format!("{}.{}", kind.as_str(), lang.as_str())
}

/// Runs `f` with snapshots named without the module path (the folder holds only these).
fn with_plain_names(f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(f);
}

#[test]
fn every_kind_in_every_language_renders_as_its_snapshot() {
    let templates = Templates::new();
    with_plain_names(|| {
        for kind in MailKind::ALL {
            for lang in Lang::ALL {
                let r = templates.render(kind, lang.as_str(), &vars(kind)).unwrap();
                let shown = format!(
                    "subject: {}\n\n=== text/plain ===\n{}\n=== text/html ===\n{}",
                    r.subject, r.text, r.html
                );
                insta::assert_snapshot!(snapshot_name(kind, lang), shown);
            }
        }
    });
}

/// Every template folder is a kind of [`MailKind::ALL`], and every mail snapshot is of a kind
/// and language that still exist.
#[test]
fn template_folders_and_snapshots_match_the_kinds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("templates")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.starts_with('_') {
            let kind = MailKind::parse(&name);
            assert!(
                kind.is_some_and(|k| MailKind::ALL.contains(&k)),
                "template folder `{name}` is not in MailKind::ALL"
            );
        }
    }
    let mut expected: Vec<String> = MailKind::ALL
        .into_iter()
        .flat_map(|k| Lang::ALL.map(|l| format!("{}.snap", snapshot_name(k, l))))
        .collect();
    expected.extend(
        MESSAGES
            .iter()
            .map(|(k, l, _)| format!("message.{}.snap", snapshot_name(*k, *l))),
    );
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(root.join("src/templates/snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    found.sort();
    assert_eq!(
        found, expected,
        "a snapshot without its kind, or the reverse"
    );
}

/// Extra headers of a message, by name and value.
type Headers = &'static [(&'static str, &'static str)];

/// The mails whose whole message is pinned: a plain service mail, and a marketing mail in
/// Chinese (an encoded subject) with the unsubscribe headers the application adds.
const MESSAGES: &[(MailKind, Lang, Headers)] = &[
    (MailKind::SignInCode, Lang::En, &[]),
    (
        MailKind::Announcement,
        Lang::ZhCn,
        &[
            (
                "List-Unsubscribe",
                "<https://art.example.com/unsubscribe/abc>, <mailto:privacy@art.example.com?subject=unsubscribe%20abc>",
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ],
    ),
];

/// The message as the file transport wrote it, with the MIME boundary (random per message)
/// replaced by `BOUNDARY` and CRLF shown as LF (after checking every line ends in CRLF). The
/// Date and Message-ID come from the mail's fixed date and id, so they stay.
fn readable(raw: &str) -> String {
    assert!(
        !raw.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    let marker = "boundary=\"";
    let start = raw.find(marker).expect("a multipart boundary") + marker.len();
    let end = start + raw[start..].find('"').expect("a quoted boundary");
    let boundary = &raw[start..end];
    assert!(boundary.len() >= 16, "boundary {boundary:?}");
    raw.replace(boundary, "BOUNDARY").replace("\r\n", "\n")
}

#[tokio::test]
async fn the_file_transport_writes_messages_as_their_snapshots() {
    let templates = Templates::new();
    let dir = tempfile::tempdir().unwrap();
    let transport = FileTransport::new(dir.path().to_path_buf());
    for (kind, lang, headers) in MESSAGES {
        let r = templates
            .render(*kind, lang.as_str(), &vars(*kind))
            .unwrap();
        let mail = OutgoingMail {
            id: format!("m-{}", kind.as_str()),
            from: "Atelier <no-reply@art.example.com>".into(),
            to: "user@example.org".into(),
            subject: r.subject,
            text: r.text,
            html: r.html,
            date_ms: 1_769_934_600_000, // 2026-02-01T08:30:00Z
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        };
        transport.send(&mail).await.unwrap();
        let path = dir.path().join(FileTransport::file_name(&mail));
        let raw = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let name = format!("message.{}", snapshot_name(*kind, *lang));
        with_plain_names(|| insta::assert_snapshot!(name, readable(&raw)));
    }
}
