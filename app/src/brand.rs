//! The brand the portal wears: name, colours, logo and the traditional channels, all from the server's
//! configuration. The server renders it into the page once (a JSON block in `<head>`) so that the
//! browser hydrates with exactly the values the server used.

use serde::{Deserialize, Serialize};

/// Id of the `<script type="application/json">` element that carries the brand to the browser.
pub const BRAND_ELEMENT_ID: &str = "sc3-brand";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    pub name: String,
    /// Main colour, a validated `#rrggbb`.
    pub primary: HexColor,
    /// Second colour of the cover gradient, a validated `#rrggbb`.
    pub accent: HexColor,
    /// Where the avatar image is served from, when one is configured; otherwise the built-in SVG mark.
    pub logo_url: Option<String>,
    pub channels: Channels,
    /// The company's legal details for the footer (name, VAT number, address), when configured.
    #[serde(default)]
    pub company: Option<String>,
}

/// The traditional channels the portal always points to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channels {
    /// Customer-service phone number, as dialled (digits and `+`).
    pub call_centre: String,
    pub shops_url: String,
    pub self_care_url: String,
}

impl Default for Brand {
    fn default() -> Self {
        Self {
            name: "Social Care 3".into(),
            primary: HexColor("#e4003a".into()),
            accent: HexColor("#ff7a00".into()),
            logo_url: None,
            channels: Channels {
                call_centre: "133".into(),
                shops_url: "https://example.com/negozi".into(),
                self_care_url: "https://example.com/area-clienti".into(),
            },
            company: None,
        }
    }
}

impl Brand {
    /// The brand as JSON that is safe inside a `<script>` element (no `<` can close it).
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c")
    }

    /// Reads the brand the server rendered into the page; falls back to the default brand.
    #[cfg(feature = "hydrate")]
    pub fn from_document() -> Self {
        leptos::prelude::document()
            .get_element_by_id(BRAND_ELEMENT_ID)
            .and_then(|el| el.text_content())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    /// The `tel:` link of the call centre.
    pub fn call_centre_href(&self) -> String {
        format!("tel:{}", self.channels.call_centre)
    }
}

/// A CSS colour in the form `#rrggbb`: the only form accepted, so configuration can never inject CSS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct HexColor(String);

impl HexColor {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
        if ok { Ok(Self(s.to_ascii_lowercase())) } else { Err(format!("{s:?} is not a colour of the form #rrggbb")) }
    }
}

impl TryFrom<String> for HexColor {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl AsRef<str> for HexColor {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for HexColor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_six_digit_hex_colour_is_accepted_and_lowercased() {
        assert_eq!(HexColor::parse("#E4003A").unwrap().as_ref(), "#e4003a");
    }

    #[test]
    fn anything_that_could_inject_css_is_rejected() {
        for bad in ["red", "#fff", "#e4003a;}body{display:none", "e4003a0", "#ggg000", ""] {
            assert!(HexColor::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn the_brand_json_cannot_close_its_script_element() {
        let brand = Brand { name: "</script><script>alert(1)</script>".into(), ..Brand::default() };
        let json = brand.to_script_json();
        assert!(!json.contains("</script"));
        let back: Brand = serde_json::from_str(&json).unwrap();
        assert_eq!(back, brand);
    }

    #[test]
    fn a_brand_with_a_bad_colour_does_not_deserialize() {
        let mut v = serde_json::to_value(Brand::default()).unwrap();
        v["primary"] = "url(evil)".into();
        assert!(serde_json::from_value::<Brand>(v).is_err());
    }
}
