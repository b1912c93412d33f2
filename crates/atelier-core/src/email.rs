//! Email addresses as accounts use them: validated against RFC 5321's limits and normalized, so
//! that one mailbox is one account and nothing an attacker types can end up in a mail header.

/// Longest address SMTP can carry in a path (RFC 5321 4.5.3.1.3, less the angle brackets).
pub const MAX_ADDRESS_LEN: usize = 254;
/// Longest local part (RFC 5321 4.5.3.1.1).
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest domain label (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Empty after trimming.
    #[error("enter an email address")]
    Empty,
    /// Longer than RFC 5321 allows.
    #[error("the address is too long")]
    TooLong,
    /// Not of the form `name@domain.tld`, or holds characters an address cannot hold.
    #[error("this is not an email address")]
    Malformed,
}

/// A validated, normalized (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Validates and normalizes `input`.
    ///
    /// # Errors
    /// [`EmailError`] when the address is empty, too long or malformed (control characters such as
    /// CR and LF included, so header injection cannot pass).
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_ADDRESS_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Malformed)?;
        if local.is_empty() || domain.is_empty() {
            return Err(EmailError::Malformed);
        }
        if local.len() > MAX_LOCAL_LEN {
            return Err(EmailError::TooLong);
        }
        if !local.bytes().all(is_atext_or_dot)
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(EmailError::Malformed);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(EmailError::Malformed);
        }
        for label in &labels {
            if label.is_empty()
                || label.len() > MAX_LABEL_LEN
                || label.starts_with('-')
                || label.ends_with('-')
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(EmailError::Malformed);
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(EmailError::Malformed);
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with most of the local part hidden, for notices to an old address.
    #[must_use]
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }

    /// Wraps an address read back from the database (validated when it was stored).
    #[must_use]
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
}

/// An address as mail providers treat it, for hashing (R5): trimmed and lower-cased; for Gmail
/// (`gmail.com`, `googlemail.com`) without dots or a `+tag` in the local part, since Gmail
/// delivers those to the same mailbox. The known answers are in this module's tests.
#[must_use]
pub fn normalized_for_hash(input: &str) -> String {
    let lower = input.trim().to_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return lower;
    };
    if domain == "gmail.com" || domain == "googlemail.com" {
        let local = local.split('+').next().unwrap_or(local).replace('.', "");
        format!("{local}@gmail.com")
    } else {
        lower
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `atext` of RFC 5322 plus the dot.
fn is_atext_or_dot(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_space() {
        let e = Email::parse("  Ada.Lovelace+art@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace+art@example.com");
        assert_eq!(e.masked(), "a***@example.com");
    }

    #[test]
    fn refuses_malformed_and_injected() {
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a@b..com",
            "a b@example.com",
            "a@example.com\r\nBcc: x@evil.com",
            "a\n@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-x.com",
            "a@1.2.3.4",
            "ä@example.com",
            "<a@example.com>",
            "a@example.com>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn rfc5321_limits() {
        let local = "a".repeat(64);
        assert!(Email::parse(&format!("{local}@example.com")).is_ok());
        let local = "a".repeat(65);
        assert_eq!(
            Email::parse(&format!("{local}@example.com")),
            Err(EmailError::TooLong)
        );
        let domain = format!("{}.com", vec!["b".repeat(60); 5].join("."));
        assert_eq!(
            Email::parse(&format!("a@{domain}")),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn addresses_normalize_for_hashing_as_the_test_vectors_say() {
        use sha2::Digest as _;
        let cases = [
            (
                "  John.Doe@Gmail.com ",
                "johndoe@gmail.com",
                "06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3",
            ),
            (
                "Jane.Doe+promo@Example.com",
                "jane.doe+promo@example.com",
                "c3374bcfe3572e09f37602e0e179782352c5e117a4a3767824abbaa21bbdef8b",
            ),
        ];
        for (input, normalized, sha) in cases {
            assert_eq!(normalized_for_hash(input), normalized);
            assert_eq!(
                hex::encode(sha2::Sha256::digest(normalized.as_bytes())),
                sha
            );
        }
        assert_eq!(normalized_for_hash("a.b+x@googlemail.com"), "ab@gmail.com");
    }
}
