//! Roles (SEC2): every account is a `user`; the operator may make some `support` or `admin`.

use std::fmt;

/// A role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every signed-in account.
    User,
    /// Reads what support needs (every read audited, SEC2).
    Support,
    /// Runs the instance.
    Admin,
}

impl Role {
    /// The role's name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Support => "support",
            Self::Admin => "admin",
        }
    }

    /// Parses a role name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "user" => Some(Self::User),
            "support" => Some(Self::Support),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Parses a comma-separated list as stored; `user` is always included, unknown names dropped.
    #[must_use]
    pub fn parse_list(s: &str) -> Vec<Self> {
        let mut roles: Vec<Self> = s.split(',').filter_map(Self::parse).collect();
        roles.push(Self::User);
        roles.sort();
        roles.dedup();
        roles
    }

    /// The stored form of a list.
    #[must_use]
    pub fn join(roles: &[Self]) -> String {
        let mut roles = roles.to_vec();
        roles.push(Self::User);
        roles.sort();
        roles.dedup();
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip_and_always_hold_user() {
        assert_eq!(Role::parse_list(""), vec![Role::User]);
        let roles = Role::parse_list("admin,bogus,user");
        assert_eq!(roles, vec![Role::User, Role::Admin]);
        assert_eq!(Role::join(&roles), "user,admin");
        assert_eq!(Role::join(&[Role::Support]), "user,support");
    }
}
