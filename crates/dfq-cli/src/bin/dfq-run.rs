fn main() -> std::process::ExitCode {
    dfq_cli::run::main_with_args(std::env::args_os().collect())
}
