//! `qitech-sim batch`: one simulation request per input line, one response (or error object) per
//! output line, in input order, priced on all cores, as a stream that loses nothing.
//!
//! * **One output line per input line**, in order: a line that fails (invalid JSON, a bad field, a
//!   blank line, bytes that are not UTF-8, a line longer than [`MAX_LINE_BYTES`]) gives
//!   `{"error":"…","field":…,"kind":"…","line":N}` (N counts input lines from 1; `kind` is
//!   [`qitech_sim::ErrorKind::as_str`], `invalid_json` for a line that is not a JSON text;
//!   `field` the field's path, or null). A UTF-8 byte-order mark opening line 1 is skipped; a `\r`
//!   ending a line too.
//! * Each line is a simulation body of either shape (`financial` or v2), read and priced by the
//!   one [`qitech_sim::api::Service`].
//! * **Memory bounded in bytes**: a line is read up to [`MAX_LINE_BYTES`] (the rest of a longer
//!   line is skipped without being stored, and the stream goes on); the lines read ahead are
//!   bounded by [`QUEUE_BYTES`], each counted at least [`LINE_OVERHEAD`] (blank and failing lines
//!   included); the responses priced ahead of the writer by [`OUTPUT_BYTES`]
//!   (estimated per request from its options × installments before it is priced), whatever the
//!   number of lines and whatever each line asks for.
//! * **Answers as soon as the input pauses**: a reader thread hands lines over as they arrive, and
//!   the pricer prices whatever has arrived as soon as no further line is waiting, then flushes; a
//!   co-process that writes one line and waits for its answer gets it.
//! * **`--summary`** ([`Shape::Summary`]): each priced line is the compact
//!   [`qitech_sim::api::SummaryResponse`] instead of the full response (per disbursement option: date, issue,
//!   IOF, fees, disbursed, change or shortfall, first installment, CET); error lines, order,
//!   memory bounds and flushing are the same.
//! * At the end, stderr gets one summary line (`qitech-sim batch: lines read: 1000, priced: 997,
//!   failed: 3`); the exit status is 1 when any line failed, 0 when every line was priced, 2 when the
//!   input could not be read. A pipe whose reader has gone (`batch | head -1`) ends quietly with
//!   status 0; a closed or unwritable stdout is an error (status 2, see the `stdout` module).

use std::io::{BufRead, BufWriter, Read, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex};

use qitech_sim::api::{Body, Service, SimulationBody};
use rayon::prelude::*;
use serde_json::json;

use crate::{Failure, now_utc};

/// The longest input line priced, in bytes (1 MiB, newline excluded); a longer line gets an error
/// line and the rest of it is skipped.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

/// Most bytes of input lines read ahead of the pricer (each line counted as its text or error
/// message plus [`LINE_OVERHEAD`]).
pub(crate) const QUEUE_BYTES: usize = 4 << 20;

/// What each line read ahead counts against [`QUEUE_BYTES`] besides its text: its record, its
/// slot in the channel and its heap block (about 100 bytes), rounded up. A blank, non-UTF-8 or
/// one-character line therefore still costs something, so at most `QUEUE_BYTES / LINE_OVERHEAD`
/// = 16,384 lines wait, whatever they hold (blank lines once counted 0 bytes and queued without
/// bound: 20 M of them took 2.9 GB).
pub(crate) const LINE_OVERHEAD: usize = 256;

/// Most lines priced in one parallel chunk.
const CHUNK_LINES: usize = 256;

/// Most bytes of responses (estimated) priced in one parallel chunk; the writer holds one chunk
/// and the channel one more, so responses in memory stay below about three times this.
pub(crate) const OUTPUT_BYTES: usize = 16 << 20;

/// Most bytes of emptied response buffers kept for reuse (their capacity), and the largest buffer
/// kept: the writer hands written buffers back so that the pricers do not allocate (and the kernel
/// does not fault in and clear) fresh pages for every 64 KB response.
const POOL_BYTES: usize = OUTPUT_BYTES;
const POOL_MAX_BUFFER: usize = 1 << 20;

/// Emptied response buffers, handed back by the writer to the pricers.
#[derive(Default)]
struct Pool {
    free: Mutex<(Vec<Vec<u8>>, usize)>,
}

