//! Signed image URLs: a link that works without credentials until it expires (for API clients
//! and the MeiGen status route). HMAC-SHA256 with a key derived from the master key.

use crate::{App, AppError};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// How long a signed URL works.
pub const SIGNED_URL_TTL_SECS: i64 = 3600;

impl App {
    fn url_mac(
        &self,
        image_id: &str,
        variant: &str,
        expires: i64,
    ) -> Result<Hmac<Sha256>, AppError> {
        let key = self.master_key()?.derive("atelier/url-signing/v1");
        let mut mac = Hmac::<Sha256>::new_from_slice(&*key)
            .map_err(|e| AppError::Unavailable(format!("url signing key: {e}")))?;
        mac.update(format!("{image_id}/{variant}/{expires}").as_bytes());
        Ok(mac)
    }

    /// A path (`/img/s/{id}/{variant}?exp=…&sig=…`) that serves a generated image without
    /// credentials for [`SIGNED_URL_TTL_SECS`].
    ///
    /// # Errors
    /// When the master key is unavailable.
    pub fn signed_image_path(&self, image_id: &str, variant: &str) -> Result<String, AppError> {
        // Rounded up to the next 5 minutes, so a page of URLs stays cacheable for a while.
        let now = self.now_ms() / 1000;
        let expires = (now + SIGNED_URL_TTL_SECS) / 300 * 300;
        let sig = hex::encode(
            self.url_mac(image_id, variant, expires)?
                .finalize()
                .into_bytes(),
        );
        Ok(crate::image_urls::signed(image_id, variant, expires, &sig))
    }

    /// Whether a signed URL's signature is valid and it has not expired.
    #[must_use]
    pub fn verify_signed_image(
        &self,
        image_id: &str,
        variant: &str,
        expires: i64,
        sig: &str,
    ) -> bool {
        if expires < self.now_ms() / 1000 {
            return false;
        }
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        self.url_mac(image_id, variant, expires)
            .is_ok_and(|mac| mac.verify_slice(&sig).is_ok())
    }
}
