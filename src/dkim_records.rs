//! DKIM DNS records: what SES needs published for a domain, with the right target for each
//! region (or the hosted zone SES names). Shared by the DNS check (collect), the SES-101 rule and
//! the fixes (remediate). Names are fully qualified, lower-case, without the trailing root dot.

use crate::inventory::IdentityDetails;
use serde::{Deserialize, Serialize};

/// Regions whose Easy DKIM keys live under a regional zone, `dkim.<region>.amazonses.com`.
pub const REGIONAL_DKIM_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-northeast-3",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "il-central-1",
    "me-central-1",
    "us-gov-east-1",
];

/// TTL for the records we propose.
pub const TTL: u32 = 1800;

/// Placeholder a person must replace in a bring-your-own-key TXT record.
pub const PUBLIC_KEY_PLACEHOLDER: &str = "<your-public-key-base64>";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordType {
    #[serde(rename = "CNAME")]
    Cname,
    #[serde(rename = "TXT")]
    Txt,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
        }
    }
}

/// One DNS record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: RecordType,
    /// For CNAME the target name; for TXT the text, unquoted.
    pub value: String,
    pub ttl: u32,
}

impl DnsRecord {
    /// True when the value is a placeholder a person must fill in (never published for them).
    pub fn needs_input(&self) -> bool {
        self.value.contains(PUBLIC_KEY_PLACEHOLDER)
    }
}

/// The zone under which SES hosts the Easy DKIM public keys for `region`.
pub fn dkim_key_zone(region: &str) -> String {
    if REGIONAL_DKIM_REGIONS.contains(&region) {
        format!("dkim.{region}.amazonses.com")
    } else {
        "dkim.amazonses.com".to_string()
    }
}

/// The three Easy DKIM CNAMEs: `<token>._domainkey.<domain>` to `<token>.<key zone>`.
pub fn easy_dkim_records(domain: &str, region: &str, tokens: &[String]) -> Vec<DnsRecord> {
    let domain = clean(domain);
    let zone = dkim_key_zone(region);
    tokens
        .iter()
        .map(|t| {
            let token = clean(t);
            DnsRecord {
                name: format!("{token}._domainkey.{domain}"),
                rtype: RecordType::Cname,
                value: format!("{token}.{zone}"),
                ttl: TTL,
            }
        })
        .collect()
}

/// A bring-your-own-key identity: a TXT record at `<selector>._domainkey.<domain>` holding the
/// public half of the customer's key, which SES never sees.
pub fn byok_record(domain: &str, selector: &str) -> DnsRecord {
    DnsRecord {
        name: format!("{}._domainkey.{}", clean(selector), clean(domain)),
        rtype: RecordType::Txt,
        value: format!("v=DKIM1; k=rsa; p={PUBLIC_KEY_PLACEHOLDER}"),
        ttl: TTL,
    }
}

/// The records a domain with tokens needs: a TXT at the selector for a bring-your-own-key
/// identity (SESv2 origin `EXTERNAL`, or a single token, which is the selector), else the Easy
/// DKIM CNAMEs into the hosted zone SES names, or the region's key zone.
pub fn expected_records(
    domain: &str,
    region: &str,
    tokens: &[String],
    details: Option<&IdentityDetails>,
) -> Vec<DnsRecord> {
    let byok = details.map_or(tokens.len() == 1, IdentityDetails::is_byok);
    if byok {
        return tokens
            .first()
            .map(|s| vec![byok_record(domain, s)])
            .unwrap_or_default();
    }
    let mut records = easy_dkim_records(domain, region, tokens);
    if let Some(zone) = details.and_then(|d| d.signing_hosted_zone.as_deref()) {
        let zone = clean(zone);
        for (r, t) in records.iter_mut().zip(tokens) {
            r.value = format!("{}.{zone}", clean(t));
        }
    }
    records
}

/// Lower-case, no surrounding space, no trailing dot.
pub fn clean(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The parent domain of a record name under `_domainkey`, e.g. for grouping by domain.
pub fn record_domain(name: &str) -> &str {
    name.split_once("._domainkey.").map_or(name, |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_the_region() {
        assert_eq!(dkim_key_zone("us-east-1"), "dkim.amazonses.com");
        assert_eq!(dkim_key_zone("af-south-1"), "dkim.af-south-1.amazonses.com");
        assert_eq!(
            dkim_key_zone("us-gov-east-1"),
            "dkim.us-gov-east-1.amazonses.com"
        );
        assert_eq!(dkim_key_zone("us-gov-west-1"), "dkim.amazonses.com");
        assert_eq!(
            dkim_key_zone("ap-northeast-3"),
            "dkim.ap-northeast-3.amazonses.com"
        );
        assert_eq!(
            dkim_key_zone("il-central-1"),
            "dkim.il-central-1.amazonses.com"
        );
        assert_eq!(dkim_key_zone("eu-central-1"), "dkim.amazonses.com");
        assert_eq!(
            dkim_key_zone("eu-central-2"),
            "dkim.eu-central-2.amazonses.com"
        );
    }

    #[test]
    fn easy_dkim_names_are_lower_case_and_qualified() {
        let r = easy_dkim_records("Mail.Example.COM.", "af-south-1", &["AbC123".into()]);
        assert_eq!(r[0].name, "abc123._domainkey.mail.example.com");
        assert_eq!(r[0].value, "abc123.dkim.af-south-1.amazonses.com");
        assert_eq!(r[0].rtype, RecordType::Cname);
        assert_eq!(record_domain(&r[0].name), "mail.example.com");
    }

    #[test]
    fn expected_records_follow_the_origin_and_the_hosted_zone() {
        let tokens: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        let plain = expected_records("example.com", "eu-south-1", &tokens, None);
        assert_eq!(plain[0].value, "a.dkim.eu-south-1.amazonses.com");
        let zoned = IdentityDetails {
            signing_hosted_zone: Some("dkim.example-zone.amazonses.com.".into()),
            ..IdentityDetails::default()
        };
        let z = expected_records("example.com", "eu-south-1", &tokens, Some(&zoned));
        assert_eq!(z[2].value, "c.dkim.example-zone.amazonses.com");
        let byok = IdentityDetails {
            origin: Some("EXTERNAL".into()),
            ..IdentityDetails::default()
        };
        let b = expected_records("example.com", "us-east-1", &["sel".into()], Some(&byok));
        assert_eq!((b.len(), b[0].rtype), (1, RecordType::Txt));
        // Without SESv2 details, a single token is the selector.
        let guess = expected_records("example.com", "us-east-1", &["sel".into()], None);
        assert_eq!(guess[0].rtype, RecordType::Txt);
    }

    #[test]
    fn byok_is_a_txt_record_at_the_selector() {
        let r = byok_record("example.com", "sel2026");
        assert_eq!(r.name, "sel2026._domainkey.example.com");
        assert_eq!(r.rtype, RecordType::Txt);
        assert!(r.value.starts_with("v=DKIM1; k=rsa; p="));
        assert!(r.needs_input());
    }
}
