//! `check`, `safe-list` and `screen`: the verdict engine applied to the database.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::IsTerminal;

use serde::Serialize;

use crate::db::catalog as cat;
use crate::db::clinical::{self, ClientRef};
use crate::db::{facts, Db};
use crate::error::Result;
use crate::output::{Output, Table};
use crate::screening::{
    self, assess, Assessment, ItemTarget, Options, Outcome, ProductFacts, Reason, Verdict,
};

use super::Exit;

#[derive(Serialize)]
struct ProductRef {
    supplier: String,
    code: String,
    name: String,
    formulation: i64,
    lot: Option<String>,
}

#[derive(Serialize)]
struct CheckDoc<'a> {
    client: &'a str,
    product: ProductRef,
    verdict: Verdict,
    reasons: &'a [Reason],
    not_checked: &'a [String],
}

pub fn check(
    db: &Db,
    out: &Output,
    client: &str,
    product: &str,
    lot: Option<&str>,
) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let product = cat::resolve_product(&db.conn, product)?;
    let facts = facts::load_product(&db.conn, &product, lot)?;
    let mut world = facts::load_world(&db.conn, db.now)?;
    let client_facts = facts::load_client(&db.conn, &client, &mut world)?;
    let mut a = assess(&client_facts, &facts, &world, Options::default());
    facts::fill_numbers(&db.conn, &mut a.reasons)?;
    let doc = CheckDoc {
        client: &client.code,
        product: ProductRef {
            supplier: facts.supplier.clone(),
            code: facts.code.clone(),
            name: facts.name.clone(),
            formulation: facts.version,
            lot: facts.lot.as_ref().map(|l| l.lot.clone()),
        },
        verdict: a.verdict,
        reasons: &a.reasons,
        not_checked: &a.not_checked,
    };
    out.document(&doc, &human(&client, &facts, &a))?;
    Ok(a.verdict.exit_code())
}

/// Colour for the verdict word: only on a terminal, never with `NO_COLOR`.
fn paint(verdict: Verdict) -> String {
    let word = verdict.as_str().to_uppercase();
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if !colour {
        return word;
    }
    let code = match verdict {
        Verdict::Clear => "32",
        Verdict::Caution => "33",
        Verdict::Blocked => "1;31",
    };
    format!("\x1b[{code}m{word}\x1b[0m")
}

/// The verdict for a technician to read aloud: the verdict, then every reason, most severe first.
fn human(client: &ClientRef, p: &ProductFacts, a: &Assessment) -> String {
    let mut t = String::new();
    let lot = p
        .lot
        .as_ref()
        .map_or(String::new(), |l| format!(", lot {}", l.lot));
    let _ = writeln!(
        t,
        "{} for client {}: {}, formulation {}{lot}",
        paint(a.verdict),
        client.code,
        p.label(),
        p.version
    );
    reasons_text(&mut t, &a.reasons, "  ");
    if a.reasons.is_empty() {
        let _ = writeln!(
            t,
            "  no known match between the {} declared ingredients and the client's sensitivities and tests",
            p.ingredients.len()
        );
    }
    for n in &a.not_checked {
        let _ = writeln!(t, "  not checked: {n}");
    }
    t
}

fn reasons_text(t: &mut String, reasons: &[Reason], indent: &str) {
    for r in reasons {
        let _ = writeln!(
            t,
            "{indent}{:<8} {}: {}",
            r.level.as_str().to_uppercase(),
            r.code,
            r.message
        );
    }
}

#[derive(Serialize)]
struct SafeItem {
    supplier: String,
    code: String,
    name: String,
    verdict: Verdict,
    patch_test: String,
    reasons: Vec<Reason>,
}

/// The patch-test status of a formulation for a client, most telling first.
fn patch_test_status(outcomes: &[screening::ItemOutcome], formulation: i64) -> String {
    let mut best: Option<(u8, String)> = None;
    for o in outcomes {
        let ItemTarget::Formulation { id, .. } = &o.item.target else {
            continue;
        };
        if *id != formulation {
            continue;
        }
        let date = o
            .deciding
            .map(|r| screening::date_of(&r.at))
            .unwrap_or_else(|| screening::date_of(&o.test.applied_at));
        let (rank, text) = match o.outcome {
            Outcome::Positive => (6, format!("positive ({date})")),
            Outcome::Doubtful => (5, format!("doubtful ({date})")),
            Outcome::Irritant => (4, format!("irritant ({date})")),
            Outcome::Pending => (
                3,
                format!(
                    "pending (applied {})",
                    screening::date_of(&o.test.applied_at)
                ),
            ),
            Outcome::Negative if o.current => (2, format!("negative ({date})")),
            Outcome::Negative => (1, format!("negative, too old ({date})")),
        };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, text));
        }
    }
    best.map_or_else(|| "none".to_string(), |(_, t)| t)
}

