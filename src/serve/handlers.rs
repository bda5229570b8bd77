//! The page's requests: who is asking (host, session, CSRF and origin checks first), then the
//! library call, then the template. Nothing here decides a verdict or writes SQL.

// The checks return the answer to send as their error (`Result<_, Response>`): it is made only
// when a request is turned away, so its size costs nothing on the way in.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Deserialize;

use super::pages::{self, Viewer};
use super::{auth, blocking, App};
use crate::db::catalog::{self as cat, Kind};
use crate::db::{clinical, search, users, Db};
use crate::error::Error;
use crate::screening::Verdict;
use crate::treatments;
use crate::verdict::{self, SafeListFilter, Used};

/// How many clients or products a search shows.
const HITS: usize = 20;

/// Who a request comes from, once let in.
pub(super) struct Who {
    pub(super) user: Option<String>,
    pub(super) csrf: String,
    /// The session cookie, to end it on sign-out.
    pub(super) token: Option<String>,
}

impl Who {
    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            user: self.user.as_deref(),
            csrf: &self.csrf,
        }
    }
}

pub(super) fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A page with the headers every page carries: nothing is cached (it holds personal data), no
/// script or style from elsewhere runs, and no other site may frame it.
pub(super) fn page(
    status: StatusCode,
    title: &str,
    who: Option<&Who>,
    content: Markup,
) -> Response {
    let viewer = who.map(Who::viewer);
    let body = pages::layout(title, viewer.as_ref(), content).into_string();
    with_headers(status, body)
}

fn with_headers(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // Not `no-referrer`: under it Chromium sends `Origin: null` with the page's own form
            // posts, which the origin check (rightly) refuses.
            (header::REFERRER_POLICY, "same-origin"),
        ],
        body,
    )
        .into_response()
}

/// A fragment for search as you type.
fn fragment(content: Markup) -> Response {
    with_headers(StatusCode::OK, content.into_string())
}

pub(super) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub(super) fn forbidden(why: &str) -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Forbidden",
        None,
        pages::problem(&format!("Forbidden: {why}. Nothing was changed."), &[]),
    )
}

pub(super) fn error_page(e: &Error, who: Option<&Who>) -> Response {
    let status = match e {
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Ambiguous { .. } | Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        eprintln!("error: {e}");
    }
    page(
        status,
        "Problem",
        who,
        pages::problem(&e.to_string(), &e.hints()),
    )
}

/// Lets a request in, or answers it: a loopback server answers only to loopback host names;
/// with users (always off loopback) a session is needed. Returns the open database, acting as
/// the signed-in user (or `--as` on loopback without users).
pub(super) fn let_in(app: &App, headers: &HeaderMap) -> Result<(Db, Who), Response> {
    let host = header_str(headers, header::HOST).unwrap_or("");
    if app.loopback && !auth::is_loopback_host(host) {
        return Err(forbidden("this server answers to localhost only"));
    }
    let mut db = app.open(&app.actor).map_err(|e| error_page(&e, None))?;
    let users = users::count(&db.conn).map_err(|e| error_page(&e, None))?;
    if app.loopback && users == 0 {
        let who = Who {
            user: None,
            csrf: app.anon_csrf.clone(),
            token: None,
        };
        return Ok((db, who));
    }
    let session = header_str(headers, header::COOKIE)
        .and_then(|c| auth::cookie(c, auth::COOKIE))
        .and_then(|t| app.sessions.get(t).map(|s| (t.to_string(), s)));
    match session {
        Some((token, s)) => {
            db.actor = s.user.clone();
            Ok((
                db,
                Who {
                    user: Some(s.user),
                    csrf: s.csrf,
                    token: Some(token),
                },
            ))
        }
        None => Err(see_other("/sign-in")),
    }
}