impl Pool {
    /// An empty buffer: a recycled one if any.
    fn take(&self) -> Vec<u8> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        match free.0.pop() {
            Some(buf) => {
                free.1 -= buf.capacity();
                buf
            }
            None => Vec::new(),
        }
    }

    /// Keeps the written buffers, emptied, up to [`POOL_BYTES`] of capacity in all.
    fn give(&self, buffers: Vec<Vec<u8>>) {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        for mut buf in buffers {
            let cap = buf.capacity();
            if cap <= POOL_MAX_BUFFER && free.1 + cap <= POOL_BYTES {
                buf.clear();
                free.1 += cap;
                free.0.push(buf);
            }
        }
    }
}

/// What each priced line prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The full simulation response.
    Full,
    /// The one-line summary ([`qitech_sim::api::SummaryResponse`]).
    Summary,
}

/// One input line as the reader hands it over.
struct Line {
    number: usize,
    /// The text, or the error line's message.
    text: Result<String, String>,
    /// Bytes held (for the read-ahead budget).
    bytes: usize,
}

/// What the reader thread sends.
enum Input {
    Line(Line),
    /// The input failed (an I/O error): the message; nothing follows.
    Failed(String),
}

/// The read-ahead budget: bytes of lines sent and not yet priced.
#[derive(Default)]
struct Budget {
    held: Mutex<usize>,
    freed: Condvar,
}

impl Budget {
    /// Waits until `bytes` fit (a line larger than the whole budget waits for an empty queue).
    fn acquire(&self, bytes: usize) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        while *held > 0 && *held + bytes > QUEUE_BYTES {
            held = self.freed.wait(held).unwrap_or_else(|e| e.into_inner());
        }
        *held += bytes;
    }

    fn release(&self, bytes: usize) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        *held = held.saturating_sub(bytes);
        self.freed.notify_all();
    }
}

/// One line read with [`read_line`].
#[derive(Debug, PartialEq, Eq)]
enum Read1 {
    /// The line's bytes (without the newline), complete.
    Line,
    /// The line was longer than the cap: its first bytes are in the buffer, the rest was skipped;
    /// the total length.
    TooLong(usize),
    /// End of input.
    Eof,
}

/// Reads one line into `buf` (cleared first), at most `cap` bytes of it; the rest of a longer line
/// is consumed without being stored.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<Read1> {
    buf.clear();
    let (mut total, mut any) = (0usize, false);
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (any, total > cap) {
                (false, _) => Read1::Eof,
                (true, true) => Read1::TooLong(total),
                (true, false) => Read1::Line,
            });
        }
        any = true;
        let (take, done) = match newline_in(available) {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&available[..take.min(room)]);
        total += take;
        input.consume(take + usize::from(done));
        if done {
            return Ok(if total > cap {
                Read1::TooLong(total)
            } else {
                Read1::Line
            });
        }
    }
}

/// The index of the first `\n` in `bytes`: eight bytes at a time while none of them is one (a
/// word with a zero byte once xor-ed with `\n`s: the test finds any, no byte missed), then byte by
/// byte from the word that holds one.
fn newline_in(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
        if x.wrapping_sub(ONES) & !x & (ONES << 7) != 0 {
            break;
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| b == b'\n').map(|i| at + i)
}

/// The name errors give line `number` (`line 12`), written into `buf` without `core::fmt` or an
/// allocation (one per line priced).
fn line_name(number: usize, buf: &mut [u8; 32]) -> &str {
    const PREFIX: &[u8] = b"line ";
    let mut digits = [0u8; 20];
    let mut n = number;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    for (slot, digit) in buf[PREFIX.len()..]
        .iter_mut()
        .zip(digits[..len].iter().rev())
    {
        *slot = *digit;
    }
    // ASCII digits after ASCII text: always UTF-8.
    std::str::from_utf8(&buf[..PREFIX.len() + len]).unwrap_or("line")
}

