//! The refusals a user can meet: every rule a request can break, as one enum. The app says
//! which rule was broken ([`AppError::Invalid`](crate::AppError::Invalid) carries a `Refusal`
//! and an English explanation for API clients); the web crate turns it into the JSON error's
//! stable `code` ([`Refusal::code`]) and, in one exhaustive mapping, into the words a form shows
//! in each language. A new rule is a new variant: the compiler then asks for its code and its
//! form message.

/// A rule a request broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    // Accounts (C1, C3, D5).
    /// Not an email address.
    InvalidEmail,
    /// A sign-in or change code that is wrong, used or expired.
    InvalidCode,
    /// The new address is the current one.
    SameEmail,
    /// Another account uses the address.
    EmailTaken,
    /// A display name out of bounds.
    InvalidDisplayName,
    /// A language the instance does not speak.
    InvalidLanguage,
    /// An access token's name out of bounds.
    InvalidTokenName,
    // Collections (G5).
    /// A board's name out of bounds.
    InvalidBoardName,
    /// A board's description out of bounds.
    InvalidBoardDescription,
    // Generation (G3, U1).
    /// A prompt empty or too long.
    InvalidPrompt,
    /// No model with that id.
    UnknownModel,
    /// The instance offers no model.
    NoModels,
    /// The model does not offer that aspect ratio.
    UnsupportedAspect,
    /// Images asked for out of `1..=max`.
    InvalidCount {
        /// The most images one request may ask for.
        max: u32,
    },
    /// More reference images than the model takes.
    TooManyReferences {
        /// The most the model takes.
        max: u32,
    },
    /// A reference image named twice.
    DuplicateReference,
    /// A reference that is not one of the user's uploads.
    UnknownUpload,
    /// An `Idempotency-Key` that is not usable.
    InvalidIdempotencyKey,
    /// An `Idempotency-Key` used before for a different request.
    IdempotencyKeyReused,
    // Images (C11).
    /// A file that is not a PNG, JPEG, WebP or GIF.
    UnsupportedImage,
    /// An image that is damaged or incomplete.
    MalformedImage,
    /// An image with more pixels than allowed.
    TooManyPixels,
    /// A downloaded gallery image that cannot be used.
    InvalidImage,
    // Assistant (G4).
    /// An AI Edit instruction empty or too long.
    InvalidInstruction,
    /// AI Edit needs exactly one source image.
    InvalidSource,
    /// The model cannot edit images.
    EditUnsupported,
    // Operators (G8).
    /// A credit amount that is zero or out of range.
    InvalidAmount,
    /// A credit adjustment without a reason.
    InvalidReason,
    /// Marketing mail without an unsubscribe link (C1, D7).
    MarketingNeedsUnsubscribe,
    /// An announcement without a title or body.
    InvalidAnnouncement,
    // Paging.
    /// A cursor that does not decode.
    InvalidCursor,
    // Billing (G7).
    /// The instance does not sell credits (no Stripe keys).
    BillingDisabled,
    /// No credit pack with that id.
    UnknownPack,
    /// A webhook whose `Stripe-Signature` is missing, wrong or too old.
    InvalidSignature,
    /// A webhook body that is not a Stripe event.
    InvalidEvent,
    /// A webhook about a session or payment this instance never started.
    UnknownPurchase,
    /// A webhook whose amount or currency is not the purchase's.
    PurchaseMismatch,
    /// An admin tried to take their own admin role.
    OwnAdminRole,
    /// Not an IPv4 or IPv6 network (or one too broad to block).
    InvalidNetwork,
    /// A block would cover the staff member's own address (send it again to confirm).
    BlocksOwnNetwork,
    /// Not a post's web address.
    InvalidSourceUrl,
    /// A takedown request that was answered already.
    AlreadyAnswered,
}

impl Refusal {
    /// The stable snake_case code API clients see (`{"error": {"code", "message"}}`). Two
    /// refusals may share a code where clients cannot tell them apart anyway.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidEmail => "invalid_email",
            Self::InvalidCode => "invalid_code",
            Self::SameEmail => "same_email",
            Self::EmailTaken => "email_taken",
            Self::InvalidDisplayName => "invalid_display_name",
            Self::InvalidLanguage => "invalid_language",
            Self::InvalidTokenName | Self::InvalidBoardName => "invalid_name",
            Self::InvalidBoardDescription => "invalid_description",
            Self::InvalidPrompt => "invalid_prompt",
            Self::UnknownModel => "unknown_model",
            Self::NoModels => "no_models",
            Self::UnsupportedAspect => "unsupported_aspect",
            Self::InvalidCount { .. } => "invalid_count",
            Self::TooManyReferences { .. } => "too_many_references",
            Self::DuplicateReference => "duplicate_reference",
            Self::UnknownUpload => "unknown_upload",
            Self::InvalidIdempotencyKey => "invalid_idempotency_key",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::UnsupportedImage => "unsupported_image",
            Self::MalformedImage => "malformed_image",
            Self::TooManyPixels => "too_many_pixels",
            Self::InvalidImage => "invalid_image",
            Self::InvalidInstruction => "invalid_instruction",
            Self::InvalidSource => "invalid_source",
            Self::EditUnsupported => "edit_unsupported",
            Self::InvalidAmount => "invalid_amount",
            Self::InvalidReason => "invalid_reason",
            Self::MarketingNeedsUnsubscribe => "marketing_needs_unsubscribe",
            Self::InvalidAnnouncement => "invalid_announcement",
            Self::InvalidCursor => "invalid_cursor",
            Self::BillingDisabled => "billing_disabled",
            Self::UnknownPack => "unknown_pack",
            Self::InvalidSignature => "invalid_signature",
            Self::InvalidEvent => "invalid_event",
            Self::UnknownPurchase => "unknown_purchase",
            Self::PurchaseMismatch => "purchase_mismatch",
            Self::OwnAdminRole => "own_admin_role",
            Self::InvalidNetwork => "invalid_network",
            Self::BlocksOwnNetwork => "blocks_own_network",
            Self::InvalidSourceUrl => "invalid_source_url",
            Self::AlreadyAnswered => "already_answered",
        }
    }
}
