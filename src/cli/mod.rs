//! The command line: parses arguments, wires the stages together, and maps the result to an exit
//! code. No stage logic lives here.

mod args;
mod fix_cmd;
mod rules_cmd;
mod scan_cmd;

pub use args::Cli;
use args::Command;
use clap::Parser;
use std::process::ExitCode;

/// Nothing failing.
pub const EXIT_CLEAN: u8 = 0;
/// The tool could not do its job.
pub const EXIT_TOOL_ERROR: u8 = 1;
/// Finished, nothing failing, but some findings are ERROR.
pub const EXIT_INCOMPLETE: u8 = 2;
/// At least one FAIL at or above `--fail-on`.
pub const EXIT_FAILING: u8 = 3;

/// Runs the program with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // Help and version are not errors; everything else is a bad invocation.
            return if err.use_stderr() {
                ExitCode::from(EXIT_TOOL_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Scan(args) => scan_cmd::scan(args),
        Command::Collect(args) => scan_cmd::collect(args),
        Command::Rules(args) => rules_cmd::list(args),
        Command::Explain { rule_id } => rules_cmd::explain(&rule_id),
        Command::Fix(args) => fix_cmd::fix(args),
        Command::Apply(args) => fix_cmd::apply(args),
        Command::IamPolicy { purpose } => fix_cmd::iam_policy(purpose),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_TOOL_ERROR)
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        // The SDK's own warnings (an instance-metadata probe failing, say) are noise unless asked for.
        0 => "assure=warn",
        1 => "assure=info,aws_config=warn",
        _ => "assure=debug,aws_config=debug,aws_smithy_runtime=debug",
    };
    let filter = EnvFilter::try_from_env("ASSURE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
