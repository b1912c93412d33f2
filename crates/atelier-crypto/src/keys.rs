//! The two kinds of key: the instance's [`MasterKey`] and each user's [`DataKey`].
//!
//! A data key encrypts a user's blobs. It is stored only wrapped (encrypted) by the master key,
//! next to the user's row; deleting that row destroys the only copy, and every blob of the user,
//! including those in backups, becomes unreadable (R1).
//!
//! ## Wrapped data key format (version 1, 69 bytes)
//!
//! | offset | len | field |
//! |---:|---:|---|
//! | 0 | 1 | version, `0x01` |
//! | 1 | 8 | master key fingerprint (raw bytes, see [`MasterKey::fingerprint`]) |
//! | 9 | 12 | random AES-GCM nonce |
//! | 21 | 32 | the data key, encrypted with AES-256-GCM under the master key |
//! | 53 | 16 | GCM tag |
//!
//! The associated data is `"atelier/wrapped-data-key/v1" ‖ version ‖ fingerprint ‖ owner`, so a
//! key wrapped for one owner does not unwrap as another's, and no byte of the record can change.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{CryptoError, random_array};

/// Length of a master key and of a data key, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of a wrapped data key, in bytes.
pub const WRAPPED_KEY_LEN: usize = 1 + FINGERPRINT_LEN + NONCE_LEN + KEY_LEN + TAG_LEN;

const WRAP_VERSION: u8 = 1;
const FINGERPRINT_LEN: usize = 8;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const WRAP_AAD_LABEL: &[u8] = b"atelier/wrapped-data-key/v1";

/// Base64 alphabets accepted for keys given as text: padding optional.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The instance's key-encryption key: it wraps every user's [`DataKey`].
///
/// Kept in a file (see [`MasterKey::load_or_create`]) or given as base64 in configuration. Its
/// `Debug` shows only the fingerprint; its bytes are wiped when it is dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; KEY_LEN],
}

impl MasterKey {
    /// A fresh random key from the operating system's generator.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes (no usable entropy source).
    #[must_use]
    pub fn generate() -> Self {
        Self {
            bytes: random_array(),
        }
    }