/// The reader thread: every line of `input`, numbered, to `send`.
fn read_all(mut input: impl BufRead, send: &mpsc::Sender<Input>, budget: &Budget) {
    let mut buf = Vec::with_capacity(1 << 12);
    let mut number = 0usize;
    loop {
        let outcome = read_line(&mut input, &mut buf, MAX_LINE_BYTES);
        number += 1;
        let text = match outcome {
            Err(e) => {
                let _ = send.send(Input::Failed(format!("input: line {number}: {e}")));
                return;
            }
            Ok(Read1::Eof) => return,
            Ok(Read1::TooLong(len)) => Err(format!(
                "line {number}: {len} bytes, longer than the {MAX_LINE_BYTES}-byte line limit; \
                 skipped"
            )),
            Ok(Read1::Line) => {
                let mut bytes: &[u8] = &buf;
                if number == 1 {
                    bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                }
                bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                match std::str::from_utf8(bytes) {
                    Ok(s) if s.trim().is_empty() => Err(format!(
                        "line {number}: blank line (expected a JSON request)"
                    )),
                    Ok(s) => Ok(s.to_string()),
                    Err(e) => Err(format!(
                        "line {number}: not valid UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    )),
                }
            }
        };
        let bytes = LINE_OVERHEAD + text.as_ref().map_or_else(String::len, String::len);
        budget.acquire(bytes);
        if send
            .send(Input::Line(Line {
                number,
                text,
                bytes,
            }))
            .is_err()
        {
            return;
        }
    }
}

/// Lines of this many bytes or more are written to stdout directly, not copied into the writer's
/// buffer first: a copy costs more than the write it would save.
const DIRECT_LINE_BYTES: usize = 1 << 13;

/// What the writer thread reports.
enum Written {
    /// Everything was written.
    All,
    /// The reader of stdout went away (EPIPE): stop quietly.
    Closed,
}

/// The writer thread: each chunk's lines (each already ending in its newline), then a flush.
///
/// The buffer gathers short lines (error lines, summaries); a line of [`DIRECT_LINE_BYTES`] or more
/// (a full response is ≈ 64 KB for 96 installments) goes to stdout in one write after what the
/// buffer holds, without being copied into it.
fn write_all(receive: Receiver<Vec<Vec<u8>>>, pool: &Pool) -> Result<Written, String> {
    let mut out = BufWriter::with_capacity(1 << 16, crate::stdout::writer());
    let write =
        |out: &mut BufWriter<Box<dyn Write + Send>>, results: &[Vec<u8>]| -> std::io::Result<()> {
            for r in results {
                if r.len() >= DIRECT_LINE_BYTES {
                    out.flush()?;
                    out.get_mut().write_all(r)?;
                } else {
                    out.write_all(r)?;
                }
            }
            out.flush()
        };
    for results in receive {
        match write(&mut out, &results) {
            Ok(()) => pool.give(results),
            Err(e) if crate::stdout::reader_gone(&e) => return Ok(Written::Closed),
            Err(e) => return Err(format!("stdout: {e}")),
        }
    }
    Ok(Written::All)
}

/// Counts for the summary.
#[derive(Default)]
struct Counts {
    read: usize,
    failed: usize,
}

/// Runs the batch over `file` (stdin when `None` or `-`).
pub(crate) fn run(
    file: Option<&str>,
    service: &Service,
    shape: Shape,
) -> Result<ExitCode, Failure> {
    let source: Box<dyn Read + Send> = match file {
        None | Some("-") => Box::new(std::io::stdin()),
        Some(path) => Box::new(std::fs::File::open(path).map_err(|e| {
            Failure(format!(
                "{}: cannot read: {e}",
                qitech_sim::error::value_text(path)
            ))
        })?),
    };
    let budget = Arc::new(Budget::default());
    let (send_in, receive_in) = mpsc::channel::<Input>();
    let reader_budget = Arc::clone(&budget);
    // The reader is never joined: at a closed stdout it may be blocked on an input that never ends.
    std::thread::spawn(move || {
        read_all(
            std::io::BufReader::with_capacity(1 << 16, source),
            &send_in,
            &reader_budget,
        );
    });
    let (send_out, receive_out) = mpsc::sync_channel::<Vec<Vec<u8>>>(1);
    let pool = Arc::new(Pool::default());
    let writer_pool = Arc::clone(&pool);
    let writer = std::thread::spawn(move || write_all(receive_out, &writer_pool));
    let mut counts = Counts::default();
    let read_error = price_all(
        &receive_in,
        &send_out,
        &budget,
        &pool,
        service,
        shape,
        &mut counts,
    );
    drop(send_out);
    let written = writer
        .join()
        .map_err(|_| Failure("stdout: writer thread failed".into()))?;
    let Counts { read, failed } = counts;
    match (read_error, written) {
        (_, Ok(Written::Closed)) => Ok(ExitCode::SUCCESS),
        (None, Err(e)) => Err(Failure(e)),
        (read_error, Ok(Written::All) | Err(_)) => {
            eprintln!(
                "qitech-sim batch: lines read: {read}, priced: {}, failed: {failed}",
                read - failed
            );
            match read_error {
                Some(e) => Err(Failure(e)),
                None if failed > 0 => Ok(ExitCode::from(1)),
                None => Ok(ExitCode::SUCCESS),
            }
        }
    }
}

/// The pricer: takes the lines that have arrived (waiting only when none has), prices them on all
/// cores in chunks bounded by lines and estimated output bytes, and hands each chunk to the
/// writer. Returns the input's error, if it failed.
fn price_all(
    receive: &Receiver<Input>,
    send: &SyncSender<Vec<Vec<u8>>>,
    budget: &Budget,
    pool: &Pool,
    service: &Service,
    shape: Shape,
    counts: &mut Counts,
) -> Option<String> {
    let mut pending: Vec<Line> = Vec::with_capacity(CHUNK_LINES);
    let mut read_error = None;
    let mut ended = false;
    while !ended {
        // Block for the first line, then take what is already there, up to a chunk.
        let first = match receive.recv() {
            Ok(i) => i,
            Err(_) => break,
        };
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                Input::Line(l) => pending.push(l),
                Input::Failed(e) => {
                    read_error = Some(e);
                    ended = true;
                    break;
                }
            }
            if pending.len() >= CHUNK_LINES {
                break;
            }
            next = match receive.try_recv() {
                Ok(i) => Some(i),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => {
                    ended = true;
                    None
                }
            };
        }
        if pending.is_empty() {
            continue;
        }
        counts.read += pending.len();
        let held: usize = pending.iter().map(|l| l.bytes).sum();
        if !price_chunk(
            std::mem::take(&mut pending),
            send,
            pool,
            service,
            shape,
            counts,
        ) {
            // The writer is gone (stdout closed): stop reading.
            return read_error;
        }
        budget.release(held);
    }
    read_error
}

