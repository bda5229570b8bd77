//! The chair-side page in a real headless Chromium, driven over WebDriver: search a client as
//! you type, open a BLOCKED product (its reason, no record button), open a CLEAR one, record the
//! treatment, and find it with `treatment list`. Writes the README's screenshots of the verdict
//! page at phone and desktop widths to `docs/`.
//!
//! Skips, with a message, where `chromedriver` is not installed (`.ci/run` installs Debian's
//! `chromium` and `chromium-driver`).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

use super::serve::{clinic, Server};

/// Chromium's flags for a container, where it runs as root without a sandbox.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// A running chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(path: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn docs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name)
}

#[test]
fn at_the_chair_a_blocked_product_cannot_be_recorded_and_a_clear_one_is() {
    let Some(chromedriver) = find_on_path("chromedriver") else {
        eprintln!(
            "skipped: chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let w = clinic();
    let server = Server::start(&w);
    let driver = Driver::start(&chromedriver);
    let profile = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let mut options = serde_json::json!({ "args": args });
    if let Some(chromium) = find_on_path("chromium") {
        options["binary"] = serde_json::json!(chromium);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session");
        c.set_window_size(1280, 900).await.unwrap();

        // Find the client as you type (the results come in without pressing Enter).
        c.goto(&server.url("/")).await.unwrap();
        c.find(Locator::Id("q"))
            .await
            .unwrap()
            .send_keys("alex")
            .await
            .unwrap();
        let link = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#client-hits a[href='/client?code=C-1']"))
            .await
            .expect("the client appears while typing");
        assert!(link.text().await.unwrap().contains("Alex Example"));
        link.click().await.unwrap();

        // The client's sensitivities are on the client page.
        let body = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("Nickel"), "{body}");

        // A product by name, with the keyboard: type and press Enter.
        let search = c.find(Locator::Id("pq")).await.unwrap();
        search.send_keys("nickel black\u{E007}").await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::LinkText("Nickel Black Inkworks/NI-1 · pigment"))
            .await
            .ok();
        c.find(Locator::Css("#product-hits a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let word = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("verdict-word"))
            .await
            .unwrap();
        assert_eq!(word.text().await.unwrap(), "BLOCKED");
        let main = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(main.contains("Nickel"), "{main}");
        assert!(main.contains("carries the same allergen as"), "{main}");
        assert!(
            !main.contains("same-hapten"),
            "the jargon stays under details: {main}"
        );
        assert!(main.contains("A CLEAR alternative"), "{main}");
        assert!(c
            .find_all(Locator::Id("record-button"))
            .await
            .unwrap()
            .is_empty());
        c.find(Locator::Id("no-record")).await.unwrap();

        // The README's screenshots of this page.
        std::fs::create_dir_all(docs("")).unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(docs("serve-verdict-desktop.png"), png).unwrap();
        c.set_window_size(390, 844).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(docs("serve-verdict-phone.png"), png).unwrap();
        c.set_window_size(1280, 900).await.unwrap();

        // A CLEAR product: record the treatment.
        c.find(Locator::Css("main p a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("pq"))
            .await
            .unwrap()
            .send_keys("plain black\u{E007}")
            .await
            .unwrap();
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#product-hits a[href*='PL-1']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let word = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("verdict-word"))
            .await
            .unwrap();
        assert_eq!(word.text().await.unwrap(), "CLEAR");
        c.find(Locator::Id("lot"))
            .await
            .unwrap()
            .select_by_value("PL1-L1")
            .await
            .unwrap();
        c.find(Locator::Id("area"))
            .await
            .unwrap()
            .send_keys("left forearm")
            .await
            .unwrap();
        c.find(Locator::Id("record-button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let notice = match c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("p.notice"))
            .await
        {
            Ok(n) => n,
            Err(e) => panic!("no notice ({e}): {}", c.source().await.unwrap_or_default()),
        };
        assert!(notice
            .text()
            .await
            .unwrap()
            .contains("Recorded treatment #1"));
        c.close().await.unwrap();
    });
    w.run(&["treatment", "list", "C-1"])
        .ok()
        .stdout_has("Inkworks/PL-1 lot PL1-L1")
        .stdout_has("left forearm");
}
