//! Remediate: turns failing findings into a plan a person reviews (`assure fix`), renders its DNS
//! records in the forms people paste, and applies a reviewed plan (`assure apply`) safely:
//! additive changes only, idempotent, every call listed.

pub mod apply;
pub mod dns_formats;
pub mod iam;
pub mod plan;
pub mod planner;
pub mod route53;
