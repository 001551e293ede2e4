//! HTTPS for the LinkedIn-shaped page: a self-signed certificate for `www.linkedin.com` (plus
//! `localhost` and `127.0.0.1`) generated in-process at start, served with rustls on ring.

use std::sync::Arc;

use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{crypto, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// Hosts the certificate is valid for.
pub const CERT_HOSTS: [&str; 4] = ["www.linkedin.com", "linkedin.com", "localhost", "127.0.0.1"];

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the self-signed certificate: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Config(#[from] tokio_rustls::rustls::Error),
}

/// A TLS acceptor and the certificate it presents.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub cert_pem: String,
}

/// Generate a fresh self-signed certificate and a server config for it.
pub fn self_signed() -> Result<Tls, TlsError> {
    let names: Vec<String> = CERT_HOSTS.iter().map(|s| s.to_string()).collect();
    let ck = rcgen::generate_simple_self_signed(names)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        cert_pem: ck.cert.pem(),
    })
}
