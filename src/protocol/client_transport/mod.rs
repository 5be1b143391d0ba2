//! The client side of the wire protocol, for `kafka-lab attach`: one connection to one broker,
//! secured as the properties say (`security.protocol`), sending one request at a time.
//!
//! The codecs are `kafka-protocol`'s, as on the listener's side; header versions follow each
//! API's flexible versions, every response's correlation id is checked against its request's,
//! and a response frame is read as its bytes arrive, never allocated from the length it claims.

mod config;
mod connection;
mod error;
mod sasl;

pub use crate::protocol::security::{SaslMechanism, Secret, SecurityProtocol};
pub use config::{ClientConfigError, ClientSecurity, SaslCredentials};
pub use connection::{ClientConnection, Traffic};
pub use error::TransportError;

#[cfg(test)]
mod tests;
