//! Command-line arguments (clap). Parsing only: the commands live beside this file.

use crate::findings::Risk;
use crate::remediate::dns_formats::DnsFormat;
use crate::remediate::iam::Purpose;
use crate::report::Format;
use crate::rules::Mode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  nothing failing (no FAIL at or above --fail-on, no ERROR)
  1  assure could not do its job (bad arguments, no credentials, unreadable snapshot)
  2  finished with no such FAIL, but some findings are ERROR: something could not be evaluated
  3  at least one FAIL at or above --fail-on";

#[derive(Debug, Parser)]
#[command(
    name = "assure",
    version,
    about = "Continuous assurance for AWS cloud posture: audits every SES identity in every region for DKIM signing, its DNS records and its keys (SES-001, SES-101, SES-102, SES-103)",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// More log output on standard error (-v info, -vv debug). ASSURE_LOG takes a filter too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit an account (live) or a snapshot, and report findings.
    #[command(after_help = EXIT_CODES_HELP)]
    Scan(ScanArgs),
    /// Collect the inventory from AWS and save it as a snapshot, without evaluating it.
    Collect(CollectArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's knowledge-base article.
    Explain {
        /// Rule ID, e.g. SES-001.
        rule_id: String,
    },
    /// Plan the fixes for a rule's failing identities, and print the DNS records to publish.
    /// Changes nothing.
    Fix(FixArgs),
    /// Apply a reviewed plan (from `assure fix --plan-out`): asks first, changes only what the
    /// plan names, never deletes, and shows each identity's verdict before and after.
    #[command(after_help = APPLY_EXIT_CODES_HELP)]
    Apply(ApplyArgs),
    /// Print the least-privilege IAM policy for scanning or for fixing.
    IamPolicy {
        /// The job the policy is for.
        #[arg(long = "for", value_enum, default_value_t = Purpose::Scan)]
        purpose: Purpose,
    },
}

pub const APPLY_EXIT_CODES_HELP: &str = "\
Exit codes:
  0  every step done or already in place
  1  nothing applied: bad plan, another account, no confirmation, no credentials
  2  applied, but some identity was refused or some step failed or met a conflict";

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The rule whose failures to fix.
    #[arg(default_value = "SES-001")]
    pub rule_id: String,
    /// Plan from this snapshot instead of reading AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where DNS changes are made: `none` (records for a person) or `route53` (UPSERTs in the
    /// account's public hosted zone that holds each domain).
    #[arg(long, value_enum, default_value_t = DnsProvider::None)]
    pub dns: DnsProvider,
    /// How to print the DNS records (to standard output; the plan then goes to standard error).
    #[arg(long, value_enum, default_value_t = DnsFormat::Table)]
    pub dns_format: DnsFormat,
    /// Save the plan here, for review and `assure apply`.
    #[arg(long, value_name = "FILE")]
    pub plan_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DnsProvider {
    None,
    Route53,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file.
    pub plan: PathBuf,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Overwrite DNS records that hold another value (otherwise that is a conflict).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// How long to wait for Route 53 to report a change in sync.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub route53_wait: u64,
    /// Print the apply report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which account to talk to, and how fast (every command that calls AWS).
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Named profile from the shared AWS config and credentials files (AWS_PROFILE works too).
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every request to this endpoint (an emulator, say). AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// SES requests per second per account and region (SES allows about 1).
    #[arg(long, default_value_t = 1.0, value_name = "PER_SECOND")]
    pub rate: f64,
    /// Stop retrying a throttled or failing call after this many seconds.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub retry_deadline: u64,
}

/// Where and how to read AWS.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Region(s) to scan, repeatable or comma-separated. Default: every SES region the account
    /// has enabled.
    #[arg(short, long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// No progress bars on standard error.
    #[arg(long)]
    pub no_progress: bool,
    /// Do not look up the DKIM records in DNS (SES-101 then reports DNS_NOT_CHECKED).
    #[arg(long)]
    pub no_dns: bool,
    /// DNS resolver for the DKIM record lookups, IP[:PORT]. Default: the system's.
    #[arg(long, value_name = "IP[:PORT]", value_parser = parse_resolver)]
    pub resolver: Option<std::net::SocketAddr>,
}

fn parse_resolver(value: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(addr) = value.parse::<std::net::SocketAddr>() {
        return Ok(addr);
    }
    value
        .parse::<std::net::IpAddr>()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
        .map_err(|_| format!("`{value}` is not an IP address with an optional port, such as 9.9.9.9 or 127.0.0.1:5353"))
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Evaluate this snapshot (from `assure collect`) instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Only these rules (repeatable). Default: all. `--rule SES-001` alone is the cheapest scan:
    /// SESv2 details (one request per domain) are read only for SES-102 and SES-103.
    #[arg(long = "rule", value_name = "RULE_ID")]
    pub rules: Vec<String>,
    /// strict judges whether mail is really signed; conformity reproduces the original
    /// flag-only check. Default: strict, or `rules.mode` in the config file.
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Rule settings file. Default: ./assure.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest risk whose FAIL findings make the exit code 3.
    #[arg(long, value_enum, default_value_t = Risk::Low, value_name = "RISK")]
    pub fail_on: Risk,
    /// List PASS findings in the table as well.
    #[arg(long)]
    pub show_pass: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Collect what these rules need (repeatable). Default: all rules.
    #[arg(long = "rule", value_name = "RULE_ID")]
    pub rules: Vec<String>,
    /// Snapshot file to write (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(short, long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}
