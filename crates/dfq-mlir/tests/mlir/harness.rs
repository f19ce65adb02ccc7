//! A small test runner in libtest's format, for a `harness = false` binary
//! that is also the dfq tools (see main.rs): named tests, substring filters,
//! panics caught, a `test result:` line cargo's users know.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub type TestFn = Box<dyn FnOnce() -> Result<(), String> + Send>;

pub struct Test {
    pub name: String,
    pub run: TestFn,
}

impl Test {
    pub fn new(name: impl Into<String>, run: impl FnOnce() -> Result<(), String> + Send + 'static) -> Test {
        Test { name: name.into(), run: Box::new(run) }
    }
}

/// Runs the tests that match the command line's filters; the exit code is
/// libtest's (101 when one failed).
pub fn run(tests: Vec<Test>) -> std::process::ExitCode {
    let mut filters = Vec::new();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut list = false;
    let mut exact = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => list = true,
            "--exact" => exact = true,
            "--test-threads" => threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(threads),
            s if s.starts_with("--test-threads=") => threads = s[15..].parse().unwrap_or(threads),
            s if s.starts_with('-') => {}
            s => filters.push(s.to_string()),
        }
    }
    let total = tests.len();
    let selected: Vec<Test> = tests
        .into_iter()
        .filter(|t| filters.is_empty() || filters.iter().any(|f| if exact { t.name == *f } else { t.name.contains(f.as_str()) }))
        .collect();
    if list {
        selected.iter().for_each(|t| println!("{}: test", t.name));
        return std::process::ExitCode::SUCCESS;
    }
    let filtered_out = total - selected.len();
    println!("\nrunning {} tests", selected.len());
    let start = Instant::now();
    let queue = Mutex::new(selected.into_iter());
    let failures = Mutex::new(Vec::<(String, String)>::new());
    let passed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let Some(test) = queue.lock().unwrap_or_else(|e| e.into_inner()).next() else { break };
                let outcome = catch_unwind(AssertUnwindSafe(test.run)).unwrap_or_else(|p| Err(panic_message(&p)));
                match outcome {
                    Ok(()) => {
                        println!("test {} ... ok", test.name);
                        passed.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(why) => {
                        println!("test {} ... FAILED", test.name);
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push((test.name, why));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failures {
            println!("---- {name} ----\n{why}\n");
        }
        println!("failures:");
        failures.iter().for_each(|(name, _)| println!("    {name}"));
    }
    let ok = failures.is_empty();
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {filtered_out} filtered out; finished in {:.2}s\n",
        if ok { "ok" } else { "FAILED" },
        passed.into_inner(),
        failures.len(),
        start.elapsed().as_secs_f64()
    );
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(101)
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    match (p.downcast_ref::<&str>(), p.downcast_ref::<String>()) {
        (Some(s), _) => format!("panicked: {s}"),
        (_, Some(s)) => format!("panicked: {s}"),
        _ => "panicked".to_string(),
    }
}
