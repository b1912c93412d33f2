//! The credits page (G7, C4, S1): the balance, the packs on sale with their prices and a buy
//! button each, the purchase history, and the ledger in words (one line per generation or
//! assistant call, not its hold, capture and release). Buying posts a form; the instance writes the pending
//! purchase, asks Stripe for a Checkout session and sends the browser there: card details never
//! reach the instance, and only Stripe's webhook adds the credits. Without Stripe keys the page
//! says how credits are obtained here, and nothing errors.

use crate::error::ApiError;
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageError, PageResult, SignedInPage, Viewer, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::TimeView;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::Principal;
use atelier_app::ledger::{Activity, ActivityKind};
use atelier_core::settings::{CreditPack, format_price};
use atelier_db::billing::{PurchaseRow, PurchaseStatus};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

/// Purchases listed on the page (the newest).
const PURCHASES_SHOWN: u32 = 20;
/// Ledger lines on a page.
const LEDGER_LINES: u32 = 30;

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

/// A line of the ledger, in words.
struct LedgerLine {
    when: TimeView,
    what: String,
    change: String,
    /// `plus`, `minus` or `zero`: the CSS modifier of the change.
    sign: &'static str,
    running: bool,
}

impl LedgerLine {
    fn of(m: &Messages, packs: &[CreditPack], a: &Activity) -> Self {
        let pack_name = |id: &Option<String>| {
            id.as_deref().map_or_else(String::new, |id| {
                packs
                    .iter()
                    .find(|p| p.id == id)
                    .map_or_else(|| id.to_owned(), |p| p.name.clone())
            })
        };
        let c = &m.credits;
        let what = match &a.kind {
            ActivityKind::Grant(_) => c.ledger_grant.to_owned(),
            ActivityKind::Purchase(pack) => c.ledger_purchase.replace("{pack}", &pack_name(pack)),
            ActivityKind::Refund(pack) => c.ledger_refund.replace("{pack}", &pack_name(pack)),
            ActivityKind::Adjustment(reason) | ActivityKind::Work(reason) => {
                c.ledger_adjustment.replace("{reason}", reason)
            }
            ActivityKind::Generation { asked, .. } if a.in_progress => match asked {
                None => c.ledger_generation_gone.to_owned(),
                Some(1) => c.ledger_generation_running_one.to_owned(),
                Some(n) => c.ledger_generation_running.replace("{n}", &n.to_string()),
            },
            ActivityKind::Generation {
                delivered: Some(0), ..
            } => c.ledger_generation_nothing.to_owned(),
            ActivityKind::Generation {
                delivered: Some(1), ..
            } => c.ledger_generation_one.to_owned(),
            ActivityKind::Generation {
                delivered: Some(n), ..
            } => c.ledger_generation.replace("{n}", &n.to_string()),
            ActivityKind::Generation {
                delivered: None, ..
            } if a.change == 0 => c.ledger_generation_nothing.to_owned(),
            ActivityKind::Generation {
                delivered: None, ..
            } => c.ledger_generation_gone.to_owned(),
            ActivityKind::Assistant(feature) => {
                let name = match feature.as_str() {
                    "enhance" => m.settings.feature_enhance,
                    "describe" => m.settings.feature_describe,
                    "edit" => m.settings.feature_edit,
                    other => other,
                };
                c.ledger_assistant.replace("{feature}", name)
            }
        };
        // A true minus sign, and a plus for what came in.
        let (number, sign) = match a.change {
            n if n > 0 => (format!("+{n}"), "plus"),
            n if n < 0 => (format!("\u{2212}{}", n.unsigned_abs()), "minus"),
            _ => ("0".to_owned(), "zero"),
        };
        Self {
            when: TimeView::at(a.created_at),
            what,
            change: if a.change.unsigned_abs() == 1 {
                c.ledger_change_one
            } else {
                c.ledger_change
            }
            .replace("{n}", &number),
            sign,
            running: a.in_progress,
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
    ledger: Vec<LedgerLine>,
    /// The link to the next page of the ledger.
    ledger_more: Option<String>,
    flash: Option<&'static str>,
    /// Why buying failed.
    error: Option<String>,
}

/// Where Stripe sends the buyer back: `?purchase=<id>` after paying, `?cancelled=1` otherwise;
/// `?ledger=<cursor>`: an older page of the ledger.
#[derive(Debug, Default, Deserialize)]
pub struct CreditsQuery {
    purchase: Option<String>,
    cancelled: Option<String>,
    ledger: Option<String>,
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
    show(&state, (lang, m, here), &principal, &query, None).await
}

/// The page, with `error` when buying failed.
async fn show(
    state: &AppState,
    (lang, m, here): (Lang, &'static Messages, String),
    principal: &Principal,
    query: &CreditsQuery,
    error: Option<String>,
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
    let ledger = state
        .app
        .credit_activity(user_id, LEDGER_LINES, query.ledger.as_deref())
        .await?;
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
        user: Some(Viewer::with_credits(principal, balance)),
        balance,
        packs: packs.iter().map(|p| PackView::of(m, p)).collect(),
        purchases: purchases
            .iter()
            .map(|p| PurchaseView::of(m, configured, p))
            .collect(),
        ledger: ledger
            .items
            .iter()
            .map(|a| LedgerLine::of(m, configured, a))
            .collect(),
        ledger_more: ledger.next_cursor.map(|c| {
            format!(
                "/credits?ledger={}#ledger-title",
                url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
            )
        }),
        flash,
        error,
    };
    let mut response = personal_page(render(&view)?, lang);
    if let Some(csp) = checkout_csp(state) {
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

/// `POST /credits/buy`: starts the purchase and sends the browser to Stripe's checkout page. A
/// refusal (billing off, a pack no longer on sale, Stripe not answering) shows the credits page
/// again with the reason, under the refusal's status.
pub async fn buy(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<BuyForm>,
) -> PageResult {
    let principal = page.require("/credits")?.clone();
    match state
        .app
        .start_checkout(&principal.user, &form.pack_id)
        .await
    {
        Ok(url) => Ok(see_other(&url)),
        Err(e) => {
            let Some(words) = refusal_words(page.m, &e) else {
                return Err(PageError::from(ApiError::from(e)));
            };
            let status = ApiError::from(e).status();
            let Page { lang, m, .. } = page;
            let shown = show(
                &state,
                (lang, m, "/credits".to_owned()),
                &principal,
                &CreditsQuery::default(),
                Some(words),
            )
            .await?;
            Ok((status, shown).into_response())
        }
    }
}

/// The words for a refusal of the buy form, in the page's language.
fn refusal_words(m: &'static Messages, e: &AppError) -> Option<String> {
    match e {
        AppError::Provider { .. } => Some(m.credits.error_checkout_failed.to_owned()),
        other => other
            .refusal()
            .and_then(|r| crate::refusals::form_message(m, r)),
    }
}

/// `GET /credits/buy` (a reload): the credits page.
pub async fn to_credits() -> Response {
    see_other("/credits")
}
