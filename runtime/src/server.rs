//! The `/metrics` server: hyper's HTTP/1.1 on a small tokio runtime of the server's own (two
//! worker threads), so a synchronous application starts and stops it with plain calls.
//!
//! Robustness, each by a bound rather than a hope:
//! - a connection costs a task, not a thread: slow or idle clients cannot take the slots scrapes
//!   need; up to [`MAX_CONNECTIONS`] are served at once, up to [`MAX_REFUSED`] more are answered
//!   `503` (after their request is read, so they get the answer, not a reset), the rest closed;
//! - a request's head must arrive whole within [`HEADER_TIMEOUT`] (hyper's timer: a client
//!   trickling bytes is cut off), its body within [`BODY_TIMEOUT`], at most [`MAX_BODY`] bytes;
//! - a connection lives at most [`MAX_CONNECTION_AGE`], then is closed gracefully;
//! - [`MetricsServer::shutdown`] stops accepting, lets answers in progress finish, and returns
//!   within [`SHUTDOWN_GRACE`] (plus a few milliseconds) whatever the clients do.
//!
//! HTTP itself (pipelining, `HEAD`, malformed requests) is hyper's.

use std::convert::Infallible;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus::Registry;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Semaphore};

use crate::metrics::{encode, CONTENT_TYPE};
use crate::Error;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// Connections past [`MAX_CONNECTIONS`] answered `503` at once; past both, closed on accept.
pub const MAX_REFUSED: usize = 256;
/// The longest a request's head (request line and headers) may take to arrive, whole.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a request's body may take to arrive, whole.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request body read.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest a connection is kept, keep-alive included.
pub const MAX_CONNECTION_AGE: Duration = Duration::from_secs(300);
/// The longest [`MetricsServer::shutdown`] waits for answers in progress.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Connections waiting to be accepted at most.
const LISTEN_BACKLOG: u32 = 1024;
/// The longest a refused connection is kept to send its `503`.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);

/// A parsed request, as the application's routes see it.
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

/// Routes of the application's, tried before the built-in ones. They run on the server's worker
/// threads: keep them quick (no blocking I/O).
pub trait Handler: Send + Sync {
    /// The response, or `None` if the route is not this handler's.
    fn handle(&self, request: &Request) -> Option<Response>;
}

/// The running server; [`MetricsServer::shutdown`] (or drop) stops it, within [`SHUTDOWN_GRACE`].
pub struct MetricsServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    stopped: Mutex<mpsc::Receiver<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for MetricsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MetricsServer {
    /// Binds `addr` and serves `GET /metrics` from `registry`, `GET /healthz`, and `extra`'s routes.
    pub fn start(
        addr: impl ToSocketAddrs,
        registry: Registry,
        extra: Option<Arc<dyn Handler>>,
    ) -> Result<MetricsServer, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("eje-metrics-http")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| Error::Bind(format!("starting the server's threads: {e}")))?;
        let listener = {
            let _entered = runtime.enter();
            listen(addr)?
        };
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Bind(e.to_string()))?;
        let (stop, stop_signal) = watch::channel(false);
        let (stopped_sender, stopped) = mpsc::sync_channel(1);
        let routes = Arc::new(Routes { registry, extra });
        runtime.spawn(async move {
            accept_loop(listener, routes, stop_signal).await;
            let _ = stopped_sender.send(());
        });
        Ok(MetricsServer {
            addr,
            stop,
            stopped: Mutex::new(stopped),
            runtime: Some(runtime),
        })
    }

    /// The address bound (with the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the answers in progress finish for at most [`SHUTDOWN_GRACE`], then
    /// closes every connection. Never blocks longer than that, and may be called from any
    /// thread, an async task's included.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        let _ = self.stop.send(true);
        // The accept loop drains within the grace; a little more for the threads to get there.
        let stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stopped.recv_timeout(SHUTDOWN_GRACE + Duration::from_millis(200));
        runtime.shutdown_background();
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Binds the first address of `addr` that works, with a backlog deep enough for a burst of
/// scrapers (the `std` default of 128 makes the rest wait for SYN retransmits, a second or more).
fn listen(addr: impl ToSocketAddrs) -> Result<TcpListener, Error> {
    let mut last = None;
    for addr in addr
        .to_socket_addrs()
        .map_err(|e| Error::Bind(e.to_string()))?
    {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        };
        let bound = socket.and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(LISTEN_BACKLOG)
        });
        match bound {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(format!("{addr}: {e}")),
        }
    }
    Err(Error::Bind(last.unwrap_or_else(|| {
        "the address resolves to nothing".into()
    })))
}

