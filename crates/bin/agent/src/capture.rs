//! Packet sources: a pcap/pcapng file, or live capture on an interface through an AF_PACKET raw
//! socket (needs CAP_NET_RAW; the error says how to grant it).

use std::ffi::CString;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use netdetect::packet::{parse, LinkType, PacketMeta};

/// A live AF_PACKET socket bound to one interface, all protocols, with a read timeout so the
/// caller can notice a stop request.
pub struct LiveCapture {
    fd: libc::c_int,
    buffer: Vec<u8>,
}

impl LiveCapture {
    pub fn open(interface: &str) -> anyhow::Result<LiveCapture> {
        let name = CString::new(interface).context("interface names have no NUL")?;
        // SAFETY: plain libc calls on values we own; every result is checked.
        unsafe {
            let index = libc::if_nametoindex(name.as_ptr());
            if index == 0 {
                bail!("no network interface named {interface}");
            }
            let protocol = (libc::ETH_P_ALL as u16).to_be();
            let fd = libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                i32::from(protocol),
            );
            if fd < 0 {
                let err = std::io::Error::last_os_error();
                if err.raw_os_error() == Some(libc::EPERM) {
                    bail!("live capture needs CAP_NET_RAW: run as root, or grant it once with `setcap cap_net_raw+eip $(command -v redoubt-agent)` (or replay a file with --pcap)");
                }
                return Err(err).context("opening an AF_PACKET socket");
            }
            let mut addr: libc::sockaddr_ll = std::mem::zeroed();
            addr.sll_family = libc::AF_PACKET as u16;
            addr.sll_protocol = protocol;
            addr.sll_ifindex = index as i32;
            let bound = libc::bind(
                fd,
                &addr as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            );
            if bound < 0 {
                let err = std::io::Error::last_os_error();
                libc::close(fd);
                return Err(err).with_context(|| format!("binding to {interface}"));
            }
            let timeout = libc::timeval {
                tv_sec: 0,
                tv_usec: 200_000,
            };
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                &timeout as *const libc::timeval as *const libc::c_void,
                std::mem::size_of::<libc::timeval>() as u32,
            );
            Ok(LiveCapture {
                fd,
                buffer: vec![0; 65_536],
            })
        }
    }

    /// The next packet; `None` when the read timed out (or the frame was not IP).
    pub fn next(&mut self) -> anyhow::Result<Option<PacketMeta>> {
        // SAFETY: the buffer outlives the call and its length is passed.
        let n = unsafe {
            libc::recv(
                self.fd,
                self.buffer.as_mut_ptr() as *mut libc::c_void,
                self.buffer.len(),
                0,
            )
        };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            return match err.kind() {
                std::io::ErrorKind::WouldBlock
                | std::io::ErrorKind::TimedOut
                | std::io::ErrorKind::Interrupted => Ok(None),
                _ => Err(err).context("reading from the capture socket"),
            };
        }
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Ok(parse(LinkType::Ethernet, ts, &self.buffer[..n as usize]))
    }
}

impl Drop for LiveCapture {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe {
            libc::close(self.fd);
        }
    }
}
