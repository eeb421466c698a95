//! Identity-name helpers: SES compares names without regard to case, and an email address is
//! covered by its own domain or any parent domain, on label boundaries only.

/// Lower-cases a name and drops surrounding space and a trailing root dot.
pub fn normalize_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The domain part of an email address (after the last `@`), if there is one.
pub fn email_domain(address: &str) -> Option<&str> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
}

/// The domain itself and each parent domain, most specific first:
/// `a.b.example.com` gives `a.b.example.com`, `b.example.com`, `example.com`, `com`.
pub fn covering_domains(domain: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(domain);
    std::iter::from_fn(move || {
        let current = rest?.trim_start_matches('.');
        if current.is_empty() {
            rest = None;
            return None;
        }
        rest = current.split_once('.').map(|(_, parent)| parent);
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_space_and_root_dot() {
        assert_eq!(normalize_name(" Mail.Example.COM. "), "mail.example.com");
        assert_eq!(normalize_name("User@Example.com"), "user@example.com");
    }

    #[test]
    fn email_domain_takes_the_part_after_the_last_at() {
        assert_eq!(email_domain("a@b.example.com"), Some("b.example.com"));
        assert_eq!(
            email_domain("\"odd@local\"@example.org"),
            Some("example.org")
        );
        assert_eq!(email_domain("example.com"), None);
        assert_eq!(email_domain("broken@"), None);
    }

    #[test]
    fn covering_domains_walk_up_on_label_boundaries() {
        let got: Vec<_> = covering_domains("a.b.example.com").collect();
        assert_eq!(
            got,
            ["a.b.example.com", "b.example.com", "example.com", "com"]
        );
        let evil: Vec<_> = covering_domains("example.com.evil.org").collect();
        assert!(!evil.contains(&"example.com"));
        assert_eq!(
            evil,
            ["example.com.evil.org", "com.evil.org", "evil.org", "org"]
        );
        assert_eq!(covering_domains("").count(), 0);
    }
}
