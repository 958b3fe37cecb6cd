//! The Content-Security-Policy of HTML pages.

/// The policy of an HTML page: scripts only from this site or carrying the page's nonce (no
/// `unsafe-inline`), WebAssembly allowed to compile, no framing, forms only to this site.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}
