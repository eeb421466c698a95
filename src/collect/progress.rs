//! Progress on standard error: one bar per region while a scan runs, when standard error is a
//! terminal; nothing otherwise, so logs and CI output stay clean.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The progress display of one run.
#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    /// Shows bars only when `wanted` and standard error is a terminal.
    pub fn new(wanted: bool) -> Self {
        let multi = (wanted && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    /// A bar for one region; its length becomes the identity count once listing ends.
    pub fn region(&self, label: &str) -> RegionProgress {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>28} {bar:30.cyan/blue} {pos:>6}/{len:<6} {msg}",
                )
                .expect("progress template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar.set_message("listing");
            bar
        });
        RegionProgress { bar }
    }
}

/// One region's bar (a no-op when progress is hidden).
pub struct RegionProgress {
    bar: Option<ProgressBar>,
}

impl RegionProgress {
    pub fn listed(&self, so_far: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("listing: {so_far} identities"));
        }
    }

    pub fn reading(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_message("reading DKIM attributes");
        }
    }

    pub fn reading_details(&self, domains: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_length(domains as u64);
            bar.set_message("reading SESv2 details");
        }
    }

    pub fn advance(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    pub fn finish(&self, outcome: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(outcome.to_string());
        }
    }
}
