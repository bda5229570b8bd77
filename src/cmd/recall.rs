//! `recall import|list|show|confirm`: alerts in, the lots flagged, the lots to confirm and the
//! clients to call out (a table, the whole report as JSON, or the clients as CSV for calling).

use std::fmt::Write as _;

use crate::cli::{Format, RecallCommand};
use crate::db::recalls as store;
use crate::db::Db;
use crate::error::Result;
use crate::output::{opt, Output, Table};
use crate::recall::import::{self, Input};
use crate::recall::{clients_to_call, describe, trace_command, AlertReport, ClientToCall};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: RecallCommand) -> Result<Exit> {
    match command {
        RecallCommand::Import { file, encoding } => {
            let input = if crate::files::is_stdin(&file) {
                Input::Stdin
            } else {
                Input::File(file)
            };
            let encoding = encoding
                .as_deref()
                .map(crate::import::parse_encoding)
                .transpose()?;
            let (report, outcome) = import::run(db, &input, encoding)?;
            let mut text = String::new();
            let _ = writeln!(
                text,
                "{}: {} alert{} read{}",
                report.file,
                report.alerts.len(),
                if report.alerts.len() == 1 { "" } else { "s" },
                if outcome.is_err() {
                    ", nothing was written"
                } else {
                    ""
                }
            );
            for a in &report.alerts {
                alert_text(&mut text, a);
            }
            if !report.warnings.is_empty() {
                let _ = writeln!(text, "warnings:");
                for w in &report.warnings {
                    let _ = writeln!(text, "  {w}");
                }
            }
            if !report.rejected.is_empty() {
                let _ = writeln!(text, "invalid alerts:");
                for r in &report.rejected {
                    let _ = writeln!(text, "  line {}: {}", r.line, r.reason);
                }
            }
            if outcome.is_ok() && !report.changed {
                let _ = writeln!(
                    text,
                    "nothing changed: every alert was imported before and the catalog holds no new lot it names"
                );
            }
            if outcome.is_err() {
                // The report explains the error: on stderr, so that stdout stays empty.
                super::note(text.trim_end());
                return outcome.map(|()| 0);
            }
            print(db, out, &report, &report.clients, text)?;
            Ok(0)
        }
        RecallCommand::List => {
            let alerts = store::list(&db.conn)?;
            let mut table = Table::new(&[
                "alert",
                "version",
                "brand",
                "name",
                "batch",
                "imported",
                "flagged",
                "to confirm",
            ]);
            let mut reports = Vec::new();
            for a in &alerts {
                let r = describe(&db.conn, a, "stored", &[])?;
                table.row(vec![
                    a.alert.clone(),
                    a.version.to_string(),
                    opt(a.brand.as_ref()),
                    opt(a.name.as_ref().or(a.product.as_ref())),
                    a.batch_text.clone(),
                    out.time(&a.imported_at, db.zone),
                    r.matched.len().to_string(),
                    r.ambiguous.len().to_string(),
                ]);
                reports.push(r);
            }
            out.records(&reports, &table)?;
            Ok(0)
        }
        RecallCommand::Show { alert } => {
            let stored = import::find_alert(&db.conn, &alert)?;
            let report = describe(&db.conn, &stored, "stored", &[])?;
            let alerts = [report];
            let clients = clients_to_call(&db.conn, &alerts)?;
            let mut text = String::new();
            alert_text(&mut text, &alerts[0]);
            let document = serde_json::json!({"alert": &alerts[0], "clients": &clients});
            print(db, out, &document, &clients, text)?;
            Ok(0)
        }
        RecallCommand::Confirm {
            alert,
            product,
            lot,
        } => {
            let c = import::confirm(db, &alert, &product, &lot)?;
            let mut text = if c.flagged {
                format!(
                    "flagged lot {} of {}/{} ({}) for alert {}: it is now BLOCKED for every client\n",
                    c.lot, c.supplier, c.code, c.product, c.alert
                )
            } else {
                format!(
                    "lot {} of {}/{} was already flagged for alert {}: nothing changed\n",
                    c.lot, c.supplier, c.code, c.alert
                )
            };
            let _ = writeln!(
                text,
                "see its clients any time with: {}",
                trace_command(&c.supplier, &c.code, &c.lot)
            );
            print(db, out, &c, &c.clients, text)?;
            Ok(0)
        }
    }
}

/// The report of one alert, for people.
fn alert_text(t: &mut String, a: &AlertReport) {
    let what: Vec<&str> = [&a.brand, &a.name, &a.product]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let _ = writeln!(
        t,
        "\nalert {} ({}{}): {}",
        a.alert,
        a.status,
        if a.version > 1 {
            format!(", version {}", a.version)
        } else {
            String::new()
        },
        what.join(" / ")
    );
    let _ = writeln!(t, "  batch text: {}", a.batch_text);
    let _ = writeln!(
        t,
        "  lots read: {}",
        if a.lots.is_empty() {
            "none".to_string()
        } else {
            a.lots.join(", ")
        }
    );
    let mark = |new: bool| if new { "  (new)" } else { "" };
    if !a.matched.is_empty() {
        let _ = writeln!(t, "  flagged, now BLOCKED for every client:");
        for l in &a.matched {
            let _ = writeln!(
                t,
                "    {}/{} ({}) lot {}{}{}",
                l.supplier,
                l.code,
                l.product,
                l.lot,
                l.alert_lot.as_ref().map_or_else(
                    || " [confirmed]".to_string(),
                    |al| format!(" [alert: {al}]")
                ),
                mark(l.new)
            );
        }
    }
    if !a.ambiguous.is_empty() {
        let _ = writeln!(t, "  to confirm (NOT flagged until a person confirms):");
        for l in &a.ambiguous {
            let _ = writeln!(
                t,
                "    {}/{} ({}) lot {}{}: {}",
                l.supplier,
                l.code,
                l.product,
                l.lot,
                mark(l.new),
                opt(l.reason.as_ref())
            );
            if let Some(c) = &l.confirm {
                let _ = writeln!(t, "      {c}");
            }
        }
    }
    if !a.unmatched.is_empty() {
        let _ = writeln!(
            t,
            "  matched no lot of a fitting product (check by hand): {}",
            a.unmatched.join(", ")
        );
    }
}

/// Prints a report: JSON as the document, CSV as the clients to call (the text on stderr), a
/// table as the text and the clients.
fn print<T: serde::Serialize + ?Sized>(
    db: &Db,
    out: &Output,
    document: &T,
    clients: &[ClientToCall],
    text: String,
) -> Result<()> {
    let mut table = Table::new(&[
        "client", "name", "phone", "email", "treated", "area", "product", "lot", "alert",
    ]);
    for c in clients {
        table.row(vec![
            c.client.clone(),
            if c.erased {
                "(erased)".to_string()
            } else {
                opt(c.name.as_ref())
            },
            opt(c.phone.as_ref()),
            opt(c.email.as_ref()),
            out.time(&c.at, db.zone),
            opt(c.area.as_ref()),
            format!("{}/{}", c.supplier, c.code),
            c.lot.clone(),
            c.alert.clone(),
        ]);
    }
    match out.format {
        Format::Json => out.json(document),
        Format::Csv => {
            super::note(text.trim());
            out.csv(&table)
        }
        Format::Table | Format::Html => {
            let mut text = text.trim_start().to_string();
            let _ = writeln!(text, "\nclients to call: {}", clients.len());
            out.text(&text)?;
            if clients.is_empty() {
                Ok(())
            } else {
                out.records(clients, &table)
            }
        }
    }
}
