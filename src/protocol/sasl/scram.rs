//! SCRAM (RFC 5802) with SHA-256 (RFC 7677) or SHA-512, as Kafka's SCRAM-SHA-256/512: the
//! client's side for the transport, the server's for the listener. No channel binding (`n,,`),
//! as Kafka.
//!
//! ```text
//! SaltedPassword  = PBKDF2-HMAC(password, salt, i)        ClientKey = HMAC(SaltedPassword, "Client Key")
//! StoredKey       = H(ClientKey)                          ServerKey = HMAC(SaltedPassword, "Server Key")
//! AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
//! ClientProof     = ClientKey XOR HMAC(StoredKey, AuthMessage)
//! ServerSignature = HMAC(ServerKey, AuthMessage)
//! ```

use super::same_secret;
use crate::protocol::security::{SaslMechanism, Secret};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::num::NonZeroU32;

/// Kafka's default iterations for a SCRAM credential, and the least its client accepts.
pub const ITERATIONS_DEFAULT: u32 = 4096;
/// The most iterations a client computes (Kafka's ScramMechanism maximum).
pub const ITERATIONS_MAX: u32 = 16384;

/// The hash of a SCRAM mechanism.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScramHash {
    /// SCRAM-SHA-256.
    Sha256,
    /// SCRAM-SHA-512.
    Sha512,
}

impl ScramHash {
    /// The SASL mechanism using this hash.
    pub fn mechanism(self) -> SaslMechanism {
        match self {
            Self::Sha256 => SaslMechanism::ScramSha256,
            Self::Sha512 => SaslMechanism::ScramSha512,
        }
    }

    /// The hash of a SCRAM mechanism (none for PLAIN).
    pub fn of(mechanism: SaslMechanism) -> Option<Self> {
        match mechanism {
            SaslMechanism::Plain => None,
            SaslMechanism::ScramSha256 => Some(Self::Sha256),
            SaslMechanism::ScramSha512 => Some(Self::Sha512),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Self::Sha256 => ring::hmac::HMAC_SHA256,
            Self::Sha512 => ring::hmac::HMAC_SHA512,
        };
        ring::hmac::sign(&ring::hmac::Key::new(alg, key), data)
            .as_ref()
            .to_vec()
    }

    fn h(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }

    fn salted_password(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        let (alg, len) = match self {
            Self::Sha256 => (ring::pbkdf2::PBKDF2_HMAC_SHA256, 32),
            Self::Sha512 => (ring::pbkdf2::PBKDF2_HMAC_SHA512, 64),
        };
        let mut out = vec![0u8; len];
        let iterations = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
        ring::pbkdf2::derive(alg, iterations, salt, password.as_bytes(), &mut out);
        out
    }
}

/// What a server stores for a SCRAM user: never the password, only its salted keys.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramCredential {
    hash: ScramHash,
    salt: Vec<u8>,
    iterations: u32,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
}

impl std::fmt::Debug for ScramCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramCredential")
            .field("hash", &self.hash)
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramCredential {
    /// Salts `password` with `salt` over `iterations` rounds.
    pub fn new(hash: ScramHash, password: &str, salt: &[u8], iterations: u32) -> Self {
        let salted = hash.salted_password(password, salt, iterations);
        let client_key = hash.hmac(&salted, b"Client Key");
        Self {
            hash,
            salt: salt.to_vec(),
            iterations,
            stored_key: hash.h(&client_key),
            server_key: hash.hmac(&salted, b"Server Key"),
        }
    }

    /// A credential with a fresh random salt and Kafka's default 4096 iterations.
    pub fn generate(hash: ScramHash, password: &str) -> Self {
        Self::new(
            hash,
            password,
            &super::random_bytes::<16>(),
            ITERATIONS_DEFAULT,
        )
    }

    /// Whether `password` is the one this credential was made from (PLAIN checks with it).
    pub fn matches(&self, password: &str) -> bool {
        let other = Self::new(self.hash, password, &self.salt, self.iterations);
        same_secret(&other.stored_key, &self.stored_key)
    }
}

