//! The JSON files of the export: each file is one of these structs (or a list of one), built
//! from the rows read for it and borrowing from them, so that what the user receives is written
//! down in one place, field by field, apart from the code that reads and zips it.
//!
//! Fields are declared in alphabetical order because that is the order the files have always had
//! (they were first written from `serde_json` maps, which sort their keys), and serde writes a
//! struct's fields in the order they are declared. Times are RFC 3339 in UTC ([`Time`]); a
//! missing value is `null`.

use atelier_core::time::rfc3339;
use atelier_db::assistant::{AssistantLogRow, GenerationEditRow};
use atelier_db::billing::PurchaseRow;
use atelier_db::export::{
    ExportAccessToken, ExportAccount, ExportBoard, ExportBoardItem, ExportCreditEntry,
    ExportFavorite, ExportIpEvent, ExportReference, ExportRow, ExportSession,
};
use atelier_db::generations::{GenerationImageRow, GenerationRow};
use atelier_db::privacy::{ConsentEventRow, DeletionRequestRow};
use atelier_db::uploads::UploadRow;
use serde::{Serialize, Serializer};
use std::collections::HashMap;

/// A time in milliseconds, written as RFC 3339 in UTC.
#[derive(Debug, Clone, Copy)]
pub(super) struct Time(i64);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&rfc3339(self.0))
    }
}

/// `account.json`: the account itself.
#[derive(Debug, Serialize)]
pub(super) struct Account<'a> {
    created_at: Time,
    display_name: Option<&'a str>,
    email: &'a str,
    id: &'a str,
    language: &'a str,
    marketing_opt_in: bool,
    policy_version_seen: i64,
    roles: Vec<&'a str>,
    updated_at: Time,
}

impl<'a> From<&'a ExportAccount> for Account<'a> {
    fn from(a: &'a ExportAccount) -> Self {
        Account {
            created_at: Time(a.created_at),
            display_name: a.display_name.as_deref(),
            email: &a.email,
            id: &a.id,
            language: &a.language,
            marketing_opt_in: a.marketing_opt_in,
            policy_version_seen: a.policy_version_seen,
            roles: a
                .roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .collect(),
            updated_at: Time(a.updated_at),
        }
    }
}

/// `mail_preferences.json`: whether marketing mail is welcome, and where and in which language
/// mail goes.
#[derive(Debug, Serialize)]
pub(super) struct MailPreferences<'a> {
    email: &'a str,
    language: &'a str,
    marketing_opt_in: bool,
}

impl<'a> From<&'a ExportAccount> for MailPreferences<'a> {
    fn from(a: &'a ExportAccount) -> Self {
        MailPreferences {
            email: &a.email,
            language: &a.language,
            marketing_opt_in: a.marketing_opt_in,
        }
    }
}

/// One of `sessions.json`: a browser signed in, never its token.
#[derive(Debug, Serialize)]
pub(super) struct Session<'a> {
    created_at: Time,
    expires_at: Time,
    id: &'a str,
    label: &'a str,
    last_seen_at: Time,
}

impl<'a> From<&'a ExportSession> for Session<'a> {
    fn from(s: &'a ExportSession) -> Self {
        Session {
            created_at: Time(s.created_at),
            expires_at: Time(s.expires_at),
            id: &s.id,
            label: &s.label,
            last_seen_at: Time(s.last_seen_at),
        }
    }
}

/// One of `access_tokens.json`: a personal access token, never the token.
#[derive(Debug, Serialize)]
pub(super) struct AccessToken<'a> {
    created_at: Time,
    expires_at: Option<Time>,
    id: &'a str,
    last_used_at: Option<Time>,
    name: &'a str,
}

impl<'a> From<&'a ExportAccessToken> for AccessToken<'a> {
    fn from(t: &'a ExportAccessToken) -> Self {
        AccessToken {
            created_at: Time(t.created_at),
            expires_at: t.expires_at.map(Time),
            id: &t.id,
            last_used_at: t.last_used_at.map(Time),
            name: &t.name,
        }
    }
}

