//! `inkguard serve` over HTTP: the binary on a free loopback port, spoken to with plain
//! HTTP/1.1 requests. The page must agree with `check`, refuse forged posts without writing,
//! escape what it shows, and keep personal data behind loopback or a sign-in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::Work;

/// A running `inkguard serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
}

impl Server {
    /// Starts `serve --listen 127.0.0.1:0` on the work folder's database and reads the URL it
    /// prints.
    pub fn start(w: &Work) -> Server {
        let mut child = w
            .command(&["serve", "--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("inkguard serve starts");
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        http(&self.addr, "GET", path, headers, "")
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        http(&self.addr, "POST", path, &all, &body.join("&"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reply: status, raw header block (lower-cased names), body.
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The value of the page's hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body))
            + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One HTTP/1.1 request on its own connection. A `Host` header is added unless given.
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = TcpStream::connect(addr).expect("the server accepts");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, mut body) = text
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or((text.clone(), String::new()));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers: head,
        body,
    }
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        text = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A clinic where client C-1 has a confirmed nickel allergy: NI-1 (nickel impurity) is BLOCKED,
/// PL-1 (plain black) CLEAR, and no patch test is required.
pub fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex Example"])
        .ok();
    w.add_sensitivity("C-1", "nickel sulphate", "patch-test");
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w
}

fn check_codes(w: &Work, product: &str) -> (String, Vec<String>) {
    let doc = w.run(&["check", "C-1", product, "--format", "json"]).json();
    let codes = crate::support::reason_codes(&doc);
    (doc["verdict"].as_str().unwrap().to_uppercase(), codes)
}

#[test]
fn the_verdict_page_says_what_check_says_for_a_blocked_and_a_clear_product() {
    let w = clinic();
    let server = Server::start(&w);
    for (product, expected) in [("NI-1", "BLOCKED"), ("PL-1", "CLEAR")] {
        let (verdict, codes) = check_codes(&w, product);
        assert_eq!(verdict, expected);
        let page = server.get(&format!("/verdict?client=C-1&product={product}"), &[]);
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains(&format!("id=\"verdict-word\">{verdict}<")),
            "{product}: {}",
            page.body
        );
        // Every line `check` prints under its headline for the reasons, in the same words.
        let said = w.run_env(&["check", "C-1", product], &[("NO_COLOR", "1")]);
        let lines: Vec<&str> = said
            .stdout
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("Next step"))
            .filter_map(|l| l.trim().split_once(' '))
            .filter(|(word, _)| ["BLOCK", "CAUTION", "NOTE", "INFO"].contains(word))
            .map(|(_, text)| text.trim())
            .collect();
        assert_eq!(lines.is_empty(), codes.is_empty(), "{}", said.stdout);
        for line in lines {
            let html = line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            assert!(page.body.contains(&html), "{line:?} missing: {}", page.body);
        }
        // A BLOCKED product has no record button; a CLEAR one has.
        assert_eq!(
            page.body.contains("id=\"record-button\""),
            expected == "CLEAR",
            "{product}"
        );
    }
    // The BLOCKED page offers a CLEAR pigment instead.
    let page = server.get("/verdict?client=C-1&product=NI-1", &[]);
    // Regression: under `no-referrer` Chromium sent `Origin: null` with the page's own posts.
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("same-origin")
    );
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    assert!(page.body.contains("A CLEAR alternative"));
    assert!(page.body.contains("Inkworks%2FPL-1"), "{}", page.body);
}

