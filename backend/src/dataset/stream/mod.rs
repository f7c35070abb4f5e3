//! Reading a dataset file as a stream: records are validated and handed over one at a time
//! while the file is read, so a 2 GB upload is never held in memory. Accepts a JSON array
//! of records, JSON Lines (or concatenated objects), and the original project's
//! `{metadata, records: [...]}` file, whose `records` array is streamed too.

use std::collections::HashSet;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use shared::{DatasetRecord, FieldError};

use super::load::{record_from_value, LoadError, MAX_RECORDS};

/// Most problems reported for one file (the first ones; the count says how many more).
pub const MAX_REPORTED_PROBLEMS: usize = 1000;

/// What the reader of a stream is told, record by record.
pub trait RecordSink {
    /// One valid record, at `index` in the file. An error stops reading (and is returned).
    fn record(&mut self, index: usize, record: DatasetRecord) -> Result<(), String>;
}

impl<F: FnMut(usize, DatasetRecord) -> Result<(), String>> RecordSink for F {
    fn record(&mut self, index: usize, record: DatasetRecord) -> Result<(), String> {
        self(index, record)
    }
}

/// Why a stream could not be read as a dataset.
#[derive(Debug)]
pub enum StreamError {
    /// The file, or some of its records, are invalid: every problem found (the first
    /// [`MAX_REPORTED_PROBLEMS`]).
    Invalid(LoadError),
    /// The sink stopped the reading (e.g. the store failed).
    Stopped(String),
}

/// Reads every record of `reader`, giving each valid one to `sink` in file order, and
/// returns how many records the file holds. Problems are collected (reading goes on after
/// a bad record, as it does for a whole file) and returned together at the end; a file
/// that is not JSON at all stops at once.
pub fn read_records<R: Read>(reader: R, sink: &mut dyn RecordSink) -> Result<usize, StreamError> {
    let mut input = Lines::new(BufReader::with_capacity(1 << 16, reader));
    let mut state = State {
        sink,
        index: 0,
        seen: HashSet::new(),
        problems: Vec::new(),
        more_problems: 0,
        stopped: None,
    };
    input.skip_bom_and_space().map_err(io_error)?;
    match input.peek().map_err(io_error)? {
        None => return Err(invalid("file", "is empty")),
        Some(b'[') => {
            let mut de = serde_json::Deserializer::from_reader(&mut input);
            if let Err(e) = de.deserialize_seq(RecordsVisitor(&mut state)) {
                return Err(state.value_error(&e, input.line));
            }
            input.expect_end()?;
        }
        Some(b'{') => loop {
            let mut de = serde_json::Deserializer::from_reader(&mut input);
            match TopLevel(&mut state).deserialize(&mut de) {
                Ok(Top::Document) => {
                    input.expect_end()?;
                    break;
                }
                Ok(Top::Record(obj)) => {
                    if !state.take(Value::Object(obj)) {
                        break;
                    }
                }
                Err(e) => return Err(state.value_error(&e, input.line)),
            }
            input.skip_bom_and_space().map_err(io_error)?;
            match input.peek().map_err(io_error)? {
                None => break,
                Some(b'{') => {}
                Some(_) => {
                    return Err(invalid(
                        format!("line {}", input.line),
                        "expected a JSON object (one record per line)",
                    ))
                }
            }
        },
        Some(_) => {
            return Err(invalid(
                "file",
                "expected a JSON array of records, JSON Lines, or {metadata, records}",
            ))
        }
    }
    if let Some(e) = state.stopped {
        return Err(StreamError::Stopped(e));
    }
    if state.index == 0 {
        return Err(invalid("records", "the file holds no records"));
    }
    if state.problems.is_empty() {
        Ok(state.index)
    } else {
        if state.more_problems > 0 {
            state.problems.push(FieldError {
                field: "records".into(),
                message: format!("and {} more problems", state.more_problems),
            });
        }
        Err(StreamError::Invalid(LoadError(state.problems)))
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> StreamError {
    StreamError::Invalid(LoadError(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }]))
}

fn io_error(e: std::io::Error) -> StreamError {
    invalid("file", format!("cannot be read: {e}"))
}

/// Reading state shared by the visitors.
struct State<'s> {
    sink: &'s mut dyn RecordSink,
    index: usize,
    seen: HashSet<String>,
    problems: Vec<FieldError>,
    more_problems: usize,
    stopped: Option<String>,
}

