//! What an import reports: counts, the column-to-field mapping, rejected rows, warnings by
//! kind (each distinct one once, with its first line and how often), and every detail for
//! `--report FILE` (line, kind, value, suggestion).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Debug, Default, Clone, Serialize)]
pub struct ProductCounts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Serialize)]
pub struct Unverified {
    pub name: String,
    pub key: String,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct SubstanceCounts {
    pub matched: usize,
    pub unverified: Vec<Unverified>,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// Which column fed which field.
#[derive(Debug, Serialize, Clone)]
pub struct Mapped {
    pub field: &'static str,
    pub column: usize,
    pub header: String,
}

/// One line of `--report FILE`.
#[derive(Debug, Serialize, Clone)]
pub struct Detail {
    pub line: u64,
    pub kind: String,
    pub value: String,
    pub suggestion: String,
}

#[derive(Debug, Default, Serialize)]
pub struct CatalogReport {
    pub file: String,
    pub layout: &'static str,
    pub encoding: String,
    pub delimiter: String,
    pub dry_run: bool,
    /// Whether the import was committed.
    pub written: bool,
    /// The batch it was recorded as (`import history`, `import undo`).
    pub batch: Option<i64>,
    /// Records read, and the lines they came from.
    pub rows: u64,
    pub lines: u64,
    pub mapping: Vec<Mapped>,
    /// The kind given to products no column or `--kind` gave one.
    pub kind_assumed: Option<String>,
    pub products: ProductCounts,
    pub formulations: usize,
    pub lots: usize,
    pub substances: SubstanceCounts,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<String>,
    /// How many warnings of each kind.
    pub warning_counts: BTreeMap<String, usize>,
    /// The supplier's saved settings (`--save-map`) this import used, as flags.
    pub saved_settings_used: Vec<String>,
    /// Whether this import saved its settings for the supplier (`--save-map`).
    pub settings_saved: bool,
    /// The first few distinct warnings of each kind, for the terminal's summary.
    #[serde(skip)]
    pub examples: BTreeMap<String, Vec<String>>,
    /// How many distinct warnings of each kind.
    #[serde(skip)]
    pub distinct: BTreeMap<String, usize>,
    #[serde(skip)]
    pub details: Vec<Detail>,
}

/// Distinct warnings the terminal shows of each kind; `--report FILE` has them all.
pub const EXAMPLES_PER_KIND: usize = 3;

impl CatalogReport {
    /// How many distinct warnings of a kind there are.
    pub fn warnings_of_kind(&self, kind: &str) -> usize {
        self.distinct.get(kind).copied().unwrap_or(0)
    }
}

/// Collects warnings while the import runs.
#[derive(Default)]
pub struct Warnings {
    /// Each distinct message with its first line, how often it came and its kind.
    seen: BTreeMap<String, (u64, usize, String)>,
    pub counts: BTreeMap<String, usize>,
    pub details: Vec<Detail>,
}

impl Warnings {
    pub fn warn(&mut self, line: u64, kind: &str, message: String) {
        *self.counts.entry(kind.to_string()).or_default() += 1;
        self.details.push(Detail {
            line,
            kind: kind.to_string(),
            value: message.clone(),
            suggestion: String::new(),
        });
        let entry = self
            .seen
            .entry(message)
            .or_insert((line, 0, kind.to_string()));
        entry.1 += 1;
    }

    /// Fills in the report's warnings in order of their first line (`line 4 (and 2 more):
    /// ...`), their counts by kind, the first few of each kind and every detail.
    pub fn into_report(self, report: &mut CatalogReport) {
        let mut all: Vec<(String, (u64, usize, String))> = self.seen.into_iter().collect();
        all.sort_by_key(|(_, (first, _, _))| *first);
        let mut examples: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut distinct: BTreeMap<String, usize> = BTreeMap::new();
        let text = all
            .into_iter()
            .map(|(message, (first, count, kind))| {
                let line = match count {
                    1 => format!("line {first}: {message}"),
                    _ => format!("line {first} (and {} more): {message}", count - 1),
                };
                *distinct.entry(kind.clone()).or_default() += 1;
                let shown = examples.entry(kind).or_default();
                if shown.len() < EXAMPLES_PER_KIND {
                    shown.push(line.clone());
                }
                line
            })
            .collect();
        report.warnings = text;
        report.warning_counts = self.counts;
        report.examples = examples;
        report.distinct = distinct;
        report.details = self.details;
    }
}

/// Writes every detail of a report as CSV: line, kind, value, suggestion.
pub fn write_csv(report: &CatalogReport, path: &Path) -> Result<()> {
    let io = |source: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = csv::Writer::from_path(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    let mut write = |line: String, kind: &str, value: &str, suggestion: &str| {
        out.write_record([line.as_str(), kind, value, suggestion])
            .map_err(|e| io(e.into()))
    };
    write("line".into(), "kind", "value", "suggestion")?;
    for r in &report.rejected {
        write(r.line.to_string(), "invalid-row", &r.reason, "")?;
    }
    for d in &report.details {
        write(d.line.to_string(), &d.kind, &d.value, &d.suggestion)?;
    }
    for u in &report.substances.unverified {
        write(
            String::new(),
            "unverified",
            &u.name,
            &u.suggestions.join("; "),
        )?;
    }
    out.flush().map_err(io)
}
