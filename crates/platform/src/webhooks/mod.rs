//! Outgoing webhooks: signing (HMAC-SHA256 over `timestamp.body`), the SSRF guard on targets,
//! and durable delivery with retries on the jobs queue. Services decide what to send and to
//! whom; this module delivers it.

mod delivery;
mod signature;
pub mod ssrf;

pub use delivery::{enqueue_delivery, Delivery, DeliveryJob, DELIVERY_QUEUE};
pub use signature::{new_signing_secret, sign, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER};
pub use ssrf::{check_target, TargetError};
