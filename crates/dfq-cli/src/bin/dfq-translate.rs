fn main() -> std::process::ExitCode {
    dfq_cli::translate::main_with_args(std::env::args_os().collect())
}
