//! Signing in and out of the page: a password checked against its argon2 hash (as long for an
//! unknown name), a session cookie, and the same origin and CSRF checks as every other form.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::handlers::{
    check_post, error_page, forbidden, header_str, let_in, page, see_other, Who,
};
use super::pages;
use super::{auth, blocking, App};
use crate::db::users;

pub async fn sign_in_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let host = header_str(&headers, header::HOST).unwrap_or("");
    if app.loopback && !auth::is_loopback_host(host) {
        return forbidden("this server answers to localhost only");
    }
    page(
        StatusCode::OK,
        "Sign in",
        None,
        pages::sign_in(&app.anon_csrf, None),
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    name: String,
    password: String,
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    blocking(move || {
        let host = header_str(&headers, header::HOST).unwrap_or("");
        if app.loopback && !auth::is_loopback_host(host) {
            return forbidden("this server answers to localhost only");
        }
        let anonymous = Who {
            user: None,
            csrf: app.anon_csrf.clone(),
            token: None,
        };
        if let Err(r) = check_post(&headers, &form.csrf, &anonymous) {
            return r;
        }
        let db = match app.open(&app.actor) {
            Ok(db) => db,
            Err(e) => return error_page(&e, None),
        };
        let hash = match users::password_hash(&db.conn, form.name.trim()) {
            Ok(h) => h,
            Err(e) => return error_page(&e, None),
        };
        // A hash is checked even for an unknown name, so that the answer takes as long.
        let ok = auth::verify_password(&form.password, hash.as_deref().unwrap_or(&app.stand_in))
            && hash.is_some();
        if !ok {
            return page(
                StatusCode::UNAUTHORIZED,
                "Sign in",
                None,
                pages::sign_in(&app.anon_csrf, Some("Wrong user name or password.")),
            );
        }
        match app.sessions.start(form.name.trim()) {
            Ok(token) => (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/".to_string()),
                    (header::SET_COOKIE, auth::session_cookie(&token)),
                ],
            )
                .into_response(),
            Err(e) => error_page(&e, None),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn sign_out(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    blocking(move || {
        let (_, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(_) => return see_other("/sign-in"),
        };
        if let Err(r) = check_post(&headers, &form.csrf, &who) {
            return r;
        }
        if let Some(t) = &who.token {
            app.sessions.end(t);
        }
        (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/sign-in".to_string()),
                (header::SET_COOKIE, auth::expired_cookie()),
            ],
        )
            .into_response()
    })
    .await
}
