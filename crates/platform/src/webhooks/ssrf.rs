//! The SSRF guard: webhook targets must be public. URLs are checked when a webhook is saved
//! (scheme, literal addresses, resolved addresses) and again at delivery time by a resolver that
//! drops non-public addresses, so a DNS answer that changes later cannot reach inside.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TargetError {
    #[error("url is not a valid absolute URL")]
    Malformed,
    #[error("url must use https")]
    Scheme,
    #[error("url must not carry credentials")]
    Credentials,
    #[error("url host does not resolve")]
    Unresolvable,
    #[error("url points to a private, loopback or link-local address")]
    Private,
}

/// True for addresses reachable on the public Internet: not loopback, private (RFC 1918, ULA),
/// link-local, CGNAT, unspecified, multicast, broadcast, documentation or benchmarking ranges.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Checks a webhook URL before it is saved. With `allow_private`, plain http and private
/// targets are accepted (for on-premises receivers and tests).
pub async fn check_target(url: &str, allow_private: bool) -> Result<reqwest::Url, TargetError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| TargetError::Malformed)?;
    let scheme_ok = parsed.scheme() == "https" || (allow_private && parsed.scheme() == "http");
    if !scheme_ok {
        return Err(TargetError::Scheme);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    let host = parsed.host_str().ok_or(TargetError::Malformed)?;
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| TargetError::Unresolvable)?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(TargetError::Unresolvable);
    }
    if addrs.iter().all(|a| is_public(a.ip())) {
        Ok(parsed)
    } else {
        Err(TargetError::Private)
    }
}

/// A DNS resolver for the delivery client that answers only public addresses.
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(std::io::Error::other(format!(
                    "{} resolves to no public address",
                    name.as_str()
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn targets_are_checked() {
        use TargetError::*;
        for (url, err) in [
            ("not a url", Malformed),
            ("http://example.com/hook", Scheme),
            ("ftp://example.com/hook", Scheme),
            ("https://user:pw@example.com/hook", Credentials),
            ("https://127.0.0.1/hook", Private),
            ("https://[::1]:8443/hook", Private),
            ("https://169.254.169.254/latest/meta-data", Private),
            ("https://10.0.0.8/hook", Private),
            ("https://localhost/hook", Private),
        ] {
            assert_eq!(check_target(url, false).await.unwrap_err(), err, "{url}");
        }
        assert!(check_target("https://93.184.215.14/hook", false)
            .await
            .is_ok());
        assert!(check_target("http://127.0.0.1:9000/hook", true)
            .await
            .is_ok());
    }
}
