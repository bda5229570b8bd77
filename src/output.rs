//! Rendering: tables for people, one JSON document, or CSV, on standard output. Messages go to
//! standard error. A closed pipe (`inkguard product list | head`) ends output quietly.
//!
//! Stored text comes from supplier files and from users: every human line (text, tables, CSV,
//! errors and notes on standard error) goes through `safe`, which shows control characters and
//! escape sequences escaped, so that no stored name can move the cursor, erase a line or paint a
//! false headline over the real one. JSON is escaped by serde.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use comfy_table::{ContentArrangement, ContentLineStyle, LineStyle, Table as Comfy, TableStyle};
use serde::Serialize;

use crate::cli::Format;
use crate::error::{Error, Result};

/// Records as rows of text, for the table and CSV formats.
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Whether a character must not reach a terminal as it is: C0 and C1 controls (but a line
/// break), DEL, and the Unicode marks that reorder or hide text (bidirectional overrides and
/// isolates, zero-width and line/paragraph separators).
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Whether `text` holds a character [`is_unsafe`] refuses, read byte by byte in its UTF-8: the
/// same answer as `text.chars().any(is_unsafe)` (a property test holds the two together) without
/// decoding every character of a 20,000-row table. C0 controls and DEL are single bytes; C1
/// controls are `C2 80`-`C2 9F`; the zero-width and bidirectional marks are `E2 80 8B`-`8F`,
/// `E2 80 A8`-`AE` and `E2 81 A6`-`A9`; the byte-order mark is `EF BB BF`. A lead byte never
/// occurs inside another character, so every byte may be looked at.
fn needs_escaping(text: &str) -> bool {
    let b = text.as_bytes();
    // Printable ASCII, line breaks and tabs (nearly all of a table) need nothing: such runs
    // pass `PLAIN_RUN` bytes at a time, in a loop without branches that the compiler
    // vectorises; only a run holding another byte is looked at byte by byte.
    let plain = |x: u8| (0x20..0x7f).contains(&x) | (x == b'\n') | (x == b'\t');
    b.chunks(PLAIN_RUN).enumerate().any(|(n, run)| {
        !run.iter().fold(true, |all, &x| all & plain(x))
            && (n * PLAIN_RUN..n * PLAIN_RUN + run.len()).any(|i| risky_at(b, i))
    })
}

/// Bytes `needs_escaping` passes at a time when they are all plain.
const PLAIN_RUN: usize = 64;

/// Whether the character that starts at byte `i` (or the byte, inside a character) is one
/// [`is_unsafe`] refuses: see [`needs_escaping`].
fn risky_at(b: &[u8], i: usize) -> bool {
    match b[i] {
        b'\n' | b'\t' => false,
        0x00..=0x1f | 0x7f => true,
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0x8b..=0x8f | 0xa8..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        0xef => b.get(i + 1) == Some(&0xbb) && b.get(i + 2) == Some(&0xbf),
        _ => false,
    }
}

/// The colours `check` paints verdicts with (SGR green, yellow, bold red, reset).
const OWN_COLOURS: [&str; 4] = ["\x1b[32m", "\x1b[33m", "\x1b[1;31m", "\x1b[0m"];

/// Text as it may be shown to a person: control characters and escape sequences escaped
/// (`\r`, `\x1b`, `\u{202e}`), line breaks and tabs kept. The one door for human output.
///
/// The verdict colours inkguard itself paints on a terminal (green, yellow, bold red, reset)
/// pass as they are: they cannot move the cursor or erase, and a name that holds them cannot
/// hide the real headline, whose other escapes are shown.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !needs_escaping(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(colour) = OWN_COLOURS.iter().find(|s| rest.starts_with(**s)) {
            out.push_str(colour);
            rest = &rest[colour.len()..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if !is_unsafe(c) {
            out.push(c);
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Prints one line on standard error, made safe.
pub fn eprint_safe(line: &str) {
    eprintln!("{}", safe(line));
}

pub struct Output {
    pub format: Format,
}

fn stdout_error(source: io::Error) -> Error {
    Error::Io {
        path: PathBuf::from("standard output"),
        source,
    }
}

impl Output {
    pub fn new(format: Format) -> Output {
        Output { format }
    }

    /// A stored time in a table: as stored in CSV (for programs), else in the clinic's zone.
    pub fn time(&self, stamp: &str, zone: chrono_tz::Tz) -> String {
        match self.format {
            Format::Csv => stamp.to_string(),
            _ => crate::time::show_stamp(stamp, zone),
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Prints records: `json` as the JSON document, `table` as a table or CSV.
    pub fn records<T: Serialize + ?Sized>(&self, json: &T, table: &Table) -> Result<()> {
        match self.format {
            Format::Json => self.json(json),
            Format::Csv => self.csv(table),
            // `--format html` is refused before any command but `patch-test report` runs.
            Format::Table | Format::Html => self.human_table(table),
        }
    }

    /// Prints a document: JSON, or the human text (also used for CSV when the document is not a
    /// list of records).
    pub fn document<T: Serialize + ?Sized>(&self, json: &T, human: &str) -> Result<()> {
        match self.format {
            Format::Json => self.json(json),
            _ => self.text(human),
        }
    }

    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value).map_err(|e| {
            // Keep the I/O error's kind (a closed pipe) visible through serde_json's wrapper.
            stdout_error(
                e.io_error_kind()
                    .map_or_else(|| io::Error::other(e), io::Error::from),
            )
        })?;
        writeln!(out).map_err(stdout_error)?;
        out.flush().map_err(stdout_error)
    }

    pub fn text(&self, text: &str) -> Result<()> {
        let text = safe(text);
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        if !text.is_empty() && !text.ends_with('\n') {
            writeln!(out).map_err(stdout_error)?;
        }
        out.flush().map_err(stdout_error)
    }

    pub fn csv(&self, table: &Table) -> Result<()> {
        write_csv(io::stdout().lock(), table).map_err(stdout_error)
    }

    fn human_table(&self, table: &Table) -> Result<()> {
        if table.rows.is_empty() {
            eprintln!("(none)");
            return Ok(());
        }
        self.text(&render_table(&safe_table(table)))
    }
}

/// Records as CSV, every cell made safe (a line break stays, quoted by the CSV writer).
pub fn write_csv(out: impl Write, table: &Table) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&table.headers)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| safe(c).into_owned()))?;
    }
    w.flush()
}