/// One of `ip_events.json`: an address the account was used from.
#[derive(Debug, Serialize)]
pub(super) struct IpEvent<'a> {
    created_at: Time,
    id: &'a str,
    ip: &'a str,
    kind: &'a str,
    network: &'a str,
}

impl<'a> From<&'a ExportIpEvent> for IpEvent<'a> {
    fn from(e: &'a ExportIpEvent) -> Self {
        IpEvent {
            created_at: Time(e.created_at),
            id: &e.id,
            ip: &e.ip,
            kind: &e.kind,
            network: &e.network,
        }
    }
}

/// One of `uploads.json`: a reference image, with its `file` in the archive.
#[derive(Debug, Serialize)]
pub(super) struct Upload<'a> {
    byte_size: i64,
    content_type: &'a str,
    created_at: Time,
    file: &'a str,
    height: i64,
    id: &'a str,
    width: i64,
}

impl<'a> Upload<'a> {
    /// The entry of `upload`, copied into the archive as `file`.
    pub(super) fn new(upload: &'a UploadRow, file: &'a str) -> Self {
        Upload {
            byte_size: upload.byte_size,
            content_type: &upload.content_type,
            created_at: Time(upload.created_at),
            file,
            height: upload.height,
            id: &upload.id,
            width: upload.width,
        }
    }
}

/// One of `generations.json`: a generation with the uploads it used, the image an AI Edit
/// changed (`edit_of`) and the images it made.
#[derive(Debug, Serialize)]
pub(super) struct Generation<'a> {
    aspect: &'a str,
    count: i64,
    created_at: Time,
    credits_charged: i64,
    edit_of: Option<EditOf<'a>>,
    error: Option<&'a str>,
    finished_at: Option<Time>,
    hold_id: Option<&'a str>,
    id: &'a str,
    idempotency_key: Option<&'a str>,
    images: Vec<GenerationImage<'a>>,
    model: &'a str,
    price_per_image: i64,
    prompt: &'a str,
    provider: &'a str,
    references: Vec<Reference<'a>>,
    seed: Option<i64>,
    status: &'a str,
    updated_at: Time,
}

/// A reference upload of a [`Generation`].
#[derive(Debug, Serialize)]
pub(super) struct Reference<'a> {
    position: i64,
    upload_id: &'a str,
}

/// The image an AI Edit of a [`Generation`] changed.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct EditOf<'a> {
    source_id: &'a str,
    source_kind: &'a str,
}

/// An image a [`Generation`] made, with its `file` in the archive.
#[derive(Debug, Serialize)]
pub(super) struct GenerationImage<'a> {
    byte_size: i64,
    content_type: &'a str,
    created_at: Time,
    file: &'a str,
    height: i64,
    id: &'a str,
    position: i64,
    width: i64,
}

/// The entries of `generations.json`: each generation with its references, edit source and
/// images (`images[i]` copied into the archive as `image_files[i]`), in the order of the rows.
pub(super) fn generations<'a>(
    generations: &'a [GenerationRow],
    references: &'a [ExportReference],
    edits: &'a [GenerationEditRow],
    images: &'a [GenerationImageRow],
    image_files: &'a [&'a str],
) -> Vec<Generation<'a>> {
    let mut refs_of: HashMap<&str, Vec<Reference<'a>>> = HashMap::new();
    for r in references {
        refs_of
            .entry(r.generation_id.as_str())
            .or_default()
            .push(Reference {
                position: r.position,
                upload_id: &r.upload_id,
            });
    }
    let mut images_of: HashMap<&str, Vec<GenerationImage<'a>>> = HashMap::new();
    for (i, file) in images.iter().zip(image_files) {
        images_of
            .entry(i.generation_id.as_str())
            .or_default()
            .push(GenerationImage {
                byte_size: i.byte_size,
                content_type: &i.content_type,
                created_at: Time(i.created_at),
                file,
                height: i.height,
                id: &i.id,
                position: i.position,
                width: i.width,
            });
    }
    let edit_of: HashMap<&str, EditOf<'a>> = edits
        .iter()
        .map(|e| {
            (
                e.generation_id.as_str(),
                EditOf {
                    source_id: &e.source_id,
                    source_kind: &e.source_kind,
                },
            )
        })
        .collect();
    generations
        .iter()
        .map(|g| Generation {
            aspect: &g.aspect,
            count: g.count,
            created_at: Time(g.created_at),
            credits_charged: g.credits_charged,
            edit_of: edit_of.get(g.id.as_str()).copied(),
            error: g.error.as_deref(),
            finished_at: g.finished_at.map(Time),
            hold_id: g.hold_id.as_deref(),
            id: &g.id,
            idempotency_key: g.idempotency_key.as_deref(),
            images: images_of.remove(g.id.as_str()).unwrap_or_default(),
            model: &g.model_id,
            price_per_image: g.price_per_image,
            prompt: &g.prompt,
            provider: &g.provider,
            references: refs_of.remove(g.id.as_str()).unwrap_or_default(),
            seed: g.seed,
            status: &g.status,
            updated_at: Time(g.updated_at),
        })
        .collect()
}

