//! `/metrics` on the application's own HTTP server: the encoder, a framework-neutral response,
//! and ready handlers for hyper and (feature `axum`) axum.
//!
//! ```no_run
//! # let runtime = eje_runtime::Runtime::builder().build().unwrap();
//! // Any framework on the `http` crate: build the answer, then convert the body.
//! let response: http::Response<bytes::Bytes> = eje_runtime::handlers::metrics_response(runtime.metrics());
//! ```

use bytes::Bytes;
use http::{header, HeaderValue, Method, Response, StatusCode};
use http_body_util::Full;

use crate::metrics::{Metrics, CONTENT_TYPE};

/// The text exposition of `metrics` (Prometheus text format 0.0.4) and its content type.
pub fn encode(metrics: &Metrics) -> (Vec<u8>, &'static str) {
    (metrics.encode(), CONTENT_TYPE)
}

/// `200` with the exposition and its content type, for any framework built on the `http` crate.
pub fn metrics_response(metrics: &Metrics) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(metrics.encode()));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// The answer to `method` on a `/metrics` route: the exposition for `GET` and `HEAD` (a server
/// drops the body of a `HEAD` answer), `405` otherwise.
pub fn metrics_response_for(metrics: &Metrics, method: &Method) -> Response<Bytes> {
    if method == Method::GET || method == Method::HEAD {
        return metrics_response(metrics);
    }
    let mut response = Response::new(Bytes::from_static(b"method not allowed\n"));
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// For a hyper server of the application's: call [`hyper::metrics`] from its service on the
/// `/metrics` path.
pub mod hyper {
    use super::*;

    /// The `/metrics` answer as a hyper service returns it.
    ///
    /// ```no_run
    /// # async fn route(metrics: eje_runtime::Metrics, request: hyper::Request<hyper::body::Incoming>)
    /// #     -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, std::convert::Infallible> {
    /// match request.uri().path() {
    ///     "/metrics" => Ok(eje_runtime::handlers::hyper::metrics(&metrics, &request)),
    ///     _ => todo!("the application's routes"),
    /// }
    /// # }
    /// ```
    pub fn metrics<B>(metrics: &Metrics, request: &http::Request<B>) -> Response<Full<Bytes>> {
        metrics_response_for(metrics, request.method()).map(Full::new)
    }
}

/// For an axum application: [`axum::router`] to merge, or [`axum::metrics`] to route yourself.
#[cfg(feature = "axum")]
pub mod axum {
    use super::*;
    use ::axum::extract::State;
    use ::axum::response::IntoResponse;
    use ::axum::routing::get;
    use ::axum::Router;

    /// The `/metrics` handler, with the metrics as its state.
    pub async fn metrics(State(metrics): State<Metrics>) -> impl IntoResponse {
        metrics_response(&metrics).map(::axum::body::Body::from)
    }

    /// A router serving `GET /metrics` (and `HEAD`), to merge into the application's:
    /// `app.merge(eje_runtime::handlers::axum::router(runtime.metrics().clone()))`.
    pub fn router(metrics: Metrics) -> Router {
        Router::new()
            .route("/metrics", get(self::metrics))
            .with_state(metrics)
    }
}
