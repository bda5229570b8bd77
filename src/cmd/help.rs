//! `completions` and `man`: made from the same clap definitions as `--help`.

use crate::cli;
use crate::error::{Error, Result};
use crate::output::Output;

use super::Exit;

pub fn completions(out: &Output, shell: clap_complete::Shell) -> Result<Exit> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cli::command(), "inkguard", &mut buffer);
    out.text(&String::from_utf8_lossy(&buffer))?;
    Ok(0)
}

pub fn man(out: &Output) -> Result<Exit> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cli::command())
        .render(&mut buffer)
        .map_err(|source| Error::Io {
            path: "man page".into(),
            source,
        })?;
    out.text(&String::from_utf8_lossy(&buffer))?;
    Ok(0)
}