/// What the server answers.
struct Routes {
    registry: Registry,
    extra: Option<Arc<dyn Handler>>,
}

impl Routes {
    fn route(&self, request: &Request) -> Response {
        if let Some(response) = self.extra.as_ref().and_then(|h| h.handle(request)) {
            return response;
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET" | "HEAD", "/metrics") => Response {
                status: 200,
                content_type: CONTENT_TYPE,
                body: encode(&self.registry),
            },
            ("GET" | "HEAD", "/healthz") => Response::text(200, "ok\n"),
            ("GET" | "HEAD", "/") => Response::text(200, "EJE: metrics on /metrics\n"),
            (_, "/metrics" | "/healthz" | "/") => Response::text(405, "method not allowed\n"),
            _ => Response::text(404, "not found\n"),
        }
    }
}

async fn accept_loop(listener: TcpListener, routes: Arc<Routes>, mut stop: watch::Receiver<bool>) {
    let served = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let refused = Arc::new(Semaphore::new(MAX_REFUSED));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors, say: back off a little rather than spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        if let Ok(permit) = served.clone().try_acquire_owned() {
            let (routes, stop) = (routes.clone(), stop.clone());
            tokio::spawn(async move {
                serve_connection(stream, routes, stop).await;
                drop(permit);
            });
        } else if let Ok(permit) = refused.clone().try_acquire_owned() {
            tokio::spawn(async move {
                refuse_connection(stream).await;
                drop(permit);
            });
        }
        // Else the stream drops here: closed at once, the one answer left at that load.
    }
    drop(listener);
    // Let the answers in progress finish (connections close as their answer is sent).
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        let _all_served = served.acquire_many(MAX_CONNECTIONS as u32).await;
        let _all_refused = refused.acquire_many(MAX_REFUSED as u32).await;
    })
    .await;
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

fn http1_builder(header_timeout: Duration) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    builder
}

async fn serve_connection(stream: TcpStream, routes: Arc<Routes>, mut stop: watch::Receiver<bool>) {
    let service = service_fn(move |request| {
        let routes = routes.clone();
        async move { Ok::<_, Infallible>(answer(request, &routes).await) }
    });
    let connection = http1_builder(HEADER_TIMEOUT).serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped(&mut stop) => {}
        _ = tokio::time::sleep(MAX_CONNECTION_AGE) => {}
    }
    // Finish the answer in progress, if any, then close; the grace bounds a client that stalls.
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
}

async fn refuse_connection(stream: TcpStream) {
    let service = service_fn(|_request: hyper::Request<Incoming>| async {
        let mut response = to_hyper(Response::text(503, "too many connections\n"));
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        Ok::<_, Infallible>(response)
    });
    let connection = http1_builder(REFUSAL_TIMEOUT)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, connection).await;
}

async fn answer(
    request: hyper::Request<Incoming>,
    routes: &Routes,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body =
        match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                return to_hyper(Response::text(413, "request body too large\n"));
            }
            Ok(Err(_)) => return to_hyper(Response::text(400, "malformed request body\n")),
            Err(_) => return to_hyper(Response::text(408, "request body too slow\n")),
        };
    let mut params = parse_form(parts.uri.query().unwrap_or(""));
    if !body.is_empty() {
        if let Ok(text) = std::str::from_utf8(&body) {
            if text.contains('=') {
                params.extend(parse_form(text.trim()));
            }
        }
    }
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        params,
        body: body.to_vec(),
    };
    to_hyper(routes.route(&request))
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() = http::StatusCode::from_u16(response.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    out.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(response.content_type),
    );
    out
}

/// Decodes `a=1&b=x%20y` (`application/x-www-form-urlencoded`).
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
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
