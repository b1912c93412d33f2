//! The signed link a background export is mailed with: it works without cookies, so it is an
//! HMAC over the export's id and expiry under a key derived from the master key, and checking
//! it tells a tampered link from one whose time is up.

use crate::{App, AppError};
use atelier_db::export::ExportRow;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// What a signed download link turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportLink {
    /// Valid: the ready export.
    Valid(ExportRow),
    /// The link's time is up (or the export was purged after it).
    Expired,
    /// Tampered, unknown, or not ready.
    Invalid,
}

impl App {
    fn export_mac(&self, export_id: &str, expires: i64) -> Result<Hmac<Sha256>, AppError> {
        let key = self.master_key()?.derive("atelier/export-link/v1");
        let mut mac = Hmac::<Sha256>::new_from_slice(&*key)
            .map_err(|e| AppError::Unavailable(format!("export link key: {e}")))?;
        mac.update(format!("export/{export_id}/{expires}").as_bytes());
        Ok(mac)
    }

    /// The signed path of a background export
    /// (`/api/v1/me/exports/{id}/download?expires=…&sig=…`), `expires_at` in milliseconds.
    ///
    /// # Errors
    /// When the master key is unavailable.
    pub fn export_download_path(
        &self,
        export_id: &str,
        expires_at: i64,
    ) -> Result<String, AppError> {
        let expires = expires_at.div_euclid(1000);
        let sig = hex::encode(self.export_mac(export_id, expires)?.finalize().into_bytes());
        Ok(format!(
            "/api/v1/me/exports/{export_id}/download?expires={expires}&sig={sig}"
        ))
    }

    /// Checks a signed export link (`expires` in seconds since the epoch).
    ///
    /// # Errors
    /// Database failures.
    pub async fn check_export_link(
        &self,
        export_id: &str,
        expires: i64,
        sig: &str,
    ) -> Result<ExportLink, AppError> {
        let Ok(sig) = hex::decode(sig) else {
            return Ok(ExportLink::Invalid);
        };
        if self
            .export_mac(export_id, expires)?
            .verify_slice(&sig)
            .is_err()
        {
            return Ok(ExportLink::Invalid);
        }
        let now = self.now_ms();
        if expires.saturating_mul(1000) < now {
            return Ok(ExportLink::Expired);
        }
        match self.store().export_by_id(export_id).await? {
            Some(row) if row.expires_at < now => Ok(ExportLink::Expired),
            Some(row) if row.status == "ready" => Ok(ExportLink::Valid(row)),
            Some(_) => Ok(ExportLink::Invalid),
            None => Ok(ExportLink::Expired),
        }
    }
}
