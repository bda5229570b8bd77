//! `check`, `safe-list` and `screen`: the verdict engine applied to the database.

use std::fmt::Write as _;
use std::io::IsTerminal;

use serde::Serialize;

use crate::db::clinical::ClientRef;
use crate::db::Db;
use crate::error::Result;
use crate::output::{Output, Table};
use crate::screening::{Assessment, ProductFacts, Reason, Verdict};
use crate::verdict;

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
    let j = verdict::check(&db.conn, db.now, client, product, lot)?;
    let (p, a) = (&j.product, &j.assessment);
    let doc = CheckDoc {
        client: &j.client.code,
        product: ProductRef {
            supplier: p.supplier.clone(),
            code: p.code.clone(),
            name: p.name.clone(),
            formulation: p.version,
            lot: p.lot.as_ref().map(|l| l.lot.clone()),
        },
        verdict: a.verdict,
        reasons: &a.reasons,
        not_checked: &a.not_checked,
    };
    out.document(&doc, &human(&j.client, p, a))?;
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

pub fn safe_list(
    db: &Db,
    out: &Output,
    client: &str,
    supplier: Option<&str>,
    kind: Option<&str>,
    include_caution: bool,
) -> Result<Exit> {
    let filter = verdict::SafeListFilter {
        supplier: supplier
            .map(|s| super::product::resolve_supplier(db, s))
            .transpose()?,
        kind: kind.map(super::product::parse_kind).transpose()?,
        include_caution,
    };
    let list = verdict::safe_list(&db.conn, db.now, client, filter)?;
    let (client, items) = (&list.client, &list.items);
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
            let mut table = Table::new(&[
                "verdict",
                "supplier",
                "code",
                "name",
                "shade",
                "kind",
                "patch test",
            ]);
            for i in items {
                table.row(vec![
                    i.verdict.as_str().to_uppercase(),
                    i.supplier.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    crate::output::opt(i.shade.as_ref()),
                    i.kind.into(),
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
            let (caution, blocked) = list.left_out;
            if caution + blocked > 0 {
                let _ = writeln!(
                    t,
                    "left out: {caution} CAUTION{}, {blocked} BLOCKED",
                    if include_caution || caution == 0 {
                        ""
                    } else {
                        " (see them with --include-caution)"
                    }
                );
            }
            out.text(&t)?;
        }
        _ => {
            let mut table = Table::new(&[
                "supplier",
                "code",
                "name",
                "shade",
                "kind",
                "verdict",
                "patch_test",
                "reasons",
            ]);
            for i in items {
                let codes: Vec<&str> = i.reasons.iter().map(|r| r.code).collect();
                table.row(vec![
                    i.supplier.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    i.shade.clone().unwrap_or_default(),
                    i.kind.into(),
                    i.verdict.as_str().into(),
                    i.patch_test.clone(),
                    codes.join(" "),
                ]);
            }
            out.records(items, &table)?;
        }
    }
    Ok(0)
}

pub fn screen(db: &Db, out: &Output, product: &str) -> Result<Exit> {
    let screen = verdict::screen(&db.conn, db.now, product)?;
    let (facts, items) = (&screen.product, &screen.items);
    match out.format {
        crate::cli::Format::Table => {
            let mut t = format!(
                "{}, formulation {}: {} of {} clients BLOCKED or CAUTION\n",
                facts.label(),
                facts.version,
                items.len(),
                screen.clients
            );
            for i in items {
                let _ = writeln!(t, "{} {}", paint(i.verdict), i.client);
                reasons_text(&mut t, &i.reasons, "  ");
            }
            out.text(&t)?;
        }
        _ => {
            let mut table = Table::new(&["client", "verdict", "reasons"]);
            for i in items {
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
