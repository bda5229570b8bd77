//! The page's HTML, as compile-time checked maud templates: every value is escaped, colours
//! always come with the word they stand for, and every control is a link, a field or a button
//! reachable with the keyboard.

use maud::{html, Markup, DOCTYPE};

use crate::cmd::patch_test::PatchTestView;
use crate::cmd::sensitivity::{self, SensitivityView};
use crate::db::catalog::ProductRow;
use crate::db::search::{ClientHit, ProductHit};
use crate::ids::PatchTestId;
use crate::screening::{Level, Reason, Verdict};
use crate::verdict::{Judgement, SafeItem};

/// Who is looking, for the header and the forms.
pub struct Viewer<'a> {
    /// The signed-in user, or `None` on loopback without users.
    pub user: Option<&'a str>,
    pub csrf: &'a str,
}

/// A whole page around its content.
pub fn layout(title: &str, viewer: Option<&Viewer>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – inkguard" }
                link rel="stylesheet" href="/static/page.css";
                script src="/static/page.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "inkguard" }
                    span.muted { "at the chair" }
                    @if let Some(Viewer { user: Some(user), csrf }) = viewer {
                        form method="post" action="/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            span.muted { "signed in as " (user) " " }
                            button.plain type="submit" { "Sign out" }
                        }
                    }
                }
                main #main { (content) }
            }
        }
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Clear => "v-clear",
        Verdict::Caution => "v-caution",
        Verdict::Blocked => "v-blocked",
    }
}

fn level_class(l: Level) -> &'static str {
    match l {
        Level::Block => "v-blocked",
        Level::Caution => "v-caution",
        Level::Note | Level::Info => "",
    }
}

/// A verdict as a small tag: the word, in its colour.
pub fn tag(v: Verdict) -> Markup {
    html! { span class={"tag " (verdict_class(v))} { (v.as_str().to_uppercase()) } }
}

/// The client search: the form, and its results (also served alone for search as you type).
pub fn home(q: &str, hits: &[ClientHit], notice: Option<&str>) -> Markup {
    html! {
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        h1 { "Find a client" }
        form method="get" action="/" data-live="client-hits" role="search" {
            label for="q" { "Client code or name" }
            input #q type="search" name="q" value=(q) autocomplete="off" autofocus
                placeholder="e.g. C-0042 or Jane";
            button type="submit" { "Search" }
        }
        div #client-hits aria-live="polite" { (client_hits(q, hits)) }
    }
}

pub fn client_hits(q: &str, hits: &[ClientHit]) -> Markup {
    html! {
        @if !q.trim().is_empty() && hits.is_empty() {
            p.muted { "No client matches " strong { (q) } "." }
        }
        ul.hits {
            @for c in hits {
                li { a href={"/client?code=" (enc(&c.code))} {
                    strong { (c.code) } " "
                    @if c.erased { span.muted { "(personal data erased)" } }
                    @else { (c.name.as_deref().unwrap_or("")) }
                    @if let Some(b) = &c.born { " " span.muted { "born " (b) } }
                } }
            }
        }
    }
}

/// What the client page shows.
pub struct ClientPage<'a> {
    pub code: &'a str,
    pub name: Option<&'a str>,
    pub born: Option<&'a str>,
    pub sensitivities: &'a [SensitivityView],
    pub patch_tests: &'a [PatchTestView],
    /// (test, item, what, from when a negative reading counts), for pending items.
    pub due: &'a [(PatchTestId, i64, String, String)],
    pub treatments: &'a [(i64, String, String)],
    pub q: &'a str,
    pub products: &'a [ProductHit],
    pub notice: Option<&'a str>,
}

