//! Webhook events the instance handles (issue 18, G7): a Checkout session paid, paid later
//! (asynchronous methods such as bank debits), failed later or expired, and a charge refunded.
//! Any other type is [`EventKind::Other`], acknowledged and ignored.
//!
//! Parse only a body whose signature [`crate::signature::verify`] accepted.

use serde::Deserialize;

use crate::error::StripeError;

/// A webhook event: `{id, type, created, livemode, data: {object}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `evt_…`: Stripe may deliver an event more than once; handle each id once.
    pub id: String,
    /// When Stripe created it (Unix seconds).
    pub created: i64,
    /// Whether it came from live mode.
    pub livemode: bool,
    /// What happened.
    pub kind: EventKind,
}

/// What an event says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `checkout.session.completed`: the buyer finished; `payment_status` says whether the money
    /// is there (`paid`) or will come later (`unpaid`).
    CheckoutCompleted(CheckoutSessionEvent),
    /// `checkout.session.async_payment_succeeded`: a later payment arrived.
    AsyncPaymentSucceeded(CheckoutSessionEvent),
    /// `checkout.session.async_payment_failed`: a later payment failed.
    AsyncPaymentFailed(CheckoutSessionEvent),
    /// `checkout.session.expired`: the session ended unpaid.
    Expired(CheckoutSessionEvent),
    /// `charge.refunded`: some or all of a charge went back.
    ChargeRefunded(ChargeRefundedEvent),
    /// Any other type, by name.
    Other {
        /// The event's `type`.
        event_type: String,
    },
}

/// The Checkout session an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSessionEvent {
    /// `cs_…`.
    pub session_id: String,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    /// The purchase id sent as `client_reference_id`.
    pub client_reference_id: Option<String>,
    /// The purchase id sent as `metadata[purchase_id]`.
    pub purchase_id: Option<String>,
    /// The total in minor units.
    pub amount_total: Option<u64>,
    /// ISO 4217 code in lower case.
    pub currency: Option<String>,
    /// `pi_…`, once there is a payment.
    pub payment_intent: Option<String>,
}

impl CheckoutSessionEvent {
    /// Whether the money is there.
    #[must_use]
    pub fn is_paid(&self) -> bool {
        self.payment_status == "paid"
    }

    /// The purchase the session is for: `metadata[purchase_id]`, else `client_reference_id`.
    #[must_use]
    pub fn purchase(&self) -> Option<&str> {
        self.purchase_id
            .as_deref()
            .or(self.client_reference_id.as_deref())
    }
}

/// The charge a `charge.refunded` event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRefundedEvent {
    /// `ch_…`.
    pub charge_id: String,
    /// `pi_…`: links the charge to the session that was paid.
    pub payment_intent: Option<String>,
    /// The charge in minor units.
    pub amount: u64,
    /// How much of it has been refunded in all, in minor units.
    pub amount_refunded: u64,
    /// ISO 4217 code in lower case.
    pub currency: String,
}

impl ChargeRefundedEvent {
    /// Whether all of the charge went back.
    #[must_use]
    pub const fn is_full_refund(&self) -> bool {
        self.amount_refunded >= self.amount
    }
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    created: i64,
    #[serde(default)]
    livemode: bool,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

/// An id, or the object it names when expanded.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdOrObject {
    Id(String),
    Object { id: String },
}

impl IdOrObject {
    fn into_id(self) -> String {
        match self {
            Self::Id(id) | Self::Object { id } => id,
        }
    }
}

#[derive(Deserialize)]
struct RawSession {
    id: String,
    payment_status: String,
    #[serde(default)]
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: Option<std::collections::HashMap<String, String>>,
    #[serde(default)]
    amount_total: Option<u64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    payment_intent: Option<IdOrObject>,
}

#[derive(Deserialize)]
struct RawCharge {
    id: String,
    #[serde(default)]
    payment_intent: Option<IdOrObject>,
    amount: u64,
    amount_refunded: u64,
    currency: String,
}

