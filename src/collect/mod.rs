//! Collect: the only stage that reads from AWS. It resolves credentials and the account, picks the
//! regions, and collects every region in parallel, each paced to SES's per-region limit, into an
//! [`Inventory`]. Failures are recorded on what they touched; only a session that cannot start
//! (no credentials, rejected credentials) fails the whole run.

pub mod dns_check;
mod enabled_regions;
pub mod errors;
pub mod pacing;
mod paging;
pub mod progress;
pub mod regions;
pub mod ses;
pub mod session;

use crate::inventory::{
    AccountInventory, CollectError, CollectionStats, ErrorKind, Inventory, RegionInventory,
    RegionSource, RegionState,
};
use crate::rules::Needs;
use aws_config::Region;
use dns_check::DnsOptions;
use pacing::{Caller, Metrics, Pacer, RetryPolicy};
use progress::Progress;
use session::SessionOptions;
use std::sync::Arc;
use std::time::Instant;

/// Everything a collection run needs to know.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub session: SessionOptions,
    /// Regions the user asked for (validated); empty means every SES region the account enabled.
    pub regions: Vec<String>,
    /// SES requests per second per region.
    pub rate: f64,
    pub retry: RetryPolicy,
    pub progress: bool,
    /// Extra data the selected rules need.
    pub needs: Needs,
    pub dns: DnsOptions,
}

/// Collects one account.
pub async fn collect(opts: &CollectOptions) -> anyhow::Result<Inventory> {
    let started = Instant::now();
    let mut session_opts = opts.session.clone();
    if session_opts.fallback_region.is_none() {
        // Not the first requested region: it may be an opt-in region the account has not enabled.
        let partition = opts
            .regions
            .first()
            .map_or("aws", |r| regions::partition_of(r));
        session_opts.fallback_region = Some(regions::home_region(partition).to_string());
    }
    let config = session::load(&session_opts).await?;
    let metrics = Arc::new(Metrics::default());
    let account_id = session::caller_account(&config, &metrics, &opts.retry).await?;
    let home = config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| session::DEFAULT_HOME_REGION.to_string());
    let partition = opts.regions.first().map_or_else(
        || regions::partition_of(&home),
        |r| regions::partition_of(r),
    );

    let (targets, region_source, confirmed) = if !opts.regions.is_empty() {
        (opts.regions.clone(), RegionSource::Requested, false)
    } else if partition != "aws" {
        let reason = "the Account API is not used in this partition".to_string();
        (
            all_ses(partition),
            RegionSource::SesRegionList { reason },
            false,
        )
    } else {
        match enabled_regions::list(&config, &metrics).await {
            Ok(enabled) => (
                regions::intersect_enabled(partition, &enabled),
                RegionSource::EnabledRegions,
                true,
            ),
            Err(reason) => {
                tracing::info!(%reason, "enabled regions unknown; trying every SES region");
                (
                    all_ses(partition),
                    RegionSource::SesRegionList { reason },
                    false,
                )
            }
        }
    };

    let progress = Progress::new(opts.progress);
    let policy = Arc::new(opts.retry.clone());
    let mut tasks = Vec::with_capacity(targets.len());
    for region in &targets {
        let conf = aws_sdk_ses::config::Builder::from(&config)
            .region(Region::new(region.clone()))
            .build();
        let client = aws_sdk_ses::Client::from_conf(conf);
        let details = opts.needs.ses_v2.then(|| {
            aws_sdk_sesv2::Client::from_conf(
                aws_sdk_sesv2::config::Builder::from(&config)
                    .region(Region::new(region.clone()))
                    .build(),
            )
        });
        let (metrics, policy, region) = (metrics.clone(), policy.clone(), region.clone());
        let bar = progress.region(&format!("{account_id} {region}"));
        let rate = opts.rate;
        tasks.push(tokio::spawn(async move {
            let pacer = Pacer::new(rate);
            let caller = Caller {
                pacer: &pacer,
                metrics: &metrics,
                policy: &policy,
            };
            ses::collect_region(&client, details.as_ref(), &caller, &region, confirmed, &bar).await
        }));
    }
    let mut collected = Vec::with_capacity(targets.len());
    for (region, task) in targets.iter().zip(tasks) {
        // A region whose task died is an ERROR for that region alone.
        collected.push(
            task.await
                .unwrap_or_else(|e| failed_region(region, &e.to_string())),
        );
    }

    let mut inventory = Inventory::new(now_rfc3339());
    inventory.accounts.push(AccountInventory {
        account_id,
        partition: partition.to_string(),
        region_source,
        regions: collected,
    });
    if opts.needs.dns {
        let lookups = dns_check::check(&mut inventory, &opts.dns)
            .await
            .map_err(anyhow::Error::msg)?;
        tracing::info!(lookups, "DKIM records looked up in DNS");
    }
    inventory.collection = Some(CollectionStats {
        api_calls: metrics.calls(),
        throttled: metrics.throttled(),
        duration_ms: started.elapsed().as_millis() as u64,
    });
    Ok(inventory)
}

fn failed_region(region: &str, why: &str) -> RegionInventory {
    RegionInventory {
        region: region.to_string(),
        state: RegionState::Error,
        listing_complete: false,
        errors: vec![CollectError {
            action: "ses:ListIdentities".into(),
            code: "InternalError".into(),
            kind: ErrorKind::ServiceError,
            message: format!("the collector for this region stopped: {why}"),
            attempts: 0,
        }],
        identities: Vec::new(),
    }
}

fn all_ses(partition: &str) -> Vec<String> {
    regions::ses_regions(partition)
        .iter()
        .map(|r| r.to_string())
        .collect()
}

/// The current time as RFC 3339, to the second.
pub fn now_rfc3339() -> String {
    use aws_sdk_ses::primitives::{DateTime, DateTimeFormat};
    DateTime::from(std::time::SystemTime::now())
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}
