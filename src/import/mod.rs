//! Imports: bytes -> text -> records -> typed rows -> catalog changes.
//!
//! The CSV reader is configured in one place (`open`): decoding, delimiter sniffing, a progress
//! bar by bytes read, and error mapping that names the line.

pub mod catalog;
pub mod concentration;
pub mod decode;
mod header_words;
pub mod headers;
pub mod label;
pub mod quotes;
pub mod resolve;
pub mod series;
pub mod substances;

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Cursor, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use encoding_rs::Encoding;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::error::{Error, Result};
use decode::DecodingReader;

/// Delimiters tried by the sniffer, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many bytes of text the sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// A record longer than this is refused: no ingredient list is that long, and a hostile file
/// must not make the import hold gigabytes.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// Keeps a large import's memory flat: no transparent huge pages from here on in this
/// process when the file holds at least `LARGE_FILE` bytes. The allocator asks for them (they
/// make the short read commands, a safe list, about a fifth faster), but an import's two
/// threads then each hold partly used 2 MiB pages: 55 MiB became 70 MiB peak for 20,000
/// products, at the same speed. A small file keeps them: its import is mostly the loading of
/// the identifiers, 10 ms faster with them (57 against 67 ms), in 55 MiB.
pub fn keep_memory_flat(file: &Path) {
    let large = std::fs::metadata(file).is_ok_and(|m| m.len() >= LARGE_FILE);
    #[cfg(target_os = "linux")]
    if large {
        // Refused only by kernels without the setting: then memory is as before.
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = large;
}

/// See `keep_memory_flat`.
const LARGE_FILE: u64 = 4 << 20;

/// Options every import shares.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub file: PathBuf,
    pub delimiter: Option<u8>,
    pub encoding: Option<&'static Encoding>,
    pub progress: bool,
}

/// What the reader found out about the file.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub file: String,
    pub delimiter: String,
    pub encoding: String,
}

pub struct CsvSource {
    pub reader: csv::Reader<Box<dyn Read>>,
    pub info: FileInfo,
    pub progress: ProgressBar,
    /// Lines and quotes as the reader has seen them.
    pub seen: Rc<Cell<quotes::Seen>>,
}

impl CsvSource {
    /// The lines read so far.
    pub fn lines(&self) -> u64 {
        self.seen.get().lines()
    }
}

/// Opens a CSV file for reading: decoded, delimiter sniffed (unless given), progress on a
/// terminal.
pub fn open(options: &ReadOptions) -> Result<CsvSource> {
    let path = &options.file;
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = if options.progress && io::stderr().is_terminal() {
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut text = DecodingReader::new(
        progress.wrap_read(io::BufReader::with_capacity(64 * 1024, file)),
        options.encoding,
    );
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    // Read the head for sniffing; a decoding error stays in the reader and comes out again, at
    // its line, when the CSV reader gets there.
    let _ = (&mut text).take(SNIFF_BYTES as u64).read_to_end(&mut head);
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&head));
    let encoding = text.encoding_name().to_string();
    let (watched, seen) = quotes::QuoteWatch::new(Cursor::new(head).chain(text), delimiter);
    let source: Box<dyn Read> = Box::new(watched);
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(source);
    Ok(CsvSource {
        reader,
        info: FileInfo {
            file: path.display().to_string(),
            delimiter: delimiter_name(delimiter).to_string(),
            encoding,
        },
        progress,
        seen,
    })
}

pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        _ => "other",
    }
}

/// Parses `--delimiter`: one character, or `tab`, `comma`, `semicolon`, `pipe`.
pub fn parse_delimiter(text: &str) -> Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
        t => Err(Error::invalid_with_hint(
            format!("--delimiter {t:?} is not one character"),
            "use , ; | or tab",
        )),
    }
}

/// Picks the delimiter whose count per line is the most consistent over the first lines (quotes
/// respected, so a quoted `0,5` does not count), preferring more columns on a tie.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let counts = fields_per_record(head, d);
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for c in counts.iter().filter(|c| **c > 1) {
            match tally.iter_mut().find(|(n, _)| n == c) {
                Some((_, k)) => *k += 1,
                None => tally.push((*c, 1)),
            }
        }
        if let Some(&(fields, lines)) = tally.iter().max_by_key(|(n, k)| (*k, *n)) {
            if (lines, fields) > (best.1, best.2) {
                best = (d, lines, fields);
            }
        }
    }
    best.0
}

/// Field counts of the first records of `head` read with delimiter `d`.
fn fields_per_record(head: &[u8], d: u8) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(d)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    let mut counts = Vec::new();
    while counts.len() < 30 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => counts.push(record.len()),
            _ => break,
        }
    }
    // The last record of the head may be cut off in the middle.
    if counts.len() > 2 {
        counts.pop();
    }
    counts
}

