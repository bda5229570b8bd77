//! The human text of a verdict (SPEC 5 "For people"): the lines of `verdict::words` with the
//! level word coloured (only on a terminal, never with `NO_COLOR`), wrapped to the terminal, the
//! chain of groups and evidence under `--details`, and the next step with commands that can be
//! pasted. Rendering only: the words come from the verdict service.

use std::fmt::Write as _;
use std::io::IsTerminal;

use unicode_width::UnicodeWidthStr;

use crate::error::shell_quote;
use crate::screening::{Level, Reason, Verdict};
use crate::verdict::words::{self, Next};
use crate::verdict::{Judgement, SafeItem};

/// How the text is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub colour: bool,
    /// Wrap to this many columns; `None`: no wrapping (a pipe without `COLUMNS`).
    pub width: Option<usize>,
    pub details: bool,
}

impl Style {
    /// Colour and width from standard output: a terminal's own width, else `COLUMNS`.
    pub fn detect(details: bool) -> Style {
        let terminal = std::io::stdout().is_terminal();
        let colour = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok());
        let width = if terminal {
            terminal_size::terminal_size()
                .map(|(w, _)| usize::from(w.0))
                .or(columns)
                .or(Some(80))
        } else {
            columns
        };
        Style {
            colour,
            width: width.map(|w| w.max(40)),
            details,
        }
    }
}

fn colour_code(level: Level) -> &'static str {
    match level {
        Level::Block => "1;31",
        Level::Caution => "33",
        Level::Note => "36",
        Level::Info => "32",
    }
}

fn verdict_level(verdict: Verdict) -> Level {
    match verdict {
        Verdict::Clear => Level::Info,
        Verdict::Caution => Level::Caution,
        Verdict::Blocked => Level::Block,
    }
}

/// `word` padded to `pad` columns, coloured for `level` when the style says so.
fn paint(word: &str, level: Level, pad: usize, style: &Style) -> String {
    let fill = " ".repeat(pad.saturating_sub(word.width()));
    if style.colour {
        format!("\x1b[{}m{word}\x1b[0m{fill}", colour_code(level))
    } else {
        format!("{word}{fill}")
    }
}

/// The verdict word (`BLOCKED`), coloured when the style says so.
pub fn paint_verdict(verdict: Verdict, style: &Style) -> String {
    paint(
        &verdict.as_str().to_uppercase(),
        verdict_level(verdict),
        0,
        style,
    )
}

/// `text` broken into lines of at most `width` columns: the first after a prefix of
/// `first` columns, the others indented by `indent` spaces. Words longer than a line stand alone.
pub fn wrap(text: &str, width: Option<usize>, first: usize, indent: usize) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    let mut out = String::new();
    let mut used = first;
    let mut line_start = true;
    for word in text.split_whitespace() {
        let w = word.width();
        if !line_start && used + 1 + w > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = indent;
            line_start = true;
        }
        if !line_start {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += w;
        line_start = false;
    }
    out
}

/// Width of the level column: `CAUTION` and a space.
const LEVEL: usize = 8;
const INDENT: usize = 2;

/// One line per allergen under the headline, then the next step.
pub fn check_text(j: &Judgement, alternatives: &[SafeItem], style: &Style) -> String {
    let (p, a) = (&j.product, &j.assessment);
    let mut t = String::new();
    let lot = p
        .lot
        .as_ref()
        .map_or(String::new(), |l| format!(", lot {}", l.lot));
    let formulation = if style.details {
        format!(", formulation {}", p.version)
    } else {
        String::new()
    };
    let head = format!(
        "for client {}: {}{formulation}{lot}",
        j.client.code,
        p.label()
    );
    let word = paint_verdict(a.verdict, style);
    let _ = writeln!(
        t,
        "{word} {}",
        wrap(&head, style.width, a.verdict.as_str().len() + 1, INDENT)
    );
    let lines = reason_lines(&mut t, &a.reasons, a.verdict, style, INDENT);
    if a.reasons.is_empty() {
        let text = format!(
            "no known match between the {} declared ingredients and the client's allergies and tests",
            p.ingredients.len()
        );
        let _ = writeln!(t, "  {}", wrap(&text, style.width, INDENT, INDENT));
    }
    for n in &a.not_checked {
        let text = format!("not checked: {n}");
        let _ = writeln!(t, "  {}", wrap(&text, style.width, INDENT, INDENT));
    }
    next_step(&mut t, j, &lines, alternatives, style);
    suspects_step(&mut t, j, style);
    t
}

/// The reasons of a verdict in plain words, one line per allergen (`words::lines`), the level
/// word coloured, the jargon only under `--details`: `check` and `screen` both print them so.
pub fn reason_lines(
    t: &mut String,
    reasons: &[Reason],
    verdict: Verdict,
    style: &Style,
    indent: usize,
) -> Vec<words::Line> {
    let lines = words::lines(reasons, verdict);
    for l in &lines {
        let _ = writeln!(
            t,
            "{}{}{}",
            " ".repeat(indent),
            paint(&words::level_word(l.level), l.level, LEVEL, style),
            wrap(&l.text, style.width, indent + LEVEL, indent + LEVEL)
        );
        if style.details {
            for d in &l.details {
                let _ = writeln!(
                    t,
                    "{}- {}",
                    " ".repeat(indent + LEVEL),
                    wrap(d, style.width, indent + LEVEL + 2, indent + LEVEL + 2)
                );
            }
        }
    }
    lines
}

