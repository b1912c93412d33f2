//! The one mapping from a [`Refusal`] to the words a form shows, in the visitor's language. The
//! JSON error of the same refusal is made in `error.rs` from [`Refusal::code`]; forms call
//! [`form_message`]. The match is exhaustive: a new refusal does not compile until it has words
//! here (or says that only API clients and operators can meet it, who read the English message).

use crate::i18n::Messages;
use atelier_app::Refusal;

/// The words a form shows for `refusal`, or `None` for refusals no form can meet (the
/// use case's English message is shown then).
#[must_use]
pub fn form_message(m: &Messages, refusal: Refusal) -> Option<String> {
    let text = match refusal {
        Refusal::InvalidEmail => m.errors.invalid_email,
        Refusal::InvalidCode => m.errors.invalid_code,
        Refusal::SameEmail => m.errors.same_email,
        Refusal::EmailTaken => m.errors.email_taken,
        Refusal::InvalidDisplayName => m.errors.display_name,
        Refusal::InvalidLanguage => m.errors.language,
        Refusal::InvalidTokenName => m.errors.token_name,
        Refusal::InvalidBoardName => m.collections.board_name_invalid,
        Refusal::InvalidPrompt => m.errors.prompt,
        Refusal::UnknownModel | Refusal::NoModels => m.errors.unknown_model,
        Refusal::UnsupportedAspect => m.errors.aspect,
        Refusal::InvalidCount { max } => {
            return Some(m.errors.count.replace("{max}", &max.to_string()));
        }
        Refusal::TooManyReferences { max } => {
            return Some(m.errors.too_many_refs.replace("{n}", &max.to_string()));
        }
        Refusal::DuplicateReference => m.errors.duplicate_ref,
        Refusal::UnknownUpload | Refusal::InvalidSource => m.errors.unknown_upload,
        Refusal::IdempotencyKeyReused => m.errors.form_reused,
        Refusal::UnsupportedImage => m.errors.upload_unsupported,
        Refusal::MalformedImage => m.errors.upload_malformed,
        Refusal::TooManyPixels => m.errors.upload_pixels,
        Refusal::InvalidInstruction => m.errors.instruction,
        Refusal::EditUnsupported => m.errors.edit_unsupported,
        Refusal::BillingDisabled => m.credits.error_billing_off,
        Refusal::UnknownPack => m.credits.error_unknown_pack,
        Refusal::OwnAdminRole => m.admin.error_own_admin,
        Refusal::InvalidNetwork => m.admin.error_network,
        Refusal::BlocksOwnNetwork => m.admin.error_own_network,
        Refusal::InvalidSourceUrl => m.admin.error_source_url,
        Refusal::AlreadyAnswered => m.admin.error_answered,
        Refusal::InvalidAmount => m.admin.error_amount,
        Refusal::InvalidReason => m.admin.error_reason,
        // Met only through the API (a header, a cursor), by operators at the command line, or
        // inside background jobs: they read the English message.
        Refusal::InvalidBoardDescription
        | Refusal::InvalidIdempotencyKey
        | Refusal::InvalidImage
        | Refusal::MarketingNeedsUnsubscribe
        | Refusal::InvalidAnnouncement
        | Refusal::InvalidCursor
        // Stripe alone meets the webhook's refusals.
        | Refusal::InvalidSignature
        | Refusal::InvalidEvent
        | Refusal::UnknownPurchase
        | Refusal::PurchaseMismatch => return None,
    };
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, PageLang as _};

    #[test]
    fn refusals_read_in_each_language_with_their_numbers() {
        let en = Lang::En.messages();
        let zh = Lang::ZhCn.messages();
        assert_eq!(
            form_message(en, Refusal::InvalidCount { max: 4 }).as_deref(),
            Some("Ask for 1 to 4 images.")
        );
        let refs = form_message(zh, Refusal::TooManyReferences { max: 3 }).unwrap();
        assert!(refs.contains('3') && !refs.contains("{n}"), "{refs}");
        assert_ne!(
            form_message(en, Refusal::InvalidEmail),
            form_message(zh, Refusal::InvalidEmail)
        );
        assert_eq!(form_message(en, Refusal::InvalidCursor), None);
    }
}
