//! A small HTTP/1.1 server on `std::net` for `/metrics` (and a few routes of the application's,
//! such as the demo's fault control), on a thread of its own, with a clean shutdown.
//!
//! One request per connection (`Connection: close`), a thread per connection up to
//! [`MAX_CONNECTIONS`], every read and write under a timeout: a stuck client cannot stall a
//! scrape for long.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use prometheus::Registry;

use crate::metrics::{encode, CONTENT_TYPE};
use crate::Error;

/// Connections served at once; more get a `503`.
pub const MAX_CONNECTIONS: usize = 32;
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 64 * 1024;

/// A parsed request.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// Query parameters, then `application/x-www-form-urlencoded` body parameters, decoded.
    pub params: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into().into_bytes(),
        }
    }

    pub fn json(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: body.into().into_bytes(),
        }
    }
}

/// Routes of the application's, tried before the built-in ones.
pub trait Handler: Send + Sync {
    /// The response, or `None` if the route is not this handler's.
    fn handle(&self, request: &Request) -> Option<Response>;
}

/// The running server; [`MetricsServer::shutdown`] (or drop) stops it.
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Binds `addr` and serves `GET /metrics` from `registry`, `GET /healthz`, and `extra`'s routes.
    pub fn start(
        addr: impl ToSocketAddrs,
        registry: Registry,
        extra: Option<Arc<dyn Handler>>,
    ) -> Result<MetricsServer, Error> {
        let listener = TcpListener::bind(addr).map_err(|e| Error::Bind(e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Bind(e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicUsize::new(0));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("eje-metrics-http".into())
                .spawn(move || accept_loop(listener, stop, active, registry, extra))
                .map_err(|e| Error::Bind(format!("spawning the server thread: {e}")))?
        };
        Ok(MetricsServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address bound (with the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and joins the accept thread (connections in progress finish on their own).
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
            let _ = thread.join();
        }
        // Else the thread is left to exit on its next connection: never block the caller.
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

fn accept_loop(
    listener: TcpListener,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    registry: Registry,
    extra: Option<Arc<dyn Handler>>,
) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut conn) = conn else {
            // Out of descriptors, say: back off a little rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::AcqRel);
            let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
            let _ = write_response(&mut conn, &Response::text(503, "too many connections\n"));
            continue;
        }
        let (registry, extra, done) = (registry.clone(), extra.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("eje-metrics-conn".into())
            .spawn(move || {
                serve_connection(conn, &registry, extra.as_deref());
                done.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            // The closure (and its decrement) never ran.
            active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

fn serve_connection(mut conn: TcpStream, registry: &Registry, extra: Option<&dyn Handler>) {
    let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
    let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
    let response = match read_request(&mut conn) {
        Ok(request) => route(&request, registry, extra),
        Err(status) => Response::text(status, "malformed request\n"),
    };
    let _ = write_response(&mut conn, &response);
    let _ = conn.shutdown(Shutdown::Write);
}

fn route(request: &Request, registry: &Registry, extra: Option<&dyn Handler>) -> Response {
    if let Some(response) = extra.and_then(|h| h.handle(request)) {
        return response;
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("GET" | "HEAD", "/metrics") => Response {
            status: 200,
            content_type: CONTENT_TYPE,
            body: encode(registry),
        },
        ("GET" | "HEAD", "/healthz") => Response::text(200, "ok\n"),
        ("GET" | "HEAD", "/") => Response::text(200, "EJE: metrics on /metrics\n"),
        (_, "/metrics" | "/healthz" | "/") => Response::text(405, "method not allowed\n"),
        _ => Response::text(404, "not found\n"),
    }
}

/// Reads one request; `Err(status)` when it cannot be parsed.
fn read_request(conn: &mut TcpStream) -> Result<Request, u16> {
    let mut data = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if data.len() > MAX_HEAD {
            return Err(431);
        }
        let n = conn.read(&mut buf).map_err(|_| 408u16)?;
        if n == 0 {
            return Err(400);
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = std::str::from_utf8(&data[..head_end]).map_err(|_| 400u16)?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target)) = (first.next(), first.next()) else {
        return Err(400);
    };
    let mut content_length = 0usize;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().map_err(|_| 400u16)?;
            }
        }
    }
    if content_length > MAX_BODY {
        return Err(413);
    }
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < content_length {
        let n = conn.read(&mut buf).map_err(|_| 408u16)?;
        if n == 0 {
            return Err(400);
        }
        body.extend_from_slice(&buf[..n]);
    }
    body.truncate(content_length);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params = parse_form(query);
    if !body.is_empty() {
        if let Ok(text) = std::str::from_utf8(&body) {
            if text.contains('=') {
                params.extend(parse_form(text.trim()));
            }
        }
    }
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        params,
        body,
    })
}

fn write_response(conn: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    conn.write_all(head.as_bytes())?;
    conn.write_all(&response.body)?;
    conn.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Decodes `a=1&b=x%20y`.
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_form(text: &str, expect: &[(&str, &str)]) {
        let got = parse_form(text);
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn forms_are_percent_decoded() {
        check_form(
            "critic=bias_critic&fail=0.9",
            &[("critic", "bias_critic"), ("fail", "0.9")],
        );
        check_form("a=x%20y+z&b", &[("a", "x y z"), ("b", "")]);
        check_form("bad=%zz&end=%4", &[("bad", "%zz"), ("end", "%4")]);
        check_form("", &[]);
    }
}
