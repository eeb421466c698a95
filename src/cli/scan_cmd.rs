//! `assure scan` and `assure collect`: collect (or read a snapshot), evaluate, render, gate.

use super::args::{AwsArgs, CollectArgs, ColorChoice, ScanArgs};
use super::{EXIT_CLEAN, EXIT_FAILING, EXIT_INCOMPLETE};
use crate::collect::dns_check::DnsOptions;
use crate::collect::pacing::RetryPolicy;
use crate::collect::session::SessionOptions;
use crate::collect::{self, CollectOptions, regions};
use crate::engine::{self, Outcome};
use crate::inventory::{Inventory, snapshot};
use crate::report::{self, RenderOptions};
use crate::rules::{self, Needs, Rule};
use anyhow::{Context, bail};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::{Duration, Instant};

pub fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let selected = select_rules(&args.rules)?;
    let requested = regions::parse_requested(&args.aws.regions).map_err(anyhow::Error::msg)?;
    let mut config = crate::config::load(args.config.as_deref())?;
    if let Some(mode) = args.mode {
        config.mode = mode;
    }
    let mut inventory = match &args.snapshot {
        Some(path) => snapshot::read(path)?,
        None => collect_live(&args.aws, requested.clone(), rules::needs_of(&selected))?,
    };
    if args.snapshot.is_some() && !requested.is_empty() {
        keep_regions(&mut inventory, &requested)?;
    }
    let stats = if args.snapshot.is_some() {
        None
    } else {
        inventory.collection.clone()
    };
    let mut report = engine::run(&inventory, &selected, &config, stats.as_ref());
    drop(inventory);
    report.summary.duration_ms = started.elapsed().as_millis() as u64;

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let opts = RenderOptions {
        color,
        show_pass: args.show_pass,
    };
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("cannot create the report file {}", path.display()))?;
            let mut out = BufWriter::new(file);
            report::render(&report, args.format, opts, &mut out)
                .and_then(|_| out.flush())
                .with_context(|| format!("cannot write the report file {}", path.display()))?;
        }
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            let written =
                report::render(&report, args.format, opts, &mut out).and_then(|_| out.flush());
            match written {
                // A closed pipe (`assure scan | head`) is the reader's choice, not our failure.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write the report")?,
            }
        }
    }
    Ok(match report.outcome(args.fail_on) {
        Outcome::Clean => EXIT_CLEAN,
        Outcome::Failing => EXIT_FAILING,
        Outcome::Incomplete => EXIT_INCOMPLETE,
    })
}

pub fn collect(args: CollectArgs) -> anyhow::Result<u8> {
    let requested = regions::parse_requested(&args.aws.regions).map_err(anyhow::Error::msg)?;
    let needs = rules::needs_of(&select_rules(&args.rules)?);
    let inventory = collect_live(&args.aws, requested, needs)?;
    snapshot::write(&args.output, &inventory)?;
    if args.output.as_os_str() != "-" {
        let identities: usize = inventory
            .accounts
            .iter()
            .flat_map(|a| &a.regions)
            .map(|r| r.identities.len())
            .sum();
        let regions: usize = inventory.accounts.iter().map(|a| a.regions.len()).sum();
        eprintln!(
            "wrote {}: {identities} identities in {regions} regions",
            args.output.display()
        );
    }
    Ok(EXIT_CLEAN)
}

pub(super) fn collect_live(
    aws: &AwsArgs,
    regions: Vec<String>,
    needs: Needs,
) -> anyhow::Result<Inventory> {
    check_rate(aws.connection.rate)?;
    let opts = CollectOptions {
        session: SessionOptions {
            profile: aws.connection.profile.clone(),
            endpoint_url: aws.connection.endpoint_url.clone(),
            fallback_region: None,
        },
        regions,
        rate: aws.connection.rate,
        retry: RetryPolicy {
            deadline: Duration::from_secs(aws.connection.retry_deadline),
            ..RetryPolicy::default()
        },
        progress: !aws.no_progress,
        needs: Needs {
            dns: needs.dns && !aws.no_dns,
            ..needs
        },
        dns: DnsOptions {
            resolver: aws.resolver,
            ..DnsOptions::default()
        },
    };
    runtime()?.block_on(collect::collect(&opts))
}

/// The async runtime for talking to AWS. Collection waits on the network, not the CPU: one
/// thread drives every region, and a few blocking threads serve DNS lookups. Fewer threads also
/// means fewer allocator arenas, which keeps memory low.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(4)
        .build()
        .context("cannot start the async runtime")
}

/// Rejects rates that make no sense (or overflow the pacer).
pub(super) fn check_rate(rate: f64) -> anyhow::Result<()> {
    if !(0.01..=1000.0).contains(&rate) {
        bail!("--rate must be between 0.01 and 1000 requests per second");
    }
    Ok(())
}

/// The rules named with `--rule` (each once, in registry order), or all of them.
fn select_rules(ids: &[String]) -> anyhow::Result<Vec<&'static dyn Rule>> {
    let mut wanted = Vec::new();
    for id in ids {
        wanted.push(rules::find(id).map_err(anyhow::Error::msg)?.meta().id);
    }
    Ok(rules::registry()
        .iter()
        .copied()
        .filter(|r| ids.is_empty() || wanted.contains(&r.meta().id))
        .collect())
}

/// `--region` on a snapshot scan (or fix) narrows it to those regions; one the snapshot lacks is refused
/// rather than reported as clean.
pub(super) fn keep_regions(inventory: &mut Inventory, wanted: &[String]) -> anyhow::Result<()> {
    let present: Vec<&str> = inventory
        .accounts
        .iter()
        .flat_map(|a| &a.regions)
        .map(|r| r.region.as_str())
        .collect();
    if let Some(missing) = wanted.iter().find(|w| !present.contains(&w.as_str())) {
        let mut have = present.clone();
        have.sort_unstable();
        have.dedup();
        bail!(
            "the snapshot holds no data for region {missing}; it has: {}",
            have.join(", ")
        );
    }
    for account in &mut inventory.accounts {
        account.regions.retain(|r| wanted.contains(&r.region));
    }
    Ok(())
}
