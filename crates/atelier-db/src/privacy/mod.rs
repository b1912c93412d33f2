//! Rows of the privacy center: deletion requests (D3), consent events and the policy version each
//! user opened (C1, D7, P1), the audit log (SEC2, SEC4), retention job runs (SEC4), what the
//! instance holds about a user (D8), and the removal of every row of an account with the salted
//! hashes of deleted addresses (R1, R5), one module each.

mod audit;
mod consents;
mod deletion_requests;
mod erasure;
mod holdings;
mod retention;

pub use audit::AuditRow;
pub use consents::ConsentEventRow;
pub use deletion_requests::DeletionRequestRow;
pub use retention::RetentionRunRow;
