//! Packet sources: a pcap/pcapng file, or live capture on an interface through an AF_PACKET raw
//! socket (needs CAP_NET_RAW; the error says how to grant it).

use std::ffi::CString;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use netdetect::packet::{parse, LinkType, PacketMeta};

/// How long the reader sleeps when no packet is waiting (the latency it adds, at most).
const IDLE: std::time::Duration = std::time::Duration::from_millis(5);

/// A live AF_PACKET socket bound to one interface, all protocols, read in non-blocking batches.
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
            // Room for the packets that arrive while the reader sleeps (capped by net.core.rmem_max).
            let size: libc::c_int = 4 << 20;
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                &size as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as u32,
            );
            Ok(LiveCapture {
                fd,
                buffer: vec![0; 65_536],
            })
        }
    }

    /// Every packet waiting in the socket, handed to `each`; when none was waiting, sleeps
    /// `IDLE` first. Reading in batches instead of blocking per packet spares a wake-up per
    /// packet (at 10 kpps those wake-ups were most of the agent's CPU; docs/decisions.md).
    pub fn drain(&mut self, mut each: impl FnMut(PacketMeta)) -> anyhow::Result<usize> {
        let mut read = 0;
        loop {
            // SAFETY: the buffer outlives the call and its length is passed.
            let n = unsafe {
                libc::recv(
                    self.fd,
                    self.buffer.as_mut_ptr() as *mut libc::c_void,
                    self.buffer.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if n < 0 {
                let err = std::io::Error::last_os_error();
                return match err.kind() {
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted => {
                        if read == 0 {
                            std::thread::sleep(IDLE);
                        }
                        Ok(read)
                    }
                    _ => Err(err).context("reading from the capture socket"),
                };
            }
            read += 1;
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            if let Some(p) = parse(LinkType::Ethernet, ts, &self.buffer[..n as usize]) {
                each(p);
            }
        }
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
