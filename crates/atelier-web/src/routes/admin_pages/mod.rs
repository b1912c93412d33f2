//! The console's pages (issue 19: G8, SEC2, D3) under `/admin`: users (search, a user's file with
//! credit adjustment, roles and sessions), the audit log and the deletion queue. Staff only, as
//! the API: each handler turns the visitor into `Staff` and calls the same use cases, which write
//! the audit entries. Phone first; en and zh-CN.

use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageError, PageResult, SignedInPage, Viewer, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::TimeView;
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::{Principal, User};
use atelier_app::admin::Staff;
use atelier_core::Role;
use atelier_core::clock::DAY_MS;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;

/// Users on a page of the list.
const USERS_SHOWN: u32 = 50;
/// Audit entries on a page.
const AUDIT_SHOWN: u32 = 50;

/// The tab of the console a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Users,
    Audit,
    Deletions,
    Blocks,
    Takedowns,
}

/// A user in the list.
struct UserLine {
    id: String,
    email: String,
    joined: TimeView,
    credits: i64,
    roles: String,
}

fn roles_text(user: &User) -> String {
    user.roles
        .iter()
        .filter(|r| **r != Role::User)
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The staff member a signed-in visitor is (403 for anyone else: the error page says so).
fn staff_of(state: &AppState, principal: &Principal) -> Result<Staff, PageError> {
    state
        .app
        .staff(principal)
        .map_err(|e| PageError::from(crate::ApiError::from(e)))
}

/// The words for a refused form, in the page's language: the refusal's form message, why a
/// credit adjustment may not take a balance below zero, and `not_found` (when given) for
/// something that is not there. `None`: the error page says it.
fn refusal_words(
    m: &'static Messages,
    e: &AppError,
    not_found: Option<&'static str>,
) -> Option<String> {
    match e {
        AppError::NotFound => not_found.map(str::to_owned),
        AppError::InsufficientCredits { .. } => Some(m.admin.error_below_zero.to_owned()),
        other => other
            .refusal()
            .and_then(|r| crate::refusals::form_message(m, r)),
    }
}

/// `GET /admin`: the console opens on its users.
pub async fn home() -> Response {
    see_other("/admin/users")
}

/// `?saved=credits|roles|sessions`.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

mod blocks;
mod lists;
mod takedowns;
mod users;

pub use blocks::{block, blocks, unblock};
pub use lists::{audit, deletions};
pub use takedowns::{answer, request_takedown, takedown, takedown_request_page, takedowns};
pub use users::{adjust, end_all, end_one, roles, user, users};
