//! The AWS session: the SDK's standard credential chain and region resolution, one HTTPS client,
//! and the calls that must succeed before anything is scanned (credentials, account identity).

use super::pacing::{Caller, Metrics, Pacer, RetryPolicy};
use crate::inventory::ErrorKind;
use anyhow::{Context, anyhow, bail};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_ses::config::retry::RetryConfig;
use aws_sdk_ses::config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::time::Duration;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub profile: Option<String>,
    /// Send every request here instead of AWS (emulators). The SDK's `AWS_ENDPOINT_URL*`
    /// variables work too.
    pub endpoint_url: Option<String>,
    /// Region for account-wide calls when none is configured (default us-east-1).
    pub fallback_region: Option<String>,
}

/// Used when neither the configuration nor `--region` names one.
pub const DEFAULT_HOME_REGION: &str = "us-east-1";

const NO_CREDENTIALS_HELP: &str = "\
no AWS credentials could be found. Provide them in any of the SDK's usual ways:
  - environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary ones)
  - a profile in ~/.aws/credentials or ~/.aws/config, chosen with --profile NAME or AWS_PROFILE
  - IAM Identity Center: `aws sso login --profile NAME`, then --profile NAME
  - web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN
  - an EC2 instance profile, or an ECS/EKS container role
To evaluate a saved inventory without credentials, use `assure scan --snapshot FILE`.";

/// Loads the SDK configuration and makes sure credentials resolve (without ever showing them).
pub async fn load(opts: &SessionOptions) -> anyhow::Result<SdkConfig> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        // Retries are ours (pacing-aware, counted, bounded by a deadline).
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut config = loader.load().await;
    if config.region().is_none() {
        let region = opts
            .fallback_region
            .clone()
            .unwrap_or_else(|| DEFAULT_HOME_REGION.to_string());
        tracing::debug!(%region, "no region configured; using it for account-wide calls");
        config = config.into_builder().region(Region::new(region)).build();
    }
    let provider = config
        .credentials_provider()
        .ok_or_else(|| anyhow!(NO_CREDENTIALS_HELP))?;
    if let Err(err) = provider.provide_credentials().await {
        let detail = err.to_string();
        return Err(anyhow!(
            "{NO_CREDENTIALS_HELP}\n(the credential chain said: {detail})"
        ));
    }
    Ok(config)
}

/// The account the credentials belong to (`sts:GetCallerIdentity`). Failing here stops the run:
/// scanning with credentials AWS rejects would only produce empty, misleading results.
pub async fn caller_account(
    config: &SdkConfig,
    metrics: &Metrics,
    policy: &RetryPolicy,
) -> anyhow::Result<String> {
    let client = aws_sdk_sts::Client::new(config);
    let pacer = Pacer::new(0.0);
    let caller = Caller {
        pacer: &pacer,
        metrics,
        policy,
    };
    let answer = caller
        .call("sts:GetCallerIdentity", || {
            client.get_caller_identity().send()
        })
        .await;
    match answer {
        Ok(out) => out
            .account
            .filter(|a| !a.is_empty())
            .context("sts:GetCallerIdentity returned no account ID"),
        Err(e) if matches!(e.kind, ErrorKind::Network | ErrorKind::Timeout) => bail!(
            "cannot reach AWS (sts:GetCallerIdentity): {} ({}). Check the network, proxy settings and \
             any --endpoint-url / AWS_ENDPOINT_URL",
            e.code,
            e.message
        ),
        Err(e) => bail!(
            "the credentials were rejected by sts:GetCallerIdentity: {} ({}). Check that they are current; \
             for an SSO profile run `aws sso login`",
            e.code,
            e.message
        ),
    }
}
