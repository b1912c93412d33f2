//! The top-level keys that say where the instance listens, is reached and keeps its database:
//! `bind`, `public_url`, `data_dir` and `database_url`. They are not a section: each defaults from
//! another (`public_url` from `bind`, `database_url` from `data_dir`), so each function here takes
//! the value its default needs.

use super::{DatabaseKind, SettingsError, invalid};
use crate::Secret;
use std::net::SocketAddr;
use std::path::Path;
use url::Url;

/// `bind`: an address and port such as `127.0.0.1:8080`.
pub(super) fn bind(bind: &str) -> Result<SocketAddr, SettingsError> {
    bind.parse().map_err(|_| {
        invalid(
            "bind",
            format!("`{bind}` is not an address such as 127.0.0.1:8080"),
        )
    })
}

/// `public_url`, or `http://<bind>` when unset: an `http` or `https` URL, returned without a
/// trailing slash.
pub(super) fn public_url(public_url: Option<&str>, bind: SocketAddr) -> Result<Url, SettingsError> {
    let public_url = public_url.map_or_else(|| format!("http://{bind}"), str::to_owned);
    let mut url =
        Url::parse(&public_url).map_err(|e| invalid("public_url", format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("public_url", "must start with http:// or https://"));
    }
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// `database_url`, or `sqlite://<data_dir>/atelier.db` when unset; `data_dir` must not be empty
/// (checked first, whether or not the database lives there).
pub(super) fn database_url(
    database_url: Option<&Secret<String>>,
    data_dir: &Path,
) -> Result<Secret<String>, SettingsError> {
    let data_dir = data_dir.to_string_lossy();
    if data_dir.is_empty() {
        return Err(invalid("data_dir", "must not be empty"));
    }
    Ok(database_url.map_or_else(
        || {
            Secret::new(format!(
                "sqlite://{}/atelier.db",
                data_dir.trim_end_matches('/')
            ))
        },
        Clone::clone,
    ))
}

/// Which database `database_url` names, by its scheme.
pub(super) fn database_kind(database_url: &str) -> Result<DatabaseKind, SettingsError> {
    if database_url.starts_with("sqlite:") {
        Ok(DatabaseKind::Sqlite)
    } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(DatabaseKind::Postgres)
    } else {
        Err(invalid(
            "database_url",
            "must start with sqlite:// or postgres://",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{RawSettings, Settings};

    /// The storage cases of this test are in `storage`.
    #[test]
    fn wrong_values_name_their_key() {
        let cases: Vec<(RawSettings, &str)> = vec![
            (
                RawSettings {
                    bind: "nowhere".into(),
                    ..RawSettings::default()
                },
                "bind",
            ),
            (
                RawSettings {
                    public_url: Some("ftp://x".into()),
                    ..RawSettings::default()
                },
                "public_url",
            ),
            (
                RawSettings {
                    database_url: Some(Secret::new("mysql://x".into())),
                    ..RawSettings::default()
                },
                "database_url",
            ),
        ];
        for (raw, key) in cases {
            assert_eq!(Settings::resolve(raw).unwrap_err().key, key);
        }
    }

    #[test]
    fn https_public_url_is_detected_and_trailing_slash_dropped() {
        let raw = RawSettings {
            public_url: Some("https://art.example.com/gallery/".into()),
            ..RawSettings::default()
        };
        let s = Settings::resolve(raw).unwrap();
        assert!(s.is_https());
        assert_eq!(s.public_url.as_str(), "https://art.example.com/gallery");
    }

    #[test]
    fn the_database_defaults_to_sqlite_under_data_dir() {
        let url = database_url(None, Path::new("/var/lib/atelier/")).unwrap();
        assert_eq!(url.expose(), "sqlite:///var/lib/atelier/atelier.db");
        assert_eq!(database_kind(url.expose()), Ok(DatabaseKind::Sqlite));
        assert_eq!(
            database_kind("postgresql://db/atelier"),
            Ok(DatabaseKind::Postgres)
        );
        assert_eq!(
            database_url(None, Path::new("")).unwrap_err().key,
            "data_dir"
        );
    }
}