pub fn client(p: &ClientPage) -> Markup {
    html! {
        @if let Some(n) = p.notice { p.notice role="status" { (n) } }
        h1 { (p.code) " " (p.name.unwrap_or("(personal data erased)")) }
        @if let Some(b) = p.born { p.meta { "born " (b) } }
        h2 { "Find a product" }
        form method="get" action="/client" data-live="product-hits" role="search" {
            input type="hidden" name="code" value=(p.code);
            label for="pq" { "Product name, code, kind or shade" }
            input #pq type="search" name="q" value=(p.q) autocomplete="off" autofocus
                placeholder="e.g. Rose, BK-01, pigment, red";
            button type="submit" { "Search" }
        }
        div #product-hits aria-live="polite" { (product_hits(p.code, p.q, p.products)) }
        p { a href={"/safe-list?client=" (enc(p.code))} { "Safe list: every product CLEAR for " (p.code) } }
        h2 { "Sensitivities" }
        @if p.sensitivities.iter().all(|s| s.retracted) { p { "None known." } }
        ul {
            @for s in p.sensitivities.iter().filter(|s| !s.retracted) {
                li { (sensitivity::line(s).trim()) }
            }
        }
        h2 { "Patch tests" }
        @if p.patch_tests.is_empty() { p { "None." } }
        ul {
            @for t in p.patch_tests {
                li {
                    "Test " (t.id) ", applied " (t.applied_at)
                    @if let Some(s) = &t.site { " (" (s) ")" }
                    ul { @for i in &t.items {
                        li {
                            (i.product.as_deref().or(i.substance.as_deref()).unwrap_or("?"))
                            @if let Some(l) = &i.lot { " lot " (l) }
                            ": " strong { (i.outcome.as_str().to_uppercase()) }
                            @for r in i.readings.iter().filter(|r| !r.superseded) {
                                " · D" (r.day) " " (r.grade)
                            }
                        }
                    } }
                }
            }
        }
        h2 { "Readings due" }
        @if p.due.is_empty() { p { "None: no patch-test item is waiting for a reading." } }
        ul {
            @for (test, item, what, when) in p.due {
                li { "Test " (test) " item " (item) " (" (what) "): next reading " (when) }
            }
        }
        h2 { "Treatments" }
        @if p.treatments.is_empty() { p { "None." } }
        ul { @for (id, at, items) in p.treatments { li { "#" (id) " " (at) ": " (items) } } }
    }
}

pub fn product_hits(client: &str, q: &str, hits: &[ProductHit]) -> Markup {
    html! {
        @if !q.trim().is_empty() && hits.is_empty() {
            p.muted { "No product matches " strong { (q) } "." }
        }
        ul.hits {
            @for h in hits {
                li { a href={"/verdict?client=" (enc(client)) "&product=" (enc(&format!("{}/{}", h.supplier, h.code)))} {
                    strong { (h.name) } " "
                    span.meta {
                        (h.supplier) "/" (h.code) " · " (h.kind.as_str())
                        @if let Some(s) = &h.shade { " · " (s) }
                    }
                } }
            }
        }
    }
}

/// The plain-language sentence of a verdict.
fn verdict_sentence(v: Verdict, client: &str) -> String {
    match v {
        Verdict::Clear => format!("Nothing known about {client} speaks against this product."),
        Verdict::Caution => format!(
            "Be careful: something about {client} and this product needs a decision. Go ahead only with a reason."
        ),
        Verdict::Blocked => format!("Do not use this product on {client}."),
    }
}

