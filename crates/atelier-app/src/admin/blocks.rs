//! Abuse blocks (issue 19, C2): staff block an IPv4 or IPv6 network, with a reason and an optional
//! expiry; its clients (as the `proxy` settings resolve them) are refused sign-in and every state
//! change. The blocks are read from the database on each state change, so a block applies on every
//! node at once.

use super::Staff;
use crate::{App, AppError, Refusal};
use atelier_core::clock::DAY_MS;
use atelier_core::id::new_id;
use atelier_db::blocks::BlockRow;
use ipnet::IpNet;
use std::net::IpAddr;

/// The broadest IPv4 network staff may block (a /8 is 16 million addresses).
pub const MIN_V4_PREFIX: u8 = 8;
/// The broadest IPv6 network staff may block.
pub const MIN_V6_PREFIX: u8 = 16;
/// The longest a block may be set to last, in days (longer: no expiry).
pub const MAX_BLOCK_DAYS: u32 = 3650;

/// A network as staff typed it: `203.0.113.0/24`, `2001:db8::/48`, or one address.
///
/// # Errors
/// [`AppError::Invalid`] `invalid_network` for anything else, or a network broader than a /8
/// (IPv4) or /16 (IPv6).
pub fn parse_network(text: &str) -> Result<IpNet, AppError> {
    let text = text.trim();
    let invalid = || {
        AppError::invalid(
            Refusal::InvalidNetwork,
            format!(
                "Give an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/48 (at most a \
                 /{MIN_V4_PREFIX} or a /{MIN_V6_PREFIX}), or one address."
            ),
        )
    };
    let net = match text.parse::<IpNet>() {
        Ok(net) => net.trunc(),
        Err(_) => IpNet::from(text.parse::<IpAddr>().map_err(|_| invalid())?),
    };
    let broad = match net {
        IpNet::V4(n) => n.prefix_len() < MIN_V4_PREFIX,
        IpNet::V6(n) => n.prefix_len() < MIN_V6_PREFIX,
    };
    if broad {
        return Err(invalid());
    }
    Ok(net)
}

/// Whether `block` covers `ip` (IPv4-mapped IPv6 addresses count as IPv4).
fn covers(block: &BlockRow, ip: IpAddr) -> bool {
    block
        .network
        .parse::<IpNet>()
        .is_ok_and(|net| net.contains(&atelier_core::net::canonical(ip)))
}

/// A new block.
#[derive(Debug, Clone)]
pub struct NewBlock<'a> {
    /// The network, as typed.
    pub network: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Days until it lapses; never when `None`.
    pub days: Option<u32>,
    /// The staff member's own address: a block covering it is refused unless `confirm`.
    pub own_ip: Option<IpAddr>,
    /// Block even the staff member's own network.
    pub confirm: bool,
}

impl App {
    /// The block in force that covers `ip`, if any.
    ///
    /// # Errors
    /// On database failure.
    pub async fn block_of(&self, ip: IpAddr) -> Result<Option<BlockRow>, AppError> {
        let blocks = self.store().active_blocks(self.now_ms()).await?;
        Ok(blocks.into_iter().find(|b| covers(b, ip)))
    }

    /// The blocks in force, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn admin_blocks(&self, _staff: &Staff) -> Result<Vec<BlockRow>, AppError> {
        Ok(self.store().active_blocks(self.now_ms()).await?)
    }

    /// Blocks a network (admin; audited).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; [`AppError::Invalid`] `invalid_network` or
    /// `invalid_reason`; [`AppError::Conflict`] `blocks_own_network` when the network holds the
    /// staff member's own address and `confirm` is not set.
    pub async fn admin_block(
        &self,
        staff: &Staff,
        new: &NewBlock<'_>,
    ) -> Result<BlockRow, AppError> {
        staff.manage()?;
        let net = parse_network(new.network)?;
        // The same rule as a credit adjustment's reason.
        let reason = crate::credits::check_reason(new.reason)?;
        if let Some(own) = new.own_ip
            && net.contains(&atelier_core::net::canonical(own))
            && !new.confirm
        {
            return Err(AppError::Conflict {
                refusal: Refusal::BlocksOwnNetwork,
                message: "This network holds your own address: you would lock yourself out. \
                          Send it again with `confirm` to block it anyway."
                    .to_owned(),
            });
        }
        let now = self.now_ms();
        let row = BlockRow {
            id: new_id(),
            network: net.to_string(),
            reason,
            created_by: staff.user().id.clone(),
            created_at: now,
            expires_at: new
                .days
                .filter(|d| (1..=MAX_BLOCK_DAYS).contains(d))
                .map(|d| now + i64::from(d) * DAY_MS),
        };
        self.store().insert_block(&row).await?;
        self.audit(&staff.user().id, "block.created", None, &row.network)
            .await?;
        tracing::info!(block_id = %row.id, "network blocked");
        Ok(row)
    }

    /// Lifts a block (admin; audited).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for support; [`AppError::NotFound`] for an unknown block.
    pub async fn admin_unblock(&self, staff: &Staff, id: &str) -> Result<(), AppError> {
        staff.manage()?;
        if !self.store().delete_block(id).await? {
            return Err(AppError::NotFound);
        }
        self.audit(&staff.user().id, "block.removed", None, id)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2_networks_are_read_as_typed_and_truncated() {
        assert_eq!(
            parse_network(" 203.0.113.9/24 ").unwrap().to_string(),
            "203.0.113.0/24"
        );
        assert_eq!(
            parse_network("203.0.113.9").unwrap().to_string(),
            "203.0.113.9/32"
        );
        assert_eq!(
            parse_network("2001:db8:1:2::5/48").unwrap().to_string(),
            "2001:db8:1::/48"
        );
        for bad in [
            "",
            "203.0.113",
            "10.0.0.0/4",
            "::/0",
            "example.com",
            "1.2.3.4/33",
        ] {
            assert!(parse_network(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn c2_a_block_covers_its_network_and_mapped_addresses() {
        let block = BlockRow {
            id: "b".into(),
            network: "203.0.113.0/24".into(),
            reason: "spam".into(),
            created_by: "a".into(),
            created_at: 0,
            expires_at: None,
        };
        assert!(covers(&block, "203.0.113.77".parse().unwrap()));
        assert!(covers(&block, "::ffff:203.0.113.77".parse().unwrap()));
        assert!(!covers(&block, "203.0.114.1".parse().unwrap()));
    }
}
