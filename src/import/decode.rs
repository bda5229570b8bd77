//! Bytes to text, streaming: UTF-8 (with or without BOM), UTF-16 with a BOM, or an encoding the
//! user names. Bytes that are not valid in the encoding are an error naming the line, never a
//! silent replacement character; so is a NUL byte, which no text file holds.

use std::io::{self, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8};

/// Why the bytes are not text in the expected encoding. Carried inside an `io::Error` through
/// the CSV reader and taken out again by the import.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("line {line}: bytes {bytes} are not valid {encoding}")]
    Malformed {
        line: u64,
        bytes: String,
        encoding: &'static str,
    },
    #[error("line {line}: the file holds a NUL byte, which no text file has")]
    Nul { line: u64 },
}

impl DecodeError {
    pub fn line(&self) -> u64 {
        match self {
            DecodeError::Malformed { line, .. } | DecodeError::Nul { line } => *line,
        }
    }

    pub fn hints(&self) -> Vec<String> {
        match self {
            DecodeError::Malformed { encoding, .. } if *encoding == "UTF-8" => vec![
                "files saved by Excel on Windows are often Windows-1252: try --encoding windows-1252".into(),
            ],
            DecodeError::Malformed { .. } => {
                vec!["check the file's encoding and name it with --encoding".into()]
            }
            DecodeError::Nul { .. } => vec![
                "a UTF-16 file without a byte-order mark looks like this: try --encoding utf-16le"
                    .into(),
            ],
        }
    }
}

/// Looks up an encoding by any of its WHATWG labels (`utf-8`, `windows-1252`, `latin1`,
/// `utf-16le`, ...).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// A reader of UTF-8 text decoded from `inner`.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    output: Vec<u8>,
    out_pos: usize,
    /// Line breaks in the text handed out so far (for the line of an error).
    newlines: u64,
    /// Once set, every later read fails with it.
    error: Option<DecodeError>,
    finished: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` as `encoding`; a byte-order mark overrides it (and is removed).
    pub fn new(inner: R, encoding: Option<&'static Encoding>) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.unwrap_or(UTF_8).new_decoder(),
            input: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            output: Vec::with_capacity(CHUNK * 3),
            out_pos: 0,
            newlines: 0,
            error: None,
            finished: false,
        }
    }

    /// The encoding in use: the one asked for, or the one a byte-order mark named.
    pub fn encoding_name(&self) -> &'static str {
        self.decoder.encoding().name()
    }

    /// Decodes the next piece of input into `output`.
    fn fill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.out_pos = 0;
        while self.output.is_empty() && !self.finished {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = 0;
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.end = n;
                self.eof = n == 0;
            }
            let src = &self.input[self.start..self.end];
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(CHUNK * 4)
                .max(16);
            self.output.resize(room, 0);
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.output, self.eof);
            self.output.truncate(written);
            if let DecoderResult::Malformed(bad, after) = result {
                // The malformed bytes may have begun in an earlier buffer (a UTF-16 surrogate
                // split across reads): show those still at hand.
                let bad_end = (self.start + read).saturating_sub(usize::from(after));
                let bad_start = bad_end
                    .saturating_sub(usize::from(bad))
                    .max(self.start.min(bad_end));
                let bytes = self.input[bad_start..bad_end]
                    .iter()
                    .map(|b| format!("0x{b:02X}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let line = self.newlines + count_newlines(&self.output) + 1;
                self.error = Some(DecodeError::Malformed {
                    line,
                    bytes,
                    encoding: self.encoding_name(),
                });
                self.finished = true;
            }
            self.start += read;
            if self.eof && self.start == self.end && matches!(result, DecoderResult::InputEmpty) {
                self.finished = true;
            }
        }
        if let Some(nul) = self.output.iter().position(|b| *b == 0) {
            let line = self.newlines + count_newlines(&self.output[..nul]) + 1;
            self.output.truncate(nul);
            self.error = Some(DecodeError::Nul { line });
            self.finished = true;
        }
        Ok(())
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.output.len() {
            if self.finished {
                return match &self.error {
                    Some(e) => Err(io::Error::new(io::ErrorKind::InvalidData, e.clone())),
                    None => Ok(0),
                };
            }
            self.fill()?;
            if self.output.is_empty() {
                return self.read(buf);
            }
        }
        let n = buf.len().min(self.output.len() - self.out_pos);
        let chunk = &self.output[self.out_pos..self.out_pos + n];
        self.newlines += count_newlines(chunk);
        buf[..n].copy_from_slice(chunk);
        self.out_pos += n;
        Ok(n)
    }
}

/// Takes a decoding error back out of an I/O error.
pub fn as_decode_error(e: &io::Error) -> Option<&DecodeError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<DecodeError>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], enc: Option<&'static Encoding>) -> io::Result<String> {
        let mut s = String::new();
        DecodingReader::new(bytes, enc).read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(b"a;b\n", None).unwrap(), "a;b\n");
        assert_eq!(decode(b"\xEF\xBB\xBFa;b\n", None).unwrap(), "a;b\n");
    }

    #[test]
    fn utf16_with_bom_is_detected() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Crème\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le, None).unwrap(), "Crème\n");
        let mut be = vec![0xFE, 0xFF];
        be.extend("Crème\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be, None).unwrap(), "Crème\n");
    }

    #[test]
    fn windows_1252_when_asked() {
        let enc = encoding_for_label("windows-1252");
        assert_eq!(decode(b"Cr\xE8me\n", enc).unwrap(), "Crème\n");
    }

    #[test]
    fn invalid_utf8_names_its_line_and_never_replaces() {
        let err = decode(b"ok\nstill ok\nCr\xE8me\n", None).unwrap_err();
        let e = as_decode_error(&err).unwrap();
        assert_eq!(e.line(), 3);
        assert!(e.to_string().contains("0xE8"), "{e}");
        assert!(e.hints()[0].contains("--encoding windows-1252"));
    }

    #[test]
    fn nul_bytes_are_refused_with_their_line() {
        let err = decode(b"a\nb\0c\n", None).unwrap_err();
        assert_eq!(
            as_decode_error(&err).unwrap(),
            &DecodeError::Nul { line: 2 }
        );
    }

    /// Regression (found by cargo-fuzz): a malformed UTF-16 sequence whose bytes began in an
    /// earlier buffer made the error's byte range underflow.
    #[test]
    fn malformed_utf16_across_buffers_is_an_error_not_a_panic() {
        let bytes = include_bytes!("../../tests/fixtures/fuzz_utf16_malformed_across_buffers.bin");
        let err = decode(bytes, None).unwrap_err();
        assert!(
            matches!(
                as_decode_error(&err),
                Some(DecodeError::Malformed {
                    encoding: "UTF-16LE",
                    ..
                })
            ),
            "{err}"
        );
        // And for every way the input could be cut into reads.
        for size in 1..8 {
            let mut r = DecodingReader::new(Chunked { data: bytes, size }, None);
            let mut out = Vec::new();
            assert!(r.read_to_end(&mut out).is_err());
        }
    }

    /// A reader that hands out at most `size` bytes at a time.
    struct Chunked<'a> {
        data: &'a [u8],
        size: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.size.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn long_input_decodes_across_chunks() {
        let text = "é,ü;ß\n".repeat(50_000);
        assert_eq!(decode(text.as_bytes(), None).unwrap(), text);
    }
}
