//! Interrupting a tool never costs data (docs/hardening.md): SIGINT while
//! dfq-opt computes or while it writes its output leaves the old output file
//! as it was (or, if the signal came after the rename, the complete new one)
//! and no temporary file behind. `-o` equal to the input and a failing run
//! that keeps the old output are tested in lit-tests/tools/output-atomic.mlir.
#![cfg(unix)]

use std::os::unix::process::ExitStatusExt;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const OLD: &str = "// the previous output\n";

fn spawn_dfq_opt(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dfq-opt"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfq-opt starts")
}

fn interrupt(child: &Child) {
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0, "kill -INT failed");
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dfq-"))
        .collect()
}

/// A module whose printed form is about `mib` MiB: one constant in a resource blob.
fn big_module(mib: usize) -> String {
    let n = mib << 18; // f32 elements, 4 bytes each
    let mut hex = String::with_capacity(8 * n + 16);
    hex.push_str("0x04000000");
    for i in 0..n {
        hex.push_str(&format!("{:08X}", (i as f32).to_bits().swap_bytes()));
    }
    format!(
        "func.func @main() -> tensor<{n}xf32> {{\n  %c = arith.constant dense_resource<blob> : tensor<{n}xf32>\n  return %c : tensor<{n}xf32>\n}}\n{{-#\n  dialect_resources: {{ builtin: {{ blob: \"{hex}\" }} }}\n#-}}\n"
    )
}

/// The output is the old one, or a complete new module; never a part.
fn assert_whole(out: &Path) {
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text == OLD || text.trim_end().ends_with("#-}"), "partial output: {} bytes", text.len());
}

#[test]
fn sigint_while_writing_the_output_leaves_no_partial_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.mlir"), big_module(16)).unwrap();
    let out = dir.path().join("out.mlir");
    std::fs::write(&out, OLD).unwrap();
    let mut child = spawn_dfq_opt(dir.path(), &["big.mlir", "-o", "out.mlir"]);
    // Wait for the temporary file of the output to appear, then interrupt.
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < Duration::from_secs(60) {
        if !temporaries(dir.path()).is_empty() {
            interrupt(&child);
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let status = child.wait().unwrap();
    assert!(seen, "dfq-opt finished ({status}) before its temporary file was seen");
    // Died of the signal, as an interrupted program should (unless it had finished).
    assert!(status.signal() == Some(libc::SIGINT) || status.success(), "{status}");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new(), "stray temporary file");
    assert_whole(&out);
}

#[test]
fn sigint_while_computing_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = dfq_fixtures::stress::relu_chain(50_000, " {dfq.range = [-1.0, 1.0]}");
    std::fs::write(dir.path().join("long.mlir"), &text).unwrap();
    let out = dir.path().join("out.mlir");
    std::fs::write(&out, OLD).unwrap();
    let mut child = spawn_dfq_opt(dir.path(), &["long.mlir", "--dfq", "--lower-int8", "-o", "out.mlir"]);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    let status = child.wait().unwrap();
    assert!(status.signal() == Some(libc::SIGINT) || status.success(), "{status}");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new(), "stray temporary file");
    assert_whole(&out);
}
