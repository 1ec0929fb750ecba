//! Helpers shared by the integration tests: an HTTP client for scrapes, an exposition parser,
//! a span-collecting exporter, an OTLP/HTTP receiver, and a minimal executor.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opentelemetry_sdk::trace::SpanData;

/// Sends one request and returns the status and body; bounded by a 5 s timeout.
pub fn http(addr: SocketAddr, method: &str, target: &str) -> (u16, String) {
    let mut conn = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    conn.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(conn, "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).expect("read the response");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, body.to_string())
}

/// `GET /metrics`, parsed.
pub fn scrape(addr: SocketAddr) -> Exposition {
    let (status, body) = http(addr, "GET", "/metrics");
    assert_eq!(status, 200, "{body}");
    Exposition::parse(&body)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Family {
    pub help: Option<String>,
    pub kind: Option<String>,
    /// `(series name, labels, value)`.
    pub samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

/// A text exposition, by family name.
#[derive(Clone, Debug, Default)]
pub struct Exposition {
    pub families: BTreeMap<String, Family>,
}

impl Exposition {
    pub fn parse(text: &str) -> Exposition {
        let mut out = Exposition::default();
        let mut current = String::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
                out.families.entry(name.to_string()).or_default().help =
                    Some(help.replace("\\n", "\n").replace("\\\\", "\\"));
                current = name.to_string();
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
                out.families.entry(name.to_string()).or_default().kind = Some(kind.to_string());
                current = name.to_string();
            } else if line.starts_with('#') || line.trim().is_empty() {
                continue;
            } else {
                let (series, labels, value) = parse_sample(line);
                assert!(
                    series.starts_with(&current),
                    "sample {series} outside its family {current}"
                );
                out.families
                    .entry(current.clone())
                    .or_default()
                    .samples
                    .push((series, labels, value));
            }
        }
        out
    }

    pub fn family(&self, name: &str) -> &Family {
        self.families
            .get(name)
            .unwrap_or_else(|| panic!("no family {name}"))
    }

    /// The value of the series `series` with exactly `labels`.
    pub fn value(&self, series: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.families
            .values()
            .flat_map(|f| &f.samples)
            .find(|(name, l, _)| name == series && *l == want)
            .map(|(_, _, v)| *v)
    }

    /// Like `value`, panicking when the series is absent.
    pub fn get(&self, series: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(series, labels)
            .unwrap_or_else(|| panic!("no series {series}{labels:?}"))
    }
}

fn parse_sample(line: &str) -> (String, BTreeMap<String, String>, f64) {
    let mut labels = BTreeMap::new();
    let (name, rest) = match line.find('{') {
        Some(open) => {
            let name = &line[..open];
            let mut chars = line[open + 1..].char_indices().peekable();
            let mut key = String::new();
            let mut end = 0;
            while let Some((i, c)) = chars.next() {
                match c {
                    '}' => {
                        end = open + 1 + i + 1;
                        break;
                    }
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                        let mut value = String::new();
                        while let Some((_, c)) = chars.next() {
                            match c {
                                '\\' => match chars.next().map(|(_, c)| c) {
                                    Some('n') => value.push('\n'),
                                    Some(other) => value.push(other),
                                    None => panic!("{line}"),
                                },
                                '"' => break,
                                other => value.push(other),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), value);
                    }
                    other => key.push(other),
                }
            }
            (name.to_string(), &line[end..])
        }
        None => {
            let (name, rest) = line.split_once(' ').expect("name value");
            (name.to_string(), rest)
        }
    };
    let value = rest.split_whitespace().next().expect("a value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
    };
    (name, labels, value)
}

/// The SDK's in-memory exporter, behind the runtime's own batch processor.
pub use opentelemetry_sdk::trace::InMemorySpanExporter as Collector;

/// What the tests read from the exporter.
pub trait Spans {
    fn spans(&self) -> Vec<SpanData>;
}

impl Spans for Collector {
    fn spans(&self) -> Vec<SpanData> {
        self.get_finished_spans()
            .expect("the in-memory exporter answers")
    }
}

pub fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

/// Polls `future` to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// A future that is pending `n` times (waking itself) before it yields `value`.
pub struct YieldThen<T> {
    pub n: usize,
    pub value: Option<T>,
}

impl<T: Unpin> Future for YieldThen<T> {
    type Output = T;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if self.n == 0 {
            return Poll::Ready(self.value.take().expect("polled after completion"));
        }
        self.n -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// How a [`Receiver`] treats each export.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Behaviour {
    /// Decodes it, keeps it, answers 200.
    Accept,
    /// Reads it, waits this long, then accepts it.
    Slow(Duration),
    /// Reads it and answers this status, keeping nothing.
    Fail(u16),
    /// Closes the connection without reading or answering.
    Close,
}

/// An OTLP/HTTP trace receiver on 127.0.0.1: decodes each posted `ExportTraceServiceRequest`.
pub struct Receiver {
    pub addr: SocketAddr,
    pub requests: Arc<
        Mutex<Vec<opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest>>,
    >,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        Receiver::start_with(Behaviour::Accept)
    }

    pub fn start_with(behaviour: Behaviour) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((conn, _)) if behaviour == Behaviour::Close => drop(conn),
                        Ok((conn, _)) => serve_otlp(conn, &requests, behaviour, &stop),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Receiver {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    /// Every span received so far, with its resource's `service.name`.
    pub fn spans(&self) -> Vec<(String, opentelemetry_proto::tonic::trace::v1::Span)> {
        let mut out = Vec::new();
        for request in self.requests.lock().unwrap().iter() {
            for resource_spans in &request.resource_spans {
                let service = resource_spans
                    .resource
                    .iter()
                    .flat_map(|r| &r.attributes)
                    .find(|kv| kv.key == "service.name")
                    .and_then(|kv| kv.value.as_ref())
                    .map(|v| format!("{:?}", v.value))
                    .unwrap_or_default();
                for scope_spans in &resource_spans.scope_spans {
                    for span in &scope_spans.spans {
                        out.push((service.clone(), span.clone()));
                    }
                }
            }
        }
        out
    }

    /// Waits until `done(spans)` holds, at most `limit`.
    pub fn wait_for(
        &self,
        limit: Duration,
        done: impl Fn(&[(String, opentelemetry_proto::tonic::trace::v1::Span)]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if done(&self.spans()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done(&self.spans())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_otlp(
    mut conn: TcpStream,
    requests: &Mutex<
        Vec<opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest>,
    >,
    behaviour: Behaviour,
    stop: &AtomicBool,
) {
    use prost::Message;
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    assert!(head.starts_with("POST /v1/traces HTTP/1.1"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-protobuf"),
        "{head}"
    );
    let request =
        opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest::decode(
            &body[..],
        )
        .expect("a protobuf ExportTraceServiceRequest");
    match behaviour {
        Behaviour::Fail(status) => {
            let _ = write!(
                conn,
                "HTTP/1.1 {status} Failing\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        }
        Behaviour::Slow(delay) => {
            let until = Instant::now() + delay;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        Behaviour::Accept | Behaviour::Close => {}
    }
    requests.lock().unwrap().push(request);
    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}