/// Why a line was not priced: the message, [`qitech_sim::ErrorKind::as_str`] and the field.
#[derive(Debug, Clone)]
struct LineError {
    message: String,
    kind: &'static str,
    field: Option<String>,
}

impl From<qitech_sim::Error> for LineError {
    fn from(e: qitech_sim::Error) -> Self {
        LineError {
            message: e.to_string(),
            kind: e.kind().as_str(),
            field: e.field().map(str::to_string),
        }
    }
}

impl LineError {
    /// A line that is not a JSON text at all (blank, not UTF-8, too long): no field.
    fn unread(message: String) -> Self {
        LineError {
            message,
            kind: qitech_sim::ErrorKind::InvalidJson.as_str(),
            field: None,
        }
    }
}

/// A parsed line, or its error line.
type Parsed = (usize, Result<SimulationBody, LineError>);

/// Parses `lines` in parallel, prices them in sub-chunks of at most [`OUTPUT_BYTES`] of estimated
/// output, and sends each sub-chunk's texts to the writer. `false` when the writer is gone.
fn price_chunk(
    lines: Vec<Line>,
    send: &SyncSender<Vec<Vec<u8>>>,
    pool: &Pool,
    service: &Service,
    shape: Shape,
    counts: &mut Counts,
) -> bool {
    let parsed: Vec<Parsed> = lines
        .into_par_iter()
        .map(|l| {
            let request = l.text.map_err(LineError::unread).and_then(|t| {
                let mut name = [0u8; 32];
                service
                    .read_simulation(Body::from(&t).named(line_name(l.number, &mut name)))
                    .map_err(LineError::from)
            });
            (l.number, request)
        })
        .collect();
    // The clock of this chunk's responses.
    let service = &service.clone().event_datetime(now_utc());
    let mut start = 0;
    while start < parsed.len() {
        let mut end = start;
        let mut estimate = 0usize;
        while end < parsed.len() && (end == start || estimate < OUTPUT_BYTES) {
            estimate += estimated_output(&parsed[end].1, shape);
            if end > start && estimate > OUTPUT_BYTES {
                break;
            }
            end += 1;
        }
        let results: Vec<(bool, Vec<u8>)> = parsed[start..end]
            .par_iter()
            .map(|(n, request)| price_line(*n, request, service, shape, pool.take()))
            .collect();
        counts.failed += results.iter().filter(|r| !r.0).count();
        if send
            .send(results.into_iter().map(|r| r.1).collect())
            .is_err()
        {
            return false;
        }
        start = end;
    }
    true
}

