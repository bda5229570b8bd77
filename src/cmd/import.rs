//! `import catalog` and `import substances`: options into plans, reports onto the screen.

use std::fmt::Write as _;

use crate::cli::{ImportCommand, ImportOptions};
use crate::db::catalog::Kind;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::import::catalog::{self, CatalogImport, CatalogReport, Rejected};
use crate::import::headers::Mapping;
use crate::import::substances::{self, SubstanceImport, SubstanceReport};
use crate::import::{self as imp, ReadOptions};
use crate::output::Output;

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: ImportCommand) -> Result<Exit> {
    // An import reads indexes all over the file: through the memory map every page it touched
    // would count as its memory, and memory must stay flat however large the catalog.
    db.conn.pragma_update(None, "mmap_size", 0)?;
    match command {
        ImportCommand::Catalog {
            options,
            supplier,
            kind,
        } => {
            let (read, maps) = read_options(&options)?;
            let kind = kind
                .map(|k| {
                    Kind::parse(&k).ok_or_else(|| {
                        Error::invalid_with_hint(
                            format!("--kind {k:?} is not a kind of product"),
                            "use pigment, anaesthetic, aftercare or other",
                        )
                    })
                })
                .transpose()?;
            let job = CatalogImport {
                read,
                supplier,
                dry_run: options.dry_run,
                skip_invalid: options.skip_invalid,
                maps,
                kind,
                save: None,
            };
            let (report, outcome) = catalog::run(db, &job)?;
            out.document(&report, &human_catalog(&report))?;
            outcome.map(|()| 0)
        }
        ImportCommand::Substances { options } => {
            let (read, maps) = read_options(&options)?;
            let job = SubstanceImport {
                read,
                dry_run: options.dry_run,
                skip_invalid: options.skip_invalid,
                maps,
            };
            let (report, outcome) = substances::run(db, &job)?;
            out.document(&report, &human_substances(&report))?;
            outcome.map(|()| 0)
        }
    }
}

fn read_options(o: &ImportOptions) -> Result<(ReadOptions, Vec<Mapping>)> {
    let read = ReadOptions {
        file: o.file.clone(),
        delimiter: o
            .delimiter
            .as_deref()
            .map(imp::parse_delimiter)
            .transpose()?,
        encoding: o.encoding.as_deref().map(imp::parse_encoding).transpose()?,
        progress: true,
    };
    let maps = o
        .maps
        .iter()
        .map(|m| Mapping::parse(m))
        .collect::<Result<_>>()?;
    Ok((read, maps))
}

fn heading(file: &str, dry_run: bool, written: bool) -> String {
    if written {
        format!("{file}: imported")
    } else if dry_run {
        format!("{file}: dry run, nothing written")
    } else {
        format!("{file}: not imported, nothing written")
    }
}

fn rejected_lines(text: &mut String, rejected: &[Rejected]) {
    if !rejected.is_empty() {
        let _ = writeln!(text, "invalid rows:");
        for r in rejected {
            let _ = writeln!(text, "  line {}: {}", r.line, r.reason);
        }
    }
}

fn warning_lines(text: &mut String, warnings: &[String]) {
    if !warnings.is_empty() {
        let _ = writeln!(text, "warnings:");
        for w in warnings {
            let _ = writeln!(text, "  {w}");
        }
    }
}

fn human_catalog(r: &CatalogReport) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} ({}, {}, {} delimiter)",
        heading(&r.file, r.dry_run, r.written),
        r.layout,
        r.encoding,
        r.delimiter
    );
    let p = &r.products;
    let _ = writeln!(
        t,
        "products: {} new, {} changed, {} unchanged{}",
        p.new,
        p.changed,
        p.unchanged,
        if p.rejected > 0 {
            format!(", {} rejected", p.rejected)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        t,
        "formulations: {} new; lots: {} new",
        r.formulations, r.lots
    );
    let _ = writeln!(
        t,
        "substances: {} matched, {} unverified",
        r.substances.matched,
        r.substances.unverified.len()
    );
    for u in &r.substances.unverified {
        let _ = write!(t, "  unverified: {:?} ({})", u.name, u.key);
        if !u.suggestions.is_empty() {
            let _ = write!(t, ", did you mean: {}?", u.suggestions.join(", "));
        }
        let _ = writeln!(t);
    }
    warning_lines(&mut t, &r.warnings);
    rejected_lines(&mut t, &r.rejected);
    if p.new + p.changed == 0 && r.lots == 0 && r.rejected.is_empty() && p.unchanged > 0 {
        let _ = writeln!(t, "nothing changed: the catalog already holds this file");
    }
    t
}

fn human_substances(r: &SubstanceReport) -> String {
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
    rejected_lines(&mut t, &r.rejected);
    t
}