/// Reads the next record; a decoding or CSV error becomes an `Error` naming the file and line.
pub fn next_record(source: &mut CsvSource, record: &mut csv::StringRecord) -> Result<bool> {
    match source.reader.read_record(record) {
        Ok(more) => {
            let size: usize = record.as_slice().len();
            if size > MAX_RECORD_BYTES {
                let line = record.position().map_or(0, |p| p.line());
                return Err(Error::invalid_with_hint(
                    format!(
                        "{}: line {line}: a record of {} MB is larger than any ingredient list ({} MB at most)",
                        source.info.file,
                        size / (1024 * 1024),
                        MAX_RECORD_BYTES / (1024 * 1024)
                    ),
                    "check the file: an unclosed quote makes the rest of the file one cell",
                ));
            }
            if !more {
                let seen = source.seen.get();
                if let Some((open, close)) = seen.stray {
                    return Err(Error::invalid_with_hint(
                        format!(
                            "{}: line {open}: a quote opens here and is not closed where its cell ends; it pairs with a quote on line {close}, and the lines between became one cell",
                            source.info.file
                        ),
                        format!("close the quote on line {open} (a quote inside a quoted cell is written twice: \"\")"),
                    ));
                }
                if let Some(line) = seen.open_quote {
                    return Err(Error::invalid_with_hint(
                        format!(
                            "{}: line {line}: a quote opens here and is never closed, so the rest of the file would be one cell",
                            source.info.file
                        ),
                        format!("close the quote on line {line} (a quote inside a quoted cell is written twice: \"\")"),
                    ));
                }
            }
            Ok(more)
        }
        Err(e) => Err(csv_error(&source.info.file, e)),
    }
}

fn csv_error(file: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => match decode::as_decode_error(&io) {
            Some(d) => Error::Invalid {
                message: format!("{file}: {d}"),
                hints: d.hints(),
            },
            None => Error::Io {
                path: PathBuf::from(file),
                source: io,
            },
        },
        csv::ErrorKind::Utf8 { pos, err } => Error::Invalid {
            message: format!(
                "{file}: line {}: field {} is not valid UTF-8",
                pos.map_or(line.unwrap_or(0), |p| p.line()),
                err.field() + 1
            ),
            hints: vec!["try --encoding windows-1252".into()],
        },
        other => Error::invalid(format!("{file}: line {}: {other:?}", line.unwrap_or(0))),
    }
}

/// Finds the header row: the first of the first 20 non-empty records that `accept` takes (given
/// the record's cells and their meanings). Rows before it (a title, a date) are a preamble.
/// When none is taken, returns the cells of the first non-empty record, for the error.
pub fn find_header<T>(
    source: &mut CsvSource,
    record: &mut csv::StringRecord,
    maps: &[headers::Mapping],
    mut accept: impl FnMut(&[&str], headers::ColumnMap) -> Option<T>,
) -> Result<Result<T, Vec<String>>> {
    let mut first: Option<Vec<String>> = None;
    let mut first_filled = 0;
    for _ in 0..20 {
        if !next_record(source, record)? {
            break;
        }
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // A title row (`Price list 2026,,,,`) is not the header the error should show.
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        if first.is_none() || (first_filled < 2 && filled >= 2) {
            first = Some(cells.iter().map(|c| c.to_string()).collect());
            first_filled = filled;
        }
        let map = headers::match_headers(&cells, maps)?;
        if let Some(found) = accept(&cells, map) {
            return Ok(Ok(found));
        }
    }
    Ok(Err(first.unwrap_or_default()))
}

/// How an import ends, for `conclude`.
pub struct Ending<'a> {
    pub command: &'static str,
    pub file: &'a str,
    pub rejected: usize,
    pub skip_invalid: bool,
    pub dry_run: bool,
    /// What `--skip-invalid` would do, for the hint.
    pub skip_hint: &'static str,
}

/// Ends an import's transaction: rolled back on a dry run or when rows were rejected without
/// `--skip-invalid`, else audited (with `detail`) and committed. Returns whether it was written
/// and the command's outcome.
pub fn conclude(
    tx: crate::db::Write<'_>,
    ending: Ending,
    detail: serde_json::Value,
) -> Result<(bool, Result<()>)> {
    let failed = ending.rejected > 0 && !ending.skip_invalid;
    if failed || ending.dry_run {
        tx.rollback()?;
    } else {
        tx.commit(ending.command, None, &detail)?;
    }
    let outcome = if failed {
        Err(Error::ImportRejected {
            file: ending.file.to_string(),
            count: ending.rejected,
            hints: vec![
                "fix the rows listed above and import again".into(),
                ending.skip_hint.into(),
            ],
        })
    } else {
        Ok(())
    };
    Ok((!failed && !ending.dry_run, outcome))
}

/// The line where a record starts.
pub fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// Resolves `--encoding`.
pub fn parse_encoding(label: &str) -> Result<&'static Encoding> {
    decode::encoding_for_label(label).ok_or_else(|| {
        Error::invalid_with_hint(
            format!("--encoding {label:?} is not an encoding this tool knows"),
            "use utf-8, utf-16le, utf-16be or windows-1252",
        )
    })
}

/// The file name for messages and sources.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffer_prefers_the_consistent_delimiter() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;0,5;x\n2;0,7;y\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n1,\"0;5\",x\n2,3,y\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter(b"one column\nonly\n"), b',');
    }
}
