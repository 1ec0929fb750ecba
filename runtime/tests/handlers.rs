//! `/metrics` on the application's own server: the framework-neutral response, hyper's handler,
//! and (feature `axum`) axum's router, each served for real on 127.0.0.1 and scraped.

mod common;

use std::convert::Infallible;
use std::time::Duration;

use common::{http, Exposition};
use eje_runtime::handlers;
use eje_runtime::{Metrics, Runtime, Verdict};
use tokio::net::TcpListener;

/// A metrics registry with one recognisable series.
fn metrics() -> Metrics {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let metrics = runtime.metrics().clone();
    metrics
        .decisions(Verdict::Reject, eje_runtime::DecisionStatus::Success)
        .inc_by(7);
    metrics
}

#[track_caller]
fn check_scrape(addr: std::net::SocketAddr) {
    let (status, body) = http(addr, "GET", "/metrics");
    assert_eq!(status, 200, "{body}");
    let exposition = Exposition::parse(&body);
    assert_eq!(
        exposition.get(
            "eje_decisions_total",
            &[("verdict", "REJECT"), ("status", "success")]
        ),
        7.0
    );
}

/// Runs `serve` (an application's server on `listener`) on a runtime of the test's own, for as
/// long as `client` runs.
fn with_server<F>(serve: impl FnOnce(TcpListener) -> F, client: impl FnOnce(std::net::SocketAddr))
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(serve(listener));
    client(addr);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn the_neutral_response_carries_the_exposition_and_its_content_type() {
    let metrics = metrics();
    let response = handlers::metrics_response(&metrics);
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        eje_runtime::metrics::CONTENT_TYPE
    );
    assert_eq!(response.body().as_ref(), metrics.encode().as_slice());
    let refused = handlers::metrics_response_for(&metrics, &http::Method::POST);
    assert_eq!(refused.status(), 405);
    assert_eq!(refused.headers()["allow"], "GET, HEAD");
}

#[test]
fn the_hyper_handler_serves_an_applications_hyper_server() {
    let metrics = metrics();
    with_server(
        move |listener| async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let metrics = metrics.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let metrics = metrics.clone();
                        async move {
                            Ok::<_, Infallible>(match request.uri().path() {
                                "/metrics" => handlers::hyper::metrics(&metrics, &request),
                                _ => {
                                    let mut not_found = hyper::Response::new(
                                        http_body_util::Full::new(bytes::Bytes::new()),
                                    );
                                    *not_found.status_mut() = http::StatusCode::NOT_FOUND;
                                    not_found
                                }
                            })
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        },
        |addr| {
            check_scrape(addr);
            assert_eq!(http(addr, "DELETE", "/metrics").0, 405);
            assert_eq!(http(addr, "GET", "/other").0, 404);
        },
    );
}

#[cfg(feature = "axum")]
#[test]
fn the_axum_router_merges_into_an_applications_router() {
    let metrics = metrics();
    let app = axum::Router::new()
        .route("/hello", axum::routing::get(|| async { "hello" }))
        .merge(handlers::axum::router(metrics));
    with_server(
        move |listener| async move {
            let _ = axum::serve(listener, app).await;
        },
        |addr| {
            check_scrape(addr);
            assert_eq!(http(addr, "GET", "/hello"), (200, "hello".to_string()));
            assert_eq!(http(addr, "POST", "/metrics").0, 405);
        },
    );
}
