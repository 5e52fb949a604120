//! `qitech-sim batch`: one simulation request per input line, one response (or error object) per
//! output line, in input order, priced on all cores.
//!
//! * Lines are read and priced in chunks of [`CHUNK`]; a writer thread prints chunk k while the pool
//!   prices chunk k + 1, and the channel holds one chunk, so memory stays bounded by a few chunks
//!   whatever the input's length.
//! * A line that fails gives `{"error":"…","line":N}` (N counts input lines from 1); a blank line is
//!   skipped but still counted.
//! * At the end, stderr gets one summary line when any line failed (`qitech-sim batch: 3 of 1000
//!   lines failed`), and the exit status is 1 then, so a pipeline notices; 0 when every line was
//!   priced. A closed stdout (`batch | head -1`) ends quietly with status 0.

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use qitech_sim::SimulationOptions;
use qitech_sim::api::{self, SimulationRequest};
use rayon::prelude::*;
use serde_json::json;

use crate::{Failure, now_utc};

/// Lines read, priced in parallel and written per chunk.
const CHUNK: usize = 256;

/// What the writer thread reports.
enum Written {
    /// Everything was written.
    All,
    /// The reader of stdout went away (EPIPE): stop quietly.
    Closed,
}

/// Runs the batch over `file` (stdin when `None` or `-`).
pub(crate) fn run(file: Option<&str>, options: &SimulationOptions) -> Result<ExitCode, Failure> {
    let input: Box<dyn BufRead> = match file {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(|e| Failure(format!("{path}: cannot read: {e}")))?,
        )),
    };
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<String>>(1);
    let writer = std::thread::spawn(move || -> Result<Written, String> {
        let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        let write = |out: &mut BufWriter<_>, results: &[String]| -> std::io::Result<()> {
            for r in results {
                out.write_all(r.as_bytes())?;
                out.write_all(b"\n")?;
            }
            out.flush()
        };
        for results in receive {
            match write(&mut out, &results) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Written::Closed),
                Err(e) => return Err(format!("stdout: {e}")),
            }
        }
        Ok(Written::All)
    });
    let mut lines = input.lines();
    let (mut line_no, mut failed, mut read_error) = (0usize, 0usize, None);
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
        for line in lines.by_ref() {
            line_no += 1;
            match line {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => chunk.push((line_no, l)),
                Err(e) => {
                    read_error = Some(format!("input: line {line_no}: {e}"));
                    break;
                }
            }
            if chunk.len() == CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let now = now_utc();
        let results: Vec<(bool, String)> = chunk
            .par_iter()
            .map(|(n, line)| price_line(*n, line, options, now.clone()))
            .collect();
        failed += results.iter().filter(|r| !r.0).count();
        let texts = results.into_iter().map(|r| r.1).collect();
        if send.send(texts).is_err() || read_error.is_some() {
            break;
        }
    }
    drop(send);
    let written = writer
        .join()
        .map_err(|_| Failure("stdout: writer thread failed".into()))?;
    match (read_error, written) {
        (_, Ok(Written::Closed)) => Ok(ExitCode::SUCCESS),
        (Some(e), _) | (None, Err(e)) => Err(Failure(e)),
        (None, Ok(Written::All)) if failed > 0 => {
            eprintln!("qitech-sim batch: {failed} of {line_no} lines failed");
            Ok(ExitCode::from(1))
        }
        (None, Ok(Written::All)) => Ok(ExitCode::SUCCESS),
    }
}

/// One line: `(priced, the compact response or {"error":…,"line":N})`.
fn price_line(
    n: usize,
    line: &str,
    options: &SimulationOptions,
    now: Option<String>,
) -> (bool, String) {
    let result = SimulationRequest::from_json(line, &format!("line {n}"))
        .and_then(|req| api::simulate_request(&req, options, now));
    match result {
        Ok(resp) => match String::from_utf8(resp.to_json_bytes()) {
            Ok(s) => (true, s),
            Err(e) => (
                false,
                json!({"line": n, "error": e.to_string()}).to_string(),
            ),
        },
        Err(e) => (
            false,
            json!({"line": n, "error": e.to_string()}).to_string(),
        ),
    }
}
