//! Fixed sample variables for every mail kind, shared by the template tests and the snapshots:
//! one set of values, so a snapshot diff always comes from a template, never from its inputs.

use super::MailKind;
use serde_json::json;

/// The variables of a `kind` mail, with the `site_name` and `site_url` every mail has. Values
/// hold characters HTML must escape (`&` in links) and line breaks (the announcement's body).
pub(super) fn vars(kind: MailKind) -> serde_json::Value {
    let common = json!({
        "site_name": "Atelier",
        "site_url": "https://art.example.com",
    });
    let mut v = match kind {
        MailKind::SignInCode => json!({
            "code": "123456",
            "link": "https://art.example.com/sign-in/verify?token=abc&x=1",
            "minutes": 15,
        }),
        MailKind::SecurityAlert => json!({
            "when": "2026-02-01 08:30 UTC",
            "network": "203.0.113.0/24",
            "browser": "Firefox on Linux",
            "settings_url": "https://art.example.com/settings/sessions",
        }),
        MailKind::EmailChangeCode => json!({
            "code": "654321",
            "new_email": "new@example.com",
            "minutes": 15,
        }),
        MailKind::EmailChangedNotice => json!({
            "new_email_masked": "n***@example.com",
            "when": "2026-02-01 08:30 UTC",
        }),
        MailKind::DeletionRequested => json!({
            "due": "2026-02-08",
            "privacy_url": "https://art.example.com/settings/privacy",
        }),
        MailKind::AccountDeleted => json!({}),
        MailKind::Announcement => json!({
            "title": "New boards",
            "body": "Boards can now be shared.\n\nTry it today.",
            "paragraphs": ["Boards can now be shared.", "Try it today."],
            "unsubscribe_url": "https://art.example.com/unsubscribe/abc",
        }),
        MailKind::ExportReady => json!({
            "link": "https://art.example.com/api/v1/me/exports/e1/download?expires=1&sig=ab",
            "hours": 24,
            "expires": "2026-02-02 08:30 UTC",
        }),
        MailKind::PurchaseReceipt => json!({
            "pack_name": "Starter & more",
            "credits": 100,
            "price": "$5.00",
            "currency": "USD",
            "date": "2026-02-01",
            "purchase_id": "01JPURCHASE",
            "balance": 120,
            "credits_url": "https://art.example.com/credits",
        }),
        MailKind::RefundNotice => json!({
            "pack_name": "Starter & more",
            "credits": 50,
            "refunded": "$2.50",
            "currency": "USD",
            "date": "2026-02-03",
            "purchase_id": "01JPURCHASE",
            "credits_url": "https://art.example.com/credits",
        }),
        MailKind::TakedownAnswer => json!({
            "source_url": "https://x.com/someone/status/123",
            "removed": true,
            "count": 1,
        }),
        MailKind::PolicyChanged => json!({
            "version": 2,
            "effective": "2026-12-01",
            "policy_url": "https://art.example.com/privacy",
        }),
    };
    v.as_object_mut()
        .unwrap()
        .extend(common.as_object().unwrap().clone());
    v
}
