//! Standard output as the CLI writes it: checked before anything else runs, and written through
//! a handle that reports every failure.
//!
//! Rust's runtime hides a closed descriptor 1: before `main` it opens `/dev/null` read-write in
//! its place (and `std::io::stdout()` would treat a closed one as a sink that accepts everything
//! anyway), so a command whose output went nowhere exited 0. The CLI therefore checks descriptor
//! 1 once, at start ([`open`]), before it parses its arguments or opens any file, and writes
//! through a duplicate of it ([`writer`]), which reports every error (`EBADF` included):
//! * on Linux, descriptor 1 open **read-write on `/dev/null`** is what the runtime substitutes for
//!   a closed one, and is refused as closed. The one cost: a caller that discards the output
//!   through a read-write `/dev/null` (Python's `subprocess.DEVNULL`, a shell's `1<>/dev/null`)
//!   is refused too; `>/dev/null`, Rust's `Stdio::null()` and `open(os.devnull, "w")` open it
//!   write-only and are accepted;
//! * elsewhere on Unix a descriptor the duplicate cannot be made of is refused; the runtime's
//!   substitute is not recognised.
//!
//! The rule (the binary's module docs repeat it):
//! * a **closed** descriptor 1 (`>&-`), one open **read-only** (`1</dev/null`) or a **full** device
//!   (`>/dev/full`) is an error for every command, `--help` included: one `error: stdout: …` line on
//!   stderr, exit status 2, nothing priced further;
//! * a **pipe whose reader has gone** (`| head -1`, `EPIPE`) is the reader's choice, not a failure:
//!   the command stops writing (and `batch` stops reading and pricing) and exits 0 quietly, as
//!   `head`'s upstream commands conventionally do.

use std::io::Write;
use std::sync::OnceLock;

/// The duplicate of descriptor 1, made by [`open`].
#[cfg(unix)]
static OUT: OnceLock<std::fs::File> = OnceLock::new();

/// Checks that descriptor 1 is open and keeps a duplicate of it to write through; the message
/// (`stdout: …`) when it is closed.
#[cfg(unix)]
pub(crate) fn open() -> Result<(), String> {
    use std::os::fd::AsFd;
    let stdout = std::io::stdout();
    let file = stdout
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .map_err(|e| format!("stdout: closed ({e})"))?;
    if substituted_null(&file) {
        return Err(
            "stdout: closed (descriptor 1 is the read-write /dev/null that stands in for \
                    a closed one; discard the output with >/dev/null)"
                .into(),
        );
    }
    let _ = OUT.set(file);
    Ok(())
}

/// Whether `file` (descriptor 1's duplicate) is `/dev/null` open read-write: what the runtime
/// opens in place of a closed descriptor 1. The access mode is read from `/proc/self/fdinfo/1`
/// (octal `flags`, the low two bits: 2 = read-write).
#[cfg(target_os = "linux")]
fn substituted_null(file: &std::fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(out), Ok(null)) = (file.metadata(), std::fs::metadata("/dev/null")) else {
        return false;
    };
    if out.rdev() != null.rdev() || out.mode() & 0o170000 != 0o020000 {
        return false;
    }
    std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
        info.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 == 0o2)
    })
}

/// Other systems: the substitute is not recognised.
#[cfg(all(unix, not(target_os = "linux")))]
fn substituted_null(_: &std::fs::File) -> bool {
    false
}

/// Elsewhere the standard handle is used as it is.
#[cfg(not(unix))]
pub(crate) fn open() -> Result<(), String> {
    Ok(())
}

/// Where the CLI writes its output: the duplicate made by [`open`] (the standard handle when
/// [`open`] has not run).
pub(crate) fn writer() -> Box<dyn Write + Send> {
    #[cfg(unix)]
    if let Some(file) = OUT.get() {
        return Box::new(file);
    }
    Box::new(std::io::stdout())
}

/// Whether a write error is the reader's end of a pipe having gone (`EPIPE`): the one failure
/// that ends a command quietly.
pub(crate) fn reader_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}
