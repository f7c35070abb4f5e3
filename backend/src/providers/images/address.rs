//! Which network addresses an image may be fetched from, checked on the addresses a host
//! name resolves to (and on IP literals), so that an allow-listed name pointing at the
//! server's own network, or a redirect, cannot turn the server into a proxy for it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why `ip` may not be fetched from, or `None` when it may. `allow_private` admits
/// loopback, private (RFC 1918, unique local) and shared (CGNAT) addresses; link-local
/// (cloud metadata at 169.254.169.254), unspecified, multicast and reserved ones never.
pub fn forbidden(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4, allow_private),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => forbidden_v4(v4, allow_private),
            None => forbidden_v6(v6, allow_private),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr, allow_private: bool) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    let private = if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private network")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space")
    } else {
        None
    };
    if ip.is_link_local() {
        Some("link-local (cloud metadata)")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("broadcast, multicast or reserved")
    } else if allow_private {
        None
    } else {
        private
    }
}

fn forbidden_v6(ip: Ipv6Addr, allow_private: bool) -> Option<&'static str> {
    let first = ip.segments()[0];
    let private = if ip.is_loopback() {
        Some("loopback")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private network (unique local)")
    } else if first & 0xffc0 == 0xfec0 {
        Some("private network (site local)")
    } else {
        None
    };
    if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if allow_private {
        None
    } else {
        private
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(mapped) = ip.to_ipv4_mapped() {
        return Some(mapped);
    }
    let compatible = s[..6].iter().all(|&x| x == 0) && !(s[6] == 0 && s[7] <= 1);
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|&x| x == 0);
    (compatible || nat64).then(v4)
}

/// Resolves host names for image fetches and refuses any whose addresses are forbidden:
/// the connection then goes to exactly the addresses checked here.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if let Some((ip, reason)) = addrs
                .iter()
                .find_map(|a| forbidden(a.ip(), allow_private).map(|r| (a.ip(), r)))
            {
                return Err(format!("{host} resolves to {ip}, a {reason} address").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused() {
        for (addr, always) in [
            ("127.0.0.1", false),
            ("127.255.0.9", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("192.168.1.1", false),
            ("100.64.0.1", false),
            ("169.254.169.254", true),
            ("169.254.0.1", true),
            ("0.0.0.0", true),
            ("0.1.2.3", true),
            ("255.255.255.255", true),
            ("224.0.0.1", true),
            ("240.0.0.1", true),
            ("::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fec0::1", false),
            ("fe80::1", true),
            ("::", true),
            ("ff02::1", true),
            ("::ffff:127.0.0.1", false),
            ("::ffff:169.254.169.254", true),
            ("::127.0.0.1", false),
            ("64:ff9b::a9fe:a9fe", true),
        ] {
            assert!(
                forbidden(ip(addr), false).is_some(),
                "{addr} refused by default"
            );
            assert_eq!(
                forbidden(ip(addr), true).is_some(),
                always,
                "{addr} with private networks allowed"
            );
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert_eq!(forbidden(ip(public), false), None, "{public}");
        }
    }

    #[tokio::test]
    async fn names_are_judged_by_the_addresses_they_resolve_to() {
        // localhost resolves (from /etc/hosts, no network) to loopback only.
        let refused = GuardedResolver {
            allow_private: false,
        }
        .resolve("localhost".parse::<Name>().unwrap())
        .await;
        let err = refused.err().expect("localhost refused").to_string();
        assert!(err.contains("loopback"), "{err}");
        let allowed = GuardedResolver {
            allow_private: true,
        }
        .resolve("localhost".parse::<Name>().unwrap())
        .await
        .expect("allowed when private networks are");
        assert!(allowed.into_iter().all(|a| a.ip().is_loopback()));
    }
}