    /// Parses a key given as standard or URL-safe base64 (padding optional) of exactly 32 bytes.
    /// Surrounding whitespace, such as a trailing newline, is ignored.
    ///
    /// # Errors
    /// [`CryptoError::BadKey`] if the text is not base64 or does not decode to 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        Ok(Self {
            bytes: decode_key(text)?,
        })
    }

    /// Loads the key from `path`, or creates that file with a fresh key if there is none.
    ///
    /// The file holds the key as standard base64 and a newline. It is created atomically: written
    /// to a temporary file in the same folder (mode `0600` on Unix), synced, then moved into place
    /// without replacing a file another process may have created meanwhile (in which case that
    /// process's key is loaded). Missing parent folders are created.
    ///
    /// An existing file readable by others is still loaded: check
    /// [`MasterKey::insecure_permissions`] and log a warning.
    ///
    /// # Errors
    /// [`CryptoError::Io`] when the file or its folder cannot be read or written,
    /// [`CryptoError::BadKeyFile`] when the file does not hold a valid key.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes when a key must be created.
    pub fn load_or_create(path: &Path) -> Result<Self, CryptoError> {
        match Self::load(path) {
            Err(CryptoError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Self::create(path)
            }
            other => other,
        }
    }

    /// Whether the key file at `path` can be read or written by its group or by others
    /// (any of the `0o077` mode bits set). Always `false` where Unix permissions do not exist,
    /// and `false` when the file's metadata cannot be read (loading it will then report why).
    #[must_use]
    pub fn insecure_permissions(path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o077 != 0)
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            false
        }
    }

    /// A short public name for this key: the first 8 bytes of SHA-256 of the key, in lower-case
    /// hex (16 characters). Each wrapped data key records it, so a rotation can tell which keys
    /// still need re-wrapping. It reveals nothing usable about the key.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        hex::encode(self.fingerprint_bytes())
    }

    /// Encrypts `data_key` for `owner` (the user's id). The result is [`WRAPPED_KEY_LEN`] bytes,
    /// different on every call (random nonce); store it with the user.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes.
    #[must_use]
    pub fn wrap(&self, data_key: &DataKey, owner: &str) -> Vec<u8> {
        let fingerprint = self.fingerprint_bytes();
        let nonce: [u8; NONCE_LEN] = random_array();
        let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
        out.push(WRAP_VERSION);
        out.extend_from_slice(&fingerprint);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&data_key.bytes);
        let aad = wrap_aad(&fingerprint, owner);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(
                &nonce.into(),
                &aad,
                &mut out[1 + FINGERPRINT_LEN + NONCE_LEN..],
            )
            // AES-GCM refuses only messages longer than 64 GiB; this one is 32 bytes.
            .expect("AES-GCM accepts a 32-byte message");
        out.extend_from_slice(&tag);
        out
    }

    /// Decrypts a data key made by [`MasterKey::wrap`] for `owner`.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a record of the wrong length,
    /// [`CryptoError::UnsupportedVersion`] for an unknown version byte,
    /// [`CryptoError::WrongMasterKey`] when another master key wrapped it,
    /// [`CryptoError::AuthFailed`] when it was altered or wrapped for another owner.
    pub fn unwrap(&self, wrapped: &[u8], owner: &str) -> Result<DataKey, CryptoError> {
        let Some((&version, rest)) = wrapped.split_first() else {
            return Err(CryptoError::Malformed("empty wrapped data key"));
        };
        if version != WRAP_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        if wrapped.len() != WRAPPED_KEY_LEN {
            return Err(CryptoError::Malformed(
                "wrapped data key has the wrong length",
            ));
        }
        let (found, rest) = rest.split_at(FINGERPRINT_LEN);
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (sealed, tag) = rest.split_at(KEY_LEN);
        let expected = self.fingerprint_bytes();
        if found != expected {
            return Err(CryptoError::WrongMasterKey {
                expected: hex::encode(expected),
                found: hex::encode(found),
            });
        }
        let mut key = DataKey {
            bytes: [0; KEY_LEN],
        };
        key.bytes.copy_from_slice(sealed);
        let aad = wrap_aad(&expected, owner);
        self.cipher()
            .decrypt_in_place_detached(nonce.into(), &aad, &mut key.bytes, tag.into())
            .map_err(|_| CryptoError::AuthFailed)?;
        Ok(key)
    }

    /// The fingerprint recorded in a wrapped data key, without unwrapping it: lets a key rotation
    /// find the records still wrapped by an old master key. `None` if the record is malformed.
    #[must_use]
    pub fn fingerprint_of_wrapped(wrapped: &[u8]) -> Option<String> {
        if wrapped.len() != WRAPPED_KEY_LEN || wrapped.first() != Some(&WRAP_VERSION) {
            return None;
        }
        wrapped.get(1..=FINGERPRINT_LEN).map(hex::encode)
    }

    /// A 32-byte key for another purpose, derived with HKDF-SHA256 from the master key and
    /// `label` (such as `atelier/url-signing/v1`). Different labels give independent keys, and
    /// none of them reveals the master key.
    #[must_use]
    pub fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        // HKDF-Expand of 32 bytes never exceeds its output limit.
        let _ = hkdf::Hkdf::<Sha256>::new(None, &self.bytes).expand(label.as_bytes(), &mut *out);
        out
    }

    fn fingerprint_bytes(&self) -> [u8; FINGERPRINT_LEN] {
        let digest = Sha256::digest(self.bytes);
        let mut out = [0; FINGERPRINT_LEN];
        out.copy_from_slice(&digest[..FINGERPRINT_LEN]);
        out
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&self.bytes).into())
    }

    fn load(path: &Path) -> Result<Self, CryptoError> {
        let contents = Zeroizing::new(fs::read(path).map_err(|source| io_error(path, source))?);
        let bad = |reason| CryptoError::BadKeyFile {
            path: path.to_owned(),
            reason,
        };
        let text = std::str::from_utf8(&contents).map_err(|_| bad("not valid base64"))?;
        match decode_key(text) {
            Ok(bytes) => Ok(Self { bytes }),
            Err(CryptoError::BadKey(reason)) => Err(bad(reason)),
            Err(other) => Err(other),
        }
    }

    fn create(path: &Path) -> Result<Self, CryptoError> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
        let key = Self::generate();
        let mut text = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.bytes));
        text.push('\n');

        // `tempfile` creates the file with mode 0600 on Unix; set it anyway, to not depend on it.
        let mut temp = tempfile::Builder::new()
            .prefix(".atelier-master-key-")
            .tempfile_in(dir)
            .map_err(|source| io_error(dir, source))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(|source| io_error(temp.path(), source))?;
        }
        temp.write_all(text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|source| io_error(temp.path(), source))?;
        match temp.persist_noclobber(path) {
            Ok(_file) => {
                sync_dir(dir).map_err(|source| io_error(dir, source))?;
                Ok(key)
            }
            // Another process created the key first: use its key, so both agree.
            Err(err) if err.error.kind() == io::ErrorKind::AlreadyExists => Self::load(path),
            Err(err) => Err(io_error(path, err.error)),
        }
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({})", self.fingerprint())
    }
}

