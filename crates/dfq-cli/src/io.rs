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
    let mut tmp = tempfile::Builder::new()
        .prefix(".dfq-")
        .tempfile_in(dir)
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
