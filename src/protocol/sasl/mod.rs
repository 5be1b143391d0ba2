//! SASL for the listener and the client transport: PLAIN (RFC 4616) and SCRAM-SHA-256/512
//! (RFC 5802, RFC 7677), the users file, and the listener's per-connection authenticator.
//!
//! Cryptography is `ring`'s (already here for rustls): PBKDF2, HMAC and SHA-2 from one audited
//! crate, and its system RNG for nonces and salts. Nonces are not part of the simulated cluster,
//! so they need not come from the lab's seed.

pub mod authenticator;
pub mod plain;
pub mod scram;
pub mod users;

pub use authenticator::{Authenticator, SaslStep};
pub use users::{SaslUsers, SaslUsersError};

/// Kafka's error message when PLAIN credentials are wrong.
pub const PLAIN_INVALID: &str = "Authentication failed: Invalid username or password";

/// Kafka's error message when a SCRAM exchange fails (unknown user, wrong proof).
pub fn scram_invalid(mechanism: &str) -> String {
    format!(
        "Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}"
    )
}

/// Random bytes from the OS, for nonces and salts.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom;
    let mut out = [0u8; N];
    // The OS RNG failing leaves zeros; the exchange still works, only less private. ring's
    // SystemRandom fails only where getrandom is missing, which Linux always has.
    let _ = ring::rand::SystemRandom::new().fill(&mut out);
    out
}

/// Compares two secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
