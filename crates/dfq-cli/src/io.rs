//! Reading inputs and writing outputs without ever leaving a half-written file.

use std::io::{Read, Write};
use std::path::Path;

/// Reads a file, or stdin for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| format!("cannot read '{path}': {e}"))
}

/// Writes `data` to `path` (stdout for `-`) atomically: a temporary file in the
/// same directory is renamed over the target only once it is complete, so the
/// old content (which may be our own input) survives any failure.
pub fn write_output(path: &str, data: &[u8]) -> Result<(), String> {
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return match out.write_all(data).and_then(|_| out.flush()) {
            // A reader that stopped early (`| head`) is not an error of ours.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => r.map_err(|e| format!("cannot write stdout: {e}")),
        };
    }
    let target = Path::new(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let _cleanup = interrupt::Pending::new();
    let mut tmp = tempfile::Builder::new()
        .prefix(".dfq-")
        .make_in(dir, |candidate| {
            // The name is handed to the signal handler before the file exists, so
            // that no interrupt can find the file there and its name unknown.
            interrupt::set_pending(candidate);
            std::fs::OpenOptions::new().write(true).create_new(true).open(candidate)
        })
        .map_err(|e| format!("cannot create a temporary file in '{}': {e}", dir.display()))?;
    tmp.write_all(data).and_then(|_| tmp.as_file().sync_all()).map_err(|e| format!("cannot write '{path}': {e}"))?;
    // Temporary files are private (0600); the result should have the permissions
    // the file already had, or the usual ones for a new file.
    let permissions = match std::fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => default_permissions(),
    };
    tmp.as_file().set_permissions(permissions).map_err(|e| format!("cannot set permissions of '{path}': {e}"))?;
    tmp.persist(target).map_err(|e| format!("cannot replace '{path}': {}", e.error))?;
    Ok(())
}

/// Ctrl-C (or a kill) while an output is being written would end the process
/// before the temporary file's destructor runs, leaving a stray `.dfq-*` file.
/// While one exists, a handler for SIGINT, SIGTERM and SIGHUP unlinks it and
/// then dies of the signal as it would have.
#[cfg(unix)]
mod interrupt {
    use std::ffi::CString;
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::Once;

    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// The path of the temporary file being written, or null. Paths are leaked
    /// (a few bytes per output file) because the handler may read one on
    /// another thread at any moment.
    static PENDING: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

    extern "C" fn on_signal(sig: libc::c_int) {
        // Only async-signal-safe calls: unlink, signal, raise.
        let path = PENDING.swap(std::ptr::null_mut(), Ordering::SeqCst);
        unsafe {
            if !path.is_null() {
                libc::unlink(path);
            }
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }

    fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            for sig in SIGNALS {
                let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                // A signal the caller ignores (nohup, background jobs) stays ignored.
                let previous = unsafe { libc::signal(sig, handler) };
                if previous == libc::SIG_IGN {
                    unsafe { libc::signal(sig, libc::SIG_IGN) };
                }
            }
        });
    }

    /// The span of one output write: installs the handlers on creation, clears
    /// the pending path when the write is over (persisted or failed).
    pub struct Pending;

    impl Pending {
        pub fn new() -> Pending {
            install();
            Pending
        }
    }

    impl Drop for Pending {
        fn drop(&mut self) {
            PENDING.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }

    /// The temporary file an interrupt must remove (it may not exist yet).
    pub fn set_pending(path: &Path) {
        use std::os::unix::ffi::OsStrExt;
        if let Ok(c) = CString::new(path.as_os_str().as_bytes()) {
            PENDING.store(c.into_raw(), Ordering::SeqCst);
        }
    }
}

#[cfg(not(unix))]
mod interrupt {
    pub struct Pending;

    impl Pending {
        pub fn new() -> Pending {
            Pending
        }
    }

    pub fn set_pending(_: &std::path::Path) {}
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    // 0666 minus the usual umask of 022; reading the umask would mean changing it.
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    std::fs::metadata(".").map(|m| m.permissions()).expect("current directory is readable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_atomically_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.mlir");
        let p = path.to_str().unwrap();
        write_output(p, b"first").unwrap();
        write_output(p, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_target_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/out.mlir");
        assert!(write_output(missing.to_str().unwrap(), b"x").is_err());
    }
}
