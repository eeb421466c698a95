//! The account's enabled regions, from the Account API's `ListRegions`. When that is denied or
//! unavailable the caller falls back to every SES region and treats "not enabled" answers as INFO.

use super::pacing::{Caller, Metrics, Pacer, RetryPolicy};
use super::paging::{Next, Tokens};
use aws_config::{Region, SdkConfig};
use aws_sdk_account::types::RegionOptStatus;
use std::time::Duration;

/// The enabled regions, or why they could not be read.
pub async fn list(config: &SdkConfig, metrics: &Metrics) -> Result<Vec<String>, String> {
    // The Account API is global, served from us-east-1.
    let conf = aws_sdk_account::config::Builder::from(config)
        .region(Region::new("us-east-1"))
        .build();
    let client = aws_sdk_account::Client::from_conf(conf);
    let pacer = Pacer::new(0.0);
    // A lookup we can do without: retry briefly, then fall back.
    let policy = RetryPolicy {
        deadline: Duration::from_secs(10),
        ..RetryPolicy::default()
    };
    let caller = Caller {
        pacer: &pacer,
        metrics,
        policy: &policy,
    };
    let mut enabled = Vec::new();
    let mut tokens = Tokens::default();
    let mut token: Option<String> = None;
    loop {
        let page = caller
            .call("account:ListRegions", || {
                client
                    .list_regions()
                    .region_opt_status_contains(RegionOptStatus::Enabled)
                    .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                    .max_results(50)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| format!("{} answered {}: {}", e.action, e.code, e.message))?;
        enabled.extend(
            page.regions
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.region_name),
        );
        match tokens.next(page.next_token) {
            Next::Page(next) => token = Some(next),
            Next::Done => break,
            Next::Cycle => return Err("account:ListRegions repeated a NextToken".to_string()),
        }
    }
    if enabled.is_empty() {
        return Err("account:ListRegions returned no enabled regions".to_string());
    }
    Ok(enabled)
}
