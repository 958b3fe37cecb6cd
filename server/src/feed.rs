//! The wall as an Atom feed (`/feed.atom`, RFC 4287): the newest published posts, for feed readers and
//! for whoever follows the page without an account.

use app::domain::post::excerpt;
use app::ports::Post;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::AppState;

/// How many posts the feed holds.
const ENTRIES: i64 = 30;

pub async fn atom(State(state): State<AppState>) -> Response {
    let now = app::clock::now_ms();
    let posts = match (state.store.pinned_post(now).await, state.store.wall(None, ENTRIES, now).await) {
        (Ok(pinned), Ok(mut posts)) => {
            posts.extend(pinned);
            posts.sort_by_key(|p| std::cmp::Reverse((p.publish_at, p.id)));
            posts.truncate(ENTRIES as usize);
            posts
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = ?e, "the feed could not be read");
            return (StatusCode::SERVICE_UNAVAILABLE, "feed unavailable").into_response();
        }
    };
    let xml = document(&state.settings.public_url, &state.brand.name, &posts, now);
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        xml,
    )
        .into_response()
}

/// The feed's XML. Every text is escaped: a post's text is plain text, never markup.
fn document(base: &str, brand: &str, posts: &[Post], now: i64) -> String {
    let updated = posts.iter().map(|p| p.edited_at.unwrap_or(p.publish_at)).max().unwrap_or(now);
    let mut xml = String::with_capacity(1024 + posts.len() * 1024);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>{}/</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}/\"/>\n  \
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/feed.atom\"/>\n  <updated>{}</updated>\n  \
         <author><name>{}</name></author>\n",
        escape(brand),
        escape(base),
        escape(base),
        escape(base),
        rfc3339(updated),
        escape(brand)
    ));
    for p in posts {
        let url = format!("{base}/post/{}", p.id);
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    \
             <published>{}</published>\n    <updated>{}</updated>\n    <category term=\"{}\"/>\n    \
             <content type=\"text\">{}</content>\n  </entry>\n",
            escape(&excerpt(&p.body, 80)),
            escape(&url),
            escape(&url),
            rfc3339(p.publish_at),
            rfc3339(p.edited_at.unwrap_or(p.publish_at)),
            p.kind.code(),
            escape(&p.body)
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// The status page as an Atom feed (`/stato.atom`, #17): every public update of every incident, newest
/// first.
pub async fn incidents_atom(State(state): State<AppState>) -> Response {
    let updates = match state.store.latest_incident_updates(ENTRIES).await {
        Ok(updates) => updates,
        Err(e) => {
            tracing::error!(error = ?e, "the status feed could not be read");
            return (StatusCode::SERVICE_UNAVAILABLE, "feed unavailable").into_response();
        }
    };
    let base = &state.settings.public_url;
    let now = app::clock::now_ms();
    let updated = updates.first().map(|(_, _, u)| u.at).unwrap_or(now);
    let mut xml = String::with_capacity(1024 + updates.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "  <title>{} · stato del servizio</title>\n  <id>{}/stato</id>\n  \
         <link rel=\"alternate\" type=\"text/html\" href=\"{}/stato\"/>\n  \
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/stato.atom\"/>\n  <updated>{}</updated>\n  \
         <author><name>{}</name></author>\n",
        escape(&state.brand.name),
        escape(base),
        escape(base),
        escape(base),
        rfc3339(updated),
        escape(&state.brand.name)
    ));
    for (id, title, u) in &updates {
        let url = format!("{base}/stato/{id}");
        xml.push_str(&format!(
            "  <entry>\n    <title>{} ({})</title>\n    <id>{}#{}</id>\n    \
             <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <updated>{}</updated>\n    \
             <category term=\"{}\"/>\n    <content type=\"text\">{}</content>\n  </entry>\n",
            escape(title),
            u.status.code(),
            escape(&url),
            u.at,
            escape(&url),
            rfc3339(u.at),
            u.status.code(),
            escape(&u.body)
        ));
    }
    xml.push_str("</feed>\n");
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=60")],
        xml,
    )
        .into_response()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow are left out (a pasted control character).
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}
