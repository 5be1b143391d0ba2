//! Connections to a real cluster: one per broker, opened when first needed and dropped on any
//! error (the next poll opens it again), and the API versions the cluster offers.

use crate::cluster::types::BrokerId;
use crate::protocol::client_transport::{
    ClientConnection, ClientSecurity, Traffic, TransportError,
};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest};
use kafka_protocol::protocol::{Request, StrBytes};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long one request may take before the broker counts as unreachable for this poll
/// (Kafka's clients wait `request.timeout.ms`, 30 s; a dashboard polling every second cannot).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The `client.id` attach's requests carry, so broker logs and quotas can name it.
pub const CLIENT_ID: &str = "kafka-lab-attach";

/// Why a request failed, in Kafka's client words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    /// No bootstrap server answered.
    #[error("no bootstrap server answered ({0})")]
    NoBootstrap(String),
    /// The broker is not known or not reachable.
    #[error("broker {broker} at {addr}: {error}")]
    Broker {
        /// The broker.
        broker: BrokerId,
        /// Its address.
        addr: String,
        /// What went wrong.
        error: String,
    },
    /// The cluster does not serve an API at a version this client speaks.
    #[error("the cluster does not serve {0:?} at a version kafka-lab speaks")]
    Unsupported(ApiKey),
    /// An answer carried an error code.
    #[error("{0}")]
    Kafka(String),
}

/// The version ranges the cluster announced in ApiVersions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Versions(BTreeMap<i16, (i16, i16)>);

impl Versions {
    /// From (api key, min, max) triples.
    pub fn new(ranges: impl IntoIterator<Item = (i16, i16, i16)>) -> Self {
        Self(ranges.into_iter().map(|(k, a, b)| (k, (a, b))).collect())
    }

    /// The highest version both sides speak: at most `ours_max`, at least `ours_min`.
    pub fn pick(&self, key: ApiKey, ours_min: i16, ours_max: i16) -> Option<i16> {
        let (lo, hi) = *self.0.get(&(key as i16))?;
        let v = hi.min(ours_max);
        (v >= lo.max(ours_min)).then_some(v)
    }
}

/// Connections to the cluster's brokers.
pub struct Session {
    security: ClientSecurity,
    bootstrap: Vec<String>,
    /// Where each broker listens (from Metadata).
    pub addresses: BTreeMap<BrokerId, String>,
    conns: BTreeMap<BrokerId, ClientConnection>,
    /// A connection to a bootstrap server, until Metadata names the brokers.
    boot: Option<ClientConnection>,
    /// What the cluster offers, learnt on the first connection.
    pub versions: Option<Versions>,
    /// The `client.id` its requests carry.
    client_id: String,
}

impl Session {
    /// A session that has connected nowhere yet.
    pub fn new(bootstrap: Vec<String>, security: ClientSecurity) -> Self {
        Self::for_client(bootstrap, security, CLIENT_ID)
    }

    /// A session whose requests carry `client_id` (a client the dashboard started).
    pub fn for_client(bootstrap: Vec<String>, security: ClientSecurity, client_id: &str) -> Self {
        Self {
            client_id: client_id.into(),
            security,
            bootstrap,
            addresses: BTreeMap::new(),
            conns: BTreeMap::new(),
            boot: None,
            versions: None,
        }
    }

    /// The API version to use for `key`, or why there is none.
    pub fn version(&self, key: ApiKey, min: i16, max: i16) -> Result<i16, AttachError> {
        self.versions
            .as_ref()
            .and_then(|v| v.pick(key, min, max))
            .ok_or(AttachError::Unsupported(key))
    }

