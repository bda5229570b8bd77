//! `check`, `safe-list` and `screen`: the verdict engine applied to the database.

use std::fmt::Write as _;

use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::output::{Output, Table};
use crate::screening::{Reason, Verdict};
use crate::verdict;

use super::verdict_text::{self, Style};
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

/// How many CLEAR alternatives `check` names: a few to read out, the safe list has the rest.
const ALTERNATIVES: usize = 3;

pub fn check(
    db: &Db,
    out: &Output,
    client: &str,
    product: &str,
    lot: Option<&str>,
    details: bool,
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
    let human = if out.format == crate::cli::Format::Json {
        String::new()
    } else {
        // A safe list of the product's kind costs what `safe-list` costs: only when the next
        // step is an alternative (not for "patch-test it first", the usual CAUTION).
        let next = verdict::words::next(&verdict::words::lines(&a.reasons, a.verdict), a.verdict);
        let alternatives = if next != verdict::words::Next::Alternative {
            Vec::new()
        } else {
            verdict::alternatives(&db.conn, db.now, &j.client.code, &j.row, ALTERNATIVES)?
        };
        verdict_text::check_text(&j, &alternatives, &Style::detect(details))
    };
    out.document(&doc, &human)?;
    Ok(a.verdict.exit_code())
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
            // Borrowed cells: the list may hold 60,000 products.
            let rows: Vec<Vec<&str>> = items
                .iter()
                .map(|i| {
                    vec![
                        match i.verdict {
                            Verdict::Clear => "CLEAR",
                            Verdict::Caution => "CAUTION",
                            Verdict::Blocked => "BLOCKED",
                        },
                        i.supplier.as_str(),
                        i.code.as_str(),
                        i.name.as_str(),
                        i.shade.as_deref().unwrap_or("-"),
                        i.kind,
                        i.patch_test.as_str(),
                        i.stock.as_str(),
                    ]
                })
                .collect();
            if items.is_empty() {
                t.push_str("  none\n");
            } else {
                t.push_str(&crate::output::render_rows(
                    &[
                        "verdict",
                        "supplier",
                        "code",
                        "name",
                        "shade",
                        "kind",
                        "patch test",
                        "stock",
                    ],
                    &rows,
                ));
                t.push('\n');
            }
            for i in items.iter().filter(|i| i.verdict == Verdict::Caution) {
                let _ = writeln!(t, "{}/{} {}:", i.supplier, i.code, i.name);
                for l in verdict::words::lines(&i.reasons, i.verdict) {
                    let _ = writeln!(t, "  {:<8}{}", verdict::words::level_word(l.level), l.text);
                }
            }
            left_out_text(&mut t, &client.code, &list.left, include_caution);
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

/// How many left-out products the closing line names before it counts the rest.
const LEFT_OUT_NAMED: usize = 12;

/// The closing line of a safe list: what it left out and why, `2 left out: FW-101 (nickel),
/// SS-03 (every lot recalled)`.
fn left_out_text(t: &mut String, client: &str, left: &[verdict::LeftOut], include_caution: bool) {
    if left.is_empty() {
        return;
    }
    let named: Vec<String> = left
        .iter()
        .take(LEFT_OUT_NAMED)
        .map(|l| format!("{} ({})", l.code, l.why))
        .collect();
    let more = left.len().saturating_sub(LEFT_OUT_NAMED);
    let mut line = format!("{} left out: {}", left.len(), named.join(", "));
    if more > 0 {
        let _ = write!(line, " and {more} more");
    }
    let cautions = left
        .iter()
        .filter(|l| l.verdict == Some(Verdict::Caution))
        .count();
    if cautions > 0 && !include_caution {
        let _ = write!(
            line,
            "; {cautions} of them CAUTION, see them with: inkguard safe-list {} --include-caution",
            crate::error::shell_quote(client)
        );
    }
    let _ = writeln!(t, "{line}");
}

pub fn screen(db: &Db, out: &Output, product: &str, details: bool) -> Result<Exit> {
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
            let style = Style::detect(details);
            for i in items {
                let _ = writeln!(
                    t,
                    "{} {}",
                    verdict_text::paint_verdict(i.verdict, &style),
                    i.client
                );
                verdict_text::reason_lines(&mut t, &i.reasons, i.verdict, &style, 2);
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
