//! Least-privilege IAM policies for each job.

use serde_json::{Value, json};

/// What the policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Purpose {
    /// `assure scan` and `assure collect`: read-only.
    Scan,
    /// `assure fix` and `assure apply`: the scan's reads plus the changes a plan makes.
    Fix,
}

/// The policy document.
pub fn policy(purpose: Purpose) -> Value {
    let mut statements = vec![
        json!({
            "Sid": "ReadSesIdentitiesAndDkim",
            "Effect": "Allow",
            "Action": ["ses:ListIdentities", "ses:GetIdentityDkimAttributes", "ses:GetEmailIdentity"],
            "Resource": "*"
        }),
        json!({
            "Sid": "FindEnabledRegionsOptional",
            "Effect": "Allow",
            "Action": "account:ListRegions",
            "Resource": "*"
        }),
    ];
    if purpose == Purpose::Fix {
        statements.push(json!({
            "Sid": "SetUpDkimSigning",
            "Effect": "Allow",
            "Action": ["ses:VerifyDomainDkim", "ses:SetIdentityDkimEnabled"],
            "Resource": "*"
        }));
        statements.push(json!({
            "Sid": "FindZonesAndReadRecords",
            "Effect": "Allow",
            "Action": [
                "route53:ListHostedZones",
                "route53:ListResourceRecordSets",
                "route53:GetChange"
            ],
            "Resource": "*"
        }));
        // Only UPSERTs of DKIM records: no deletes, nothing outside `_domainkey`.
        statements.push(json!({
            "Sid": "UpsertDkimRecordsOnly",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "arn:aws:route53:::hostedzone/*",
            "Condition": {
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
                    "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME", "TXT"]
                },
                "ForAllValues:StringLike": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["*._domainkey.*"]
                }
            }
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}