    /// Learns the cluster's API versions from the first bootstrap server that answers.
    pub async fn ensure_versions(&mut self) -> Result<(), AttachError> {
        if self.versions.is_some() {
            return Ok(());
        }
        let mut last = String::from("none given");
        for addr in self.bootstrap.clone() {
            let mut conn = match connect(&addr, &self.security, &self.client_id).await {
                Ok(c) => c,
                Err(e) => {
                    last = format!("{addr}: {e}");
                    continue;
                }
            };
            match api_versions(&mut conn).await {
                Ok(v) => {
                    self.versions = Some(v);
                    self.boot = Some(conn);
                    return Ok(());
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        Err(AttachError::NoBootstrap(last))
    }

    /// A request to any broker that answers: known brokers first, then the bootstrap servers.
    pub async fn call_any<R: Request + Clone>(
        &mut self,
        request: R,
        version: i16,
    ) -> Result<R::Response, AttachError> {
        let known: Vec<BrokerId> = self.addresses.keys().copied().collect();
        for id in known {
            if let Ok(r) = self.call(id, request.clone(), version).await {
                return Ok(r);
            }
        }
        let mut last = String::from("none given");
        for addr in self.bootstrap.clone() {
            if self.boot.is_none() {
                match connect(&addr, &self.security, &self.client_id).await {
                    Ok(c) => self.boot = Some(c),
                    Err(e) => {
                        last = format!("{addr}: {e}");
                        continue;
                    }
                }
            }
            if self.versions.is_none() {
                let Some(conn) = self.boot.as_mut() else {
                    continue;
                };
                match api_versions(conn).await {
                    Ok(v) => self.versions = Some(v),
                    Err(e) => {
                        self.boot = None;
                        last = format!("{addr}: {e}");
                        continue;
                    }
                }
            }
            let Some(conn) = self.boot.as_mut() else {
                continue;
            };
            match timed(conn.call(request.clone(), version)).await {
                Ok(r) => return Ok(r),
                Err(e) => {
                    self.boot = None;
                    last = format!("{addr}: {e}");
                }
            }
        }
        Err(AttachError::NoBootstrap(last))
    }

    /// A request to one broker; its connection is dropped on failure.
    pub async fn call<R: Request>(
        &mut self,
        broker: BrokerId,
        request: R,
        version: i16,
    ) -> Result<R::Response, AttachError> {
        let conn = self.take(broker).await?;
        self.finish(broker, conn, request, version).await
    }

    /// Takes broker's connection out (opening it if needed), so requests to several brokers can
    /// run at once; [`Session::put`] gives it back.
    pub async fn take(&mut self, broker: BrokerId) -> Result<ClientConnection, AttachError> {
        if let Some(c) = self.conns.remove(&broker) {
            return Ok(c);
        }
        let addr = self.addr(broker);
        let mut conn = connect(&addr, &self.security, &self.client_id)
            .await
            .map_err(|e| self.broker_error(broker, e))?;
        if self.versions.is_none() {
            self.versions = Some(
                api_versions(&mut conn)
                    .await
                    .map_err(|e| self.broker_error(broker, e))?,
            );
        }
        Ok(conn)
    }

    /// Gives a connection back after [`Session::take`].
    pub fn put(&mut self, broker: BrokerId, conn: ClientConnection) {
        self.conns.insert(broker, conn);
    }

    /// What each broker's open connection has carried (a bench's per-cycle counts are the
    /// differences; a connection dropped on an error takes its counts with it).
    pub fn traffic(&self) -> BTreeMap<BrokerId, Traffic> {
        self.conns.iter().map(|(b, c)| (*b, c.traffic())).collect()
    }

    /// Forgets connections to brokers Metadata no longer lists.
    pub fn retain_brokers(&mut self) {
        let addresses = &self.addresses;
        self.conns.retain(|id, _| addresses.contains_key(id));
    }

    async fn finish<R: Request>(
        &mut self,
        broker: BrokerId,
        mut conn: ClientConnection,
        request: R,
        version: i16,
    ) -> Result<R::Response, AttachError> {
        match timed(conn.call(request, version)).await {
            Ok(r) => {
                self.put(broker, conn);
                Ok(r)
            }
            Err(e) => Err(self.broker_error(broker, e)),
        }
    }

    fn addr(&self, broker: BrokerId) -> String {
        self.addresses.get(&broker).cloned().unwrap_or_default()
    }

    /// The error for a broker's failed request.
    pub fn broker_error(&self, broker: BrokerId, error: String) -> AttachError {
        AttachError::Broker {
            broker,
            addr: self.addr(broker),
            error,
        }
    }
}

/// Runs a request under [`REQUEST_TIMEOUT`], with the error as text.
pub async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, TransportError>>,
) -> Result<T, String> {
    match tokio::time::timeout(REQUEST_TIMEOUT, f).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer within {} ms (REQUEST_TIMED_OUT)",
            REQUEST_TIMEOUT.as_millis()
        )),
    }
}

async fn connect(
    addr: &str,
    security: &ClientSecurity,
    client_id: &str,
) -> Result<ClientConnection, String> {
    if addr.is_empty() {
        return Err("no address known".into());
    }
    timed(ClientConnection::connect(addr, security, client_id)).await
}

/// ApiVersions v3 (every Kafka since 2.4 and the lab answer it), falling back to v0.
async fn api_versions(conn: &mut ClientConnection) -> Result<Versions, String> {
    let request = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("kafka-lab"))
        .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
    let r = timed(conn.call(request, 3)).await?;
    if r.error_code != 0 {
        return Err(format!("ApiVersions: {}", error_name(r.error_code)));
    }
    Ok(Versions::new(
        r.api_keys
            .iter()
            .map(|k| (k.api_key, k.min_version, k.max_version)),
    ))
}

/// Kafka's name for an error code (`NOT_LEADER_OR_FOLLOWER`).
pub fn error_name(code: i16) -> String {
    use kafka_protocol::ResponseError;
    match ResponseError::try_from_code(code) {
        Some(ResponseError::Unknown(c)) => format!("error code {c}"),
        Some(e) => upper_snake(&format!("{e:?}")),
        None => "NONE".into(),
    }
}

/// `NotLeaderOrFollower` as Kafka writes it: `NOT_LEADER_OR_FOLLOWER`.
fn upper_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 8);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_highest_both_sides_speak() {
        let v = Versions::new([
            (ApiKey::Metadata as i16, 0, 12),
            (ApiKey::Fetch as i16, 4, 17),
        ]);
        assert_eq!(v.pick(ApiKey::Metadata, 1, 9), Some(9));
        assert_eq!(v.pick(ApiKey::Fetch, 0, 3), None);
        assert_eq!(v.pick(ApiKey::ListOffsets, 1, 6), None);
        let old = Versions::new([(ApiKey::Metadata as i16, 0, 5)]);
        assert_eq!(old.pick(ApiKey::Metadata, 1, 9), Some(5));
    }

    #[test]
    fn error_codes_read_as_kafka_names_them() {
        assert_eq!(error_name(6), "NOT_LEADER_OR_FOLLOWER");
        assert_eq!(error_name(15), "COORDINATOR_NOT_AVAILABLE");
        assert_eq!(error_name(0), "NONE");
    }
}
