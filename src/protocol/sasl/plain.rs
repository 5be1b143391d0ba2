//! SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd`.

use super::PLAIN_INVALID;

/// The user name and password a PLAIN message carries (its `Debug` hides the password).
pub struct PlainMessage<'a> {
    /// `authcid`: who authenticates.
    pub username: &'a str,
    /// `passwd`.
    pub password: &'a str,
}

impl std::fmt::Debug for PlainMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlainMessage")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Reads a client's PLAIN message, with Kafka's error messages for a malformed one.
pub fn parse(message: &[u8]) -> Result<PlainMessage<'_>, String> {
    let text = std::str::from_utf8(message)
        .map_err(|_| "Authentication failed: invalid SASL/PLAIN response: not UTF-8".to_string())?;
    let parts: Vec<&str> = text.split('\0').collect();
    let [authzid, username, password] = parts[..] else {
        return Err(format!(
            "Authentication failed: invalid SASL/PLAIN response: expected 3 tokens, got {}",
            parts.len()
        ));
    };
    if username.is_empty() {
        return Err("Authentication failed: username not specified".into());
    }
    if password.is_empty() {
        return Err("Authentication failed: password not specified".into());
    }
    if !authzid.is_empty() && authzid != username {
        return Err(
            "Authentication failed: Client requested an authorization id that is different from username"
                .into(),
        );
    }
    Ok(PlainMessage { username, password })
}

/// The client's PLAIN message (no authorization id, as Kafka's clients send).
pub fn client_message(username: &str, password: &str) -> Vec<u8> {
    format!("\0{username}\0{password}").into_bytes()
}

/// Kafka's message for wrong PLAIN credentials.
pub fn invalid() -> String {
    PLAIN_INVALID.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_message_parses_and_refuses_like_kafka() {
        let m = parse(b"\0alice\0pw").unwrap();
        assert_eq!((m.username, m.password), ("alice", "pw"));
        let m = parse(b"alice\0alice\0pw").unwrap();
        assert_eq!(m.username, "alice");
        assert_eq!(parse(&client_message("bob", "x")).unwrap().username, "bob");
        assert!(
            parse(b"mallory\0alice\0pw")
                .unwrap_err()
                .contains("authorization id")
        );
        assert!(
            parse(b"\0\0pw")
                .unwrap_err()
                .contains("username not specified")
        );
        assert!(
            parse(b"\0alice\0")
                .unwrap_err()
                .contains("password not specified")
        );
        assert!(
            parse(b"alice:pw")
                .unwrap_err()
                .contains("expected 3 tokens, got 1")
        );
        assert!(parse(b"\0a\0b\0c").unwrap_err().contains("got 4"));
        assert!(parse(&[0, 0xff, 0, 1]).is_err());
    }
}