/// A generous estimate of a response's bytes: QI prints each installment once at the top and once
/// per disbursement option (≈ 320 bytes each in compact JSON); a summary prints ≈ 300 bytes per
/// option.
fn estimated_output(request: &Result<SimulationBody, LineError>, shape: Shape) -> usize {
    match request {
        Ok(r) => {
            let terms = r.terms();
            let options = terms.limit_days_to_disburse as usize + 2;
            match shape {
                Shape::Full => 4096 + options * terms.number_of_installments as usize * 400,
                Shape::Summary => 256 + options * 400,
            }
        }
        Err(e) => 128 + e.message.len(),
    }
}

/// One line: `(priced, the compact response or the error line, and its newline)`. The
/// response's bytes are UTF-8 by construction (JSON literals, serde_json's string escaping and
/// number printing), so they are sent as they are, not validated again.
fn price_line(
    n: usize,
    request: &Result<SimulationBody, LineError>,
    service: &Service,
    shape: Shape,
    mut line: Vec<u8>,
) -> (bool, Vec<u8>) {
    let error = |e: &LineError, mut line: Vec<u8>| {
        line.clear();
        let v = json!({"line": n, "error": e.message, "kind": e.kind, "field": e.field});
        line.extend_from_slice(v.to_string().as_bytes());
        line.push(b'\n');
        (false, line)
    };
    let written = match request {
        Err(e) => return error(e, line),
        Ok(body) => match shape {
            Shape::Full => service
                .simulate_body(body)
                .map(|r| r.append_json_to(&mut line)),
            Shape::Summary => service
                .summary_body(body)
                .map(|r| r.append_json_to(&mut line)),
        },
    };
    match written {
        Ok(()) => {
            line.push(b'\n');
            (true, line)
        }
        Err(e) => error(&LineError::from(e), line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search finds the first newline where a byte-by-byte one does: a
    /// newline (or two) at every position of texts of 0 to 24 bytes of several fills (the
    /// neighbours of `\n`, 0x8a, 0xff, 0), and none.
    #[test]
    fn newline_in_finds_the_first_newline() {
        for len in 0..=24 {
            for fill in [b'a', 0x09, 0x0b, 0x8a, 0xff, 0] {
                let base = vec![fill; len];
                assert_eq!(newline_in(&base), None);
                for at in 0..len {
                    let mut t = base.clone();
                    t[at] = b'\n';
                    assert_eq!(newline_in(&t), Some(at), "{t:?}");
                    if at + 3 < len {
                        t[at + 3] = b'\n';
                        assert_eq!(newline_in(&t), Some(at), "{t:?}");
                    }
                }
            }
        }
    }

    /// The line name is `format!("line {n}")`, at the ends of the digits' range.
    #[test]
    fn line_names_are_formatted_by_hand() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX / 10, usize::MAX] {
            let mut buf = [0u8; 32];
            assert_eq!(line_name(n, &mut buf), format!("line {n}"));
        }
    }

    #[test]
    fn lines_are_capped_and_the_rest_skipped() {
        let mut input = std::io::BufReader::with_capacity(4, &b"abc\nabcdefgh\n\nxy"[..]);
        let mut buf = vec![];
        let mut got = vec![];
        loop {
            match read_line(&mut input, &mut buf, 5) {
                Ok(Read1::Eof) => break,
                Ok(r) => got.push((r, buf.clone())),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(
            got,
            [
                (Read1::Line, b"abc".to_vec()),
                (Read1::TooLong(8), b"abcde".to_vec()),
                (Read1::Line, vec![]),
                (Read1::Line, b"xy".to_vec()),
            ]
        );
    }
}
