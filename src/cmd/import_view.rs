//! The terminal's view of an import: a summary that stays short however large the file
//! (counts, warnings counted by kind with a few examples each), the column mapping on a dry
//! run, and a pointer to `--report FILE` for every detail.

use std::fmt::Write as _;
use std::path::Path;

use crate::import::catalog::{CatalogReport, Rejected};
use crate::import::substances::SubstanceReport;

/// How the catalog report is shown.
pub struct Shown<'a> {
    /// `--quiet`: the counts only.
    pub quiet: bool,
    /// `--report FILE`, where every detail went.
    pub report_file: Option<&'a Path>,
}

/// Invalid rows the terminal lists before pointing at `--report FILE`.
const REJECTED_SHOWN: usize = 20;
/// Unverified substances the terminal names.
const UNVERIFIED_SHOWN: usize = 5;
/// A warning longer than this is cut on the terminal (label cells can be very long).
const WIDTH: usize = 200;

fn heading(file: &str, dry_run: bool, written: bool) -> String {
    if written {
        format!("{file}: imported")
    } else if dry_run {
        format!("{file}: dry run, nothing written")
    } else {
        format!("{file}: not imported, nothing written")
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(WIDTH) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

pub fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The counts of a batch as `import history` stores them, in one cell.
pub fn counts(c: &serde_json::Value) -> String {
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    let p = &c["products"];
    format!(
        "products {} new, {} changed, {} unchanged; formulations {}; lots {}; invalid rows {}",
        n(&p["new"]),
        n(&p["changed"]),
        n(&p["unchanged"]),
        n(&c["formulations"]),
        n(&c["lots"]),
        n(&c["rejected"])
    )
}

pub fn catalog(r: &CatalogReport, shown: &Shown) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} ({}, {}, {} delimiter)",
        heading(&r.file, r.dry_run, r.written),
        r.layout,
        r.encoding,
        r.delimiter
    );
    if shown.quiet {
        return quiet(t, r);
    }
    if let Some(batch) = r.batch {
        let _ = writeln!(t, "batch {batch} (import history, import undo {batch})");
    }
    if !r.saved_settings_used.is_empty() {
        let _ = writeln!(
            t,
            "saved settings of the supplier used: {}",
            r.saved_settings_used.join(" ")
        );
    }
    if r.settings_saved {
        let _ = writeln!(t, "settings saved for the supplier's later imports");
    }
    if r.dry_run {
        let _ = writeln!(t, "columns:");
        for m in &r.mapping {
            let _ = writeln!(t, "  {} {:?} -> {}", m.column, m.header, m.field);
        }
    }
    let _ = writeln!(t, "records: {} from {} lines", r.rows, r.lines);
    let p = &r.products;
    let rejected = if p.rejected > 0 {
        format!(", {} rejected", p.rejected)
    } else {
        String::new()
    };
    let _ = writeln!(
        t,
        "products: {} new, {} changed, {} unchanged{rejected}",
        p.new, p.changed, p.unchanged
    );
    let _ = writeln!(
        t,
        "formulations: {} new; lots: {} new",
        r.formulations, r.lots
    );
    let unverified = &r.substances.unverified;
    let _ = writeln!(
        t,
        "substances: {} matched, {} unverified",
        r.substances.matched,
        unverified.len()
    );
    let mut more = false;
    for u in unverified.iter().take(UNVERIFIED_SHOWN) {
        let _ = write!(t, "  unverified: {:?} ({})", u.name, u.key);
        if !u.suggestions.is_empty() {
            let _ = write!(t, ", did you mean: {}?", u.suggestions.join(", "));
        }
        let _ = writeln!(t);
    }
    if unverified.len() > UNVERIFIED_SHOWN {
        let _ = writeln!(t, "  and {} more", unverified.len() - UNVERIFIED_SHOWN);
        more = true;
    }
    more |= warnings(&mut t, r, false);
    more |= rejected_lines(&mut t, &r.rejected, REJECTED_SHOWN);
    match shown.report_file {
        Some(path) => {
            let _ = writeln!(t, "every detail: {}", path.display());
        }
        None if more => {
            let _ = writeln!(
                t,
                "more details than shown: write them all with --report FILE (or --format json)"
            );
        }
        None => {}
    }
    if unchanged(r) {
        let _ = writeln!(t, "nothing changed: the catalog already holds this file");
    }
    t
}

