//! Service incidents (#17): when the network fails somewhere, the page says so — a banner on every page,
//! a notice on the wall, a status page with the incident's history.

use serde::{Deserialize, Serialize};

use super::account::FieldError;
use super::request::{Category, coded_enum, text};

coded_enum!(
    /// Where an incident stands, in the order it usually goes.
    IncidentStatus {
        Investigating = "investigating",
        Identified = "identified",
        Monitoring = "monitoring",
        Resolved = "resolved",
    }
);

impl IncidentStatus {
    pub fn is_open(self) -> bool {
        self != Self::Resolved
    }
}

/// An incident's title: 5 to 120 characters on one line ("Rete mobile assente a Napoli").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentTitle(String);

impl IncidentTitle {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = text("title", raw, 5, 120, "subject_too_short")?;
        if s.contains('\n') {
            return Err(FieldError::new("title", "text_invalid"));
        }
        Ok(Self(s))
    }
}

/// A public text about the incident (its description, an update): 10 to 4,000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentText(String);

impl IncidentText {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        text(field, raw, 10, 4000, "description_too_short").map(Self)
    }
}

impl AsRef<str> for IncidentTitle {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for IncidentText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The places an incident concerns: cities or provinces, one per line or separated by commas; at most 30,
/// each 2 to 60 characters. May be empty (the whole country).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Places(Vec<String>);

impl Places {
    pub const MAX: usize = 30;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut places: Vec<String> = Vec::new();
        for place in raw.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            let n = place.chars().count();
            if !(2..=60).contains(&n) || place.chars().any(char::is_control) {
                return Err(FieldError::new("places", "text_invalid"));
            }
            if !places.iter().any(|p| p.eq_ignore_ascii_case(place)) {
                places.push(place.to_string());
            }
        }
        if places.len() > Self::MAX {
            return Err(FieldError::new("places", "too_long"));
        }
        Ok(Self(places))
    }

    /// As stored: one per line.
    pub fn stored(&self) -> String {
        self.0.join("\n")
    }

    pub fn from_stored(stored: &str) -> Vec<String> {
        stored.lines().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
    }
}

/// Where an affected customer is (optional, one line, at most 100 characters).
pub fn affected_place(raw: &str) -> Result<Option<String>, FieldError> {
    let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return Ok(None);
    }
    text("place", &one_line, 1, 100, "required").map(Some)
}

/// The request topics an incident concerns: at least one.
pub fn topics(codes: &[String]) -> Result<Vec<Category>, FieldError> {
    let mut topics = Vec::new();
    for code in codes {
        let category = Category::from_code(code).ok_or_else(|| FieldError::new("topics", "choice_invalid"))?;
        if !topics.contains(&category) {
            topics.push(category);
        }
    }
    if topics.is_empty() {
        return Err(FieldError::new("topics", "required"));
    }
    Ok(topics)
}

/// Topics as stored: codes separated by commas.
pub fn stored_topics(topics: &[Category]) -> String {
    topics.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
}

pub fn topics_from_stored(stored: &str) -> Vec<Category> {
    stored.split(',').filter_map(Category::from_code).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_on_commas_and_lines_without_duplicates() {
        let p = Places::parse("Napoli, Caserta\nnapoli\n\n Salerno ").unwrap();
        assert_eq!(p.stored(), "Napoli\nCaserta\nSalerno");
        assert!(Places::parse("").unwrap().stored().is_empty(), "the whole country");
        assert!(Places::parse("X").is_err());
        assert!(Places::parse(&(0..31).map(|i| format!("Città {i}")).collect::<Vec<_>>().join(",")).is_err());
    }

    #[test]
    fn an_incident_needs_a_topic_it_knows() {
        assert!(topics(&[]).is_err());
        assert!(topics(&["weather".into()]).is_err());
        let t = topics(&["coverage".into(), "internet".into(), "coverage".into()]).unwrap();
        assert_eq!(stored_topics(&t), "coverage,internet");
        assert_eq!(topics_from_stored("coverage,internet"), t);
    }

    #[test]
    fn titles_are_one_line() {
        assert!(IncidentTitle::parse("Rete assente a Napoli").is_ok());
        assert!(IncidentTitle::parse("Rete\nassente").is_err());
        assert!(IncidentTitle::parse("Ko").is_err());
    }
}
