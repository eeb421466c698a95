//! assure: continuous assurance for AWS cloud posture.
//!
//! The pipeline: [`collect`] reads AWS into an [`inventory::Inventory`] (or a snapshot file holds
//! one), [`rules`] turn it into [`findings::Finding`]s, the [`engine`] orders and summarises them,
//! and [`report`] renders them. The [`cli`] only wires these together.

pub mod cli;
pub mod collect;
pub mod config;
pub mod dkim_records;
pub mod engine;
pub mod findings;
pub mod inventory;
pub mod remediate;
pub mod report;
pub mod rules;
pub mod versioned;