impl State<'_> {
    /// Validates one record value and hands it over; false stops the reading.
    fn take(&mut self, value: Value) -> bool {
        let index = self.index;
        self.index += 1;
        if self.index > MAX_RECORDS {
            self.problem(FieldError {
                field: "records".into(),
                message: format!("at most {MAX_RECORDS} records per file"),
            });
            return false;
        }
        match record_from_value(&value, index) {
            Ok(r) => {
                if r.id.chars().any(char::is_control) {
                    // Ids name trials, links and files; PostgreSQL cannot store a NUL.
                    self.problem(FieldError {
                        field: format!("records[{index}].id"),
                        message: "an id must not contain control characters".into(),
                    });
                } else if !self.seen.insert(r.id.clone()) {
                    self.problem(FieldError {
                        field: format!("records[{index}].id"),
                        message: format!("duplicate id \"{}\"", r.id),
                    });
                } else if self.problems.is_empty() {
                    // Once the file is known to be invalid, nothing more is stored.
                    if let Err(e) = self.sink.record(index, r) {
                        self.stopped = Some(e);
                        return false;
                    }
                }
            }
            Err(e) => {
                for p in e.0 {
                    self.problem(p);
                }
            }
        }
        true
    }

    fn problem(&mut self, p: FieldError) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }

    /// Why a top-level value ended in an error: the sink stopped, the record limit was
    /// passed, or the text is not JSON (`line` is where reading stopped).
    fn value_error(&mut self, e: &serde_json::Error, line: usize) -> StreamError {
        if let Some(stop) = self.stopped.take() {
            return StreamError::Stopped(stop);
        }
        if self.index > MAX_RECORDS {
            return StreamError::Invalid(LoadError(std::mem::take(&mut self.problems)));
        }
        invalid(
            "file",
            format!("invalid JSON at line {line}, column {}: {e}", e.column()),
        )
    }
}

/// A JSON array whose elements are records.
struct RecordsVisitor<'a, 's>(&'a mut State<'s>);

impl<'de> Visitor<'de> for RecordsVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            if !self.0.take(value) {
                return Err(serde::de::Error::custom("reading stopped"));
            }
        }
        Ok(())
    }
}

/// A top-level object: the original project's document (its `records` streamed), or one
/// record (of JSON Lines, or a file holding a single record).
enum Top {
    Document,
    Record(Map<String, Value>),
}

struct TopLevel<'a, 's>(&'a mut State<'s>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = Top;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record or {metadata, records}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut fields = Map::new();
        let mut document = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "records" {
                map.next_value_seed(RecordsSeed(&mut *self.0))?;
                document = true;
            } else if document {
                // The document's metadata: not needed to store the records.
                map.next_value::<IgnoredAny>()?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        Ok(if document {
            Top::Document
        } else {
            Top::Record(fields)
        })
    }
}

struct RecordsSeed<'a, 's>(&'a mut State<'s>);

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(RecordsVisitor(self.0))
    }
}

/// A buffered reader that counts the lines it has passed (for error messages).
struct Lines<R> {
    inner: R,
    line: usize,
}

impl<R: BufRead> Lines<R> {
    fn new(inner: R) -> Self {
        Lines { inner, line: 1 }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    /// Skips a byte-order mark and white space.
    fn skip_bom_and_space(&mut self) -> std::io::Result<()> {
        if self.inner.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
            self.inner.consume(3);
        }
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count();
            let all = n == buf.len();
            self.inner.consume(n);
            if !all {
                return Ok(());
            }
        }
    }

    /// Only white space may follow.
    fn expect_end(&mut self) -> Result<(), StreamError> {
        self.skip_bom_and_space().map_err(io_error)?;
        match self.peek().map_err(io_error)? {
            None => Ok(()),
            Some(_) => Err(invalid(
                format!("line {}", self.line),
                "unexpected data after the end of the document",
            )),
        }
    }
}

impl<R: BufRead> Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.inner.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.line += buf[..n].iter().filter(|&&b| b == b'\n').count();
        self.inner.consume(n);
        Ok(n)
    }
}

/// Reads a whole dataset file's text (see [`read_records`]).
pub fn parse_dataset(text: &str) -> Result<Vec<DatasetRecord>, LoadError> {
    let mut records = Vec::new();
    let mut keep = |_: usize, r: DatasetRecord| {
        records.push(r);
        Ok(())
    };
    match read_records(text.as_bytes(), &mut keep) {
        Ok(_) => Ok(records),
        Err(StreamError::Invalid(e)) => Err(e),
        Err(StreamError::Stopped(e)) => Err(super::load::err("file", e)),
    }
}

#[cfg(test)]
mod tests;
