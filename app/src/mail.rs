//! The portal's emails, composed in the recipient's language from the locale files (`email.*` keys),
//! as plain text plus simple HTML, with absolute links built from the configured public address.

use crate::brand::Brand;
use crate::i18n::Locale;
use crate::ports::NewEmail;
use leptos_i18n::Locale as _;

enum Part {
    Text(String),
    Link { label: String, url: String },
}

/// An email being written: paragraphs and buttons, rendered to text and HTML at the end.
pub struct Mail {
    to: String,
    locale: Locale,
    kind: &'static str,
    subject: String,
    parts: Vec<Part>,
}

impl Mail {
    pub fn new(to: &str, locale: Locale, kind: &'static str, subject: &str) -> Self {
        Self { to: to.to_string(), locale, kind, subject: subject.to_string(), parts: Vec::new() }
    }

    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.parts.push(Part::Text(text.into()));
        self
    }

    pub fn link(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.parts.push(Part::Link { label: label.into(), url: url.into() });
        self
    }

    pub fn finish(self, brand: &Brand) -> NewEmail {
        let mut text = String::new();
        let mut html = String::from(
            "<!DOCTYPE html><html><body style=\"font-family:system-ui,Arial,sans-serif;line-height:1.5;color:#1c1e21\">",
        );
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    text.push_str(t);
                    html.push_str(&format!("<p>{}</p>", escape(t)));
                }
                Part::Link { label, url } => {
                    text.push_str(&format!("{label}:\n{url}"));
                    html.push_str(&format!(
                        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;border-radius:8px;\
                         background:{};color:#fff;font-weight:700;text-decoration:none\">{}</a></p>",
                        escape(url),
                        brand.primary.as_ref(),
                        escape(label)
                    ));
                }
            }
            text.push_str("\n\n");
        }
        text.push_str(&format!("— {}", brand.name));
        html.push_str(&format!("<p style=\"color:#5f6267\">— {}</p></body></html>", escape(&brand.name)));
        NewEmail {
            to: self.to,
            locale: self.locale.as_str().to_string(),
            kind: self.kind,
            subject: self.subject,
            text,
            html,
        }
    }
}

pub use crate::components::fill;

/// "Ciao Giulia," with the first name only (#21.9), and a plain "Ciao," when there is no name (an erased
/// account, a name of spaces): never "Ciao ,".
pub fn greeting(locale: Locale, display_name: &str) -> String {
    match display_name.split_whitespace().next() {
        Some(first) => fill(leptos_i18n::td_string!(locale, email.greeting), &[("name", first)]),
        None => leptos_i18n::td_string!(locale, email.greeting_plain).to_string(),
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_has_its_text_and_an_escaped_html_part() {
        let email = Mail::new("a@b.it", Locale::en, "test", "Hello")
            .text("Hi <Mario>,")
            .link("Open", "https://example.com/x?a=1&b=2")
            .finish(&Brand::default());
        assert!(email.text.contains("Hi <Mario>,"));
        assert!(email.text.contains("Open:\nhttps://example.com/x?a=1&b=2"));
        assert!(email.html.contains("Hi &lt;Mario&gt;,"));
        assert!(email.html.contains("href=\"https://example.com/x?a=1&amp;b=2\""));
        assert_eq!(email.locale, "en");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("Ciao {name}, da {brand}", &[("name", "Mario"), ("brand", "SC3")]), "Ciao Mario, da SC3");
    }
}