fn unchanged(r: &CatalogReport) -> bool {
    let p = &r.products;
    p.new + p.changed == 0 && r.lots == 0 && r.rejected.is_empty() && p.unchanged > 0
}

/// `--quiet`: the heading and the counts.
fn quiet(mut t: String, r: &CatalogReport) -> String {
    let p = &r.products;
    let _ = writeln!(
        t,
        "products: {} new, {} changed, {} unchanged, {} rejected; formulations: {}; lots: {}",
        p.new, p.changed, p.unchanged, p.rejected, r.formulations, r.lots
    );
    let _ = writeln!(
        t,
        "substances: {} matched, {} unverified",
        r.substances.matched,
        r.substances.unverified.len()
    );
    warnings(&mut t, r, true);
    if !r.rejected.is_empty() {
        let _ = writeln!(t, "invalid rows: {}", r.rejected.len());
    }
    if unchanged(r) {
        let _ = writeln!(t, "nothing changed");
    }
    t
}

/// Warnings counted by kind, a few of each unless quiet; whether some were left out.
fn warnings(t: &mut String, r: &CatalogReport, quiet: bool) -> bool {
    let counts: Vec<(&String, &usize)> = r
        .warning_counts
        .iter()
        .filter(|(kind, _)| kind.as_str() != "unverified")
        .collect();
    if counts.is_empty() {
        return false;
    }
    let total: usize = counts.iter().map(|(_, n)| **n).sum();
    let by_kind: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(t, "warnings: {} ({})", total, by_kind.join(", "));
    if quiet {
        return false;
    }
    let mut shown = 0;
    let mut long = false;
    for (kind, n) in counts {
        let examples = r.examples.get(kind).map_or(&[][..], Vec::as_slice);
        let _ = writeln!(t, "  {kind} ({}):", plural(*n, "time"));
        for e in examples {
            let _ = writeln!(t, "    {}", cut(e));
            long |= e.chars().count() > WIDTH;
        }
        shown += examples.len();
        let distinct = r.warnings_of_kind(kind);
        if distinct > examples.len() {
            let _ = writeln!(t, "    and {} more", distinct - examples.len());
        }
    }
    long || shown < r.warnings.len()
}

/// The invalid rows, up to `limit`; whether some were left out.
fn rejected_lines(text: &mut String, rejected: &[Rejected], limit: usize) -> bool {
    if rejected.is_empty() {
        return false;
    }
    let _ = writeln!(text, "invalid rows:");
    for r in rejected.iter().take(limit) {
        let _ = writeln!(text, "  line {}: {}", r.line, cut(&r.reason));
    }
    if rejected.len() > limit {
        let _ = writeln!(text, "  and {} more", rejected.len() - limit);
        return true;
    }
    rejected.iter().any(|r| r.reason.chars().count() > WIDTH)
}

fn warning_lines(text: &mut String, warnings: &[String]) {
    if !warnings.is_empty() {
        let _ = writeln!(text, "warnings:");
        for w in warnings {
            let _ = writeln!(text, "  {w}");
        }
    }
}

pub fn substances(r: &SubstanceReport) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} ({}, {} delimiter)",
        heading(&r.file, r.dry_run, r.written),
        r.encoding,
        r.delimiter
    );
    let s = &r.substances;
    let _ = writeln!(
        t,
        "substances: {} new, {} updated, {} unchanged",
        s.new, s.updated, s.unchanged
    );
    warning_lines(&mut t, &r.warnings);
    if !r.rejected.is_empty() {
        let _ = writeln!(t, "invalid rows:");
        for x in &r.rejected {
            let _ = writeln!(t, "  line {}: {}", x.line, x.reason);
        }
    }
    t
}