#[test]
fn a_post_with_a_wrong_origin_or_token_is_forbidden_and_writes_nothing() {
    let w = clinic();
    let server = Server::start(&w);
    let token = server.get("/verdict?client=C-1&product=PL-1", &[]).csrf();
    let form = |csrf: &'static str| {
        vec![
            ("client", "C-1"),
            ("product", "Inkworks/PL-1"),
            ("lot", "PL1-L1"),
            ("csrf", csrf),
        ]
    };
    let (treatments, events) = (w.count("treatments"), w.count("audit_events"));
    let leaked: &'static str = Box::leak(token.clone().into_boxed_str());
    let evil = [("Origin", "http://evil.example")];
    let cross = [("Sec-Fetch-Site", "cross-site")];
    for (headers, csrf) in [
        (&evil[..], leaked),
        (&cross[..], leaked),
        (&[][..], "wrong"),
        (&[][..], ""),
    ] {
        let reply = server.post("/treatment", headers, &form(csrf));
        assert_eq!(reply.status, 403, "{headers:?} {csrf}: {}", reply.body);
        assert!(reply.body.contains("Nothing was changed"));
    }
    assert_eq!(w.count("treatments"), treatments);
    assert_eq!(w.count("audit_events"), events);
    // The same form from the page itself is recorded, and audited as the loopback user.
    let origin = server.url("");
    let reply = server.post("/treatment", &[("Origin", &origin)], &form(leaked));
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(w.count("treatments"), treatments + 1);
    w.run(&["treatment", "list", "C-1"])
        .ok()
        .stdout_has("PL1-L1");
    let log = w.run(&["audit", "log", "--format", "json"]).ok().json();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["command"], "treatment record");
    assert_eq!(last["actor"], "test-technician");
}

#[test]
fn a_blocked_product_posted_anyway_is_refused_and_nothing_is_written() {
    let w = clinic();
    let server = Server::start(&w);
    let token = server.get("/verdict?client=C-1&product=PL-1", &[]).csrf();
    let before = w.count("treatments");
    let reply = server.post(
        "/treatment",
        &[],
        &[
            ("client", "C-1"),
            ("product", "Inkworks/NI-1"),
            ("lot", "NI-L1"),
            ("override", "the client insists"),
            ("csrf", &token),
        ],
    );
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert!(reply.body.contains("BLOCKED"));
    assert!(!reply.body.contains("id=\"record-button\""));
    assert_eq!(w.count("treatments"), before);
}

#[test]
fn a_caution_is_recorded_only_with_a_typed_reason() {
    let w = clinic();
    // Without the rule's exemption, an untested PL-1 is CAUTION (no-patch-test).
    w.run(&["policy", "set", "require-patch-test", "true"]).ok();
    let server = Server::start(&w);
    let page = server.get("/verdict?client=C-1&product=PL-1", &[]);
    assert!(page.body.contains("id=\"verdict-word\">CAUTION<"));
    assert!(page.body.contains("name=\"override\""));
    let token = page.csrf();
    let mut form = vec![
        ("client", "C-1"),
        ("product", "Inkworks/PL-1"),
        ("lot", "PL1-L1"),
        ("csrf", token.as_str()),
    ];
    let reply = server.post("/treatment", &[], &form);
    assert_eq!(reply.status, 409);
    assert_eq!(w.count("treatments"), 0);
    form.push(("override", "patch test done elsewhere, letter on file"));
    let reply = server.post("/treatment", &[], &form);
    assert_eq!(reply.status, 303, "{}", reply.body);
    w.run(&["treatment", "list", "C-1"])
        .ok()
        .stdout_has("letter on file");
}

