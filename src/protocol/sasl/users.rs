//! The listener's SASL users (`--sasl-users FILE`): one user a line, as `user:password` (every
//! mechanism) or `MECHANISM user:password` (that one only); `#` starts a comment. Passwords are
//! salted into SCRAM credentials as the file is read and the text is dropped: only salted keys
//! stay in memory, as in Kafka's `__cluster_metadata` SCRAM records.

use super::scram::{ScramCredential, ScramHash};
use crate::protocol::security::SaslMechanism;
use std::collections::HashMap;
use std::path::Path;

/// Lines a users file may hold (each costs three PBKDF2 runs at start).
pub const USERS_MAX: usize = 1_000;

/// A users file that cannot be used. Never quotes a line: it may hold a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaslUsersError {
    /// The file could not be read.
    #[error("cannot read the SASL users file {path}: {io}")]
    Read {
        /// The file.
        path: String,
        /// The OS's reason.
        io: std::io::Error,
    },
    /// A line that is not `[MECHANISM] user:password`.
    #[error(
        "SASL users file, line {line}: expected [PLAIN|SCRAM-SHA-256|SCRAM-SHA-512] user:password"
    )]
    BadLine {
        /// 1-based.
        line: usize,
    },
    /// More users than [`USERS_MAX`].
    #[error("the SASL users file has more than {USERS_MAX} users")]
    TooMany,
    /// No user at all: nobody could connect.
    #[error("the SASL users file names no user")]
    Empty,
}

/// One user's credentials, per mechanism the file allows them.
#[derive(Clone, Debug, Default)]
struct UserCredentials {
    /// PLAIN is checked against a salted SHA-256 credential, so no password is kept.
    plain: Option<ScramCredential>,
    sha256: Option<ScramCredential>,
    sha512: Option<ScramCredential>,
}

/// Every SASL user of the listener, and the mechanisms enabled (`sasl.enabled.mechanisms`).
#[derive(Clone, Debug, Default)]
pub struct SaslUsers {
    users: HashMap<String, UserCredentials>,
}

impl SaslUsers {
    /// Reads a users file.
    pub fn load(path: &Path) -> Result<Self, SaslUsersError> {
        let text = std::fs::read_to_string(path).map_err(|io| SaslUsersError::Read {
            path: path.display().to_string(),
            io,
        })?;
        Self::parse(&text)
    }

    /// Reads a users file's text.
    pub fn parse(text: &str) -> Result<Self, SaslUsersError> {
        let mut users = Self::default();
        let mut count = 0;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            count += 1;
            if count > USERS_MAX {
                return Err(SaslUsersError::TooMany);
            }
            let bad = || SaslUsersError::BadLine { line: i + 1 };
            let (mechanisms, pair) = match line.split_once(char::is_whitespace) {
                Some((m, rest)) if !m.contains(':') => (
                    vec![SaslMechanism::parse(m).map_err(|_| bad())?],
                    rest.trim(),
                ),
                _ => (SaslMechanism::ALL.to_vec(), line),
            };
            let (user, password) = pair.split_once(':').ok_or_else(bad)?;
            if user.is_empty() || password.is_empty() {
                return Err(bad());
            }
            for m in mechanisms {
                users.add(user, password, m);
            }
        }
        if users.users.is_empty() {
            return Err(SaslUsersError::Empty);
        }
        Ok(users)
    }

    /// Adds (or replaces) `user`'s credential for `mechanism`.
    pub fn add(&mut self, user: &str, password: &str, mechanism: SaslMechanism) {
        let entry = self.users.entry(user.to_string()).or_default();
        let slot = match mechanism {
            SaslMechanism::Plain => &mut entry.plain,
            SaslMechanism::ScramSha256 => &mut entry.sha256,
            SaslMechanism::ScramSha512 => &mut entry.sha512,
        };
        let hash = ScramHash::of(mechanism).unwrap_or(ScramHash::Sha256);
        *slot = Some(ScramCredential::generate(hash, password));
    }

    /// The mechanisms some user may use, in Kafka's order.
    pub fn enabled(&self) -> Vec<SaslMechanism> {
        SaslMechanism::ALL
            .into_iter()
            .filter(|m| {
                self.users.values().any(|u| match m {
                    SaslMechanism::Plain => u.plain.is_some(),
                    SaslMechanism::ScramSha256 => u.sha256.is_some(),
                    SaslMechanism::ScramSha512 => u.sha512.is_some(),
                })
            })
            .collect()
    }

    /// `user`'s SCRAM credential for `hash`, if the file allows it.
    pub fn scram(&self, user: &str, hash: ScramHash) -> Option<ScramCredential> {
        let u = self.users.get(user)?;
        match hash {
            ScramHash::Sha256 => u.sha256.clone(),
            ScramHash::Sha512 => u.sha512.clone(),
        }
    }

    /// Whether `user` may use PLAIN with `password`.
    pub fn check_plain(&self, user: &str, password: &str) -> bool {
        self.users
            .get(user)
            .and_then(|u| u.plain.as_ref())
            .is_some_and(|c| c.matches(password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_file_gives_each_user_their_mechanisms() {
        let u =
            SaslUsers::parse("# users\nalice:pa:ss\nSCRAM-SHA-512 bob:pw\n  PLAIN   carol:pw2\n")
                .unwrap();
        assert!(u.check_plain("alice", "pa:ss"));
        assert!(!u.check_plain("alice", "pa"));
        assert!(!u.check_plain("bob", "pw"));
        assert!(u.check_plain("carol", "pw2"));
        assert!(
            u.scram("bob", ScramHash::Sha512)
                .is_some_and(|c| c.matches("pw"))
        );
        assert!(u.scram("bob", ScramHash::Sha256).is_none());
        assert!(u.scram("alice", ScramHash::Sha256).is_some());
        assert_eq!(u.enabled(), SaslMechanism::ALL.to_vec());
        let only = SaslUsers::parse("SCRAM-SHA-256 x:y").unwrap();
        assert_eq!(only.enabled(), vec![SaslMechanism::ScramSha256]);
    }

    #[test]
    fn bad_users_files_are_refused_without_quoting_the_line() {
        let e = SaslUsers::parse("ok:pw\nGSSAPI eve:topsecret\n").unwrap_err();
        assert!(matches!(e, SaslUsersError::BadLine { line: 2 }));
        assert!(!e.to_string().contains("topsecret"));
        assert!(matches!(
            SaslUsers::parse("nocolon-topsecret").unwrap_err(),
            SaslUsersError::BadLine { line: 1 }
        ));
        assert!(matches!(
            SaslUsers::parse(":pw").unwrap_err(),
            SaslUsersError::BadLine { .. }
        ));
        assert!(matches!(
            SaslUsers::parse("# none\n").unwrap_err(),
            SaslUsersError::Empty
        ));
    }
}