/// A table whose cells are made safe before layout, so that columns line up on what is shown.
fn safe_table(table: &Table) -> Cow<'_, Table> {
    if !table
        .rows
        .iter()
        .flatten()
        .any(|c| c.chars().any(is_unsafe))
    {
        return Cow::Borrowed(table);
    }
    Cow::Owned(Table {
        headers: table.headers.clone(),
        rows: table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| safe(c).into_owned()).collect())
            .collect(),
    })
}

/// Columns apart, one rule under the header: easy to read aloud and to copy.
const STYLE: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none())
    .header_separator(LineStyle::none().fill('─').junction(' '))
    .content_lines(ContentLineStyle::none());

/// A table sized to the terminal when there is one. Off a terminal (pipes, files, scripts) the
/// columns are laid out directly, in the same layout: a 20,000-row safe list in milliseconds.
pub fn render_table(table: &Table) -> String {
    if io::stdout().is_terminal() {
        return render_comfy(table);
    }
    let rows: Vec<Vec<&str>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    render_rows(&table.headers, &rows)
}

/// [`render_table`] for rows of borrowed cells: a long list laid out without a copy of each
/// cell.
pub fn render_rows(headers: &[&'static str], rows: &[Vec<&str>]) -> String {
    let multi_line = rows.iter().flatten().any(|c| c.contains('\n'));
    if io::stdout().is_terminal() || multi_line {
        return render_comfy(&Table {
            headers: headers.to_vec(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        });
    }
    render_plain(headers, rows)
}

/// Each cell padded by one space on either side to its column's width, columns one space
/// apart, a rule of `─` under the header: comfy-table's layout for `STYLE`, without its cost.
fn render_plain(headers: &[&str], rows: &[Vec<&str>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out =
        String::with_capacity((widths.iter().sum::<usize>() + 3 * columns) * (rows.len() + 2));
    let line = |cells: &[&str], out: &mut String| {
        for (i, w) in widths.iter().enumerate() {
            let cell = cells.get(i).copied().unwrap_or("");
            if i > 0 {
                out.push(' ');
            }
            out.push(' ');
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', w - width(cell).min(*w) + 1));
        }
        out.push('\n');
    };
    line(headers, &mut out);
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(std::iter::repeat_n('─', w + 2));
    }
    for row in rows {
        out.push('\n');
        line(row, &mut out);
        out.pop();
    }
    out
}

/// The columns a cell takes on a terminal: its length when it is printable ASCII (checked
/// without branches, so vectorised), else as Unicode says.
fn width(cell: &str) -> usize {
    let b = cell.as_bytes();
    if b.iter()
        .fold(true, |all, &x| all & (0x20..0x7f).contains(&x))
    {
        b.len()
    } else {
        unicode_width::UnicodeWidthStr::width(cell)
    }
}

fn render_comfy(table: &Table) -> String {
    let mut t = Comfy::new();
    t.load_style(STYLE);
    if io::stdout().is_terminal() {
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    t.set_header(table.headers.clone());
    for row in &table.rows {
        t.add_row(row.clone());
    }
    t.to_string()
}

/// `-` for an absent value in tables.
pub fn opt(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// Whether an error is only a closed pipe on standard output.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_escape_sequences_are_shown_escaped() {
        assert_eq!(
            safe("Black\r\x1b[2KCLEAR for client C-1"),
            "Black\\r\\x1b[2KCLEAR for client C-1"
        );
        assert_eq!(safe("a\nb\tc"), "a\nb\tc");
        assert_eq!(safe("x\u{202e}y\u{9b}z\u{7f}"), "x\\u{202e}y\\x9bz\\x7f");
        assert!(matches!(safe("plain äöü"), Cow::Borrowed(_)));
        assert_eq!(
            safe("\x1b[1;31mBLOCKED\x1b[0m \x1b[30mhidden\x1b[2J"),
            "\x1b[1;31mBLOCKED\x1b[0m \\x1b[30mhidden\\x1b[2J"
        );
    }
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-zA-Z0-9 äöüéß/()-]{0,12}").unwrap()
    }

    /// Every edge of every range `is_unsafe` names, and its neighbours, read the same byte-wise.
    #[test]
    fn needs_escaping_agrees_with_is_unsafe_at_every_edge() {
        let edges = [
            0x00, 0x08, 0x09, 0x0a, 0x0b, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xff, 0x200a,
            0x200b, 0x200f, 0x2010, 0x2027, 0x2028, 0x202e, 0x202f, 0x2065, 0x2066, 0x2069, 0x206a,
            0x2500, 0xfefe, 0xfeff, 0xff00, 0x1f600,
        ];
        for c in edges.into_iter().filter_map(char::from_u32) {
            let one = format!("a{c}b");
            assert_eq!(needs_escaping(&one), is_unsafe(c), "U+{:04X}", c as u32);
            // At every place around the edges of the runs passed whole, and across them.
            for at in [
                0,
                PLAIN_RUN - 3,
                PLAIN_RUN - 2,
                PLAIN_RUN - 1,
                PLAIN_RUN,
                PLAIN_RUN + 1,
            ] {
                let text = format!("{}{c}{}", "x".repeat(at), "y".repeat(2 * PLAIN_RUN));
                assert_eq!(
                    needs_escaping(&text),
                    is_unsafe(c),
                    "U+{:04X} at {at}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn the_width_of_a_cell_is_what_unicode_says() {
        for cell in [
            "", "Aqua", "CI 77491", "Crème", "─", "日本", "a\u{7}b", "tab\tin", "\u{7f}",
        ] {
            assert_eq!(
                width(cell),
                unicode_width::UnicodeWidthStr::width(cell),
                "{cell:?}"
            );
        }
    }

    proptest! {
        /// The byte-wise test agrees with the character-wise rule on any text, and on text
        /// crowded with controls, marks and box-drawing characters.
        #[test]
        fn the_width_of_any_text_is_what_unicode_says(any in any::<String>()) {
            prop_assert_eq!(width(&any), unicode_width::UnicodeWidthStr::width(any.as_str()));
        }

        #[test]
        fn needs_escaping_agrees_with_is_unsafe(
            any in any::<String>(),
            crowded in proptest::string::string_regex(
                "[\\x00-\\x7f\\u{80}-\\u{a0}\\u{2000}-\\u{2070}\\u{feff}\\u{fffd}\\u{2500}aé]{0,24}"
            ).unwrap(),
        ) {
            for text in [&any, &crowded] {
                prop_assert_eq!(needs_escaping(text), text.chars().any(is_unsafe), "{:?}", text);
                for c in text.chars() {
                    let one = format!("a{c}b");
                    prop_assert_eq!(needs_escaping(&one), is_unsafe(c), "{:?}", c);
                }
            }
        }
    }

    proptest! {
        /// The direct layout is comfy-table's, character for character.
        #[test]
        fn the_plain_table_is_laid_out_as_comfy_table_lays_it_out(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 3), 0..6)
        ) {
            let mut t = Table::new(&["code", "name", "patch test"]);
            for r in rows {
                t.row(r);
            }
            let rows: Vec<Vec<&str>> = t.rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
            prop_assert_eq!(render_plain(&t.headers, &rows), render_comfy(&t));
        }
    }
}
