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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sasl::scram::ScramClient;
    use crate::protocol::security::Secret;
    use kafka_protocol::messages::{
        ApiVersionsRequest, MetadataRequest, RequestHeader, SaslAuthenticateRequest,
        SaslHandshakeRequest,
    };

    fn users() -> Arc<SaslUsers> {
        Arc::new(SaslUsers::parse("alice:pw\nSCRAM-SHA-256 bob:pw2\n").unwrap())
    }

    fn request(api_key: ApiKey, version: i16, body: RequestKind) -> Request {
        Request {
            header: RequestHeader::default()
                .with_request_api_key(api_key as i16)
                .with_request_api_version(version),
            api_key,
            body,
        }
    }

    fn handshake(mechanism: &'static str, version: i16) -> Request {
        request(
            ApiKey::SaslHandshake,
            version,
            RequestKind::SaslHandshake(
                SaslHandshakeRequest::default()
                    .with_mechanism(StrBytes::from_static_str(mechanism)),
            ),
        )
    }

    fn token(bytes: Vec<u8>) -> Request {
        request(
            ApiKey::SaslAuthenticate,
            2,
            RequestKind::SaslAuthenticate(
                SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(bytes)),
            ),
        )
    }

    fn answer(step: SaslStep) -> (bool, ResponseKind) {
        match step {
            SaslStep::Answer(r) => (false, *r),
            SaslStep::AnswerAndClose(r) => (true, *r),
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    fn auth_response(step: SaslStep) -> (bool, SaslAuthenticateResponse) {
        match answer(step) {
            (closing, ResponseKind::SaslAuthenticate(r)) => (closing, r),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_api_versions_and_handshake_pass_before_authentication() {
        let mut a = Authenticator::new(users());
        let versions = request(
            ApiKey::ApiVersions,
            3,
            RequestKind::ApiVersions(ApiVersionsRequest::default()),
        );
        assert!(matches!(a.on_request(&versions), SaslStep::Forward));
        let metadata = request(
            ApiKey::Metadata,
            9,
            RequestKind::Metadata(MetadataRequest::default()),
        );
        assert!(matches!(a.on_request(&metadata), SaslStep::Close));
        assert!(matches!(
            a.on_request(&token(b"\0alice\0pw".to_vec())),
            SaslStep::Close
        ));
    }

    #[test]
    fn plain_authenticates_then_refuses_a_second_exchange() {
        let mut a = Authenticator::new(users());
        let (closing, r) = answer(a.on_request(&handshake("PLAIN", 1)));
        assert!(!closing);
        let ResponseKind::SaslHandshake(h) = r else {
            panic!()
        };
        assert_eq!(h.error_code, 0);
        assert_eq!(h.mechanisms.len(), 3);
        let (closing, r) = auth_response(a.on_request(&token(b"\0alice\0pw".to_vec())));
        assert!(!closing && r.error_code == 0);
        assert_eq!(a.user(), Some("alice"));
        let metadata = request(
            ApiKey::Metadata,
            9,
            RequestKind::Metadata(MetadataRequest::default()),
        );
        assert!(matches!(a.on_request(&metadata), SaslStep::Forward));
        let (closing, r) = auth_response(a.on_request(&token(b"\0alice\0pw".to_vec())));
        assert!(!closing);
        assert_eq!(r.error_code, ILLEGAL_SASL_STATE);
        let (_, r) = answer(a.on_request(&handshake("PLAIN", 1)));
        assert!(matches!(r, ResponseKind::SaslHandshake(h) if h.error_code == ILLEGAL_SASL_STATE));
    }

    #[test]
    fn wrong_password_and_unknown_mechanism_answer_then_close() {
        let mut a = Authenticator::new(users());
        answer(a.on_request(&handshake("PLAIN", 1)));
        let (closing, r) = auth_response(a.on_request(&token(b"\0alice\0nope".to_vec())));
        assert!(closing);
        assert_eq!(r.error_code, SASL_AUTHENTICATION_FAILED);
        assert_eq!(
            r.error_message.as_deref(),
            Some("Authentication failed: Invalid username or password")
        );
        let mut a = Authenticator::new(users());
        let (closing, r) = answer(a.on_request(&handshake("GSSAPI", 1)));
        assert!(closing);
        assert!(
            matches!(r, ResponseKind::SaslHandshake(h) if h.error_code == UNSUPPORTED_SASL_MECHANISM)
        );
        // Kafka's mechanism names are case-sensitive on the broker.
        let mut a = Authenticator::new(users());
        assert!(answer(a.on_request(&handshake("plain", 1))).0);
    }

    #[test]
    fn scram_over_authenticate_and_over_raw_v0_tokens() {
        let mut a = Authenticator::new(users());
        answer(a.on_request(&handshake("SCRAM-SHA-256", 1)));
        let mut c = ScramClient::new(ScramHash::Sha256, "bob", &Secret::new("pw2"));
        let (_, first) = auth_response(a.on_request(&token(c.client_first())));
        let fin = c.client_final(&first.auth_bytes).unwrap();
        let (closing, last) = auth_response(a.on_request(&token(fin)));
        assert!(!closing && last.error_code == 0);
        c.check_server_final(&last.auth_bytes).unwrap();
        assert_eq!(a.user(), Some("bob"));

        let mut a = Authenticator::new(users());
        answer(a.on_request(&handshake("SCRAM-SHA-256", 0)));
        assert!(a.expects_raw_token());
        let mut c = ScramClient::new(ScramHash::Sha256, "bob", &Secret::new("pw2"));
        let first = a.on_raw_token(&c.client_first()).unwrap();
        let fin = c.client_final(&first).unwrap();
        let last = a.on_raw_token(&fin).unwrap();
        c.check_server_final(&last).unwrap();
        assert!(!a.expects_raw_token());
        assert_eq!(a.user(), Some("bob"));
    }
}
