//! IP addresses as the policy treats them: the network an address belongs to (IPv4 /24, IPv6 /48)
//! is what security alerts compare and what leaves the instance when only a truncated address may.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::IpAddr;

/// Prefix length of an IPv4 network (S2, security alerts).
pub const V4_PREFIX: u8 = 24;
/// Prefix length of an IPv6 network.
pub const V6_PREFIX: u8 = 48;

/// The network `ip` belongs to: /24 for IPv4 (and IPv4-mapped IPv6), /48 for IPv6.
#[must_use]
pub fn network_of(ip: IpAddr) -> IpNet {
    match canonical(ip) {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::new_assert(v4, V4_PREFIX).trunc()),
        IpAddr::V6(v6) => IpNet::V6(Ipv6Net::new_assert(v6, V6_PREFIX).trunc()),
    }
}

/// The address with its host part zeroed (the network address of [`network_of`]).
#[must_use]
pub fn truncate(ip: IpAddr) -> IpAddr {
    network_of(ip).network()
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 address they carry.
#[must_use]
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers of the specification's test vectors (IPv4 /24, IPv6 /48).
    #[test]
    fn s2_truncation_test_vectors() {
        let v4: IpAddr = "203.0.113.195".parse().unwrap();
        assert_eq!(truncate(v4).to_string(), "203.0.113.0");
        assert_eq!(network_of(v4).to_string(), "203.0.113.0/24");
        let v6: IpAddr = "2001:db8:85a3:8d3:1319:8a2e:370:7348".parse().unwrap();
        assert_eq!(truncate(v6).to_string(), "2001:db8:85a3::");
        assert_eq!(network_of(v6).to_string(), "2001:db8:85a3::/48");
    }

    #[test]
    fn mapped_v4_is_v4() {
        let ip: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(network_of(ip).to_string(), "198.51.100.0/24");
    }
}
