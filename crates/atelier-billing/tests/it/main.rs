//! The Stripe client against the fake Stripe (issue 18: G7, S1).

mod checkout;
mod webhooks;
