//! Buying credits (issue 18: G7, C4, S1): `GET /api/v1/billing/packs` lists the packs on sale,
//! `POST /api/v1/billing/checkout` starts a Stripe Checkout session for one, Stripe reports back
//! at `POST /api/v1/billing/stripe/webhook` (raw body, verified by `Stripe-Signature`, no cookie,
//! exempt from the CSRF guard and the per-IP limit), and `GET /api/v1/me/purchases` lists the
//! signed-in user's purchases.

use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, Unauthorized};
use crate::state::AppState;
use crate::{ApiError, ApiJson, ApiQuery};
use atelier_core::time::rfc3339;
use atelier_db::billing::PurchaseRow;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// A credit pack on sale.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PackJson {
    /// Stable id, to name in a checkout.
    id: String,
    /// Its name.
    name: String,
    /// Credits it adds.
    credits: u32,
    /// The price in the currency's minor units (cents; yen for `jpy`).
    amount: u64,
    /// ISO 4217 code in lower case.
    currency: String,
}

/// `{items}` of packs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PackList {
    /// The packs on sale, in the operator's order; empty while billing is off.
    items: Vec<PackJson>,
}

/// `{pack_id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckoutBody {
    /// The pack to buy.
    pack_id: String,
}

/// `{url}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckoutJson {
    /// Stripe's payment page; send the buyer there.
    url: String,
}

/// What a webhook did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookJson {
    /// Always true.
    received: bool,
    /// `credited`, `closed`, `refunded`, `unchanged`, `duplicate` or `ignored`.
    outcome: &'static str,
}

/// One purchase.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PurchaseJson {
    /// Id.
    id: String,
    /// The pack bought.
    pack_id: String,
    /// Credits the pack adds.
    credits: i64,
    /// The price paid, in minor units.
    amount: i64,
    /// ISO 4217 code in lower case.
    currency: String,
    /// `pending`, `paid`, `partially_refunded`, `refunded`, or closed unpaid: `failed`, `expired`.
    status: &'static str,
    /// When it was started.
    created_at: String,
}

impl From<PurchaseRow> for PurchaseJson {
    fn from(p: PurchaseRow) -> Self {
        Self {
            id: p.id,
            pack_id: p.pack_id,
            credits: p.credits,
            amount: p.amount,
            currency: p.currency,
            status: p.status.as_str(),
            created_at: rfc3339(p.created_at),
        }
    }
}

/// `{items, next_cursor}` of purchases.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PurchaseList {
    /// Newest first.
    items: Vec<PurchaseJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchasesParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Purchases per page, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// The credit packs on sale.
#[utoipa::path(
    get, path = "/api/v1/billing/packs", tag = "billing", operation_id = "listCreditPacks",
    security(()),
    responses((status = 200, description = "The packs on sale; an empty list while the instance does not sell credits", body = PackList))
)]
pub async fn packs(State(state): State<AppState>) -> Json<PackList> {
    Json(PackList {
        items: state
            .app
            .billing_packs()
            .into_iter()
            .map(|p| PackJson {
                id: p.id,
                name: p.name,
                credits: p.credits,
                amount: p.amount,
                currency: p.currency,
            })
            .collect(),
    })
}

/// Starts buying a pack: a pending purchase and a Stripe Checkout session, whose page the buyer
/// is sent to. The credits arrive when Stripe reports the payment.
#[utoipa::path(
    post, path = "/api/v1/billing/checkout", tag = "billing", operation_id = "createCheckout",
    request_body = CheckoutBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Stripe's payment page", body = CheckoutJson),
        BadRequest, Unauthorized, CsrfRejected,
        (status = 409, description = "The instance does not sell credits (`billing_disabled`)", body = crate::error::ErrorBody),
        (status = 422, description = "No pack with that id (`unknown_pack`)", body = crate::error::ErrorBody),
        (status = 502, description = "Stripe refused to start the payment (`provider_failed`)", body = crate::error::ErrorBody),
        (status = 503, description = "Stripe could not be reached; try again (`provider_unavailable`)", body = crate::error::ErrorBody),
    )
)]
pub async fn checkout(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<CheckoutBody>,
) -> Result<Json<CheckoutJson>, ApiError> {
    let url = state
        .app
        .start_checkout(&principal.user, &body.pack_id)
        .await?;
    Ok(Json(CheckoutJson { url }))
}

/// Stripe's webhook: the raw event, verified by `Stripe-Signature` (five minutes' tolerance).
/// Each event takes effect once; types the instance does not act on are acknowledged.
#[utoipa::path(
    post, path = "/api/v1/billing/stripe/webhook", tag = "billing", operation_id = "receiveStripeWebhook",
    request_body(content = String, content_type = "application/json", description = "The event exactly as Stripe sent it"),
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex>[,v1=…]`")),
    security(()),
    responses(
        (status = 200, description = "Received (also for an event handled before or of a type the instance ignores)", body = WebhookJson),
        (status = 400, description = "A missing, wrong or stale signature (`invalid_signature`), or not an event (`invalid_event`)", body = crate::error::ErrorBody),
        (status = 409, description = "The instance does not sell credits (`billing_disabled`)", body = crate::error::ErrorBody),
        (status = 422, description = "About a payment the instance never started (`unknown_purchase`) or with another amount or currency (`purchase_mismatch`); nothing is granted", body = crate::error::ErrorBody),
    )
)]
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookJson>, ApiError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let outcome = state.app.handle_stripe_webhook(signature, &body).await?;
    Ok(Json(WebhookJson {
        received: true,
        outcome: outcome.as_str(),
    }))
}

/// The signed-in user's purchases of credit packs.
#[utoipa::path(
    get, path = "/api/v1/me/purchases", tag = "billing", operation_id = "listPurchases",
    params(PurchasesParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Your purchases, newest first", body = PurchaseList), BadRequest, Unauthorized)
)]
pub async fn purchases(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(params): ApiQuery<PurchasesParams>,
) -> Result<Json<PurchaseList>, ApiError> {
    let page = state
        .app
        .purchases(
            &principal.user.id,
            params.limit.unwrap_or(50),
            params.cursor.as_deref(),
        )
        .await?;
    Ok(Json(PurchaseList {
        items: page.items.into_iter().map(PurchaseJson::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_webhook_path_is_the_documented_one() {
        let doc = super::super::api_doc();
        assert!(
            doc.paths
                .paths
                .contains_key(crate::auth::STRIPE_WEBHOOK_PATH)
        );
    }
}
