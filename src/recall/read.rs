//! Alerts out of a file: the alert text as published (`Alert number: A12/0097/17`, `Brand: ...`,
//! `Batch number / Barcode: ...`, one field a line, several alerts one after another), or a CSV
//! of alerts with loosely matched headers (English, German, French, Spanish, Italian), each
//! alert with the line it starts on. Pure: text in, records out.

use std::io::Read;

use encoding_rs::Encoding;
use serde::Serialize;

use super::fields::exact_field;
pub use super::fields::{field_of, AlertField};
use crate::error::{Error, Result};
use crate::import::decode::{self, DecodingReader};

/// The largest alert file read: far more than every Safety Gate alert on tattoo inks together.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// One alert as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlertRecord {
    /// The line where the alert starts.
    pub line: u64,
    pub alert: Option<String>,
    pub product: Option<String>,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub batch: Option<String>,
    pub hazard: Option<String>,
    pub measure: Option<String>,
}

impl AlertRecord {
    fn slot(&mut self, field: AlertField) -> Option<&mut Option<String>> {
        Some(match field {
            AlertField::Alert => &mut self.alert,
            AlertField::Product => &mut self.product,
            AlertField::Name => &mut self.name,
            AlertField::Brand => &mut self.brand,
            AlertField::Batch => &mut self.batch,
            AlertField::Hazard => &mut self.hazard,
            AlertField::Measure => &mut self.measure,
            AlertField::Other => return None,
        })
    }

    /// Adds text to a field (a second line of it, or a second column of the same meaning).
    fn add(&mut self, field: AlertField, text: &str, joint: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(slot) = self.slot(field) {
            match slot {
                Some(existing) => {
                    existing.push_str(joint);
                    existing.push_str(text);
                }
                None => *slot = Some(text.to_string()),
            }
        }
    }

    fn is_empty(&self) -> bool {
        [
            &self.alert,
            &self.product,
            &self.name,
            &self.brand,
            &self.batch,
            &self.hazard,
            &self.measure,
        ]
        .iter()
        .all(|f| f.is_none())
    }
}

/// How the file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `Field: value` lines, as the alert is published.
    Text,
    /// A CSV of alerts, one a row.
    Csv,
}

/// Bytes to text: UTF-8 (BOM or not), UTF-16 with a BOM, or `encoding`. Bytes not valid in it
/// are an error naming the line and the `--encoding` to try.
pub fn decode_text(
    bytes: &[u8],
    encoding: Option<&'static Encoding>,
    file: &str,
) -> Result<String> {
    let mut text = String::new();
    DecodingReader::new(bytes, encoding)
        .read_to_string(&mut text)
        .map_err(|e| match decode::as_decode_error(&e) {
            Some(d) => Error::Invalid {
                message: format!("{file}: {d}"),
                hints: d.hints(),
            },
            None => Error::invalid(format!("{file}: {e}")),
        })?;
    Ok(text)
}

/// Reads the alerts of a file's text; `file` names it in errors.
pub fn read_alerts(text: &str, file: &str) -> Result<(Layout, Vec<AlertRecord>)> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let Some(first) = first else {
        return Err(Error::invalid_with_hint(
            format!("{file} is empty"),
            "give an alert as published (Alert number: ..., Batch number: ...) or a CSV of alerts",
        ));
    };
    if key_value(first).is_some_and(|(f, _)| f == AlertField::Alert)
        || (key_value(first).is_some() && !looks_like_csv_header(first))
    {
        Ok((Layout::Text, read_text(text)))
    } else {
        read_csv(text, file).map(|alerts| (Layout::Csv, alerts))
    }
}

/// `Key: value` or `Key<TAB>value` of a known field, or a known key alone on its line.
fn key_value(line: &str) -> Option<(AlertField, &str)> {
    for sep in [':', '\t'] {
        if let Some((key, value)) = line.split_once(sep) {
            if key.chars().count() <= 80 && key.chars().any(char::is_alphabetic) {
                if let Some(field) = field_of(key) {
                    return Some((field, value));
                }
            }
        }
    }
    // A key alone on its line (copied from the web page, the value on the next line): only
    // an exact header, so that a second line of a value (`batch No 199 E06`) stays a value.
    exact_field(line).map(|f| (f, ""))
}

/// A first line with two or more delimited cells that are all headers.
fn looks_like_csv_header(line: &str) -> bool {
    [',', ';', '\t', '|'].iter().any(|d| {
        let cells: Vec<&str> = line.split(*d).collect();
        cells.len() >= 2
            && cells
                .iter()
                .filter(|c| field_of(c.trim().trim_matches('"')).is_some())
                .count()
                >= 2
    })
}

fn read_text(text: &str) -> Vec<AlertRecord> {
    let mut alerts = Vec::new();
    let mut current = AlertRecord::default();
    let mut field: Option<AlertField> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let number = i as u64 + 1;
        match key_value(line) {
            Some((f, value)) => {
                if f == AlertField::Alert && current.alert.is_some() {
                    alerts.push(std::mem::take(&mut current));
                }
                if current.is_empty() && current.line == 0 {
                    current.line = number;
                }
                current.add(f, value, "; ");
                field = Some(f);
            }
            None => {
                if let Some(f) = field {
                    current.add(f, line, " ");
                }
            }
        }
    }
    if !current.is_empty() {
        alerts.push(current);
    }
    alerts
}