pub fn safe_list(
    db: &Db,
    out: &Output,
    client: &str,
    supplier: Option<&str>,
    kind: Option<&str>,
    include_caution: bool,
) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let supplier = supplier
        .map(|s| super::product::resolve_supplier(db, s))
        .transpose()?;
    let kind = kind.map(super::product::parse_kind).transpose()?;
    let mut world = facts::load_world(&db.conn, db.now)?;
    let client_facts = facts::load_client(&db.conn, &client, &mut world)?;
    let outcomes = screening::outcomes(&client_facts, &world);
    let options = Options {
        ignore_missing_patch_test: true,
    };
    // Only formulations the engine says may get a reason are judged in full (read with their
    // ingredients); every other product is CLEAR without reasons (`relevance`, property-tested).
    let relevant = screening::relevance(&client_facts, &world, &outcomes);
    let mut marked: HashSet<i64> = relevant.substances.iter().copied().collect();
    if relevant.unverified_matter {
        marked.extend(facts::unverified_substances(&db.conn)?);
    }
    let mut candidates = facts::formulations_holding(&db.conn, &marked)?;
    candidates.extend(relevant.formulations.iter().copied());
    let mut items = Vec::new();
    for entry in facts::current_formulations(&db.conn, supplier, kind)? {
        let (verdict, reasons) = if candidates.contains(&entry.formulation_id) {
            let mut a = assess(&client_facts, &entry.facts(&db.conn)?, &world, options);
            facts::fill_numbers(&db.conn, &mut a.reasons)?;
            (a.verdict, a.reasons)
        } else {
            (Verdict::Clear, Vec::new())
        };
        if !(verdict == Verdict::Clear || include_caution && verdict == Verdict::Caution) {
            continue;
        }
        items.push(SafeItem {
            patch_test: patch_test_status(&outcomes, entry.formulation_id),
            supplier: entry.supplier,
            code: entry.code,
            name: entry.name,
            verdict,
            reasons,
        });
    }
    match out.format {
        crate::cli::Format::Table => {
            let mut t = format!(
                "products that would be CLEAR for {} once patch-tested{}:\n",
                client.code,
                if include_caution {
                    " (and CAUTION ones)"
                } else {
                    ""
                }
            );
            let mut table = Table::new(&["verdict", "supplier", "code", "name", "patch test"]);
            for i in &items {
                table.row(vec![
                    i.verdict.as_str().to_uppercase(),
                    i.supplier.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    i.patch_test.clone(),
                ]);
            }
            if items.is_empty() {
                t.push_str("  none\n");
            } else {
                t.push_str(&crate::output::render_table(&table));
                t.push('\n');
            }
            for i in items.iter().filter(|i| i.verdict == Verdict::Caution) {
                let _ = writeln!(t, "{}/{} {}:", i.supplier, i.code, i.name);
                reasons_text(&mut t, &i.reasons, "  ");
            }
            out.text(&t)?;
        }
        _ => {
            let mut table = Table::new(&[
                "supplier",
                "code",
                "name",
                "verdict",
                "patch_test",
                "reasons",
            ]);
            for i in &items {
                let codes: Vec<&str> = i.reasons.iter().map(|r| r.code).collect();
                table.row(vec![
                    i.supplier.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    i.verdict.as_str().into(),
                    i.patch_test.clone(),
                    codes.join(" "),
                ]);
            }
            out.records(&items, &table)?;
        }
    }
    Ok(0)
}

#[derive(Serialize)]
struct ScreenItem {
    client: String,
    verdict: Verdict,
    reasons: Vec<Reason>,
}

pub fn screen(db: &Db, out: &Output, product: &str) -> Result<Exit> {
    let product = cat::resolve_product(&db.conn, product)?;
    let facts = facts::load_product(&db.conn, &product, None)?;
    let world_base = facts::load_world(&db.conn, db.now)?;
    let clients: Vec<ClientRef> = db
        .conn
        .prepare("SELECT id, code FROM clients ORDER BY code")?
        .query_map([], |r| {
            Ok(ClientRef {
                id: r.get(0)?,
                code: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let options = Options {
        ignore_missing_patch_test: true,
    };
    let mut items = Vec::new();
    for client in &clients {
        let mut world = world_base.clone();
        let client_facts = facts::load_client(&db.conn, client, &mut world)?;
        let mut a = assess(&client_facts, &facts, &world, options);
        if a.verdict != Verdict::Clear {
            facts::fill_numbers(&db.conn, &mut a.reasons)?;
            items.push(ScreenItem {
                client: client.code.clone(),
                verdict: a.verdict,
                reasons: a.reasons,
            });
        }
    }
    items.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| a.client.cmp(&b.client))
    });
    match out.format {
        crate::cli::Format::Table => {
            let mut t = format!(
                "{}, formulation {}: {} of {} clients BLOCKED or CAUTION\n",
                facts.label(),
                facts.version,
                items.len(),
                clients.len()
            );
            for i in &items {
                let _ = writeln!(t, "{} {}", paint(i.verdict), i.client);
                reasons_text(&mut t, &i.reasons, "  ");
            }
            out.text(&t)?;
        }
        _ => {
            let mut table = Table::new(&["client", "verdict", "reasons"]);
            for i in &items {
                let codes: Vec<&str> = i.reasons.iter().map(|r| r.code).collect();
                table.row(vec![
                    i.client.clone(),
                    i.verdict.as_str().into(),
                    codes.join(" "),
                ]);
            }
            out.records(&items, &table)?;
        }
    }
    Ok(0)
}
