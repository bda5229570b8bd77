//! "Did you mean": the known names closest to what a user typed, ranked by shared numbers,
//! then synonyms, then spelling, weak matches dropped.

use rusqlite::Connection;

use crate::error::Result;
use crate::ident;
use crate::ids::SubstanceId;

/// The known names closest to `text`, best first: the "did you mean" list.
pub fn suggest(conn: &Connection, text: &str, limit: usize) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.value, i.norm, s.name FROM identifiers i
         JOIN substances s ON s.id = i.substance_id
         WHERE i.kind IN ('name', 'inci', 'synonym') AND s.merged_into IS NULL AND s.verified = 1",
    )?;
    let rows = stmt.query_map([], |r| <(String, String, String)>::try_from(r))?;
    let mut names = Vec::new();
    for row in rows {
        names.push(row?);
    }
    Ok(closest(
        text,
        names
            .iter()
            .map(|(v, n, s)| (v.as_str(), n.as_str(), s.as_str())),
        limit,
    ))
}

/// How a candidate name resembles the text, best first (SPEC 2, suggestions): numbers are
/// ranked before any name by [`suggest_for`]; among names an INCI synonym (`Aqua (Water)` for
/// `Water`) comes before a spelling match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Likeness {
    Synonym,
    Spelling,
}

/// The least spelling similarity (Damerau-Levenshtein, normalised) shown: `Nickle sulfate` for
/// `Nickel sulfate` (0.85) is, `Citric acid` for `Carminic acid lake` (0.56) is not.
const SPELLING: f64 = 0.8;

/// The parts of a name that stand for the whole: `Aqua (Water)` is `aqua` and `water`.
fn alternatives(name: &str) -> Vec<String> {
    let mut depth = 0usize;
    let outside: String = name
        .chars()
        .filter(|c| {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect();
    let mut parts = vec![ident::normalize_name(&outside)];
    let mut rest = name;
    while let Some(open) = rest.find(['(', '[']) {
        let after = &rest[open + 1..];
        let close = after.find([')', ']']).unwrap_or(after.len());
        parts.push(ident::normalize_name(&after[..close]));
        rest = after.get(close + 1..).unwrap_or("");
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// How `candidate` (shown, normalised) resembles the text (`want` normalised, `alts` its
/// alternatives), with a score for ordering within its kind; `None` when too weakly.
fn likeness(
    want: &str,
    want_words: &[String],
    alts: &[String],
    shown: &str,
    norm: &str,
) -> Option<(Likeness, f64)> {
    if norm == want {
        return Some((Likeness::Synonym, 1.0));
    }
    let theirs = alternatives(shown);
    if (alts.len() > 1 || theirs.len() > 1) && alts.iter().any(|a| theirs.contains(a)) {
        return Some((Likeness::Synonym, 1.0));
    }
    let (a, b) = (norm.len(), want.len());
    if a.min(b) * 3 < a.max(b) {
        return None;
    }
    let mut score = strsim::normalized_damerau_levenshtein(want, norm);
    // A short code one edit away (`PL-3` for `PL-1`): a fraction says too little there.
    if a.max(b) <= 3 && strsim::damerau_levenshtein(want, norm) == 1 {
        score = score.max(SPELLING);
    }
    // Every word of the shorter name closely spelt among the other's words (`Glycerin` in
    // `Glycerine Vegetal`, `Iron oxide` in `Iron oxide black`; not `Citric acid` in `Carminic
    // acid lake`).
    if words_within(&words_of(shown), want_words) {
        score = score.max(SPELLING);
    }
    (score >= SPELLING).then_some((Likeness::Spelling, score))
}

/// The normalised words of a name.
fn words_of(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .map(ident::normalize_name)
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether every word of the one with fewer words has a close spelling among the other's.
fn words_within(a: &[String], b: &[String]) -> bool {
    let (few, many) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !few.is_empty()
        && few.iter().all(|w| {
            many.iter()
                .any(|m| m == w || strsim::normalized_damerau_levenshtein(w, m) >= 0.85)
        })
}

/// Ranks candidates `(shown, normalised, owner)` by likeness to `text` and keeps the best
/// `limit`, one per owner: INCI synonyms first, then close spellings; a weak spelling match is
/// not shown (a wrong suggestion leads to a wrong merge). Shown as `shown` or `shown (owner)`
/// when the two differ.
pub fn closest<'a>(
    text: &str,
    candidates: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
    limit: usize,
) -> Vec<String> {
    let want = ident::normalize_name(text);
    if want.is_empty() {
        return Vec::new();
    }
    let alts = alternatives(text);
    let want_words = words_of(text);
    let mut scored: Vec<((Likeness, f64), &str, &str)> = candidates
        .filter_map(|(shown, norm, owner)| {
            likeness(&want, &want_words, &alts, shown, norm).map(|l| (l, shown, owner))
        })
        .collect();
    scored.sort_by(|a, b| {
        (a.0 .0)
            .cmp(&b.0 .0)
            .then_with(|| b.0 .1.total_cmp(&a.0 .1))
            .then_with(|| a.1.cmp(b.1))
    });
    let mut out: Vec<String> = Vec::new();
    let mut owners: Vec<&str> = Vec::new();
    for (_, shown, owner) in scored {
        if owners.contains(&owner) {
            continue;
        }
        owners.push(owner);
        out.push(
            if ident::normalize_name(shown) == ident::normalize_name(owner) {
                owner.to_string()
            } else {
                format!("{shown} ({owner})")
            },
        );
        if out.len() == limit {
            break;
        }
    }
    out
}

/// Suggestions for a substance (an unverified one an import made): the known substances that
/// share one of its CAS, EC or Colour Index numbers first, then [`closest`] by its names.
pub fn suggest_for(conn: &Connection, id: SubstanceId, limit: usize) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT s.name FROM identifiers mine
         JOIN identifiers other ON other.kind = mine.kind AND other.norm = mine.norm
         JOIN substances s ON s.id = other.substance_id
         WHERE mine.substance_id = ?1 AND mine.kind IN ('cas', 'ec', 'ci')
           AND s.id != ?1 AND s.verified = 1 AND s.merged_into IS NULL
         ORDER BY s.name",
    )?;
    let mut out: Vec<String> = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    out.truncate(limit);
    let name: String = conn.query_row("SELECT name FROM substances WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    for s in suggest(conn, &name, limit)? {
        if out.len() == limit {
            break;
        }
        let owner = s
            .rsplit_once(" (")
            .map_or(s.as_str(), |(_, o)| o.trim_end_matches(')'));
        if !out.iter().any(|o| o == &s || o == owner) {
            out.push(s);
        }
    }
    Ok(out)
}
