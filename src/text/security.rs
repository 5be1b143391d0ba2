//! Why the listener's TLS or SASL files cannot be used (`protocol::ListenerSecurityError`), said
//! from `[security]`. English is the error's own sentence; no text ever quotes a password.

use super::{Lang, fill, lang, text_in};
use crate::cluster::event::IoKind;
use crate::protocol::listener_security::ListenerSecurityError;
use crate::protocol::sasl::SaslUsersError;
use crate::protocol::sasl::users::USERS_MAX;
use crate::protocol::tls::TlsError;

/// An OS error: its English sentence, or the catalogue's words for its kind.
fn io_in(lang: Lang, io: &std::io::Error) -> String {
    if lang == Lang::En {
        return io.to_string();
    }
    super::io::kind_in(lang, &IoKind::of(io))
}

/// The listener's security error in `lang`.
pub fn listener_security_error_in(lang: Lang, e: &ListenerSecurityError) -> String {
    let t = |key: &'static str, args: &[(&str, &str)]| fill(text_in(lang, key), args);
    match e {
        ListenerSecurityError::HalfTls => t("security.half_tls", &[]),
        ListenerSecurityError::Tls(e) => match e {
            TlsError::Read { path, io } => t(
                "security.cannot_read",
                &[("path", path), ("io", &io_in(lang, io))],
            ),
            TlsError::NoCertificate { path } => t("security.no_certificate", &[("path", path)]),
            TlsError::NoKey { path } => t("security.no_key", &[("path", path)]),
            TlsError::Rustls(detail) => t("security.tls_setup", &[("detail", detail)]),
            TlsError::NoRoots => t("security.no_roots", &[]),
        },
        ListenerSecurityError::Users(e) => match e {
            SaslUsersError::Read { path, io } => t(
                "security.users_cannot_read",
                &[("path", path), ("io", &io_in(lang, io))],
            ),
            SaslUsersError::BadLine { line } => {
                t("security.users_bad_line", &[("line", &line.to_string())])
            }
            SaslUsersError::TooMany => t(
                "security.users_too_many",
                &[("max", &USERS_MAX.to_string())],
            ),
            SaslUsersError::Empty => t("security.users_empty", &[]),
        },
    }
}

/// The listener's security error in the language in force.
pub fn listener_security_error(e: &ListenerSecurityError) -> String {
    listener_security_error_in(lang(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors() -> Vec<ListenerSecurityError> {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        vec![
            ListenerSecurityError::HalfTls,
            TlsError::Read {
                path: "lab.pem".into(),
                io: io(),
            }
            .into(),
            TlsError::NoCertificate {
                path: "lab.pem".into(),
            }
            .into(),
            TlsError::NoKey {
                path: "lab.key".into(),
            }
            .into(),
            TlsError::Rustls("err-1".into()).into(),
            TlsError::NoRoots.into(),
            SaslUsersError::Read {
                path: "users.txt".into(),
                io: io(),
            }
            .into(),
            SaslUsersError::BadLine { line: 3 }.into(),
            SaslUsersError::TooMany.into(),
            SaslUsersError::Empty.into(),
        ]
    }

    #[test]
    fn english_is_the_errors_own_sentence_and_chinese_has_no_english_left() {
        for e in errors() {
            assert_eq!(listener_security_error_in(Lang::En, &e), e.to_string());
            let zh = listener_security_error_in(Lang::Zh, &e);
            assert!(!zh.contains('{'), "{zh}");
            crate::text::tests::assert_chinese(&zh);
        }
    }
}
