//! `inkguard serve`: the chair-side page (SPEC 10). A small axum server over the same database
//! and the same library as the commands: the verdicts come from `crate::verdict`, treatments are
//! written by `crate::treatments::record`, and every page is rendered by `pages` (escaped maud
//! templates). The stylesheet and the search-as-you-type script are compiled into the binary.
//!
//! Each request opens its own connection (a `rusqlite::Connection` is not `Sync`; opening one is
//! cheap) on a blocking thread, so SQLite never runs on the async workers.

pub mod auth;
mod handlers;
pub mod pages;
mod signin;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono_tz::Tz;

use crate::db::{users, Db};
use crate::error::{Error, Result};
use crate::time::Clock;

/// The default address: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8470";

/// What every request needs to know.
pub struct App {
    path: PathBuf,
    /// Who acts on loopback without users: `--as`, `INKGUARD_USER` or the login name.
    actor: String,
    clock: Clock,
    zone: Tz,
    /// Listening on loopback only: requests must name a loopback host.
    loopback: bool,
    /// The CSRF token of the forms shown before a sign-in (and of every form when there are no
    /// users): random per start of the server.
    anon_csrf: String,
    sessions: auth::Sessions,
    /// A hash of a random password, checked when a sign-in names no user.
    stand_in: String,
}

impl App {
    /// Opens the database for one request, acting as `actor`.
    fn open(&self, actor: &str) -> Result<Db> {
        let now = self.clock.now_in(self.zone)?;
        Db::open(&self.path, actor.to_string(), now)
    }
}

/// Serves the page until the process is stopped. `db` was opened by the caller: the file exists
/// and has the current schema.
pub fn run(db: &Db, listen: &str) -> Result<i32> {
    let addr: SocketAddr = listen.trim().parse().map_err(|_| {
        Error::invalid_with_hint(
            format!("--listen {listen:?} is not an address and port"),
            format!("write it like {DEFAULT_LISTEN} (this machine only) or 0.0.0.0:8470"),
        )
    })?;
    auth::listen_allowed(&addr, users::count(&db.conn)?)?;
    let app = Arc::new(App {
        path: db.path.clone(),
        actor: db.actor.clone(),
        clock: Clock::from_env()?,
        zone: db.zone,
        loopback: addr.ip().is_loopback(),
        anon_csrf: auth::random_token()?,
        sessions: auth::Sessions::default(),
        stand_in: auth::hash_password(&auth::random_token()?)?,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .map_err(|source| Error::Io {
            path: PathBuf::from(listen),
            source,
        })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Io {
                path: PathBuf::from(listen),
                source,
            })?;
        let bound = listener.local_addr().map_err(|source| Error::Io {
            path: PathBuf::from(listen),
            source,
        })?;
        let host = if bound.ip().is_unspecified() {
            "localhost".to_string()
        } else {
            bound.ip().to_string()
        };
        let url = match bound {
            SocketAddr::V6(_) if !bound.ip().is_unspecified() => {
                format!("http://[{host}]:{}/", bound.port())
            }
            _ => format!("http://{host}:{}/", bound.port()),
        };
        eprintln!(
            "inkguard serve: {url} (database {}; stop with Ctrl-C)",
            app.path.display()
        );
        axum::serve(listener, router(app))
            .await
            .map_err(|source| Error::Io {
                path: PathBuf::from(listen),
                source,
            })
    })?;
    Ok(0)
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(handlers::home))
        .route("/client", get(handlers::client))
        .route("/verdict", get(handlers::verdict))
        .route("/safe-list", get(handlers::safe_list))
        .route("/treatment", axum::routing::post(handlers::treatment))
        .route("/sign-in", get(signin::sign_in_page).post(signin::sign_in))
        .route("/sign-out", axum::routing::post(signin::sign_out))
        .route("/static/page.css", get(css))
        .route("/static/page.js", get(js))
        .with_state(app)
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", pages::CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", pages::JS)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// Runs a request's database work on a blocking thread.
async fn blocking<F>(f: F) -> Response
where
    F: FnOnce() -> Response + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response())
}
