//! The README the archive opens with: what each file holds, in the user's words, and that the
//! images in it are decrypted copies. Prose, kept apart from the code that writes the files: a
//! file added to the archive gets its line here.

use atelier_core::time::rfc3339;

/// The text of `README.txt` for an export made at `now`; `deletion_pending` adds the line
/// about `deletion_request.json`.
pub(super) fn readme(now: i64, deletion_pending: bool) -> String {
    let deletion = if deletion_pending {
        "deletion_request.json  The deletion of your account you (or an operator, on your\n\
         \x20                      written request) asked for, and when it will be carried out.\n"
    } else {
        ""
    };
    format!(
        "Your Atelier data export\n\
         ========================\n\
         \n\
         Made at {time}. This archive holds every record this Atelier instance keeps about\n\
         your account, one JSON file per kind of record, and every image of yours. Times are\n\
         in UTC (RFC 3339). No password, session token, access token, sign-in code, share-link\n\
         token or encryption key is included: those are secrets, and the instance keeps only\n\
         one-way hashes of them anyway.\n\
         \n\
         README.txt             This file.\n\
         account.json           Your account: id, email address, display name, language,\n\
         \x20                      roles, marketing opt-in, policy version seen, creation time.\n\
         mail_preferences.json  Whether you accept marketing mail, and the language of mail.\n\
         sessions.json          Browsers signed in to your account: label, when signed in,\n\
         \x20                      last seen, when the session expires.\n\
         access_tokens.json     Your personal access tokens: name, created, last used,\n\
         \x20                      expiry (never the token itself).\n\
         ip_events.json         The IP addresses your account was used from (sign-up,\n\
         \x20                      sign-in, sessions), kept for a limited time.\n\
         generations.json       Your image generations: prompt, model, status, credits,\n\
         \x20                      the uploads used as references, the image an AI Edit\n\
         \x20                      changed, and the images made, with their file in this ZIP.\n\
         uploads.json           The reference images you uploaded, with their file here.\n\
         favorites.json         Gallery items you marked as favorites.\n\
         boards.json            Your boards and what is on them; `shared` tells whether a\n\
         \x20                      share link exists (the link itself is not included).\n\
         ledger.json            Your credits ledger: every grant, purchase, hold, capture,\n\
         \x20                      release, refund and adjustment, and the balance.\n\
         purchases.json         Credit packs you bought or set out to buy through Stripe:\n\
         \x20                      price, status, refunds, and Stripe's ids for them.\n\
         assistant_logs.json    Your calls to the AI assistant (enhance, describe, edit):\n\
         \x20                      what was sent, what came back, model, duration.\n\
         consents.json          What you agreed to and when: marketing opt-in and opt-out,\n\
         \x20                      and each privacy-policy version you opened.\n\
         exports.json           Exports of your data prepared in the background.\n\
         {deletion}\
         images/uploads/        Your uploaded reference images, decrypted copies of the\n\
         \x20                      stored originals (<upload id>.<extension>).\n\
         images/generations/    Your generated images, decrypted copies of the stored\n\
         \x20                      originals (<image id>.<extension>).\n\
         \n\
         Images are stored encrypted with a key of your own; the copies here are decrypted,\n\
         so keep this archive safe.\n",
        time = rfc3339(now),
    )
}