impl Event {
    /// Reads an event from a webhook's body.
    ///
    /// # Errors
    /// [`StripeError::InvalidEvent`] when the body is not an event, or a handled type's object
    /// lacks a field this crate reads.
    pub fn parse(body: &[u8]) -> Result<Self, StripeError> {
        let raw: RawEvent = serde_json::from_slice(body)
            .map_err(|e| StripeError::InvalidEvent(format!("not an event: {e}")))?;
        let session = |object: serde_json::Value| -> Result<CheckoutSessionEvent, StripeError> {
            let s: RawSession = serde_json::from_value(object).map_err(|e| {
                StripeError::InvalidEvent(format!("{}: checkout session: {e}", raw.event_type))
            })?;
            Ok(CheckoutSessionEvent {
                session_id: s.id,
                payment_status: s.payment_status,
                client_reference_id: s.client_reference_id,
                purchase_id: s.metadata.and_then(|mut m| m.remove("purchase_id")),
                amount_total: s.amount_total,
                currency: s.currency,
                payment_intent: s.payment_intent.map(IdOrObject::into_id),
            })
        };
        let object = raw.data.object;
        let kind = match raw.event_type.as_str() {
            "checkout.session.completed" => EventKind::CheckoutCompleted(session(object)?),
            "checkout.session.async_payment_succeeded" => {
                EventKind::AsyncPaymentSucceeded(session(object)?)
            }
            "checkout.session.async_payment_failed" => {
                EventKind::AsyncPaymentFailed(session(object)?)
            }
            "checkout.session.expired" => EventKind::Expired(session(object)?),
            "charge.refunded" => {
                let c: RawCharge = serde_json::from_value(object).map_err(|e| {
                    StripeError::InvalidEvent(format!("charge.refunded: charge: {e}"))
                })?;
                EventKind::ChargeRefunded(ChargeRefundedEvent {
                    charge_id: c.id,
                    payment_intent: c.payment_intent.map(IdOrObject::into_id),
                    amount: c.amount,
                    amount_refunded: c.amount_refunded,
                    currency: c.currency,
                })
            }
            other => EventKind::Other {
                event_type: other.to_owned(),
            },
        };
        Ok(Self {
            id: raw.id,
            created: raw.created,
            livemode: raw.livemode,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session as Stripe sends it in `checkout.session.*` events (trimmed of nothing the
    /// parser should trip on).
    fn session_event(event_type: &str, payment_status: &str, payment_intent: &str) -> String {
        format!(
            r#"{{
  "id": "evt_1PjQ2aLkdIwHu7ix0ZQz9Ab1",
  "object": "event",
  "api_version": "2024-06-20",
  "created": 1722520000,
  "data": {{
    "object": {{
      "id": "cs_test_a1b2c3",
      "object": "checkout.session",
      "after_expiration": null,
      "amount_subtotal": 499,
      "amount_total": 499,
      "cancel_url": "https://art.example.com/credits",
      "client_reference_id": "pur_42",
      "currency": "usd",
      "customer": null,
      "customer_details": {{ "email": "ada@example.com", "name": "Ada", "address": null }},
      "customer_email": "ada@example.com",
      "expires_at": 1722606400,
      "livemode": false,
      "metadata": {{ "purchase_id": "pur_42" }},
      "mode": "payment",
      "payment_intent": {payment_intent},
      "payment_method_types": ["card"],
      "payment_status": "{payment_status}",
      "status": "complete",
      "success_url": "https://art.example.com/credits/done",
      "total_details": {{ "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 }},
      "url": null
    }}
  }},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {{ "id": null, "idempotency_key": null }},
  "type": "{event_type}"
}}"#
        )
    }

    #[test]
    fn g7_a_completed_checkout_names_the_purchase_and_the_payment() {
        let body = session_event("checkout.session.completed", "paid", r#""pi_3PjQ""#);
        let event = Event::parse(body.as_bytes()).unwrap();
        assert_eq!(event.id, "evt_1PjQ2aLkdIwHu7ix0ZQz9Ab1");
        assert_eq!(event.created, 1_722_520_000);
        assert!(!event.livemode);
        let EventKind::CheckoutCompleted(s) = event.kind else {
            panic!("{:?}", event.kind)
        };
        assert_eq!(s.session_id, "cs_test_a1b2c3");
        assert!(s.is_paid());
        assert_eq!(s.client_reference_id.as_deref(), Some("pur_42"));
        assert_eq!(s.purchase_id.as_deref(), Some("pur_42"));
        assert_eq!(s.purchase(), Some("pur_42"));
        assert_eq!(s.amount_total, Some(499));
        assert_eq!(s.currency.as_deref(), Some("usd"));
        assert_eq!(s.payment_intent.as_deref(), Some("pi_3PjQ"));
    }

    #[test]
    fn g7_async_results_and_expiry_carry_the_same_session() {
        let body = session_event("checkout.session.completed", "unpaid", "null");
        let EventKind::CheckoutCompleted(s) = Event::parse(body.as_bytes()).unwrap().kind else {
            panic!()
        };
        assert!(!s.is_paid());
        assert_eq!(s.payment_intent, None);
        let expanded = r#"{"id": "pi_9", "object": "payment_intent"}"#;
        let body = session_event("checkout.session.async_payment_succeeded", "paid", expanded);
        let EventKind::AsyncPaymentSucceeded(s) = Event::parse(body.as_bytes()).unwrap().kind
        else {
            panic!()
        };
        assert_eq!(s.payment_intent.as_deref(), Some("pi_9"));
        let body = session_event("checkout.session.async_payment_failed", "unpaid", "null");
        assert!(matches!(
            Event::parse(body.as_bytes()).unwrap().kind,
            EventKind::AsyncPaymentFailed(_)
        ));
        let body = session_event("checkout.session.expired", "unpaid", "null");
        let EventKind::Expired(s) = Event::parse(body.as_bytes()).unwrap().kind else {
            panic!()
        };
        assert_eq!(s.purchase(), Some("pur_42"));
    }

    #[test]
    fn g7_a_refunded_charge_names_its_payment_intent_and_amounts() {
        let body = r#"{
  "id": "evt_3PjR", "object": "event", "api_version": "2024-06-20", "created": 1722530000,
  "data": {
    "object": {
      "id": "ch_3PjQ", "object": "charge", "amount": 499, "amount_captured": 499,
      "amount_refunded": 200, "captured": true, "currency": "usd", "customer": null,
      "metadata": {}, "paid": true, "payment_intent": "pi_3PjQ", "refunded": false,
      "status": "succeeded"
    },
    "previous_attributes": { "amount_refunded": 0 }
  },
  "livemode": true, "pending_webhooks": 1, "request": { "id": "req_x", "idempotency_key": "k" },
  "type": "charge.refunded"
}"#;
        let event = Event::parse(body.as_bytes()).unwrap();
        assert!(event.livemode);
        let EventKind::ChargeRefunded(c) = event.kind else {
            panic!()
        };
        assert_eq!(c.charge_id, "ch_3PjQ");
        assert_eq!(c.payment_intent.as_deref(), Some("pi_3PjQ"));
        assert_eq!((c.amount, c.amount_refunded), (499, 200));
        assert_eq!(c.currency, "usd");
        assert!(!c.is_full_refund());
    }

    #[test]
    fn g7_other_types_are_named_and_broken_bodies_refused() {
        let body = r#"{"id":"evt_x","object":"event","created":1,"type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
        assert_eq!(
            Event::parse(body.as_bytes()).unwrap().kind,
            EventKind::Other {
                event_type: "customer.created".into()
            }
        );
        assert!(matches!(
            Event::parse(b"not json"),
            Err(StripeError::InvalidEvent(_))
        ));
        assert!(matches!(
            Event::parse(br#"{"id":"evt_x","created":1,"type":"checkout.session.completed","data":{"object":{"object":"checkout.session"}}}"#),
            Err(StripeError::InvalidEvent(_))
        ));
        assert!(matches!(
            Event::parse(br#"{"id":"evt_x","type":"charge.refunded"}"#),
            Err(StripeError::InvalidEvent(_))
        ));
    }
}
