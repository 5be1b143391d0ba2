//! The client's SASL exchange: SaslHandshake v1, then SaslAuthenticate v2 tokens (KIP-152).

use super::config::SaslCredentials;
use super::connection::ClientConnection;
use super::error::TransportError;
use crate::protocol::sasl::authenticator::{
    SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM,
};
use crate::protocol::sasl::plain;
use crate::protocol::sasl::scram::{ScramClient, ScramHash};
use bytes::Bytes;
use kafka_protocol::messages::{SaslAuthenticateRequest, SaslHandshakeRequest};
use kafka_protocol::protocol::StrBytes;

/// Authenticates `conn` as `credentials` say.
pub(super) async fn authenticate(
    conn: &mut ClientConnection,
    credentials: &SaslCredentials,
) -> Result<(), TransportError> {
    let mechanism = credentials.mechanism;
    let handshake = conn
        .call(
            SaslHandshakeRequest::default()
                .with_mechanism(StrBytes::from_static_str(mechanism.name())),
            1,
        )
        .await?;
    match handshake.error_code {
        0 => {}
        UNSUPPORTED_SASL_MECHANISM => {
            return Err(TransportError::UnsupportedSaslMechanism {
                addr: conn.addr().into(),
                mechanism: mechanism.name().into(),
                enabled: handshake
                    .mechanisms
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        code => {
            return Err(TransportError::SaslError {
                addr: conn.addr().into(),
                api: "SaslHandshake",
                code,
            });
        }
    }
    let password = &credentials.password;
    let Some(hash) = ScramHash::of(mechanism) else {
        token(
            conn,
            plain::client_message(&credentials.username, password.expose()),
        )
        .await?;
        return Ok(());
    };
    let failed = |message: String| TransportError::SaslAuthenticationFailed { message };
    let mut scram = ScramClient::new(hash, &credentials.username, password);
    let server_first = token(conn, scram.client_first()).await?;
    let client_final = scram.client_final(&server_first).map_err(failed)?;
    let server_final = token(conn, client_final).await?;
    scram.check_server_final(&server_final).map_err(failed)
}

/// Sends one SASL token and returns the broker's.
async fn token(conn: &mut ClientConnection, bytes: Vec<u8>) -> Result<Bytes, TransportError> {
    let r = conn
        .call(
            SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(bytes)),
            2,
        )
        .await?;
    match r.error_code {
        0 => Ok(r.auth_bytes),
        SASL_AUTHENTICATION_FAILED => Err(TransportError::SaslAuthenticationFailed {
            message: r
                .error_message
                .map(|m| m.to_string())
                .unwrap_or_else(|| "Authentication failed".into()),
        }),
        code => Err(TransportError::SaslError {
            addr: conn.addr().into(),
            api: "SaslAuthenticate",
            code,
        }),
    }
}
