//! Certificates and users for a secured lab, made at test time (rcgen) in a temp dir, so no
//! private key is ever committed.

use std::path::PathBuf;

/// A test CA, a server certificate it signed (for `localhost` and `127.0.0.1`), and a users file.
pub struct TestPki {
    /// Holds the files; removed when dropped.
    pub dir: tempfile::TempDir,
    /// The CA certificate (PEM), what clients trust (`ssl.ca.location`).
    pub ca: PathBuf,
    /// The listener's certificate (PEM).
    pub cert: PathBuf,
    /// The listener's private key (PEM).
    pub key: PathBuf,
    /// The listener's SASL users file.
    pub users: PathBuf,
}

/// The users every secured test lab knows.
pub const USERS: &str = "# test users\n\
    alice:alice-secret\n\
    SCRAM-SHA-512 bob:bob-secret\n\
    SCRAM-SHA-256 carol:carol-secret\n";

impl TestPki {
    /// Makes the files.
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "kafka-lab test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let cert = params.signed_by(&key, &issuer).expect("server certificate");
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write a test file");
            p
        };
        let ca = write("ca.pem", &ca_cert.pem());
        let cert = write("server.pem", &cert.pem());
        let key = write("server.key", &key.serialize_pem());
        let users = write("users.txt", USERS);
        Self {
            ca,
            cert,
            key,
            users,
            dir,
        }
    }

    /// The lab's flags for `security.protocol` `protocol`.
    pub fn lab_flags(&self, protocol: &str) -> Vec<String> {
        let mut flags = Vec::new();
        if protocol.ends_with("SSL") {
            flags.extend([
                "--tls-cert".to_string(),
                self.cert.display().to_string(),
                "--tls-key".to_string(),
                self.key.display().to_string(),
            ]);
        }
        if protocol.starts_with("SASL") {
            flags.extend(["--sasl-users".to_string(), self.users.display().to_string()]);
        }
        flags
    }
}
