//! The `/metrics` server as scrapers and hostile clients meet it, on 127.0.0.1: many concurrent
//! scrapers, slow and trickling connections held open, connections past the limit, `HEAD`,
//! pipelining, malformed requests, and a shutdown that keeps its bound. Every loop is bounded.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{http, Exposition};
use eje_runtime::server::{HEADER_TIMEOUT, MAX_CONNECTIONS, SHUTDOWN_GRACE};
use eje_runtime::Runtime;

/// Lets this process hold a few thousand sockets (both ends of each connection are ours).
fn raise_fd_limit() {
    // SAFETY: plain getrlimit/setrlimit on this process.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < 8192 {
            limit.rlim_cur = limit.rlim_max.min(8192);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// One request on a fresh connection; the status and body, or what went wrong.
fn try_http(addr: SocketAddr, method: &str, target: &str) -> Result<(u16, String), String> {
    let mut conn =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        conn,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw)
        .map_err(|e| format!("read: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no response head in {text:?}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    Ok((status, body.to_string()))
}

/// Everything a connection receives until the server closes it (or `limit` passes).
fn read_until_closed(conn: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, String> {
    conn.set_read_timeout(Some(limit)).unwrap();
    let mut raw = Vec::new();
    match conn.read_to_end(&mut raw) {
        Ok(_) => Ok(raw),
        Err(e) if e.kind() == ErrorKind::ConnectionReset => Ok(raw),
        Err(e) => Err(format!("still open after {limit:?} ({e}), got {raw:?}")),
    }
}

/// Opens `n` connections that will never finish a request: half send nothing, half send the
/// start of a request head and then trickle one byte at a time (by [`trickle`]).
fn open_slow_connections(addr: SocketAddr, n: usize) -> (Vec<TcpStream>, Vec<TcpStream>) {
    let mut silent = Vec::new();
    let mut trickling = Vec::new();
    for i in 0..n {
        let mut conn = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        if i % 2 == 0 {
            silent.push(conn);
        } else {
            conn.write_all(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
                .unwrap();
            trickling.push(conn);
        }
    }
    (silent, trickling)
}

/// One more byte on each trickling connection (ignoring the ones the server has closed).
fn trickle(connections: &mut [TcpStream]) {
    for conn in connections {
        let _ = conn.write_all(b"a");
    }
}

#[test]
fn two_hundred_scrapers_succeed_and_a_scrape_is_answered_within_a_second_while_two_hundred_slow_connections_are_held(
) {
    raise_fd_limit();
    let runtime = Runtime::builder().build().unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let addr = server.local_addr();

    let opened = Instant::now();
    let (mut silent, mut trickling) = open_slow_connections(addr, 200);

    // While they are held (well inside the header timeout), scrapes are answered at once.
    let mut slowest = Duration::ZERO;
    for _ in 0..3 {
        trickle(&mut trickling);
        let started = Instant::now();
        let (status, body) = try_http(addr, "GET", "/metrics").unwrap();
        let took = started.elapsed();
        slowest = slowest.max(took);
        assert_eq!(status, 200);
        assert!(
            took < Duration::from_secs(1),
            "a scrape took {took:?} with 200 slow connections held"
        );
        assert!(Exposition::parse(&body)
            .families
            .contains_key("eje_decisions_total"));
    }
    assert!(
        opened.elapsed() < HEADER_TIMEOUT,
        "the slow connections were held throughout"
    );

    // 200 scrapers at once, three scrapes each, the slow connections still there.
    let scrapers = 200;
    let load_started = Instant::now();
    let barrier = Arc::new(Barrier::new(scrapers));
    let threads: Vec<_> = (0..scrapers)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    barrier.wait();
                    (0..3)
                        .map(|_| try_http(addr, "GET", "/metrics"))
                        .collect::<Vec<_>>()
                })
                .unwrap()
        })
        .collect();
    trickle(&mut trickling);
    let mut failures = Vec::new();
    let mut answered = 0;
    for thread in threads {
        for result in thread.join().unwrap() {
            match result {
                Ok((200, body)) if body.contains("eje_decisions_total") => answered += 1,
                Ok((status, _)) => failures.push(format!("status {status}")),
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(answered, scrapers * 3);
    eprintln!(
        "slowest probe scrape with 200 slow connections held: {slowest:?}; \
         {answered} scrapes by {scrapers} concurrent scrapers in {:?}, none failed",
        load_started.elapsed()
    );

    // The server cuts the slow connections off once their head is late, trickling or not.
    let limit = HEADER_TIMEOUT + Duration::from_secs(5);
    for conn in silent.iter_mut().chain(trickling.iter_mut()) {
        let raw = read_until_closed(
            conn,
            limit
                .saturating_sub(opened.elapsed())
                .max(Duration::from_millis(100)),
        )
        .unwrap();
        assert!(!raw.starts_with(b"HTTP/1.1 200"), "{raw:?}");
    }
    server.shutdown();
}

#[test]
fn connections_past_the_limit_get_a_503_not_a_reset() {
    raise_fd_limit();
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let addr = server.local_addr();
    // Keep-alive connections that answered once, so the server holds every one, then idle.
    let mut held: Vec<TcpStream> = (0..MAX_CONNECTIONS)
        .map(|_| {
            let mut conn = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
            conn.write_all(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut status = [0u8; 12];
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            conn.read_exact(&mut status).unwrap();
            assert_eq!(&status, b"HTTP/1.1 200");
            conn
        })
        .collect();
    let filled = Instant::now();
    let (status, body) = try_http(addr, "GET", "/metrics").unwrap();
    assert_eq!(status, 503, "{}", &body[..body.len().min(200)]);
    assert_eq!(body, "too many connections\n");
    // Idle keep-alive connections are closed like slow ones, giving their slots back.
    let mut remaining = held.split_off(MAX_CONNECTIONS - 10);
    for conn in &mut remaining {
        let limit = (HEADER_TIMEOUT + Duration::from_secs(5)).saturating_sub(filled.elapsed());
        read_until_closed(conn, limit.max(Duration::from_millis(100))).unwrap();
    }
    drop(held);
    // Slots come back as connections close.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match try_http(addr, "GET", "/healthz") {
            Ok((200, _)) => break,
            other => assert!(Instant::now() < deadline, "{other:?}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    server.shutdown();
}

/// Sends `raw` on one connection and reads the whole answer.
fn exchange(addr: SocketAddr, raw: &[u8]) -> String {
    let mut conn = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    conn.write_all(raw).unwrap();
    String::from_utf8_lossy(&read_until_closed(&mut conn, Duration::from_secs(10)).unwrap())
        .into_owned()
}

#[test]
fn head_pipelining_and_malformed_requests_are_answered_as_http_says() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let addr = server.local_addr();

    let head = exchange(
        addr,
        b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let (status_line, rest) = head.split_once("\r\n").unwrap();
    assert_eq!(status_line, "HTTP/1.1 200 OK");
    let (headers, body) = rest.split_once("\r\n\r\n").unwrap();
    let length: usize = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .expect("a content-length")
        .parse()
        .unwrap();
    assert!(length > 1000, "{headers}");
    assert_eq!(body, "", "HEAD has no body");

    let pipelined = exchange(
        addr,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        pipelined.matches("HTTP/1.1 200 OK\r\n").count(),
        3,
        "{pipelined}"
    );
    assert!(pipelined.contains("eje_decisions_total"));

    for malformed in [
        &b"GET /metrics\r\n\r\n"[..],
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    ] {
        let answer = exchange(addr, malformed);
        assert!(
            !answer.starts_with("HTTP/1.1 200"),
            "{:?} got {answer:?}",
            String::from_utf8_lossy(malformed)
        );
    }

    let (status, _) = http(addr, "POST", "/metrics");
    assert_eq!(status, 405);
    let (status, _) = http(addr, "GET", "/nope");
    assert_eq!(status, 404);
    server.shutdown();
}

#[test]
fn shutdown_keeps_its_bound_with_stalled_clients() {
    raise_fd_limit();
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let addr = server.local_addr();
    let (_silent, mut trickling) = open_slow_connections(addr, 100);
    trickle(&mut trickling);
    // A keep-alive client that never sends its second request.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    let started = Instant::now();
    server.shutdown();
    let took = started.elapsed();
    assert!(took < SHUTDOWN_GRACE + Duration::from_secs(1), "{took:?}");
    // Closed: new connections are refused, held ones end.
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    read_until_closed(&mut idle, Duration::from_secs(2)).unwrap();
}

#[test]
fn the_server_starts_and_stops_from_inside_an_applications_tokio_runtime_too() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let app = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    app.block_on(async {
        let server = runtime.serve("127.0.0.1:0", None).unwrap();
        let addr = server.local_addr();
        let (status, body) = tokio::task::spawn_blocking(move || http(addr, "GET", "/metrics"))
            .await
            .unwrap();
        assert_eq!(status, 200);
        assert!(body.contains("eje_decisions_total"));
        let started = Instant::now();
        server.shutdown();
        assert!(started.elapsed() < SHUTDOWN_GRACE + Duration::from_secs(1));
    });
}
