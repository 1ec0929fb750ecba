//! A blocking HTTP/1.1 client on `std::net`, for the OTLP exporter: one `POST` per connection,
//! every step under a timeout, no async runtime.
//!
//! The batch span processor runs exports on its own thread and drives the exporter's future with
//! a plain `block_on`, so a blocking client is what fits; a collector that is down or slow costs
//! that thread at most the timeout, never the application.
//!
//! Plain `http://` only: a TLS collector sits behind a local agent or sidecar.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use opentelemetry_http::{HttpClient, HttpError};

/// The largest response body read; a collector answers a few bytes.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct BlockingHttpClient {
    /// Bounds the whole exchange: connect, send, and read the answer.
    pub timeout: Duration,
}

impl BlockingHttpClient {
    pub fn new(timeout: Duration) -> Self {
        BlockingHttpClient { timeout }
    }

    /// Sends `request` and reads the answer, within `self.timeout`.
    pub fn send(&self, request: &Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let deadline = Instant::now() + self.timeout;
        let uri = request.uri();
        if uri.scheme_str() != Some("http") {
            return Err(format!("unsupported endpoint {uri}: only http:// is supported, put a local collector in front of a TLS one").into());
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("endpoint {uri} has no host"))?;
        let port = uri.port_u16().unwrap_or(80);
        let stream = connect(host, port, deadline)?;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            request.method(),
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"),
            uri.authority().map(|a| a.as_str()).unwrap_or(host),
            request.body().len(),
        );
        for (name, value) in request.headers() {
            if name == http::header::CONTENT_LENGTH
                || name == http::header::HOST
                || name == http::header::CONNECTION
            {
                continue;
            }
            let value = value
                .to_str()
                .map_err(|_| format!("header {name} is not visible ASCII"))?;
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut writer = &stream;
        set_timeouts(&stream, deadline)?;
        writer.write_all(head.as_bytes())?;
        set_timeouts(&stream, deadline)?;
        writer.write_all(request.body())?;
        writer.flush()?;
        read_response(&stream, deadline)
    }
}

#[async_trait::async_trait]
impl HttpClient for BlockingHttpClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        self.send(&request)
    }
}

fn remaining(deadline: Instant) -> Result<Duration, HttpError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("timed out".into());
    }
    Ok(left)
}

fn set_timeouts(stream: &TcpStream, deadline: Instant) -> Result<(), HttpError> {
    let left = remaining(deadline)?;
    stream.set_read_timeout(Some(left))?;
    stream.set_write_timeout(Some(left))?;
    Ok(())
}

fn connect(host: &str, port: u16, deadline: Instant) -> Result<TcpStream, HttpError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let mut last_error: Option<std::io::Error> = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, remaining(deadline)?) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(match last_error {
        Some(e) => format!("connecting to {host}:{port}: {e}").into(),
        None => format!("{host}:{port} resolves to no address").into(),
    })
}

fn read_response(stream: &TcpStream, deadline: Instant) -> Result<Response<Bytes>, HttpError> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    read_line(&mut reader, &mut line, stream, deadline)?;
    let mut parts = line.split_whitespace();
    let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
        return Err(format!("malformed status line {line:?}").into());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unexpected protocol {version:?}").into());
    }
    let status: u16 = code
        .parse()
        .map_err(|_| format!("malformed status code {code:?}"))?;
    let mut builder = Response::builder().status(status);
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    loop {
        line.clear();
        read_line(&mut reader, &mut line, stream, deadline)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(format!("malformed header {header:?}").into());
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(
                value
                    .parse()
                    .map_err(|_| format!("malformed content-length {value:?}"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
        builder = builder.header(name, value);
    }
    let body = if chunked {
        read_chunked(&mut reader, stream, deadline)?
    } else if let Some(length) = content_length {
        if length > MAX_RESPONSE_BYTES {
            return Err(format!("response body of {length} bytes is over the limit").into());
        }
        let mut body = vec![0; length];
        set_timeouts(stream, deadline)?;
        reader.read_exact(&mut body)?;
        body
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else {
        let mut body = Vec::new();
        set_timeouts(stream, deadline)?;
        reader
            .take(MAX_RESPONSE_BYTES as u64 + 1)
            .read_to_end(&mut body)?;
        if body.len() > MAX_RESPONSE_BYTES {
            return Err("response body is over the limit".into());
        }
        body
    };
    Ok(builder.body(Bytes::from(body))?)
}

fn read_line(
    reader: &mut impl BufRead,
    line: &mut String,
    stream: &TcpStream,
    deadline: Instant,
) -> Result<(), HttpError> {
    set_timeouts(stream, deadline)?;
    let read = Read::take(&mut *reader, 16 * 1024).read_line(line)?;
    if read == 0 {
        return Err("connection closed before the response ended".into());
    }
    Ok(())
}

fn read_chunked(
    reader: &mut impl BufRead,
    stream: &TcpStream,
    deadline: Instant,
) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        read_line(reader, &mut line, stream, deadline)?;
        let size_text = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("malformed chunk size {size_text:?}"))?;
        if size == 0 {
            // Trailers, then the final empty line.
            loop {
                line.clear();
                read_line(reader, &mut line, stream, deadline)?;
                if line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_RESPONSE_BYTES {
            return Err("response body is over the limit".into());
        }
        let start = body.len();
        body.resize(start + size, 0);
        set_timeouts(stream, deadline)?;
        reader.read_exact(&mut body[start..])?;
        line.clear();
        read_line(reader, &mut line, stream, deadline)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

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
            .send(&request)
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.body().as_ref(), body);
        let sent = String::from_utf8(server.join().unwrap()).unwrap();
        assert!(sent.starts_with("POST /v1/traces HTTP/1.1\r\n"), "{sent}");
        assert!(
            sent.contains("content-type: application/x-protobuf\r\n"),
            "{sent}"
        );
        assert!(sent.contains("Content-Length: 5\r\n"), "{sent}");
    }

    #[test]
    fn reads_length_chunked_and_close_delimited_answers() {
        check(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            200,
            b"ok",
        );
        check(b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 503, b"abcde");
        check(b"HTTP/1.0 200 OK\r\n\r\nuntil close", 200, b"until close");
    }

    #[test]
    fn a_closed_port_fails_fast_and_a_silent_server_times_out() {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", closed.local_addr().unwrap());
        drop(closed);
        let request = Request::post(&url).body(Bytes::new()).unwrap();
        let started = Instant::now();
        assert!(BlockingHttpClient::new(Duration::from_secs(5))
            .send(&request)
            .is_err());
        assert!(started.elapsed() < Duration::from_secs(2));

        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", silent.local_addr().unwrap());
        let request = Request::post(&url).body(Bytes::new()).unwrap();
        let started = Instant::now();
        let result = BlockingHttpClient::new(Duration::from_millis(300)).send(&request);
        assert!(result.is_err());
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
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
            .send(&request)
            .unwrap_err();
        assert!(error.to_string().contains("only http://"), "{error}");
    }
}
