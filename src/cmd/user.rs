//! `user add|password|list`: the people who may sign in to the chair-side page.

use std::io::{BufRead, IsTerminal};

use crate::cli::UserCommand;
use crate::db::{users, Db};
use crate::error::{Error, Result};
use crate::output::{Output, Table};
use crate::serve::auth;

use super::Exit;

/// The shortest password accepted.
const MIN_PASSWORD: usize = 8;

pub fn run(db: &mut Db, out: &Output, command: UserCommand) -> Result<Exit> {
    match command {
        UserCommand::Add {
            name,
            password_stdin,
        } => add(db, out, &name, password_stdin),
        UserCommand::Password {
            name,
            password_stdin,
        } => password(db, out, &name, password_stdin),
        UserCommand::List => list(db, out),
    }
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid_with_hint(
            format!("the user name {name:?} is empty or holds spaces"),
            "give a name without spaces, like anna or a.smith",
        ));
    }
    Ok(name)
}

/// The new password: the first line of stdin, or asked twice on the terminal without echo.
fn read_password(from_stdin: bool) -> Result<String> {
    let stdin_error = |source| Error::Io {
        path: "standard input".into(),
        source,
    };
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(stdin_error)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(Error::invalid_with_hint(
                "no terminal to ask the password on",
                "pipe it in with --password-stdin",
            ));
        }
        let first = rpassword::prompt_password("password: ").map_err(stdin_error)?;
        let again = rpassword::prompt_password("password again: ").map_err(stdin_error)?;
        if first != again {
            return Err(Error::invalid(
                "the two passwords differ: nothing was written",
            ));
        }
        first
    };
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::invalid(format!(
            "the password is shorter than {MIN_PASSWORD} characters: nothing was written"
        )));
    }
    Ok(password)
}

fn add(db: &mut Db, out: &Output, name: &str, from_stdin: bool) -> Result<Exit> {
    let name = check_name(name)?;
    if users::exists(&db.conn, name)? {
        return Err(exists_already(name));
    }
    let hash = auth::hash_password(&read_password(from_stdin)?)?;
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    if users::exists(&tx, name)? {
        return Err(exists_already(name));
    }
    users::insert(&tx, name, &hash, &at, &actor)?;
    tx.commit("user add", None, &serde_json::json!({"user": name}))?;
    out.document(
        &serde_json::json!({"user": name}),
        &format!("added user {name}; the page now asks everyone to sign in: inkguard serve"),
    )?;
    Ok(0)
}

fn exists_already(name: &str) -> Error {
    Error::invalid_with_hint(
        format!("a user named {name} exists already"),
        format!("to set a new password: inkguard user password {name}"),
    )
}

fn password(db: &mut Db, out: &Output, name: &str, from_stdin: bool) -> Result<Exit> {
    let name = check_name(name)?;
    if !users::exists(&db.conn, name)? {
        return Err(Error::NotFound {
            what: "user",
            name: name.to_string(),
            suggestions: users::list(&db.conn)?.into_iter().map(|u| u.name).collect(),
        });
    }
    let hash = auth::hash_password(&read_password(from_stdin)?)?;
    let tx = db.begin()?;
    users::set_password(&tx, name, &hash)?;
    tx.commit("user password", None, &serde_json::json!({"user": name}))?;
    out.document(
        &serde_json::json!({"user": name}),
        &format!("set a new password for {name}"),
    )?;
    Ok(0)
}

fn list(db: &Db, out: &Output) -> Result<Exit> {
    let list = users::list(&db.conn)?;
    let mut table = Table::new(&["name", "added", "added by"]);
    for u in &list {
        table.row(vec![
            u.name.clone(),
            out.time(&u.created_at, db.zone),
            u.created_by.clone(),
        ]);
    }
    out.records(&list, &table)?;
    Ok(0)
}