/// A fresh nonce: printable, without `,` (base64 of 24 random bytes).
pub fn nonce() -> String {
    B64.encode(super::random_bytes::<24>())
}

/// `saslname` escaping of a user name (RFC 5802 §5.1).
fn escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

fn unescape(name: &str) -> Result<String, String> {
    let out = name.replace("=2C", ",").replace("=3D", "=");
    if name.replace("=2C", "").replace("=3D", "").contains('=') {
        return Err(format!("Invalid username: {name}"));
    }
    Ok(out)
}

/// The `key=value` attributes of a SCRAM message.
fn attribute(message: &str, key: char) -> Option<&str> {
    message.split(',').find_map(|part| {
        let mut chars = part.chars();
        (chars.next() == Some(key) && chars.next() == Some('=')).then(|| &part[2..])
    })
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// The client's side of one SCRAM exchange.
pub struct ScramClient {
    hash: ScramHash,
    username: String,
    password: Secret,
    nonce: String,
    server_signature: Option<Vec<u8>>,
}

impl std::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClient")
            .field("hash", &self.hash)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ScramClient {
    /// A client for `username` with a fresh nonce.
    pub fn new(hash: ScramHash, username: &str, password: &Secret) -> Self {
        Self::with_nonce(hash, username, password, &nonce())
    }

    /// A client with a given nonce (RFC 7677's test vector).
    pub fn with_nonce(hash: ScramHash, username: &str, password: &Secret, nonce: &str) -> Self {
        Self {
            hash,
            username: username.into(),
            password: password.clone(),
            nonce: nonce.into(),
            server_signature: None,
        }
    }

    fn first_bare(&self) -> String {
        format!("n={},r={}", escape(&self.username), self.nonce)
    }

    /// `client-first-message`.
    pub fn client_first(&self) -> Vec<u8> {
        format!("n,,{}", self.first_bare()).into_bytes()
    }

    /// `client-final-message`, the answer to the server's first message.
    pub fn client_final(&mut self, server_first: &[u8]) -> Result<Vec<u8>, String> {
        let server_first = std::str::from_utf8(server_first)
            .map_err(|_| "Invalid server-first message: not UTF-8".to_string())?;
        if let Some(e) = attribute(server_first, 'e') {
            return Err(format!("SCRAM server error: {e}"));
        }
        let nonce = attribute(server_first, 'r')
            .filter(|r| r.starts_with(&self.nonce) && r.len() > self.nonce.len())
            .ok_or("Invalid server nonce: it does not start with the client nonce")?;
        let salt = attribute(server_first, 's')
            .and_then(|s| B64.decode(s).ok())
            .ok_or("Invalid server-first message: no salt")?;
        let iterations: u32 = attribute(server_first, 'i')
            .and_then(|i| i.parse().ok())
            .ok_or("Invalid server-first message: no iteration count")?;
        if !(ITERATIONS_DEFAULT..=ITERATIONS_MAX).contains(&iterations) {
            return Err(format!(
                "Requested iterations {iterations} is outside {ITERATIONS_DEFAULT}..={ITERATIONS_MAX}"
            ));
        }
        let hash = self.hash;
        let salted = hash.salted_password(self.password.expose(), &salt, iterations);
        let client_key = hash.hmac(&salted, b"Client Key");
        let stored_key = hash.h(&client_key);
        let without_proof = format!("c=biws,r={nonce}");
        let auth = format!("{},{server_first},{without_proof}", self.first_bare());
        let proof = xor(&client_key, &hash.hmac(&stored_key, auth.as_bytes()));
        let server_key = hash.hmac(&salted, b"Server Key");
        self.server_signature = Some(hash.hmac(&server_key, auth.as_bytes()));
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Checks the server's final message: the server proves it knew the credential too.
    pub fn check_server_final(&self, server_final: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(server_final);
        if let Some(e) = attribute(&text, 'e') {
            return Err(format!("SCRAM server error: {e}"));
        }
        let got = attribute(&text, 'v').and_then(|v| B64.decode(v).ok());
        match (got, &self.server_signature) {
            (Some(got), Some(want)) if same_secret(&got, want) => Ok(()),
            _ => Err("Invalid server signature in server final message".into()),
        }
    }
}

/// Where the server is in one SCRAM exchange.
enum ServerState {
    AwaitFirst,
    AwaitFinal {
        username: String,
        credential: ScramCredential,
        nonce: String,
        auth_prefix: String,
    },
    Done,
}

/// The server's side of one SCRAM exchange.
pub struct ScramServer {
    hash: ScramHash,
    state: ServerState,
}

impl ScramServer {
    /// A server waiting for the client's first message.
    pub fn new(hash: ScramHash) -> Self {
        Self {
            hash,
            state: ServerState::AwaitFirst,
        }
    }

    /// Answers `client-first-message` with `server-first-message`; `lookup` finds the user's
    /// credential and `server_nonce` is appended to the client's nonce. Errors are Kafka's
    /// messages (an unknown user fails like a wrong password).
    pub fn first(
        &mut self,
        client_first: &[u8],
        lookup: impl FnOnce(&str) -> Option<ScramCredential>,
        server_nonce: &str,
    ) -> Result<Vec<u8>, String> {
        let invalid = || super::scram_invalid(self.hash.mechanism().name());
        let text = std::str::from_utf8(client_first).map_err(|_| invalid())?;
        // gs2-header: no channel binding ("n" or "y"), an optional authzid, then the bare part.
        let mut parts = text.splitn(3, ',');
        let (Some(cb), Some(authzid), Some(bare)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "Invalid SCRAM client first message: {}",
                text.len()
            ));
        };
        if cb != "n" && cb != "y" {
            return Err(
                "Invalid SCRAM client first message: channel binding is not supported".into(),
            );
        }
        let username = attribute(bare, 'n').ok_or_else(invalid).map(unescape)??;
        if !authzid.is_empty()
            && authzid.strip_prefix("a=").map(unescape) != Some(Ok(username.clone()))
        {
            return Err(
                "Authentication failed: Client requested an authorization id that is different from username"
                    .into(),
            );
        }
        let client_nonce = attribute(bare, 'r')
            .filter(|r| !r.is_empty())
            .ok_or_else(invalid)?;
        let credential = lookup(&username).ok_or_else(invalid)?;
        if credential.hash != self.hash {
            return Err(invalid());
        }
        let nonce = format!("{client_nonce}{server_nonce}");
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&credential.salt),
            credential.iterations
        );
        self.state = ServerState::AwaitFinal {
            username,
            credential,
            nonce,
            auth_prefix: format!("{bare},{server_first}"),
        };
        Ok(server_first.into_bytes())
    }

    /// Checks `client-final-message`; on a good proof returns the user and
    /// `server-final-message`.
    pub fn finish(&mut self, client_final: &[u8]) -> Result<(String, Vec<u8>), String> {
        let invalid = super::scram_invalid(self.hash.mechanism().name());
        let ServerState::AwaitFinal {
            username,
            credential,
            nonce,
            auth_prefix,
        } = std::mem::replace(&mut self.state, ServerState::Done)
        else {
            return Err(invalid);
        };
        let text = std::str::from_utf8(client_final).map_err(|_| invalid.clone())?;
        let (without_proof, proof) = text.rsplit_once(",p=").ok_or_else(|| invalid.clone())?;
        let proof = B64.decode(proof).map_err(|_| invalid.clone())?;
        if attribute(without_proof, 'r') != Some(nonce.as_str()) {
            return Err("Invalid client nonce in the final client message.".into());
        }
        let auth = format!("{auth_prefix},{without_proof}");
        let hash = self.hash;
        let signature = hash.hmac(&credential.stored_key, auth.as_bytes());
        let client_key = xor(&proof, &signature);
        if proof.len() != signature.len()
            || !same_secret(&hash.h(&client_key), &credential.stored_key)
        {
            return Err(invalid);
        }
        let server_signature = hash.hmac(&credential.server_key, auth.as_bytes());
        Ok((
            username,
            format!("v={}", B64.encode(server_signature)).into_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7677 §3: user "user", password "pencil".
    const CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
    const SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const SALT: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
    const SERVER_FIRST: &str =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    #[test]
    fn client_matches_rfc_7677_test_vector() {
        let pw = Secret::new("pencil");
        let mut c = ScramClient::with_nonce(ScramHash::Sha256, "user", &pw, CLIENT_NONCE);
        assert_eq!(c.client_first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let fin = c.client_final(SERVER_FIRST.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(fin).unwrap(), CLIENT_FINAL);
        c.check_server_final(SERVER_FINAL.as_bytes()).unwrap();
        assert!(c.check_server_final(b"v=AAAA").is_err());
    }

    #[test]
    fn server_matches_rfc_7677_test_vector() {
        let salt = B64.decode(SALT).unwrap();
        let cred = ScramCredential::new(ScramHash::Sha256, "pencil", &salt, 4096);
        let mut s = ScramServer::new(ScramHash::Sha256);
        let first = s
            .first(
                b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
                |u| (u == "user").then(|| cred.clone()),
                SERVER_NONCE,
            )
            .unwrap();
        assert_eq!(String::from_utf8(first).unwrap(), SERVER_FIRST);
        let (user, fin) = s.finish(CLIENT_FINAL.as_bytes()).unwrap();
        assert_eq!(user, "user");
        assert_eq!(String::from_utf8(fin).unwrap(), SERVER_FINAL);
    }

    fn exchange(
        hash: ScramHash,
        stored_pw: &str,
        tried_pw: &str,
        user: &str,
    ) -> Result<(), String> {
        let cred = ScramCredential::generate(hash, stored_pw);
        let mut c = ScramClient::new(hash, user, &Secret::new(tried_pw));
        let mut s = ScramServer::new(hash);
        let first = s.first(
            &c.client_first(),
            |u| (u == "a,b=c").then(|| cred.clone()),
            &nonce(),
        )?;
        let fin = c.client_final(&first)?;
        let (who, server_final) = s.finish(&fin)?;
        assert_eq!(who, user);
        c.check_server_final(&server_final)
    }

    #[test]
    fn sha512_round_trip_and_wrong_password_fails() {
        exchange(ScramHash::Sha512, "pw", "pw", "a,b=c").unwrap();
        exchange(ScramHash::Sha256, "pw", "pw", "a,b=c").unwrap();
        let e = exchange(ScramHash::Sha512, "pw", "nope", "a,b=c").unwrap_err();
        assert!(
            e.contains("invalid credentials with SASL mechanism SCRAM-SHA-512"),
            "{e}"
        );
        let e = exchange(ScramHash::Sha256, "pw", "pw", "stranger").unwrap_err();
        assert!(e.contains("invalid credentials"), "{e}");
    }

    #[test]
    fn a_credential_checks_a_plain_password_and_hides_its_keys() {
        let cred = ScramCredential::generate(ScramHash::Sha256, "pw");
        assert!(cred.matches("pw"));
        assert!(!cred.matches("pw2"));
        assert!(!format!("{cred:?}").contains("stored_key"));
    }

    #[test]
    fn server_refuses_a_replayed_or_garbled_final_message() {
        let mut s = ScramServer::new(ScramHash::Sha256);
        assert!(s.finish(CLIENT_FINAL.as_bytes()).is_err());
        assert!(s.first(b"p=tls-unique,,n=u,r=x", |_| None, "y").is_err());
        assert!(s.first(b"garbage", |_| None, "y").is_err());
    }
}