/// The checks of every form post: the origin and the CSRF token. A failure changes nothing.
pub(super) fn check_post(headers: &HeaderMap, sent: &str, who: &Who) -> Result<(), Response> {
    let same = auth::same_origin(
        header_str(headers, header::ORIGIN),
        header_str(headers, header::HOST),
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
    );
    if !same {
        return Err(forbidden("the form was sent from another site"));
    }
    if !auth::tokens_equal(sent, &who.csrf) {
        return Err(forbidden(
            "the form's token is missing or stale; reload the page",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    partial: Option<String>,
}

pub async fn home(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    blocking(move || {
        let (db, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let hits = match search::clients(&db.conn, &query.q, HITS) {
            Ok(h) => h,
            Err(e) => return error_page(&e, Some(&who)),
        };
        if query.partial.is_some() {
            return fragment(pages::client_hits(&query.q, &hits));
        }
        page(
            StatusCode::OK,
            "Find a client",
            Some(&who),
            pages::home(&query.q, &hits, None),
        )
    })
    .await
}

#[derive(Deserialize)]
pub struct ClientQuery {
    code: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    partial: Option<String>,
    #[serde(default)]
    recorded: Option<i64>,
}

pub async fn client(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<ClientQuery>,
) -> Response {
    blocking(move || {
        let (db, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(r) => return r,
        };
        client_page(&db, &who, &query).unwrap_or_else(|e| error_page(&e, Some(&who)))
    })
    .await
}

fn client_page(db: &Db, who: &Who, query: &ClientQuery) -> crate::Result<Response> {
    let client = clinical::resolve_client(&db.conn, &query.code)?;
    let products = search::products(&db.conn, &query.q, HITS)?;
    if query.partial.is_some() {
        return Ok(fragment(pages::product_hits(
            &client.code,
            &query.q,
            &products,
        )));
    }
    let (name, born) = search::client_card(&db.conn, client.id)?;
    let sensitivities = crate::cmd::sensitivity::views(db, &client)?;
    let patch_tests = crate::cmd::patch_test::views_of_client(db, &client)?;
    // The same schedule as `patch-test due` (policy `reading-days`): each test's next reading
    // day, with the items not yet read on it.
    let policy = clinical::load_policy(&db.conn)?;
    let today = db.now.with_timezone(&db.zone).date_naive();
    let mut due = Vec::new();
    for t in &patch_tests {
        let applied_day = t.applied_on(db.zone)?;
        let days = t.read_days();
        let Some(day) = crate::screening::outcome::next_reading(
            &policy.reading_days,
            &days,
            (today - applied_day).num_days(),
        ) else {
            continue;
        };
        let when = applied_day + chrono::Duration::days(day);
        for (i, read) in t.items.iter().zip(&days) {
            if !crate::screening::outcome::unread_on(read, day) {
                continue;
            }
            let what = i
                .product
                .clone()
                .or_else(|| i.substance.clone())
                .or_else(|| i.allergen.clone())
                .unwrap_or_default();
            due.push((t.id, i.item, what, format!("D{day}, {when}")));
        }
    }
    let treatments: Vec<(i64, String, String)> = crate::cmd::client::treatments(db, &client)?
        .into_iter()
        .map(|t| {
            let items: Vec<String> = t
                .items
                .iter()
                .map(|i| format!("{} lot {}", i.product, i.lot))
                .collect();
            (
                t.id,
                crate::time::show_stamp(&t.at, db.zone),
                items.join(", "),
            )
        })
        .collect();
    let notice = query
        .recorded
        .map(|id| format!("Recorded treatment #{id}."));
    let content = pages::client(&pages::ClientPage {
        code: &client.code,
        name: name.as_deref(),
        born: born.as_deref(),
        sensitivities: &sensitivities,
        patch_tests: &patch_tests,
        due: &due,
        treatments: &treatments,
        q: &query.q,
        products: &products,
        notice: notice.as_deref(),
    });
    Ok(page(StatusCode::OK, &client.code, Some(who), content))
}

#[derive(Deserialize)]
pub struct VerdictQuery {
    client: String,
    product: String,
}

pub async fn verdict(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<VerdictQuery>,
) -> Response {
    blocking(move || {
        let (db, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(r) => return r,
        };
        verdict_page(&db, &who, &query.client, &query.product, None, None)
            .unwrap_or_else(|e| error_page(&e, Some(&who)))
    })
    .await
}

/// The verdict of a product (and lot, after a refused treatment) for a client, from
/// `verdict::check`, with CLEAR alternatives in stock from `verdict::alternatives` (as `check` offers them).
fn verdict_page(
    db: &Db,
    who: &Who,
    client: &str,
    product: &str,
    lot: Option<&str>,
    error: Option<&str>,
) -> crate::Result<Response> {
    let judgement = verdict::check(&db.conn, db.now, client, product, lot)?;
    let row = judgement.row.clone();
    let product_arg = format!("{}/{}", row.supplier, row.code);
    let lots: Vec<String> = cat::lots(&db.conn, row.id)?
        .into_iter()
        .map(|l| l.lot)
        .collect();
    let alternatives = if judgement.assessment.verdict == Verdict::Clear {
        Vec::new()
    } else {
        verdict::alternatives(
            &db.conn,
            db.now,
            &judgement.client.code,
            &row,
            verdict::ALTERNATIVES,
        )?
    };
    let content = pages::verdict(&pages::VerdictPage {
        judgement: &judgement,
        product: &row,
        product_arg,
        lots,
        alternatives: &alternatives,
        csrf: &who.csrf,
        error,
    });
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(page(status, &row.name, Some(who), content))
}

#[derive(Deserialize)]
pub struct SafeListQuery {
    client: String,
    #[serde(default)]
    kind: String,
}

pub async fn safe_list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<SafeListQuery>,
) -> Response {
    blocking(move || {
        let (db, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let kind = Kind::parse(&query.kind);
        let filter = SafeListFilter {
            kind,
            ..SafeListFilter::default()
        };
        match verdict::safe_list(&db.conn, db.now, &query.client, filter) {
            Ok(list) => page(
                StatusCode::OK,
                "Safe list",
                Some(&who),
                pages::safe_list(
                    &list.client.code,
                    kind.map(Kind::as_str),
                    &list.items,
                    list.left_out,
                    list.out_of_stock,
                ),
            ),
            Err(e) => error_page(&e, Some(&who)),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct TreatmentForm {
    #[serde(default)]
    csrf: String,
    client: String,
    product: String,
    lot: String,
    #[serde(default)]
    area: String,
    #[serde(default, rename = "override")]
    override_reason: String,
}

pub async fn treatment(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<TreatmentForm>,
) -> Response {
    blocking(move || {
        let (mut db, who) = match let_in(&app, &headers) {
            Ok(x) => x,
            Err(_) => return forbidden("sign in first"),
        };
        if let Err(r) = check_post(&headers, &form.csrf, &who) {
            return r;
        }
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let request = treatments::Request {
            client: &form.client,
            used: vec![Used {
                product: &form.product,
                lot: Some(&form.lot),
            }],
            area: some(&form.area),
            at: None,
            override_reason: some(&form.override_reason),
        };
        match treatments::record(&mut db, &request) {
            Ok(treatments::Outcome::Recorded(r)) => see_other(&format!(
                "/client?code={}&recorded={}",
                pages::enc(&r.judged.client.code),
                r.id
            )),
            Ok(treatments::Outcome::Refused { judged, .. }) => {
                let why = match judged.verdict {
                    Verdict::Blocked => "Not recorded: the product or lot is BLOCKED for this client, and a BLOCKED product cannot be overridden.",
                    _ => "Not recorded: this is a CAUTION; write your reason for going ahead to record it.",
                };
                verdict_page(
                    &db,
                    &who,
                    &form.client,
                    &form.product,
                    Some(&form.lot),
                    Some(why),
                )
                .unwrap_or_else(|e| error_page(&e, Some(&who)))
            }
            Err(e) => error_page(&e, Some(&who)),
        }
    })
    .await
}