/// One of `favorites.json`: a gallery item marked as a favorite.
#[derive(Debug, Serialize)]
pub(super) struct Favorite<'a> {
    created_at: Time,
    item_id: &'a str,
    prompt: Option<&'a str>,
}

impl<'a> From<&'a ExportFavorite> for Favorite<'a> {
    fn from(f: &'a ExportFavorite) -> Self {
        Favorite {
            created_at: Time(f.created_at),
            item_id: &f.item_id,
            prompt: f.prompt.as_deref(),
        }
    }
}

/// One of `boards.json`: a board with what is on it; `shared` says whether a share link exists,
/// never the link.
#[derive(Debug, Serialize)]
pub(super) struct Board<'a> {
    created_at: Time,
    description: &'a str,
    id: &'a str,
    items: Vec<BoardItem<'a>>,
    name: &'a str,
    shared: bool,
    updated_at: Time,
}

/// A gallery item or generation on a [`Board`].
#[derive(Debug, Serialize)]
pub(super) struct BoardItem<'a> {
    added_at: Time,
    generation_id: Option<&'a str>,
    id: &'a str,
    item_id: Option<&'a str>,
    shown_on_share_link: bool,
}

/// The entries of `boards.json`: each board with its items, in the order of the rows.
pub(super) fn boards<'a>(
    boards: &'a [ExportBoard],
    items: &'a [ExportBoardItem],
) -> Vec<Board<'a>> {
    let mut items_of: HashMap<&str, Vec<BoardItem<'a>>> = HashMap::new();
    for i in items {
        items_of
            .entry(i.board_id.as_str())
            .or_default()
            .push(BoardItem {
                added_at: Time(i.added_at),
                generation_id: i.generation_id.as_deref(),
                id: &i.id,
                item_id: i.item_id.as_deref(),
                shown_on_share_link: i.shared,
            });
    }
    boards
        .iter()
        .map(|b| Board {
            created_at: Time(b.created_at),
            description: &b.description,
            id: &b.id,
            items: items_of.remove(b.id.as_str()).unwrap_or_default(),
            name: &b.name,
            shared: b.shared,
            updated_at: Time(b.updated_at),
        })
        .collect()
}

/// `ledger.json`: the credit balance and every entry that made it.
#[derive(Debug, Serialize)]
pub(super) struct Ledger<'a> {
    balance: i64,
    entries: Vec<LedgerEntry<'a>>,
}

impl<'a> Ledger<'a> {
    /// The ledger of `balance` made by `entries`.
    pub(super) fn new(balance: i64, entries: &'a [ExportCreditEntry]) -> Self {
        Ledger {
            balance,
            entries: entries.iter().map(LedgerEntry::from).collect(),
        }
    }
}

/// An entry of the [`Ledger`]: a grant, purchase, hold, capture, release, refund or adjustment.
#[derive(Debug, Serialize)]
pub(super) struct LedgerEntry<'a> {
    amount: i64,
    created_at: Time,
    hold_id: Option<&'a str>,
    id: &'a str,
    kind: &'a str,
    reason: &'a str,
    reference: Option<&'a str>,
}