/// Why, in the plain lines `check` prints (one per allergen, folded duplicates, no patch-test
/// line under BLOCKED); the chain behind each line folds out under it.
fn reasons(list: &[Reason], verdict: Verdict) -> Markup {
    let lines = crate::verdict::words::lines(list, verdict);
    html! {
        @if !lines.is_empty() {
            h2 { "Why" }
            ul.reasons {
                @for l in &lines {
                    li {
                        span class={"tag " (level_class(l.level))} { (crate::verdict::words::level_word(l.level)) } " " (l.text)
                        @if !l.details.is_empty() {
                            details.meta {
                                summary { "details" }
                                ul { @for d in &l.details { li { (d) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the verdict page shows.
pub struct VerdictPage<'a> {
    pub judgement: &'a Judgement,
    pub product: &'a ProductRow,
    pub product_arg: String,
    pub lots: Vec<String>,
    pub alternatives: &'a [SafeItem],
    pub csrf: &'a str,
    pub error: Option<&'a str>,
}

pub fn verdict(p: &VerdictPage) -> Markup {
    let j = p.judgement;
    let v = j.assessment.verdict;
    let client = &j.client.code;
    let product = p.product;
    html! {
        p { a href={"/client?code=" (enc(client))} { "← " (client) } }
        h1 { (product.name) }
        p.meta {
            (product.supplier) "/" (product.code) " · " (product.kind.as_str())
            @if let Some(s) = &product.shade { " · shade " (s) }
            " · formulation " (j.product.version)
        }
        section class={"verdict " (verdict_class(v))} aria-label="verdict" {
            div.word #verdict-word { (v.as_str().to_uppercase()) }
            p { (verdict_sentence(v, client)) }
        }
        (reasons(&j.assessment.reasons, j.assessment.verdict))
        @if !j.assessment.not_checked.is_empty() {
            h2 { "Not checked" }
            ul { @for n in &j.assessment.not_checked { li { (n) } } }
        }
        @if v != Verdict::Clear {
            h2 { "A CLEAR alternative" }
            p.meta { "Same kind, the same shade first; CLEAR once patch-tested, as the safe list counts." }
            @if p.alternatives.is_empty() {
                p { "No other " (product.kind.as_str()) " of the catalog is CLEAR for " (client) "." }
            }
            ul.hits {
                @for a in p.alternatives {
                    li { a href={"/verdict?client=" (enc(client)) "&product=" (enc(&format!("{}/{}", a.supplier, a.code)))} {
                        (tag(a.verdict)) " " strong { (a.name) } " "
                        span.meta {
                            (a.supplier) "/" (a.code)
                            @if let Some(s) = &a.shade { " · " (s) }
                            " · patch test: " (a.patch_test)
                        }
                    } }
                }
            }
        }
        h2 { "Record a treatment" }
        @if let Some(e) = p.error { p.error role="alert" { (e) } }
        @if v == Verdict::Blocked {
            p #no-record { "A BLOCKED product cannot be recorded for " (client) "; choose another." }
        } @else if p.lots.is_empty() {
            p { "No lot of this product is recorded. Add the batch first: "
                code { "inkguard lot add " (p.product_arg) " LOT" } }
        } @else {
            form method="post" action="/treatment" #record {
                input type="hidden" name="csrf" value=(p.csrf);
                input type="hidden" name="client" value=(client);
                input type="hidden" name="product" value=(p.product_arg);
                label for="lot" { "Lot (batch number)" }
                select #lot name="lot" required {
                    @for l in &p.lots { option value=(l) { (l) } }
                }
                label for="area" { "Area (optional)" }
                input #area type="text" name="area" autocomplete="off";
                @if v == Verdict::Caution {
                    label for="override" { "Your reason for going ahead despite the CAUTION" }
                    textarea #override name="override" rows="3" required {}
                }
                button #record-button type="submit" { "Record treatment" }
            }
        }
    }
}

pub fn safe_list(
    client: &str,
    kind: Option<&str>,
    items: &[SafeItem],
    left_out: (usize, usize),
    out_of_stock: usize,
) -> Markup {
    html! {
        p { a href={"/client?code=" (enc(client))} { "← " (client) } }
        h1 { "Safe list for " (client) }
        p.meta { "Products CLEAR once patch-tested" @if let Some(k) = kind { ", kind " (k) } "; "
            (left_out.0) " CAUTION and " (left_out.1) " BLOCKED left out."
            @if out_of_stock > 0 { " " (out_of_stock) " left out with no lot in stock (every lot expired or recalled)." } }
        form method="get" action="/safe-list" {
            input type="hidden" name="client" value=(client);
            label for="kind" { "Kind" }
            select #kind name="kind" {
                option value="" { "every kind" }
                @for k in ["pigment", "anaesthetic", "aftercare", "other"] {
                    option value=(k) selected[kind == Some(k)] { (k) }
                }
            }
            button type="submit" { "Show" }
        }
        table {
            thead { tr { th { "Product" } th { "Shade" } th.wide { "Kind" } th { "Patch test" } } }
            tbody {
                @for i in items {
                    tr {
                        td { a href={"/verdict?client=" (enc(client)) "&product=" (enc(&format!("{}/{}", i.supplier, i.code)))} { (i.name) }
                             br; span.meta { (i.supplier) "/" (i.code) } }
                        td { (i.shade.as_deref().unwrap_or("")) }
                        td.wide { (i.kind) }
                        td { (i.patch_test) }
                    }
                }
            }
        }
    }
}

pub fn sign_in(csrf: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { "Sign in" }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form method="post" action="/sign-in" {
            input type="hidden" name="csrf" value=(csrf);
            label for="name" { "User" }
            input #name type="text" name="name" autocomplete="username" autofocus required;
            label for="password" { "Password" }
            input #password type="password" name="password" autocomplete="current-password" required;
            button type="submit" { "Sign in" }
        }
    }
}

/// An error for people: what went wrong and what to do.
pub fn problem(message: &str, hints: &[String]) -> Markup {
    html! {
        h1 { "That did not work" }
        p.error role="alert" { (message) }
        @for h in hints { p { (h) } }
        p { a href="/" { "Back to the client search" } }
    }
}

/// A query-string value, percent-encoded.
pub fn enc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The page's stylesheet and script, compiled in.
pub const CSS: &str = include_str!("assets/page.css");
pub const JS: &str = include_str!("assets/page.js");
