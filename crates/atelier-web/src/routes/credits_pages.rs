//! The credits page (G7, C4, S1): the balance, the packs on sale with their prices and a buy
//! button each, and the purchase history. Buying posts a form; the instance writes the pending
//! purchase, asks Stripe for a Checkout session and sends the browser there: card details never
//! reach the instance, and only Stripe's webhook adds the credits. Without Stripe keys the page
//! says how credits are obtained here, and nothing errors.

use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, personal_page, render, see_other,
};
use crate::state::AppState;
use crate::views::TimeView;
use askama::Template;
use atelier_core::settings::{CreditPack, format_price};
use atelier_db::billing::{PurchaseRow, PurchaseStatus};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

/// Purchases listed on the page (the newest).
const PURCHASES_SHOWN: u32 = 20;

/// A pack with its buy button.
struct PackView {
    id: String,
    name: String,
    credits: String,
    price: String,
}

impl PackView {
    fn of(m: &Messages, pack: &CreditPack) -> Self {
        Self {
            id: pack.id.clone(),
            name: pack.name.clone(),
            credits: m
                .credits
                .pack_credits
                .replace("{n}", &pack.credits.to_string()),
            price: pack.display_price(),
        }
    }
}

/// A line of the purchase history.
struct PurchaseView {
    when: TimeView,
    name: String,
    credits: String,
    price: String,
    status: &'static str,
    /// The CSS modifier of the status pill.
    status_class: &'static str,
}

impl PurchaseView {
    fn of(m: &Messages, packs: &[CreditPack], p: &PurchaseRow) -> Self {
        let name = packs
            .iter()
            .find(|pack| pack.id == p.pack_id)
            .map_or_else(|| p.pack_id.clone(), |pack| pack.name.clone());
        let (status, status_class) = match p.status {
            PurchaseStatus::Pending => (m.credits.status_pending, "pending"),
            PurchaseStatus::Paid => (m.credits.status_paid, "paid"),
            PurchaseStatus::Refunded => (m.credits.status_refunded, "refunded"),
            PurchaseStatus::PartiallyRefunded => (m.credits.status_partially_refunded, "refunded"),
            PurchaseStatus::Failed => (m.credits.status_failed, "failed"),
            PurchaseStatus::Expired => (m.credits.status_expired, "failed"),
        };
        Self {
            when: TimeView::at(p.created_at),
            name,
            credits: m
                .credits
                .pack_credits
                .replace("{n}", &p.credits.to_string()),
            price: format_price(u64::try_from(p.amount).unwrap_or(0), &p.currency),
            status,
            status_class,
        }
    }
}

#[derive(Template)]
#[template(path = "credits.html")]
struct CreditsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    balance: i64,
    packs: Vec<PackView>,
    purchases: Vec<PurchaseView>,
    flash: Option<&'static str>,
}

/// Where Stripe sends the buyer back: `?purchase=<id>` after paying, `?cancelled=1` otherwise.
#[derive(Debug, Deserialize)]
pub struct CreditsQuery {
    purchase: Option<String>,
    cancelled: Option<String>,
}

/// `GET /credits`.
pub async fn credits_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<CreditsQuery>,
) -> PageResult {
    let user_id = &principal.user.id;
    let balance = state.app.credit_balance(user_id).await?;
    let packs = state.app.billing_packs();
    let configured = &state.app.settings().billing.packs;
    let purchases = state
        .app
        .purchases(user_id, PURCHASES_SHOWN, None)
        .await?
        .items;
    let flash = if query.cancelled.is_some() {
        Some(m.credits.flash_cancelled)
    } else {
        query.purchase.as_deref().map(|id| {
            let paid = purchases
                .iter()
                .any(|p| p.id == id && p.status == PurchaseStatus::Paid);
            if paid {
                m.credits.flash_paid
            } else {
                m.credits.flash_pending
            }
        })
    };
    let view = CreditsPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::with_credits(&principal, balance)),
        balance,
        packs: packs.iter().map(|p| PackView::of(m, p)).collect(),
        purchases: purchases
            .iter()
            .map(|p| PurchaseView::of(m, configured, p))
            .collect(),
        flash,
    };
    let mut response = personal_page(render(&view)?, lang);
    if let Some(csp) = checkout_csp(&state) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}

/// The page's policy lets its buy forms end on Stripe's checkout (browsers apply `form-action`
/// to the redirect that follows a form).
fn checkout_csp(state: &AppState) -> Option<HeaderValue> {
    let billing = &state.app.settings().billing;
    if !billing.enabled() {
        return None;
    }
    let api = url::Url::parse(&billing.stripe.base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    HeaderValue::from_str(&crate::middleware::csp_with_form_action(&format!(
        "https://checkout.stripe.com {api}"
    )))
    .ok()
}

/// The buy button's form.
#[derive(Debug, Deserialize)]
pub struct BuyForm {
    pack_id: String,
}

/// `POST /credits/buy`: starts the purchase and sends the browser to Stripe's checkout page.
pub async fn buy(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<BuyForm>,
) -> PageResult {
    let principal = page.require("/credits")?;
    let url = state
        .app
        .start_checkout(&principal.user, &form.pack_id)
        .await?;
    Ok(see_other(&url))
}

/// `GET /credits/buy` (a reload): the credits page.
pub async fn to_credits() -> Response {
    see_other("/credits")
}
