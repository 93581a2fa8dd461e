//! Outgoing webhooks: signing (HMAC-SHA256 over `timestamp.body`), the SSRF guard on targets,
//! durable delivery with retries on the jobs queue, and the subscriptions of every service.
//! Services decide what to send; this module finds to whom and delivers it.

mod delivery;
mod signature;
pub mod ssrf;
mod subscriptions;

pub use delivery::{
    enqueue_delivery, enqueue_delivery_once, Delivery, DeliveryJob, SigningScheme, DELIVERY_QUEUE,
};
pub use signature::{
    new_signing_secret, sign, sign_body, sign_standard, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use ssrf::{check_target, TargetError};
pub use subscriptions::{
    check_events, check_headers, NewSubscription, SubscriptionRow, Subscriptions,
};
