//! Reading capture files (pcap and pcapng, via pcap-parser) into [`PacketMeta`]s. The reader's
//! buffer is fixed (256 KiB): a block larger than that is an error, never an allocation.

use std::io::Read;

use pcap_parser::{create_reader, Block, PcapBlockOwned, PcapError};

use crate::packet::{parse, LinkType, PacketMeta};

const BUFFER: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("not a pcap or pcapng file: {0}")]
    Format(String),
    #[error("unsupported link type {0} (Ethernet, raw IP and Linux cooked are read)")]
    LinkType(i32),
    #[error("reading the capture: {0}")]
    Io(#[from] std::io::Error),
}

/// Calls `each` with every IP packet of the capture, in file order; returns (frames, parsed).
pub fn read_capture(
    input: impl Read + Send + 'static,
    mut each: impl FnMut(PacketMeta),
) -> Result<(u64, u64), CaptureError> {
    let mut parsed = 0;
    let frames = read_frames(input, |link, ts, data| {
        if let Some(meta) = parse(link, ts, data) {
            parsed += 1;
            each(meta);
        }
    })?;
    Ok((frames, parsed))
}

/// Calls `each` with every frame of the capture (its link type, time and bytes), in file
/// order; returns how many there were.
pub fn read_frames(
    input: impl Read + Send + 'static,
    mut each: impl FnMut(LinkType, f64, &[u8]),
) -> Result<u64, CaptureError> {
    let mut reader =
        create_reader(BUFFER, input).map_err(|e| CaptureError::Format(format!("{e:?}")))?;
    let mut link: Option<LinkType> = None;
    let mut resolution = 1e6;
    let mut frames = 0u64;
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                let frame: Option<(f64, &[u8])> = match &block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        link = Some(
                            LinkType::from_linktype(h.network.0)
                                .ok_or(CaptureError::LinkType(h.network.0))?,
                        );
                        resolution = if h.is_nanosecond_precision() {
                            1e9
                        } else {
                            1e6
                        };
                        None
                    }
                    PcapBlockOwned::Legacy(b) => Some((
                        f64::from(b.ts_sec) + f64::from(b.ts_usec) / resolution,
                        b.data,
                    )),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        link = Some(
                            LinkType::from_linktype(idb.linktype.0)
                                .ok_or(CaptureError::LinkType(idb.linktype.0))?,
                        );
                        resolution = idb.ts_resolution().map_or(1e6, |r| r as f64);
                        None
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        Some((ticks as f64 / resolution, epb.data))
                    }
                    _ => None,
                };
                if let (Some((ts, data)), Some(link)) = (frame, link) {
                    frames += 1;
                    each(link, ts, data);
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                reader
                    .refill()
                    .map_err(|e| CaptureError::Format(format!("{e:?}")))?;
            }
            Err(e) => return Err(CaptureError::Format(format!("{e:?}"))),
        }
    }
    Ok(frames)
}