#[test]
fn names_on_the_page_are_escaped() {
    let w = clinic();
    let file = w.path("evil.csv");
    std::fs::write(
        &file,
        "code,name,ingredient,cas,lot,expiry\nEV-1,<script>alert('x')</script>,Carbon Black,1333-86-4,EV-L1,2027-12-31\n",
    )
    .unwrap();
    w.import_path(&file, "Evil", &[]);
    w.run(&["client", "add", "C-2", "--name", "<b>Bold</b> & Co"])
        .ok();
    let server = Server::start(&w);
    let page = server.get("/verdict?client=C-1&product=EV-1", &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(!page.body.contains("<script>alert"));
    let search = server.get("/client?code=C-1&q=script&partial=1", &[]);
    assert!(search.body.contains("&lt;script&gt;"), "{}", search.body);
    assert!(!search.body.contains("<script>"));
    let clients = server.get("/?q=bold", &[]);
    assert!(clients.body.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; Co"));
}

#[test]
fn listening_beyond_loopback_without_users_is_refused() {
    let w = clinic();
    w.run(&["serve", "--listen", "0.0.0.0:0"])
        .code(1)
        .stderr_has("not a loopback address")
        .stderr_has("hint: add a user first: inkguard user add NAME");
}

#[test]
fn a_request_naming_another_host_is_refused_on_loopback() {
    let w = clinic();
    let server = Server::start(&w);
    let reply = server.get("/?q=alex", &[("Host", "rebound.example:8470")]);
    assert_eq!(reply.status, 403);
    assert!(!reply.body.contains("Alex"));
    let reply = server.get("/?q=alex", &[]);
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Alex Example"));
}

#[test]
fn with_a_user_everyone_signs_in_and_writes_are_audited_under_that_user() {
    let w = clinic();
    let mut add = w.command(&["user", "add", "anna", "--password-stdin"]);
    add.stdin(Stdio::piped()).stdout(Stdio::null());
    let mut child = add.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"long enough secret\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    w.run(&["user", "list"]).ok().stdout_has("anna");
    let server = Server::start(&w);
    // No session: to the sign-in, and no personal data.
    let reply = server.get("/?q=alex", &[]);
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location").as_deref(), Some("/sign-in"));
    let sign_in = server.get("/sign-in", &[]);
    let token = sign_in.csrf();
    let wrong = server.post(
        "/sign-in",
        &[],
        &[
            ("name", "anna"),
            ("password", "wrong guess"),
            ("csrf", &token),
        ],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("set-cookie").is_none());
    let ok = server.post(
        "/sign-in",
        &[],
        &[
            ("name", "anna"),
            ("password", "long enough secret"),
            ("csrf", &token),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    let cookie = ok.header("set-cookie").unwrap();
    for part in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let cookie = cookie.split(';').next().unwrap().to_string();
    let page = server.get("/verdict?client=C-1&product=PL-1", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("signed in as anna"));
    let session_token = page.csrf();
    // The token shown before the sign-in does not do for a write.
    let form = |csrf: &str| {
        vec![
            ("client".to_string(), "C-1".to_string()),
            ("product".to_string(), "Inkworks/PL-1".to_string()),
            ("lot".to_string(), "PL1-L1".to_string()),
            ("csrf".to_string(), csrf.to_string()),
        ]
    };
    let as_refs = |f: &Vec<(String, String)>| -> Vec<(String, String)> { f.clone() };
    let stale = as_refs(&form(&token));
    let stale: Vec<(&str, &str)> = stale
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let reply = server.post("/treatment", &[("Cookie", &cookie)], &stale);
    assert_eq!(reply.status, 403);
    let good = form(&session_token);
    let good: Vec<(&str, &str)> = good.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let reply = server.post("/treatment", &[("Cookie", &cookie)], &good);
    assert_eq!(reply.status, 303, "{}", reply.body);
    let log = w.run(&["audit", "log", "--format", "json"]).ok().json();
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["command"], "treatment record");
    assert_eq!(last["actor"], "anna");
    // Without the cookie, a write is refused.
    let reply = server.post("/treatment", &[], &good);
    assert_eq!(reply.status, 403);
    assert_eq!(w.count("treatments"), 1);
}

/// The client page shows the readings due by the same schedule as `patch-test due` (policy
/// `reading-days`): applied on 21 November, read at D2, the next reading is D4, 25 November.
#[test]
fn the_client_page_shows_the_next_reading_by_the_schedule_of_patch_test_due() {
    let w = clinic();
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--substance",
        "nickel",
        "--at",
        "2026-11-21T10:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--grade=-",
        "--at",
        "2026-11-23T10:00",
    ])
    .ok();
    let server = Server::start(&w);
    let page = server.get("/client?code=C-1", &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("next reading D4, 2026-11-25"),
        "{}",
        page.body
    );
    w.run(&["patch-test", "due", "--on", "2026-11-25"])
        .ok()
        .stdout_has("D4 reading");
}
