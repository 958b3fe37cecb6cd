//! Fans' comments under the page's posts, their reactions, reports, and the page's word list.
//!
//! A comment is plain text like a post (its web addresses become links, nothing else is markup). The one
//! rule of the page is polite language: a comment holding a word of the admins' [`WordList`] is held for
//! review instead of published.

use serde::{Deserialize, Serialize};

use super::account::FieldError;
use super::request::{coded_enum, text};

coded_enum!(
    /// Where a comment stands. `Held`: waiting for review (only its author and the pool see it).
    /// `Hidden`: the pool took it down (its author still sees it, and why).
    CommentState { Published = "published", Held = "held", Hidden = "hidden" }
);

coded_enum!(
    /// The fixed set of reactions, one per person on each post or comment.
    Reaction { Like = "like", Love = "love", Laugh = "laugh", Wow = "wow", Sad = "sad" }
);

impl Reaction {
    pub fn emoji(self) -> &'static str {
        match self {
            Reaction::Like => "👍",
            Reaction::Love => "❤️",
            Reaction::Laugh => "😄",
            Reaction::Wow => "😮",
            Reaction::Sad => "😢",
        }
    }
}

coded_enum!(
    /// What a post or comment reaction is on.
    Target { Post = "post", Comment = "comment" }
);

coded_enum!(
    /// What a fan's notification is about (the bell in the shell): another fan replied to their comment,
    /// the page answered it, took it to private, published it after review, or hid it.
    NotificationKind {
        Reply = "reply",
        PageAnswer = "page_answer",
        Private = "private",
        Published = "published",
        Hidden = "hidden",
    }
);

coded_enum!(
    /// Why someone reports a comment.
    ReportReason { Offensive = "offensive", Spam = "spam", PersonalData = "personal_data", Other = "other" }
);

/// A comment's text: 1 to 2,000 characters, line breaks kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommentBody(String);

impl CommentBody {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        text("body", raw, 1, Self::MAX_CHARS, "required").map(Self)
    }
}

impl AsRef<str> for CommentBody {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<CommentBody> for String {
    fn from(v: CommentBody) -> String {
        v.0
    }
}

impl TryFrom<String> for CommentBody {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.code.to_string())
    }
}

/// The page's word list: one entry per line, a word or a few words; a trailing `*` matches any ending
/// (`stronz*` holds "stronzo" and "stronzi"). Matching ignores case, accents, letters written as digits or
/// symbols (`1d10ta`, `@`), repeated letters (`stuuupido`) and the punctuation between words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordList {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    words: Vec<String>,
    prefix: bool,
}

impl WordList {
    /// At most this many characters in the list as an admin writes it.
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(list: &str) -> Self {
        let entries = list
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let prefix = line.ends_with('*');
                let words = normal_words(line.trim_end_matches('*'));
                (!words.is_empty()).then_some(Entry { words, prefix })
            })
            .collect();
        Self { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Does `text` hold an entry of the list?
    pub fn matches(&self, text: &str) -> bool {
        let words = normal_words(text);
        self.entries.iter().any(|e| {
            let n = e.words.len();
            words.windows(n).any(|w| {
                w[..n - 1] == e.words[..n - 1] && {
                    let (last, want) = (&w[n - 1], &e.words[n - 1]);
                    if e.prefix { last.starts_with(want.as_str()) } else { last == want }
                }
            })
        })
    }
}

/// The words of a text as the list compares them: lower case, accents off, digits and symbols that stand
/// for letters read as letters, runs of one letter as one.
fn normal_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        match letter(c) {
            Some(l) => {
                if !word.ends_with(l) {
                    word.push(l);
                }
            }
            None => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn letter(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | '4' | '@' => 'a',
        'è' | 'é' | 'ê' | 'ë' | '3' | '€' => 'e',
        'ì' | 'í' | 'î' | 'ï' | '1' | '|' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | '0' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        'ç' => 'c',
        'ñ' => 'n',
        c if c.is_alphanumeric() => c,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> WordList {
        WordList::parse("stronz*\nidiota\n  \nvai a quel paese\nshit\n")
    }

    #[test]
    fn the_list_holds_its_words_however_they_are_written() {
        let l = list();
        assert_eq!(l.len(), 4);
        for text in [
            "Sei un idiota",
            "IDIOTA!",
            "sei un 1d10ta",
            "siete degli stronzi",
            "Stronzo.",
            "ma vai a quel paese",
            "vai... a, quel paese!",
            "this is sh1t",
            "iiidiooota",
            "idiòta",
        ] {
            assert!(l.matches(text), "{text:?} should be held");
        }
    }

    #[test]
    fn ordinary_sentences_pass() {
        let l = list();
        for text in [
            "Grazie per l'aiuto, tutto risolto!",
            "Vai al negozio e chiedi",
            "the idiom is shite-free",
            "Un paese senza copertura",
            "Ho pagato 10 € per 100 GB",
            "",
        ] {
            assert!(!l.matches(text), "{text:?} should pass");
        }
    }

    #[test]
    fn comment_bodies_are_checked() {
        assert!(CommentBody::parse("  ").is_err());
        assert!(CommentBody::parse(&"a".repeat(2001)).is_err());
        assert_eq!(CommentBody::parse(" ciao \r\n tutti ").unwrap().as_ref(), "ciao \n tutti");
    }
}
