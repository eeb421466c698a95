fn main() -> std::process::ExitCode {
    assure::cli::main()
}