impl<'a> From<&'a ExportCreditEntry> for LedgerEntry<'a> {
    fn from(e: &'a ExportCreditEntry) -> Self {
        LedgerEntry {
            amount: e.kind.effect(e.amount),
            created_at: Time(e.created_at),
            hold_id: e.hold_id.as_deref(),
            id: &e.id,
            kind: e.kind.as_str(),
            reason: &e.reason,
            reference: e.reference.as_deref(),
        }
    }
}

/// One of `purchases.json`: a credit pack bought (or set out to be bought) through Stripe, with
/// Stripe's ids for it and what refunds took back.
#[derive(Debug, Serialize)]
pub(super) struct Purchase<'a> {
    amount: i64,
    amount_refunded: i64,
    created_at: Time,
    credits: i64,
    credits_refunded: i64,
    currency: &'a str,
    id: &'a str,
    pack_id: &'a str,
    status: &'a str,
    stripe_payment_intent: Option<&'a str>,
    stripe_session_id: Option<&'a str>,
    updated_at: Time,
}

impl<'a> From<&'a PurchaseRow> for Purchase<'a> {
    fn from(p: &'a PurchaseRow) -> Self {
        Purchase {
            amount: p.amount,
            amount_refunded: p.amount_refunded,
            created_at: Time(p.created_at),
            credits: p.credits,
            credits_refunded: p.credits_refunded,
            currency: &p.currency,
            id: &p.id,
            pack_id: &p.pack_id,
            status: p.status.as_str(),
            stripe_payment_intent: p.payment_intent.as_deref(),
            stripe_session_id: p.stripe_session_id.as_deref(),
            updated_at: Time(p.updated_at),
        }
    }
}

/// One of `assistant_logs.json`: a call to the AI assistant, what went and what came back.
#[derive(Debug, Serialize)]
pub(super) struct AssistantLog<'a> {
    created_at: Time,
    duration_ms: i64,
    error: Option<&'a str>,
    feature: &'a str,
    id: &'a str,
    input: &'a str,
    instruction: Option<&'a str>,
    model: &'a str,
    output: Option<&'a str>,
    provider: &'a str,
    status: &'a str,
}

impl<'a> From<&'a AssistantLogRow> for AssistantLog<'a> {
    fn from(l: &'a AssistantLogRow) -> Self {
        AssistantLog {
            created_at: Time(l.created_at),
            duration_ms: l.duration_ms,
            error: l.error.as_deref(),
            feature: &l.feature,
            id: &l.id,
            input: &l.input,
            instruction: l.instruction.as_deref(),
            model: &l.model,
            output: l.output.as_deref(),
            provider: &l.provider,
            status: &l.status,
        }
    }
}

/// One of `consents.json`: something agreed to (or withdrawn), and when.
#[derive(Debug, Serialize)]
pub(super) struct Consent<'a> {
    created_at: Time,
    id: &'a str,
    kind: &'a str,
    source: &'a str,
    value: &'a str,
}

impl<'a> From<&'a ConsentEventRow> for Consent<'a> {
    fn from(c: &'a ConsentEventRow) -> Self {
        Consent {
            created_at: Time(c.created_at),
            id: &c.id,
            kind: &c.kind,
            source: &c.source,
            value: &c.value,
        }
    }
}

/// One of `exports.json`: an export prepared in the background.
#[derive(Debug, Serialize)]
pub(super) struct Export<'a> {
    byte_size: Option<i64>,
    created_at: Time,
    expires_at: Time,
    id: &'a str,
    status: &'a str,
}

impl<'a> From<&'a ExportRow> for Export<'a> {
    fn from(e: &'a ExportRow) -> Self {
        Export {
            byte_size: e.byte_size,
            created_at: Time(e.created_at),
            expires_at: Time(e.expires_at),
            id: &e.id,
            status: &e.status,
        }
    }
}

/// `deletion_request.json`, present while the account's deletion is pending.
#[derive(Debug, Serialize)]
pub(super) struct DeletionRequest<'a> {
    due_at: Time,
    requested_at: Time,
    source: &'a str,
}

impl<'a> From<&'a DeletionRequestRow> for DeletionRequest<'a> {
    fn from(d: &'a DeletionRequestRow) -> Self {
        DeletionRequest {
            due_at: Time(d.due_at),
            requested_at: Time(d.requested_at),
            source: &d.source,
        }
    }
}
