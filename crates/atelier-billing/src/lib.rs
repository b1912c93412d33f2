//! Billing through Stripe (issue 18; requirements G7, C4, S1): what the instance says to Stripe
//! and how it reads what Stripe says back. No database and no HTTP routes: the app crate records
//! purchases and credits, and the web crate receives webhooks, both through this crate.
//!
//! - [`client`]: [`StripeClient`] creates Checkout sessions (form-encoded, `Idempotency-Key`,
//!   pinned `Stripe-Version`), retrying 429, 5xx and lost connections with the same key.
//! - [`form`]: Stripe's nested form encoding (`line_items[0][price_data][currency]=usd`).
//! - [`signature`]: `Stripe-Signature` verification (HMAC-SHA256, constant-time, rotation, a
//!   five-minute tolerance) and signing for tests.
//! - [`event`]: the webhook events the instance handles, parsed into [`Event`].
//! - `fake` (feature `fake`): [`fake::FakeStripe`], a local Stripe for tests.
//!
//! Errors are one enum, [`StripeError`], apart from [`SignatureError`], which a webhook handler
//! answers differently (400 without reading the body further). Neither ever holds the secret
//! key, and [`StripeClient`]'s `Debug` hides it.

pub mod client;
mod error;
pub mod event;
#[cfg(feature = "fake")]
pub mod fake;
pub mod form;
pub mod signature;

pub use client::{CheckoutRequest, CheckoutSession, RetryPolicy, STRIPE_VERSION, StripeClient};
pub use error::{ApiError, StripeError};
pub use event::{ChargeRefundedEvent, CheckoutSessionEvent, Event, EventKind};
pub use signature::{DEFAULT_TOLERANCE_SECS, SignatureError, VerifiedTimestamp};
