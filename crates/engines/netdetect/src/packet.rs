//! One captured frame reduced to flow metadata: addresses, ports, protocol, TCP flags, sizes, and
//! the few application facts the detectors read (DNS question, TLS SNI, Modbus function code,
//! payload entropy). The payload itself is never kept.

use std::net::IpAddr;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use serde::{Deserialize, Serialize};

/// The link layer of a capture (pcap's LINKTYPE values that we read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    Ethernet,
    /// Raw IPv4/IPv6 (LINKTYPE_RAW, or IPv4/IPv6 link types).
    RawIp,
    /// Linux "cooked" capture (tcpdump -i any).
    LinuxSll,
}

impl LinkType {
    /// From a pcap LINKTYPE number; `None` for link types we do not read.
    pub fn from_linktype(value: i32) -> Option<LinkType> {
        match value {
            1 => Some(LinkType::Ethernet),
            101 | 228 | 229 => Some(LinkType::RawIp),
            113 => Some(LinkType::LinuxSll),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub rst: bool,
    pub fin: bool,
}

/// A DNS question: the name (lower case, no trailing dot) and its record type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuestion {
    pub name: String,
    pub qtype: u16,
    pub is_response: bool,
}

/// What the engine keeps of one packet.
#[derive(Debug, Clone, PartialEq)]
pub struct PacketMeta {
    /// Seconds since the Unix epoch.
    pub ts: f64,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub protocol: Protocol,
    pub flags: TcpFlags,
    /// IP packet length (header included), as on the wire.
    pub ip_len: u32,
    /// Transport payload bytes (as captured, possibly truncated by the snap length).
    pub payload_len: u32,
    /// Shannon entropy of the captured payload in bits per byte (0 when empty).
    pub payload_entropy: f32,
    pub icmp_type: Option<u8>,
    pub dns: Option<DnsQuestion>,
    pub sni: Option<String>,
    /// Modbus/TCP function code of a request to port 502.
    pub modbus_function: Option<u8>,
    pub src_mac: Option<[u8; 6]>,
}

/// Parses one frame; `None` for frames without IPv4/IPv6 over TCP, UDP or ICMP (ARP, fragments
/// past the first, malformed headers). Never panics on untrusted bytes.
pub fn parse(link: LinkType, ts: f64, frame: &[u8]) -> Option<PacketMeta> {
    // Lax: a frame cut short by the capture's snap length still yields its headers.
    let sliced = match link {
        LinkType::Ethernet => LaxSlicedPacket::from_ethernet(frame).ok()?,
        LinkType::RawIp => LaxSlicedPacket::from_ip(frame).ok()?,
        // Linux cooked (SLL) header: 16 bytes, the EtherType last.
        LinkType::LinuxSll => {
            let ether_type = u16::from_be_bytes([*frame.get(14)?, *frame.get(15)?]);
            LaxSlicedPacket::from_ether_type(etherparse::EtherType(ether_type), frame.get(16..)?)
        }
    };
    let src_mac = match &sliced.link {
        Some(etherparse::LinkSlice::Ethernet2(eth)) => Some(eth.source()),
        _ => None,
    };
    let (src, dst, ip_len) = match sliced.net.as_ref()? {
        LaxNetSlice::Ipv4(v4) => (
            IpAddr::V4(v4.header().source_addr()),
            IpAddr::V4(v4.header().destination_addr()),
            u32::from(v4.header().total_len()),
        ),
        LaxNetSlice::Ipv6(v6) => (
            IpAddr::V6(v6.header().source_addr()),
            IpAddr::V6(v6.header().destination_addr()),
            u32::from(v6.header().payload_length()) + 40,
        ),
        _ => return None,
    };
    let mut meta = PacketMeta {
        ts,
        src,
        dst,
        src_port: 0,
        dst_port: 0,
        protocol: Protocol::Icmp,
        flags: TcpFlags::default(),
        ip_len,
        payload_len: 0,
        payload_entropy: 0.0,
        icmp_type: None,
        dns: None,
        sni: None,
        modbus_function: None,
        src_mac,
    };
    let payload: &[u8] = match sliced.transport.as_ref()? {
        TransportSlice::Tcp(tcp) => {
            meta.protocol = Protocol::Tcp;
            meta.src_port = tcp.source_port();
            meta.dst_port = tcp.destination_port();
            meta.flags = TcpFlags {
                syn: tcp.syn(),
                ack: tcp.ack(),
                rst: tcp.rst(),
                fin: tcp.fin(),
            };
            let payload = tcp.payload();
            if meta.dst_port == 443 || meta.dst_port == 8443 {
                meta.sni = crate::appmeta::tls_sni(payload);
            }
            if meta.dst_port == 502 {
                meta.modbus_function = crate::appmeta::modbus_function(payload);
            }
            if meta.dst_port == 53 || meta.src_port == 53 {
                // DNS over TCP carries a two-byte length first.
                meta.dns = payload.get(2..).and_then(crate::appmeta::dns_question);
            }
            payload
        }
        TransportSlice::Udp(udp) => {
            meta.protocol = Protocol::Udp;
            meta.src_port = udp.source_port();
            meta.dst_port = udp.destination_port();
            let payload = udp.payload();
            if meta.dst_port == 53 || meta.src_port == 53 || meta.dst_port == 5353 {
                meta.dns = crate::appmeta::dns_question(payload);
            }
            payload
        }
        TransportSlice::Icmpv4(icmp) => {
            meta.icmp_type = Some(icmp.type_u8());
            icmp.payload()
        }
        TransportSlice::Icmpv6(icmp) => {
            meta.icmp_type = Some(icmp.type_u8());
            icmp.payload()
        }
        _ => return None,
    };
    meta.payload_len = payload.len() as u32;
    meta.payload_entropy = entropy(payload);
    Some(meta)
}

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entropy_of_one_symbol_is_zero_and_of_all_bytes_is_eight() {
        assert_eq!(entropy(&[7; 100]), 0.0);
        let all: Vec<u8> = (0..=255).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-4);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            for link in [LinkType::Ethernet, LinkType::RawIp, LinkType::LinuxSll] {
                let _ = parse(link, 0.0, &bytes);
            }
        }
    }
}
