//! One connection's SASL authentication on the listener, as Kafka's SaslServerAuthenticator:
//! before authentication only ApiVersions and SaslHandshake are served (anything else closes the
//! connection); then SaslAuthenticate tokens until the mechanism is done (a failure is answered
//! with SASL_AUTHENTICATION_FAILED and a message, then the connection closes). Sans-I/O: the
//! connection task feeds it requests and does what it says.

use super::scram::{ScramHash, ScramServer};
use super::users::SaslUsers;
use crate::protocol::frame::Request;
use crate::protocol::security::SaslMechanism;
use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, RequestKind, ResponseKind, SaslAuthenticateResponse, SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;
use std::sync::Arc;

/// Kafka's ILLEGAL_SASL_STATE.
pub const ILLEGAL_SASL_STATE: i16 = 34;
/// Kafka's UNSUPPORTED_SASL_MECHANISM.
pub const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
/// Kafka's SASL_AUTHENTICATION_FAILED.
pub const SASL_AUTHENTICATION_FAILED: i16 = 58;

/// What the connection does with a request.
#[derive(Debug)]
pub enum SaslStep {
    /// Send this answer and go on.
    Answer(Box<ResponseKind>),
    /// Send this answer, then close the connection.
    AnswerAndClose(Box<ResponseKind>),
    /// Not a SASL matter: hand the request to the driver.
    Forward,
    /// Close without an answer (a request before authentication, as Kafka).
    Close,
}

/// Where one connection is in its authentication.
enum State {
    /// Waiting for SaslHandshake (ApiVersions is served meanwhile).
    Handshake,
    /// Mechanism chosen; tokens come in SaslAuthenticate (or, after a v0 handshake, as raw
    /// length-prefixed tokens).
    Authenticate {
        mechanism: SaslMechanism,
        raw_tokens: bool,
        scram: Option<ScramServer>,
    },
    /// Authenticated as `user`.
    Complete { user: String },
}

/// One connection's authenticator.
pub struct Authenticator {
    users: Arc<SaslUsers>,
    state: State,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("user", &self.user())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// A connection that has not authenticated yet.
    pub fn new(users: Arc<SaslUsers>) -> Self {
        Self {
            users,
            state: State::Handshake,
        }
    }

    /// The authenticated user, once authentication is done.
    pub fn user(&self) -> Option<&str> {
        match &self.state {
            State::Complete { user } => Some(user),
            _ => None,
        }
    }

    /// Whether the next frame is a raw SASL token (after a SaslHandshake v0), not a request.
    pub fn expects_raw_token(&self) -> bool {
        matches!(
            self.state,
            State::Authenticate {
                raw_tokens: true,
                ..
            }
        )
    }

    /// What to do with `request`.
    pub fn on_request(&mut self, request: &Request) -> SaslStep {
        let version = request.version();
        match (&mut self.state, &request.body) {
            (State::Complete { .. }, RequestKind::SaslHandshake(_)) => {
                SaslStep::Answer(Box::new(self.handshake_response(ILLEGAL_SASL_STATE)))
            }
            (State::Complete { .. }, RequestKind::SaslAuthenticate(_)) => {
                SaslStep::Answer(Box::new(authenticate_failure(
                    ILLEGAL_SASL_STATE,
                    "SaslAuthenticate request received after successful authentication",
                )))
            }
            (State::Complete { .. }, _) => SaslStep::Forward,
            (State::Handshake, RequestKind::ApiVersions(_)) => SaslStep::Forward,
            (State::Handshake, RequestKind::SaslHandshake(h)) => {
                let asked = h.mechanism.as_str();
                match SaslMechanism::parse(asked)
                    .ok()
                    .filter(|m| self.users.enabled().contains(m) && m.name() == asked)
                {
                    Some(mechanism) => {
                        self.state = State::Authenticate {
                            mechanism,
                            raw_tokens: version == 0,
                            scram: None,
                        };
                        SaslStep::Answer(Box::new(self.handshake_response(0)))
                    }
                    None => SaslStep::AnswerAndClose(Box::new(
                        self.handshake_response(UNSUPPORTED_SASL_MECHANISM),
                    )),
                }
            }
            (
                State::Authenticate {
                    raw_tokens: false, ..
                },
                RequestKind::SaslAuthenticate(a),
            ) => match self.token(&a.auth_bytes) {
                Ok(reply) => SaslStep::Answer(Box::new(ResponseKind::SaslAuthenticate(
                    SaslAuthenticateResponse::default().with_auth_bytes(Bytes::from(reply)),
                ))),
                Err(message) => SaslStep::AnswerAndClose(Box::new(authenticate_failure(
                    SASL_AUTHENTICATION_FAILED,
                    &message,
                ))),
            },
            // Anything else before authentication: Kafka throws IllegalSaslStateException and
            // closes the connection.
            _ => SaslStep::Close,
        }
    }

    /// A raw token after a SaslHandshake v0: the answer token, or `None` to close (Kafka sends
    /// no message on a failed v0 exchange).
    pub fn on_raw_token(&mut self, token: &[u8]) -> Option<Vec<u8>> {
        self.token(token).ok()
    }

    /// One SASL token of the chosen mechanism: the answer, or Kafka's failure message.
    fn token(&mut self, token: &[u8]) -> Result<Vec<u8>, String> {
        let State::Authenticate {
            mechanism, scram, ..
        } = &mut self.state
        else {
            return Err("Unexpected SASL token".into());
        };
        let mechanism = *mechanism;
        let Some(hash) = ScramHash::of(mechanism) else {
            let m = super::plain::parse(token)?;
            if !self.users.check_plain(m.username, m.password) {
                return Err(super::plain::invalid());
            }
            self.state = State::Complete {
                user: m.username.to_string(),
            };
            return Ok(Vec::new());
        };
        match scram {
            None => {
                let mut server = ScramServer::new(hash);
                let users = &self.users;
                let first =
                    server.first(token, |u| users.scram(u, hash), &super::scram::nonce())?;
                *scram = Some(server);
                Ok(first)
            }
            Some(server) => {
                let (user, last) = server.finish(token)?;
                self.state = State::Complete { user };
                Ok(last)
            }
        }
    }

    fn handshake_response(&self, error_code: i16) -> ResponseKind {
        ResponseKind::SaslHandshake(
            SaslHandshakeResponse::default()
                .with_error_code(error_code)
                .with_mechanisms(
                    self.users
                        .enabled()
                        .into_iter()
                        .map(|m| StrBytes::from_static_str(m.name()))
                        .collect(),
                ),
        )
    }
}

fn authenticate_failure(code: i16, message: &str) -> ResponseKind {
    ResponseKind::SaslAuthenticate(
        SaslAuthenticateResponse::default()
            .with_error_code(code)
            .with_error_message(Some(StrBytes::from_string(message.to_string()))),
    )
}

/// The API keys of SASL, which the connection answers itself (never the driver or the journal).
pub fn is_sasl(key: ApiKey) -> bool {
    matches!(key, ApiKey::SaslHandshake | ApiKey::SaslAuthenticate)
}
