//! Watches the text the CSV reader reads, with the reader's own quoting rules, to count lines
//! and to find a quote that is never closed: without it, an unclosed quote on line 4 makes the
//! rest of the file one cell and the import reports "3 new" (SPEC 3, "Structure is checked").

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// What the watch has seen so far.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    /// Newlines read.
    pub newlines: u64,
    /// Whether the last byte read ended a line (or nothing was read).
    pub at_line_start: bool,
    /// The line where the quote that is open now was opened.
    pub open_quote: Option<u64>,
    /// The first quote that closed in the middle of a cell (`"Aqua, Glycerin` ... `,"Aqua`):
    /// (the line where it opened, the line where it closed). A quote left open pairs with the
    /// next one in the file; a well-formed closing quote is followed by a delimiter or a line end.
    pub stray: Option<(u64, u64)>,
    state: State,
}

impl Seen {
    /// The number of lines read (a last line without a newline counts).
    pub fn lines(&self) -> u64 {
        self.newlines + u64::from(!self.at_line_start)
    }
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            newlines: 0,
            at_line_start: true,
            open_quote: None,
            stray: None,
            state: State::FieldStart,
        }
    }
}

/// A reader that passes bytes through and keeps `Seen` up to date in a shared cell.
pub struct QuoteWatch<R> {
    inner: R,
    delimiter: u8,
    seen: Rc<Cell<Seen>>,
}

impl<R: Read> QuoteWatch<R> {
    pub fn new(inner: R, delimiter: u8) -> (Self, Rc<Cell<Seen>>) {
        let seen = Rc::new(Cell::new(Seen::default()));
        (
            QuoteWatch {
                inner,
                delimiter,
                seen: Rc::clone(&seen),
            },
            seen,
        )
    }
}

/// Feeds bytes through the state machine of the CSV reader (double quotes escape a quote).
pub fn feed(seen: &mut Seen, delimiter: u8, bytes: &[u8]) {
    for &b in bytes {
        let line = seen.newlines + 1;
        let newline = b == b'\n' || b == b'\r';
        seen.state = match (seen.state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                seen.open_quote = Some(line);
                State::Quoted
            }
            (_, b) if b == delimiter || newline => State::FieldStart,
            (State::QuoteInQuoted, _) => {
                if seen.stray.is_none() {
                    seen.stray = seen.open_quote.map(|open| (open, line));
                }
                State::Unquoted
            }
            _ => State::Unquoted,
        };
        if seen.state != State::Quoted && seen.state != State::QuoteInQuoted {
            seen.open_quote = None;
        }
        if b == b'\n' {
            seen.newlines += 1;
        }
        seen.at_line_start = b == b'\n';
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.seen.get();
        feed(&mut seen, self.delimiter, &buf[..n]);
        self.seen.set(seen);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(text: &str) -> Seen {
        let mut seen = Seen::default();
        feed(&mut seen, b',', text.as_bytes());
        seen
    }

    #[test]
    fn an_unclosed_quote_is_found_at_the_line_where_it_opened() {
        let s = watch("a,b\n1,2\n3,\"x\n4,5\n6,7\n");
        assert_eq!(s.open_quote, Some(3));
        assert_eq!(s.lines(), 5);
    }

    #[test]
    fn closed_and_escaped_quotes_and_quotes_inside_cells_are_not_open() {
        assert_eq!(
            watch("a,\"b\nc\"\n1,\"he said \"\"hi\"\"\"\n").open_quote,
            None
        );
        assert_eq!(watch("a,5\" needle,c\n").open_quote, None);
        assert_eq!(watch("a,\"x\"y,c\n").open_quote, None);
        assert_eq!(watch("a,\"x\"y,c\n").stray, Some((1, 1)));
        assert_eq!(watch("a,\"b\n1,\"c\"\n").stray, Some((1, 2)));
        assert_eq!(watch("a,b").lines(), 1);
    }
}