/// The next step, with commands shell-quoted so that they can be pasted: each command on a line
/// of its own, never wrapped.
fn next_step(
    t: &mut String,
    j: &Judgement,
    lines: &[words::Line],
    alternatives: &[SafeItem],
    style: &Style,
) {
    let client = shell_quote(&j.client.code);
    let product = shell_quote(&format!("{}/{}", j.row.supplier, j.row.code));
    let kind = j.row.kind.as_str();
    let say = |t: &mut String, text: &str, command: Option<String>| {
        let _ = writeln!(t, "{}", wrap(text, style.width, 0, INDENT));
        if let Some(c) = command {
            let _ = writeln!(t, "    {c}");
        }
    };
    match words::next(lines, j.assessment.verdict) {
        Next::Nothing => {}
        Next::PatchTestFirst => say(
            t,
            "Next step: patch-test it first:",
            Some(format!(
                "inkguard patch-test apply {client} --product {product}"
            )),
        ),
        Next::AnotherLot => say(
            t,
            "Next step: use another lot of this product; its lots:",
            Some(format!("inkguard lot list {product}")),
        ),
        Next::Identify => {
            for target in words::unmatched_targets(&j.assessment.reasons) {
                say(
                    t,
                    &format!("Next step: find out what {target} is and merge it into the known substance, then check again:"),
                    Some(format!(
                        "inkguard substance merge {} NAME",
                        shell_quote(&target)
                    )),
                );
            }
        }
        Next::Alternative if alternatives.is_empty() => say(
            t,
            &format!(
                "Next step: no other {kind} with a lot in stock is CLEAR for this client; the whole safe list:"
            ),
            Some(format!("inkguard safe-list {client} --kind {kind}")),
        ),
        Next::Alternative => {
            let shade = j.row.shade.as_deref().map(crate::ident::normalize_name);
            say(t, &format!("Next step: a CLEAR {kind} in stock instead:"), None);
            for i in alternatives {
                let same =
                    shade.is_some() && i.shade.as_deref().map(crate::ident::normalize_name) == shade;
                let shade_text = i.shade.as_deref().map_or(String::new(), |s| {
                    format!(", shade {s}{}", if same { " (the same)" } else { "" })
                });
                let test = if i.patch_test.starts_with("negative (") {
                    format!("patch test {}", i.patch_test)
                } else {
                    "patch-test it first".to_string()
                };
                let text = format!(
                    "- {}{shade_text}, {}; {test}:",
                    crate::screening::product_label(&i.supplier, &i.code, &i.name),
                    i.stock
                );
                let _ = writeln!(t, "  {}", wrap(&text, style.width, INDENT, INDENT + 2));
                let _ = writeln!(
                    t,
                    "      inkguard check {client} {}",
                    shell_quote(&format!("{}/{}", i.supplier, i.code))
                );
            }
        }
    }
}

/// How to clear a suspect the technician finds unlikely: a negative patch test of it applied
/// now resolves it, or a retraction with a reason.
fn suspects_step(t: &mut String, j: &Judgement, style: &Style) {
    let client = shell_quote(&j.client.code);
    for (id, target) in words::suspects(&j.assessment.reasons) {
        let text = format!(
            "If {target} is an unlikely suspect: patch-test it to clear it (a negative test resolves the suspicion), or retract it with the reason:"
        );
        let _ = writeln!(t, "{}", wrap(&text, style.width, 0, INDENT));
        let _ = writeln!(
            t,
            "    inkguard patch-test apply {client} --substance {}",
            shell_quote(&target)
        );
        let _ = writeln!(t, "    inkguard sensitivity retract {id} --reason REASON");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_word_is_coloured_only_when_the_style_says_and_padding_stays_outside_the_colour() {
        let colour = Style {
            colour: true,
            width: None,
            details: false,
        };
        let plain = Style {
            colour: false,
            ..colour
        };
        assert_eq!(
            paint("BLOCK", Level::Block, 8, &colour),
            "\x1b[1;31mBLOCK\x1b[0m   "
        );
        assert_eq!(paint("BLOCK", Level::Block, 8, &plain), "BLOCK   ");
    }

    #[test]
    fn wrapping_keeps_words_whole_and_indents_the_following_lines() {
        assert_eq!(
            wrap("one two three four", Some(14), 2, 4),
            "one two\n    three four"
        );
        assert_eq!(wrap("unbroken", None, 0, 0), "unbroken");
        assert_eq!(
            wrap("averyveryverylongword x", Some(8), 0, 2),
            "averyveryverylongword\n  x"
        );
    }
}
