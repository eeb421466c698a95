//! Which regions to scan: the regions where SES exists, the user's choice, and the account's
//! enabled regions (Account `ListRegions`) when the credentials may read them.

/// Commercial regions where SES is offered.
pub const SES_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// GovCloud regions where SES is offered.
pub const SES_GOV_REGIONS: &[&str] = &["us-gov-east-1", "us-gov-west-1"];

/// The partition a region belongs to, for ARNs and for choosing the region list.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Where account-wide calls (STS) go when no region is configured: a region every account has.
pub fn home_region(partition: &str) -> &'static str {
    if partition == "aws-us-gov" {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// The SES regions of a partition.
pub fn ses_regions(partition: &str) -> &'static [&'static str] {
    if partition == "aws-us-gov" {
        SES_GOV_REGIONS
    } else {
        SES_REGIONS
    }
}

/// Splits comma lists, lower-cases, drops duplicates, and rejects regions where SES does not exist.
pub fn parse_requested(values: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        for region in value.split(',').map(|r| r.trim().to_ascii_lowercase()) {
            if region.is_empty() {
                continue;
            }
            let known = SES_REGIONS.contains(&region.as_str())
                || SES_GOV_REGIONS.contains(&region.as_str());
            if !known {
                return Err(format!(
                    "unknown or non-SES region `{region}`; valid regions: {}",
                    SES_REGIONS
                        .iter()
                        .chain(SES_GOV_REGIONS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !out.contains(&region) {
                out.push(region);
            }
        }
    }
    if let Some(first) = out.first() {
        let partition = partition_of(first);
        if out.iter().any(|r| partition_of(r) != partition) {
            return Err(
                "regions from different partitions (commercial and GovCloud) need separate credentials; scan them in separate runs"
                    .to_string(),
            );
        }
    }
    Ok(out)
}

/// SES regions of `partition` that are in `enabled`, in the SES list's order.
pub fn intersect_enabled(partition: &str, enabled: &[String]) -> Vec<String> {
    ses_regions(partition)
        .iter()
        .filter(|r| enabled.iter().any(|e| e == *r))
        .map(|r| r.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_repeats_and_comma_lists() {
        let got = parse_requested(&["us-east-1,EU-WEST-1".into(), "us-east-1".into()]).unwrap();
        assert_eq!(got, ["us-east-1", "eu-west-1"]);
    }

    #[test]
    fn rejects_unknown_regions_with_the_valid_list() {
        let err = parse_requested(&["us-east-9".into()]).unwrap_err();
        assert!(err.contains("`us-east-9`"), "{err}");
        assert!(
            err.contains("eu-west-1") && err.contains("us-gov-west-1"),
            "{err}"
        );
        // SES does not exist in ap-east-1; calling there would only produce noise.
        assert!(parse_requested(&["ap-east-1".into()]).is_err());
    }

    #[test]
    fn rejects_mixed_partitions() {
        assert!(parse_requested(&["us-east-1,us-gov-west-1".into()]).is_err());
    }

    #[test]
    fn intersects_with_enabled_regions() {
        let enabled = vec!["us-east-1".into(), "ap-east-1".into(), "af-south-1".into()];
        assert_eq!(
            intersect_enabled("aws", &enabled),
            ["af-south-1", "us-east-1"]
        );
        assert_eq!(partition_of("us-gov-east-1"), "aws-us-gov");
        assert_eq!(home_region("aws-us-gov"), "us-gov-west-1");
        assert_eq!(home_region("aws"), "us-east-1");
    }
}
