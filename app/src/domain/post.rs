//! The page's wall: the brand's posts. A post's text is plain text; web addresses in it become links
//! ([`segments`]), and nothing else of it is ever markup.

use serde::{Deserialize, Serialize};

use super::account::FieldError;
use super::request::{coded_enum, text};

coded_enum!(
    /// What a post is. `Notice` is a service notice: incidents publish those (#17), the post form does not
    /// offer it.
    PostKind { News = "news", Offer = "offer", Question = "question", Notice = "notice" }
);

impl PostKind {
    /// The kinds an editor picks from.
    pub const WRITTEN: [PostKind; 3] = [PostKind::News, PostKind::Offer, PostKind::Question];
}

/// A post's text: 1 to 5,000 characters, line breaks kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostBody(String);

impl PostBody {
    pub const MAX_CHARS: usize = 5000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        text("body", raw, 1, Self::MAX_CHARS, "required").map(Self)
    }
}

impl AsRef<str> for PostBody {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<PostBody> for String {
    fn from(v: PostBody) -> String {
        v.0
    }
}

impl TryFrom<String> for PostBody {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.code.to_string())
    }
}

/// A piece of a post's text as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Segment {
    Text(String),
    /// An `http://` or `https://` address, shown as a link (`rel="nofollow ugc noopener"`).
    Link(String),
}

/// Splits a text into plain pieces and web addresses. Only `http://` and `https://` addresses become
/// links (never `javascript:` or `data:`); a trailing full stop, comma, colon, semicolon, question or
/// exclamation mark, or closing bracket stays outside the link.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = next_address(rest) {
        let (before, from) = rest.split_at(start);
        let end = from.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"')).unwrap_or(from.len());
        let address = from[..end].trim_end_matches(['.', ',', ':', ';', '!', '?', ')', ']', '\'']);
        let scheme = if address.starts_with("https://") { 8 } else { 7 };
        if address.len() <= scheme {
            // A bare "http://" is text.
            push_text(&mut out, &rest[..start + scheme]);
            rest = &rest[start + scheme..];
            continue;
        }
        push_text(&mut out, before);
        out.push(Segment::Link(address.to_string()));
        rest = &from[address.len()..];
    }
    push_text(&mut out, rest);
    out
}

fn next_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    match (lower.find("https://"), lower.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn push_text(out: &mut Vec<Segment>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Segment::Text(t)) => t.push_str(text),
        _ => out.push(Segment::Text(text.to_string())),
    }
}

/// The first words of a post, for a link's preview and the feed's title: at most `max` characters,
/// cut at a word, on one line.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_word = cut.rfind(' ').map(|i| &cut[..i]).unwrap_or(&cut);
    format!("{}…", at_word.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_links_and_nothing_else_does() {
        assert_eq!(
            segments("Guarda https://example.it/offerte, e poi scrivici."),
            vec![
                Segment::Text("Guarda ".into()),
                Segment::Link("https://example.it/offerte".into()),
                Segment::Text(", e poi scrivici.".into()),
            ]
        );
        assert_eq!(
            segments("(vedi http://a.it/x)"),
            vec![Segment::Text("(vedi ".into()), Segment::Link("http://a.it/x".into()), Segment::Text(")".into()),]
        );
        for inert in [
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "data:text/html;base64,PHNjcmlwdD4=",
            "<a href=\"javascript:alert(1)\">x</a>",
            "http://",
            "vbscript:msgbox",
        ] {
            assert!(
                segments(inert).iter().all(|s| matches!(s, Segment::Text(_))),
                "{inert} made a link: {:?}",
                segments(inert)
            );
        }
        // An address never carries markup into its href.
        assert_eq!(segments("https://a.it/\"onmouseover=alert(1)")[0], Segment::Link("https://a.it/".into()));
    }

    #[test]
    fn a_post_is_one_to_five_thousand_characters() {
        assert_eq!(PostBody::parse("  ").unwrap_err().code, "required");
        assert!(PostBody::parse(&"a".repeat(5000)).is_ok());
        assert_eq!(PostBody::parse(&"a".repeat(5001)).unwrap_err().code, "too_long");
        assert_eq!(PostBody::parse(" Ciao\r\na tutti ").unwrap().as_ref(), "Ciao\na tutti");
    }

    #[test]
    fn an_excerpt_is_cut_at_a_word() {
        assert_eq!(excerpt("Nuova offerta:\n50 GB a 9,99 €", 100), "Nuova offerta: 50 GB a 9,99 €");
        assert_eq!(excerpt("uno due tre quattro", 9), "uno due…");
    }
}
