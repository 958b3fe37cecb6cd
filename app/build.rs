//! The translations in `locales/` are compiled into the crate by leptos_i18n's macros: a change to them
//! must rebuild it (cargo does not see files a macro reads).
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
