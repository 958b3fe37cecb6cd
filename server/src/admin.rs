//! `server create-admin`: the first admin of the care pool, from the command line. Admins then create
//! every other staff account in the admin pages.

use std::io::{BufRead, IsTerminal};

use app::domain::account::{DisplayName, Email, Password};
use app::ports::StoreError;

use crate::config::Config;

/// The password: asked twice at a terminal (not echoed), or the first line of standard input.
pub fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the new admin: ")?;
        let again = rpassword::prompt_password("Repeat it: ")?;
        anyhow::ensure!(first == again, "the two passwords do not match");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// A refused value in plain words (the pages' English message for its code).
fn refused(field: &str, code: &str) -> anyhow::Error {
    let words = app::components::form::field_message(app::i18n::Locale::en, code);
    anyhow::anyhow!("the {field} was refused: {words}")
}

/// Checks the values with the same rules as the pages, hashes the password and stores the admin.
pub async fn create_admin(config: &Config, email: &str, name: &str, password: &str) -> anyhow::Result<i64> {
    let email = Email::parse(email).map_err(|e| refused("email address", &e.code))?;
    let name = DisplayName::parse(name).map_err(|e| refused("name", &e.code))?;
    let password = Password::parse(password).map_err(|e| refused("password", &e.code))?;
    password.check_against(&email).map_err(|e| refused("password", &e.code))?;
    app::auth::password::check_strength(&password, &[email.as_ref(), name.as_ref()])
        .map_err(|e| refused("password", &e.code))?;
    let hash = app::auth::password::hash_password(&password)
        .await
        .map_err(|_| anyhow::anyhow!("could not hash the password"))?;
    let store = crate::db::connect(config).await?.store;
    match store.create_admin(&email, &name, &hash, app::clock::now_ms()).await {
        Ok(id) => Ok(id),
        Err(StoreError::Conflict) => anyhow::bail!("{} already has an account", email.as_ref()),
        Err(e) => Err(anyhow::anyhow!("could not store the admin: {e}")),
    }
}
