//! `completions` and `man`: made from the same clap definitions as `--help`.

use crate::cli;
use crate::error::{Error, Result};
use crate::output::Output;

use super::Exit;

/// The shell's script: it calls `inkguard` back on every Tab, which answers from the same
/// definitions as `--help` and from the database (client codes, products, lots).
pub fn completions(out: &Output, shell: clap_complete::Shell) -> Result<Exit> {
    out.text(&crate::complete::registration(shell))?;
    Ok(0)
}

/// What every page ends with: the exit codes (SPEC 1) and the environment variables read.
const EXIT_AND_ENVIRONMENT: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success; for \fBcheck\fR, CLEAR.
.TP
\fB1\fR
An error: bad input, something not found, a database problem.
.TP
\fB2\fR
A usage error: an unknown command or flag, a missing or invalid value.
.TP
\fB3\fR
CAUTION (\fBcheck\fR; \fBtreatment record\fR refused without \fB\-\-override\fR).
.TP
\fB4\fR
BLOCKED (\fBcheck\fR; \fBtreatment record\fR refused).
.SH ENVIRONMENT
.TP
\fBINKGUARD_DB\fR
The database file, unless \fB\-\-db\fR is given.
.TP
\fBXDG_DATA_HOME\fR
Where the default database lives: $XDG_DATA_HOME/inkguard/inkguard.db.
.TP
\fBINKGUARD_USER\fR
Who is acting, stored on every record a command writes, unless \fB\-\-as\fR is given (else the login name).
.TP
\fBINKGUARD_BUSY_TIMEOUT\fR
How long to wait for another writer to finish, in milliseconds.
.TP
\fBINKGUARD_NOW\fR
A fixed current time, for tests and demonstrations.
.TP
\fBNO_COLOR\fR
No colours in the output, even on a terminal.
"#;

/// The page of one command: clap_mangen's sections, then EXIT STATUS, ENVIRONMENT and SEE ALSO
/// (the parent page and the pages of its commands, all written by `man --dir`).
fn page(cmd: &clap::Command, parent: Option<&str>) -> Result<String> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buffer)
        .map_err(|source| Error::Io {
            path: "man page".into(),
            source,
        })?;
    let mut text = String::from_utf8_lossy(&buffer).into_owned();
    text.push_str(EXIT_AND_ENVIRONMENT);
    let name = page_name(cmd);
    let mut see: Vec<String> = parent
        .map(|p| format!("\\fB{p}\\fR(1)"))
        .into_iter()
        .collect();
    see.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
            .map(|s| format!("\\fB{name}-{}\\fR(1)", s.get_name())),
    );
    if !see.is_empty() {
        text.push_str(".SH \"SEE ALSO\"\n");
        text.push_str(&see.join(", "));
        text.push('\n');
    }
    Ok(text)
}

fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or(cmd.get_name()).to_string()
}

/// `man [COMMAND...]`: one page on stdout; `man --dir DIR`: every page into DIR.
pub fn man(out: &Output, command: &[String], dir: Option<&std::path::Path>) -> Result<Exit> {
    let mut root = cli::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = dir {
        let mut written = 0;
        write_pages(&root, None, dir, &mut written)?;
        out.text(&format!("wrote {written} man pages to {}", dir.display()))?;
        return Ok(0);
    }
    let mut cmd = &root;
    let mut parent = None;
    for name in command {
        let Some(sub) = cmd.find_subcommand(name) else {
            return Err(Error::invalid_with_hint(
                format!("no command `{}` for a man page", command.join(" ")),
                "inkguard --help lists the commands, e.g. inkguard man patch-test read",
            ));
        };
        parent = Some(page_name(cmd));
        cmd = sub;
    }
    out.text(&page(cmd, parent.as_deref())?)?;
    Ok(0)
}

fn write_pages(
    cmd: &clap::Command,
    parent: Option<&str>,
    dir: &std::path::Path,
    written: &mut usize,
) -> Result<()> {
    let name = page_name(cmd);
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page(cmd, parent)?).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, Some(&name), dir, written)?;
    }
    Ok(())
}
