//! Paging: follows `NextToken`s and refuses a token seen before, so a misbehaving endpoint can
//! neither loop the collector forever nor end a listing early without saying so.

use std::collections::HashSet;

/// What to do after a page.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Ask for the page with this token.
    Page(String),
    /// The listing is complete.
    Done,
    /// The token came back a second time: the listing cannot be trusted to end.
    Cycle,
}

/// Remembers the tokens of one listing.
#[derive(Debug, Default)]
pub struct Tokens {
    seen: HashSet<String>,
}

impl Tokens {
    /// Judges the `NextToken` of the page just read (an empty token ends the listing too).
    pub fn next(&mut self, token: Option<String>) -> Next {
        match token.filter(|t| !t.is_empty()) {
            None => Next::Done,
            Some(t) if !self.seen.insert(t.clone()) => Next::Cycle,
            Some(t) => Next::Page(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_tokens_and_stops_on_a_cycle() {
        let mut tokens = Tokens::default();
        assert_eq!(tokens.next(Some("a".into())), Next::Page("a".into()));
        assert_eq!(tokens.next(Some("b".into())), Next::Page("b".into()));
        assert_eq!(tokens.next(Some("a".into())), Next::Cycle);
        assert_eq!(tokens.next(Some(String::new())), Next::Done);
        assert_eq!(tokens.next(None), Next::Done);
    }
}