/// A user's blob-encryption key. Stored only wrapped by the [`MasterKey`]; `Debug` is redacted and
/// the bytes are wiped when it is dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    bytes: [u8; KEY_LEN],
}

impl DataKey {
    /// A fresh random key from the operating system's generator.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes (no usable entropy source).
    #[must_use]
    pub fn generate() -> Self {
        Self {
            bytes: random_array(),
        }
    }

    pub(crate) const fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    /// A second copy, for a decryptor that must keep the key until the blob header arrives.
    pub(crate) const fn duplicate(&self) -> Self {
        Self { bytes: self.bytes }
    }

    #[cfg(test)]
    pub(crate) const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self { bytes }
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(***)")
    }
}

fn decode_key(text: &str) -> Result<[u8; KEY_LEN], CryptoError> {
    let text = text.trim();
    let decoded = Zeroizing::new(
        STANDARD_LENIENT
            .decode(text)
            .or_else(|_| URL_SAFE_LENIENT.decode(text))
            .map_err(|_| CryptoError::BadKey("not valid base64"))?,
    );
    let mut bytes = [0; KEY_LEN];
    if decoded.len() != KEY_LEN {
        return Err(CryptoError::BadKey("must be exactly 32 bytes"));
    }
    bytes.copy_from_slice(&decoded);
    Ok(bytes)
}

fn wrap_aad(fingerprint: &[u8; FINGERPRINT_LEN], owner: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(WRAP_AAD_LABEL.len() + 1 + FINGERPRINT_LEN + owner.len());
    aad.extend_from_slice(WRAP_AAD_LABEL);
    aad.push(WRAP_VERSION);
    aad.extend_from_slice(fingerprint);
    aad.extend_from_slice(owner.as_bytes());
    aad
}

