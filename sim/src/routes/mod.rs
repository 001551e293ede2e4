//! The router: the API at the root exactly as under `https://api.connectsafely.ai/linkedin`, the
//! WebSocket at `/ws`, the control plane under `/__sim/`, the LinkedIn-shaped page under
//! `/messaging/` (with `/feed/`, `/in/…/`, `/preload/` and their data under `/__li/`), `www/` under `/www/`; permissive CORS around all of it.

pub mod api;
pub mod control;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use threadline::model::ErrorBody;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use crate::linkedin_page;
use crate::state::Sim;
use crate::ws;

/// Upload bodies up to this size are read (and answered 400 above 20 MB); larger ones get 413.
const UPLOAD_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The whole application.
pub fn router(sim: Arc<Sim>) -> Router {
    let mut app = Router::new()
        .route("/conversations", get(api::list_conversations))
        .route("/conversations/send", post(api::send))
        .route(
            "/conversations/upload-attachment",
            post(api::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/conversations/{c}/messages", get(api::messages))
        .route("/conversations/{c}/messages/{m}", delete(api::recall))
        .route("/conversations/{c}/messages/{m}/react", post(api::react))
        .route("/messaging/recent-messages", get(api::recent_messages))
        .route("/accounts", get(api::accounts))
        .route("/account/{id}/premium", get(api::premium))
        .route("/ws", get(ws::ws))
        .route("/__sim/health", get(control::health))
        .route("/__sim/reset", post(control::reset))
        .route(
            "/__sim/clock",
            get(control::get_clock).post(control::set_clock),
        )
        .route(
            "/__sim/faults",
            get(control::list_faults)
                .post(control::arm_faults)
                .delete(control::clear_faults),
        )
        .route("/__sim/requests", get(control::requests))
        .route("/__sim/requests/reset", post(control::reset_requests))
        .route("/__sim/incoming", post(control::incoming))
        .route("/__sim/read", post(control::mark_read))
        .route("/__sim/accounts", post(control::accounts))
        .route("/__sim/limits", get(control::limits).post(control::limits))
        .route(
            "/__sim/dialect",
            get(control::dialect).post(control::dialect),
        )
        .route("/__sim/seed-ids", get(control::seed_ids))
        .route("/__sim/snapshot", get(control::snapshot))
        .route("/__sim/events", get(control::events))
        .route("/__sim/cert.pem", get(control::cert))
        .route("/__sim/assets/{urn}", get(control::asset))
        .route("/__sim/avatar/{file}", get(control::avatar))
        .route("/messaging", get(linkedin_page::inbox))
        .route("/messaging/", get(linkedin_page::inbox))
        .route("/messaging/thread/{id}", get(linkedin_page::thread))
        .route("/messaging/thread/{id}/", get(linkedin_page::thread))
        .route("/feed", get(linkedin_page::feed))
        .route("/feed/", get(linkedin_page::feed))
        .route("/in/{slug}", get(linkedin_page::profile))
        .route("/in/{slug}/", get(linkedin_page::profile))
        .route("/preload/", get(linkedin_page::preload))
        .route("/__li/app.js", get(linkedin_page::app_js))
        .route("/__li/app.css", get(linkedin_page::app_css))
        .route(
            "/__li/data/conversations",
            get(linkedin_page::data_conversations),
        )
        .route("/__li/data/thread/{id}", get(linkedin_page::data_thread))
        .route(
            "/__li/data/profile/{slug}",
            get(linkedin_page::data_profile),
        )
        .route(
            "/__li/data/thread/{id}/send",
            post(linkedin_page::data_send),
        )
        .route("/", get(index));
    if let Some(dir) = sim.www.clone() {
        app = app.nest_service(
            "/www",
            ServeDir::new(dir).append_index_html_on_directories(true),
        );
    }
    app.fallback(not_found).layer(cors()).with_state(sim)
}

/// Reflect any origin (browser tests run pages from random localhost ports), allow any method and
/// header, and let pages read the rate-limit headers.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            header::RETRY_AFTER,
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("x-ratelimit-used"),
            HeaderName::from_static("x-ratelimit-action"),
            header::DATE,
        ])
        .allow_private_network(true)
        .max_age(Duration::from_secs(600))
}

async fn not_found(method: Method, uri: Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorBody::coded(
            "not_found",
            format!("No route for {method} {}", uri.path()),
        )),
    )
        .into_response()
}

async fn index(State(sim): State<Arc<Sim>>) -> Html<String> {
    let www = if sim.www.is_some() {
        "<li><a href=\"/www/\">/www/</a>: the demo inbox</li>"
    } else {
        ""
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>threadline-sim</title>\
</head><body><h1>threadline-sim</h1><p>A local LinkedIn Messaging API simulator. API at this \
root with <code>Authorization: Bearer &lt;key&gt;</code>.</p><ul>{www}\
<li><a href=\"/messaging/\">/messaging/</a>: a page shaped like LinkedIn's messaging page</li>\
<li><a href=\"/__sim/health\">/__sim/health</a>, <a href=\"/__sim/seed-ids\">/__sim/seed-ids</a>, \
<a href=\"/__sim/requests\">/__sim/requests</a></li></ul></body></html>"
    ))
}