fn read_csv(text: &str, file: &str) -> Result<Vec<AlertRecord>> {
    let head = &text.as_bytes()[..text.len().min(64 * 1024)];
    let delimiter = crate::import::sniff_delimiter(head);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        Error::invalid(format!("{file}: line {line}: {e}"))
    };
    let mut record = csv::StringRecord::new();
    let mut columns: Option<Vec<Option<AlertField>>> = None;
    let mut seen: Option<Vec<String>> = None;
    let mut alerts = Vec::new();
    while reader.read_record(&mut record).map_err(csv_error)? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // From the byte offset: the CSV reader's own line count skips blank lines.
        let line = record.position().map_or(0, |p| {
            let mut at = (p.byte() as usize).min(text.len());
            while matches!(text.as_bytes().get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            text.as_bytes()[..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                + 1
        });
        match &columns {
            None => {
                let fields: Vec<Option<AlertField>> = record.iter().map(field_of).collect();
                let has = |f| fields.contains(&Some(f));
                if has(AlertField::Batch) && (has(AlertField::Alert) || has(AlertField::Brand)) {
                    columns = Some(fields);
                } else if line > 20 {
                    break;
                } else {
                    seen.get_or_insert_with(|| record.iter().map(str::to_string).collect());
                }
            }
            Some(fields) => {
                let mut alert = AlertRecord {
                    line,
                    ..AlertRecord::default()
                };
                for (cell, field) in record.iter().zip(fields) {
                    if let Some(f) = field {
                        alert.add(*f, cell, "; ");
                    }
                }
                alerts.push(alert);
            }
        }
    }
    if columns.is_none() {
        let headers = seen.unwrap_or_default();
        return Err(Error::Invalid {
            message: format!(
                "{file}: neither an alert as published (Alert number: ..., Batch number: ...) nor a CSV of alerts with an alert number and a batch column; the first row is {}",
                crate::import::headers::quoted(&headers.iter().map(String::as_str).collect::<Vec<_>>())
            ),
            hints: vec![
                "a CSV of alerts needs headers such as: alert number, product, brand, batch number, hazard, measures".into(),
                "an alert as published has one field a line: Alert number: A12/0097/17".into(),
            ],
        });
    }
    Ok(alerts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_alert_is_read_field_by_field() {
        let text = "Alert number: A12/0097/17\nProduct category: Chemical products\nProduct: Tattoo ink\nName: Tiefschwarz\nBrand: Farbwerk\nBatch number / Barcode: Lot-Nr. D 199\n  batch No 199 E06\nRisk type: Chemical\n\nAlert number: A12/1193/15\nBrand: Lumen\nBatch number: Lot SS 202\n";
        let (layout, alerts) = read_alerts(text, "alert.txt").unwrap();
        assert_eq!(layout, Layout::Text);
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].alert.as_deref(), Some("A12/0097/17"));
        assert_eq!(alerts[0].line, 1);
        assert_eq!(alerts[0].name.as_deref(), Some("Tiefschwarz"));
        assert_eq!(
            alerts[0].batch.as_deref(),
            Some("Lot-Nr. D 199 batch No 199 E06")
        );
        assert_eq!(alerts[0].hazard.as_deref(), Some("Chemical"));
        assert_eq!(alerts[1].line, 10);
        assert_eq!(alerts[1].batch.as_deref(), Some("Lot SS 202"));
    }

    #[test]
    fn a_csv_of_alerts_is_read_with_its_lines() {
        let text = "Alert number;Product;Brand;Batch number;Hazard;Measures\nA12/1;Tiefschwarz;Farbwerk;\"Lot 1, Lot 2\";Chemical;Withdrawal\n\nA12/2;Rose;Lumen;;x;y\n";
        let (layout, alerts) = read_alerts(text, "alerts.csv").unwrap();
        assert_eq!(layout, Layout::Csv);
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].line, 2);
        assert_eq!(alerts[0].batch.as_deref(), Some("Lot 1, Lot 2"));
        assert_eq!(alerts[1].line, 4);
        assert_eq!(alerts[1].batch, None);
    }

    #[test]
    fn a_file_of_something_else_is_refused_with_what_it_saw() {
        let e = read_alerts("code,name\nFW-1,Black\n", "x.csv").unwrap_err();
        assert!(e.to_string().contains("\"code\""), "{e}");
        assert!(read_alerts("  \n", "x.csv").is_err());
    }

    #[test]
    fn bytes_in_another_encoding_are_an_error_naming_the_line() {
        let e = decode_text(b"Alert number: A1\nBrand: M\xfcller\n", None, "a.txt").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let ok = decode_text(
            b"Brand: M\xfcller\n",
            Some(encoding_rs::WINDOWS_1252),
            "a.txt",
        )
        .unwrap();
        assert_eq!(ok, "Brand: Müller\n");
    }
}
