//! The application facts that count as flow metadata: the DNS question (name and type), the TLS
//! ClientHello's server name, and a Modbus/TCP request's function code. Each reader is bounded by
//! the bytes it was given and returns `None` on anything it does not recognise.

use tls_parser::{
    parse_tls_extensions, parse_tls_plaintext, SNIType, TlsExtension, TlsMessage,
    TlsMessageHandshake,
};

use crate::packet::DnsQuestion;

/// Longest DNS name (RFC 1035 §2.3.4), in wire bytes.
const MAX_NAME: usize = 255;

/// The first question of a DNS message (RFC 1035 §4.1). Labels are read as bytes (tunnels put
/// arbitrary bytes in them); compression pointers are not allowed in a question and end parsing.
pub fn dns_question(message: &[u8]) -> Option<DnsQuestion> {
    let header = message.get(..12)?;
    let flags = u16::from_be_bytes([header[2], header[3]]);
    let questions = u16::from_be_bytes([header[4], header[5]]);
    if questions == 0 || flags & 0x7800 != 0 {
        return None; // no question, or not a standard query (opcode ≠ 0)
    }
    let mut at = 12;
    let mut name = String::new();
    let mut wire_len = 0;
    loop {
        let len = *message.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        wire_len += len + 1;
        if wire_len > MAX_NAME {
            return None;
        }
        let label = message.get(at..at + len)?;
        at += len;
        if !name.is_empty() {
            name.push('.');
        }
        for &b in label {
            name.push(char::from(b.to_ascii_lowercase()));
        }
    }
    let qtype = u16::from_be_bytes([*message.get(at)?, *message.get(at + 1)?]);
    Some(DnsQuestion {
        name,
        qtype,
        is_response: flags & 0x8000 != 0,
    })
}

/// The host name of a TLS ClientHello's server_name extension.
pub fn tls_sni(payload: &[u8]) -> Option<String> {
    let (_, record) = parse_tls_plaintext(payload).ok()?;
    record.msg.iter().find_map(|message| match message {
        TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) => {
            let (_, extensions) = parse_tls_extensions(hello.ext?).ok()?;
            extensions.iter().find_map(|ext| match ext {
                TlsExtension::SNI(names) => names
                    .iter()
                    .find(|(kind, _)| *kind == SNIType::HostName)
                    .and_then(|(_, name)| std::str::from_utf8(name).ok())
                    .map(|name| name.to_ascii_lowercase()),
                _ => None,
            })
        }
        _ => None,
    })
}

/// The function code of a Modbus/TCP request: MBAP header (transaction, protocol 0, length, unit)
/// then the PDU's first byte.
pub fn modbus_function(payload: &[u8]) -> Option<u8> {
    let mbap = payload.get(..8)?;
    let protocol = u16::from_be_bytes([mbap[2], mbap[3]]);
    let length = u16::from_be_bytes([mbap[4], mbap[5]]);
    (protocol == 0 && (2..=254).contains(&length)).then_some(mbap[7])
}

/// Modbus function codes that change the device: write coil(s), write register(s), mask write,
/// read/write multiple, write file record.
pub fn is_modbus_write(function: u8) -> bool {
    matches!(function, 5 | 6 | 15 | 16 | 21 | 22 | 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in name.split('.') {
            m.push(label.len() as u8);
            m.extend_from_slice(label.as_bytes());
        }
        m.push(0);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m
    }

    #[test]
    fn reads_a_question() {
        let q = dns_question(&query("WWW.Example.org", 10)).unwrap();
        assert_eq!(
            (q.name.as_str(), q.qtype, q.is_response),
            ("www.example.org", 10, false)
        );
    }

    #[test]
    fn refuses_overlong_labels_and_truncation() {
        let mut m = query("a.b", 1);
        m[12] = 64;
        assert_eq!(dns_question(&m), None);
        let m = query("abc.def", 1);
        assert_eq!(dns_question(&m[..15]), None);
    }

    #[test]
    fn modbus_function_codes() {
        let write = [0, 1, 0, 0, 0, 6, 1, 6, 0, 40, 4, 210];
        assert_eq!(modbus_function(&write), Some(6));
        assert!(is_modbus_write(6) && !is_modbus_write(3));
        assert_eq!(modbus_function(&[0, 1, 0, 9, 0, 6, 1, 6]), None);
    }
}
