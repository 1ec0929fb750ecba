//! The OTLP exporter's HTTP client: `ureq`, blocking, with one deadline for the whole exchange
//! (connect, send, answer) and no async runtime.
//!
//! The batch span processor runs exports on its own thread and drives the exporter's future with
//! a plain `block_on`, so a blocking client is what fits; a collector that is down or slow costs
//! that thread at most the timeout, never the application.
//!
//! Plain `http://` only (ureq's TLS features are off): a TLS collector sits behind a local agent
//! or sidecar.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use opentelemetry_http::{HttpClient, HttpError};

/// The largest response body read; a collector answers a few bytes.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct BlockingHttpClient {
    agent: ureq::Agent,
    timeout: Duration,
}

impl BlockingHttpClient {
    /// A client whose every exchange ends within `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // A 4xx or 5xx is an answer for the exporter to classify (retry or not), not an error.
            .http_status_as_error(false)
            .build()
            .new_agent();
        BlockingHttpClient { agent, timeout }
    }

    /// The bound of one exchange.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request` and reads the answer, within the timeout.
    pub fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let uri = request.uri().clone();
        if uri.scheme_str() != Some("http") {
            return Err(format!("unsupported endpoint {uri}: only http:// is supported, put a local collector in front of a TLS one").into());
        }
        let (parts, body) = request.into_parts();
        let response = self
            .agent
            .run(Request::from_parts(parts, body.as_ref()))
            .map_err(|e| format!("posting to {uri}: {e}"))?;
        let (parts, mut body) = response.into_parts();
        let body = body
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| format!("reading the answer of {uri}: {e}"))?;
        Ok(Response::from_parts(parts, Bytes::from(body)))
    }
}

#[async_trait::async_trait]
impl HttpClient for BlockingHttpClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        self.send(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Instant;

    /// Serves one connection with `answer` and returns what the client sent.
    fn serve_once(answer: &'static [u8]) -> (String, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the 5-byte body.
            while !(got.windows(4).any(|w| w == b"\r\n\r\n") && got.ends_with(b"hello")) {
                let n = conn.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            conn.write_all(answer).unwrap();
            got
        });
        (url, handle)
    }

    #[track_caller]
    fn check(answer: &'static [u8], status: u16, body: &[u8]) {
        let (url, server) = serve_once(answer);
        let request = Request::post(&url)
            .header("content-type", "application/x-protobuf")
            .body(Bytes::from_static(b"hello"))
            .unwrap();
        let response = BlockingHttpClient::new(Duration::from_secs(5))
            .send(request)
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.body().as_ref(), body);
        let sent = String::from_utf8(server.join().unwrap())
            .unwrap()
            .to_ascii_lowercase();
        assert!(sent.starts_with("post /v1/traces http/1.1\r\n"), "{sent}");
        assert!(
            sent.contains("content-type: application/x-protobuf\r\n"),
            "{sent}"
        );
        assert!(sent.contains("content-length: 5\r\n"), "{sent}");
    }

    #[test]
    fn reads_length_chunked_and_close_delimited_answers() {
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            200,
            b"ok",
        );
        check(b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 503, b"abcde");
        check(
            b"HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nuntil close",
            200,
            b"until close",
        );
    }

    #[test]
    fn a_closed_port_fails_fast_and_a_silent_server_times_out() {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", closed.local_addr().unwrap());
        drop(closed);
        let request = Request::post(&url).body(Bytes::new()).unwrap();
        assert!(BlockingHttpClient::new(Duration::from_secs(5))
            .send(request)
            .is_err());

        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", silent.local_addr().unwrap());
        let request = Request::post(&url).body(Bytes::new()).unwrap();
        let started = Instant::now();
        let error = BlockingHttpClient::new(Duration::from_millis(300))
            .send(request)
            .unwrap_err();
        // The deadline, not the OS's (minutes), ended the exchange.
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}: {error}",
            started.elapsed()
        );
        drop(silent);
    }

    #[test]
    fn https_is_refused_with_a_reason() {
        let request = Request::post("https://collector:4318/v1/traces")
            .body(Bytes::new())
            .unwrap();
        let error = BlockingHttpClient::new(Duration::from_secs(1))
            .send(request)
            .unwrap_err();
        assert!(error.to_string().contains("only http://"), "{error}");
    }
}