fn io_error(path: &Path, source: io::Error) -> CryptoError {
    CryptoError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Makes a rename inside `dir` durable (Unix); a no-op elsewhere.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_depend_on_the_label_and_the_master() {
        let a = MasterKey::generate();
        let b = MasterKey::generate();
        assert_eq!(*a.derive("x"), *a.derive("x"));
        assert_ne!(*a.derive("x"), *a.derive("y"));
        assert_ne!(*a.derive("x"), *b.derive("x"));
    }

    #[test]
    fn base64_forms_are_accepted_and_bad_ones_rejected() {
        let key = MasterKey::generate();
        let standard = base64::engine::general_purpose::STANDARD.encode(key.bytes);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.bytes);
        for text in [standard.clone(), format!("{standard}\n"), url] {
            let parsed = MasterKey::from_base64(&text).unwrap();
            assert_eq!(parsed.fingerprint(), key.fingerprint());
        }
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 31]);
        let err = MasterKey::from_base64(&short).unwrap_err();
        assert!(matches!(err, CryptoError::BadKey(_)), "{err}");
        let err = MasterKey::from_base64("not base64 at all!").unwrap_err();
        assert!(matches!(err, CryptoError::BadKey(_)), "{err}");
        // The message must not quote any part of the input.
        assert!(!err.to_string().contains('!'), "{err}");
    }

    #[test]
    fn debug_shows_only_the_fingerprint() {
        let key = MasterKey::from_base64(&"A".repeat(43)).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, format!("MasterKey({})", key.fingerprint()));
        assert_eq!(key.fingerprint().len(), 16);
        let sha = Sha256::digest([0u8; 32]);
        assert_eq!(key.fingerprint(), hex::encode(&sha[..8]));
        assert_eq!(format!("{:?}", DataKey::generate()), "DataKey(***)");
    }

    #[test]
    fn wrap_round_trips_and_binds_owner_and_master_key() {
        let master = MasterKey::generate();
        let data = DataKey::generate();
        let wrapped = master.wrap(&data, "user-a");
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert_ne!(
            wrapped,
            master.wrap(&data, "user-a"),
            "nonce must be random"
        );
        assert_eq!(master.unwrap(&wrapped, "user-a").unwrap().bytes, data.bytes);
        assert_eq!(
            MasterKey::fingerprint_of_wrapped(&wrapped),
            Some(master.fingerprint())
        );

        let err = master.unwrap(&wrapped, "user-b").unwrap_err();
        assert!(matches!(err, CryptoError::AuthFailed), "{err}");
        let err = master.unwrap(&wrapped, "user-a ").unwrap_err();
        assert!(matches!(err, CryptoError::AuthFailed), "{err}");

        let other = MasterKey::generate();
        let err = other.unwrap(&wrapped, "user-a").unwrap_err();
        assert!(matches!(err, CryptoError::WrongMasterKey { .. }), "{err}");
    }

    #[test]
    fn wrapped_key_tampering_is_detected() {
        let master = MasterKey::generate();
        let wrapped = master.wrap(&DataKey::generate(), "u1");
        for i in 0..wrapped.len() {
            let mut bad = wrapped.clone();
            bad[i] ^= 0x01;
            assert!(master.unwrap(&bad, "u1").is_err(), "flip at byte {i}");
        }
        assert!(matches!(
            master.unwrap(&wrapped[..wrapped.len() - 1], "u1"),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            master.unwrap(&[], "u1"),
            Err(CryptoError::Malformed(_))
        ));
        let mut future = wrapped;
        future[0] = 2;
        assert!(matches!(
            master.unwrap(&future, "u1"),
            Err(CryptoError::UnsupportedVersion(2))
        ));
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("master.key");
        let created = MasterKey::load_or_create(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with('\n'));
        assert_eq!(text.trim().len(), 44);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!MasterKey::insecure_permissions(&path));
        let loaded = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(loaded.fingerprint(), created.fingerprint());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn readable_key_file_still_loads_but_is_flagged() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = MasterKey::generate();
        let text = base64::engine::general_purpose::STANDARD.encode(key.bytes);
        fs::write(&path, format!("{text}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(MasterKey::insecure_permissions(&path));
        let loaded = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(loaded.fingerprint(), key.fingerprint());
    }

    #[test]
    fn bad_key_file_is_an_error_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        fs::write(&path, "c2hvcnQ=\n").unwrap();
        let err = MasterKey::load_or_create(&path).unwrap_err();
        assert!(matches!(err, CryptoError::BadKeyFile { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "c2hvcnQ=\n");
        fs::write(&path, [0xff, 0xfe]).unwrap();
        let err = MasterKey::load_or_create(&path).unwrap_err();
        assert!(matches!(err, CryptoError::BadKeyFile { .. }), "{err}");
    }
}
