//! A verdict in words a technician can read out to the client (SPEC 5 "For people"): one line
//! per allergen (reasons about the same ingredient, sensitivity, test or lot folded into one,
//! the most severe wins), plain sentences without the chain of groups and relations (kept for
//! `--details`), and what to do next. Pure: reasons in, lines out. JSON keeps every reason.

use crate::ids::{SensitivityId, SubstanceId};
use crate::screening::{Because, Certainty, Level, Outcome, Reason, Source, TargetKind, Verdict};

/// One line of a verdict for people: the level, a plain sentence, and the reasons' own
/// messages (every one folded into it) for `--details`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub level: Level,
    pub text: String,
    pub details: Vec<String>,
    /// The reason codes folded into the line, most severe first.
    pub codes: Vec<&'static str>,
}

/// What a line is about: reasons about the same thing fold into one line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Ingredient(SubstanceId),
    Target(String),
    ProductTest,
    Lot(String),
    Code(&'static str),
}

fn key(r: &Reason) -> Key {
    if let Some(i) = &r.ingredient {
        return Key::Ingredient(i.substance_id);
    }
    match &r.because {
        Some(Because::Sensitivity { target, .. }) => Key::Target(target.clone()),
        Some(Because::PatchTest { .. }) => Key::ProductTest,
        Some(Because::Lot { lot, .. }) => Key::Lot(lot.clone()),
        _ => Key::Code(r.code),
    }
}

/// The lines of a verdict, most severe first: reasons folded by what they are about, and no
/// `no-patch-test` under a BLOCKED verdict (nothing to test before a product that cannot be
/// used; the JSON keeps it).
pub fn lines(reasons: &[Reason], verdict: Verdict) -> Vec<Line> {
    // The suspects a positive test of this very product raised fold into that test's line: the
    // test is what stands, its ingredients are the chain behind it.
    let positive: Vec<String> = reasons
        .iter()
        .filter(|r| r.code == "positive-test")
        .filter_map(|r| match &r.because {
            Some(Because::PatchTest { id, item, .. }) => {
                Some(format!("patch test {id} item {item} "))
            }
            _ => None,
        })
        .collect();
    let mut groups: Vec<(Key, Vec<&Reason>)> = Vec::new();
    for r in reasons {
        if verdict == Verdict::Blocked && r.code == "no-patch-test" {
            continue;
        }
        let raised_by_positive = matches!(
            &r.because,
            Some(Because::Sensitivity { evidence: Some(e), certainty: Certainty::Suspected, .. })
                if positive.iter().any(|p| e.starts_with(p.as_str()))
        );
        let k = if raised_by_positive {
            Key::ProductTest
        } else {
            key(r)
        };
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(r),
            None => groups.push((k, vec![r])),
        }
    }
    let mut lines: Vec<Line> = groups
        .into_iter()
        .map(|(_, mut members)| {
            // Stable: among equals the engine's order (the most direct link first) stands.
            members.sort_by_key(|r| std::cmp::Reverse(r.level));
            let top = members[0];
            let mut codes: Vec<&'static str> = Vec::new();
            for m in &members {
                if !codes.contains(&m.code) {
                    codes.push(m.code);
                }
            }
            Line {
                level: top.level,
                text: sentence(top, &members),
                details: members.iter().map(|m| m.message.clone()).collect(),
                codes,
            }
        })
        .collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.level));
    lines
}

/// The level word of a line: `BLOCK`, `CAUTION`, `NOTE`, `INFO`.
pub fn level_word(level: Level) -> String {
    level.as_str().to_uppercase()
}

/// How sure a sensitivity is, as the end of a plain sentence.
fn how(certainty: Certainty, source: Source) -> String {
    crate::screening::evidence_words(certainty, source)
}

/// The plain sentence of the most severe reason of a line; `members` are every reason folded
/// into it (other sensitivities to the same ingredient are named, not repeated).
fn sentence(r: &Reason, members: &[&Reason]) -> String {
    match (&r.ingredient, &r.because) {
        (
            Some(i),
            Some(Because::Sensitivity {
                target,
                target_kind,
                source,
                certainty,
                evidence,
                ..
            }),
        ) => {
            let may = if i.may_contain { " (may contain)" } else { "" };
            let allergic = match certainty {
                Certainty::Confirmed => "the client is allergic to",
                Certainty::Suspected => "the client may be allergic to",
            };
            let mut sure = how(*certainty, *source);
            if let Some(e) = evidence {
                sure.push_str(&format!(" ({})", plain_evidence(e)));
            }
            let mut text = match (&r.via, r.code) {
                (Some(v), "sensitivity") if *target_kind == TargetKind::Group => {
                    format!("{}{may} is one of the {}: {allergic} them, {sure}", i.substance, v.name)
                }
                (Some(v), _) if r.code != "sensitivity" => format!(
                    "{}{may} {} {target} ({}): {allergic} {target}, {sure}",
                    i.substance,
                    v.relation.phrase(),
                    v.name
                ),
                _ if same_name(&i.substance, target) => {
                    format!("{}{may}: {allergic} it, {sure}", i.substance)
                }
                _ => format!("{}{may}: {allergic} {target}, {sure}", i.substance),
            };
            let others: Vec<&str> = members
                .iter()
                .filter_map(|m| match &m.because {
                    Some(Because::Sensitivity { target: t, .. })
                        if !same_name(t, target) && m.code != "restricted" =>
                    {
                        Some(t.as_str())
                    }
                    _ => None,
                })
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.contains(&t) {
                        acc.push(t);
                    }
                    acc
                });
            if !others.is_empty() {
                text.push_str(&format!(
                    "; also related to the client's allergy to {}",
                    others.join(", ")
                ));
            }
            text
        }
        (None, Some(Because::Sensitivity { target, .. })) if r.code == "sensitivity-unmatched" => {
            format!(
                "the client's allergy to {target} cannot be compared with this product: {target} is not identified (no CAS or Colour Index number is known for it)"
            )
        }
        (_, Some(Because::PatchTest { .. })) => test_sentence(r),
        (Some(i), _) if r.code == "restricted" => {
            let what = r.message.split("; source:").next().unwrap_or(&r.message);
            match what
                .find(" is banned")
                .or_else(|| what.find(" is limited"))
            {
                Some(at) => format!("{}{}", i.substance, &what[at..]),
                None => what.to_string(),
            }
        }
        _ => match r.code {
            "no-patch-test" => r
                .message
                .replace("this formulation", "this product")
                .replace(" (policy require-patch-test)", "")
                .replacen("no negative", "not patch-tested: no negative", 1),
            "no-ingredients" => "the product lists no ingredients, so nothing could be compared with the client's allergies".into(),
            _ => r.message.clone(),
        },
    }
}

/// A patch-test reason in plain words, with the date and grade of the deciding reading.
fn test_sentence(r: &Reason) -> String {
    let Some(Because::PatchTest {
        applied_at,
        outcome,
        grade,
        read_at,
        ..
    }) = &r.because
    else {
        return r.message.clone();
    };
    let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
    let when = read_at.as_deref().map_or_else(|| day(applied_at), day);
    let grade = grade.as_deref().unwrap_or("");
    let what = match &r.ingredient {
        Some(i) => format!("the ingredient {}", i.substance),
        None => "this product".into(),
    };
    match outcome {
        Outcome::Positive => format!("the client tested positive ({grade}) to {what} on {when}"),
        Outcome::PhotoPositive => {
            format!("the client tested positive to {what} under UV light ({grade}) on {when}")
        }
        Outcome::Doubtful => {
            format!("the client's patch test of {what} was doubtful (?+) on {when}")
        }
        Outcome::Irritant => format!("the patch test of {what} irritated the skin (IR) on {when}"),
        Outcome::Pending => format!(
            "the patch test of {what} applied on {} has no result yet",
            day(applied_at)
        ),
        Outcome::Negative => format!("the client tested negative to {what} on {when}"),
    }
}

/// The evidence of a sensitivity without record numbers: `patch test 3 item 2 applied
/// 2026-11-20, ++ read at D3 (2026-11-23)` reads `patch test applied 2026-11-20, ++ read at D3
/// (2026-11-23)`; `reaction 4 on 2026-11-02 (moderate)` reads `reaction on 2026-11-02
/// (moderate)`. Anything else stands as written.
fn plain_evidence(e: &str) -> String {
    let words: Vec<&str> = e.split(' ').collect();
    match words.as_slice() {
        ["patch", "test", n, "item", m, rest @ ..]
            if n.parse::<i64>().is_ok() && m.parse::<i64>().is_ok() =>
        {
            format!("patch test {}", rest.join(" "))
        }
        ["reaction", n, rest @ ..] if n.parse::<i64>().is_ok() => {
            format!("reaction {}", rest.join(" "))
        }
        _ => e.to_string(),
    }
}

fn same_name(a: &str, b: &str) -> bool {
    crate::ident::normalize_name(a) == crate::ident::normalize_name(b)
}

/// A few words for why the safe list left a product out: the allergen (`nickel`), else what
/// stands against it (`tested positive`).
pub fn short_why(reasons: &[Reason]) -> String {
    let Some(top) = reasons.iter().max_by_key(|r| r.level) else {
        return "no reason".into();
    };
    if let Some(i) = &top.ingredient {
        return i.substance.clone();
    }
    match (top.code, &top.because) {
        ("sensitivity-unmatched", Some(Because::Sensitivity { target, .. })) => {
            format!("{target} cannot be compared")
        }
        ("positive-test", _) => "tested positive".into(),
        ("doubtful-test", _) => "doubtful patch test".into(),
        ("irritant-test", _) => "irritant patch test".into(),
        ("test-pending", _) => "patch test pending".into(),
        ("unverified-ingredients", _) => "unidentified ingredients".into(),
        ("no-ingredients", _) => "no ingredients listed".into(),
        (code, _) => code.to_string(),
    }
}

/// The targets of the sensitivities that could not be compared, each once.
pub fn unmatched_targets(reasons: &[Reason]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in reasons.iter().filter(|r| r.code == "sensitivity-unmatched") {
        if let Some(Because::Sensitivity { target, .. }) = &r.because {
            if !out.contains(target) {
                out.push(target.clone());
            }
        }
    }
    out
}

/// The suspects behind the reasons (suspected sensitivities a reaction or a positive product
/// test raised, with an id): (id, substance), each once. One the technician finds unlikely can
/// be cleared by a negative patch test of the substance, or retracted with a reason.
/// The suspects a positive test of this very product raised are left out: the product stays
/// BLOCKED by that test whatever becomes of them.
pub fn suspects(reasons: &[Reason]) -> Vec<(SensitivityId, String)> {
    let positive: Vec<String> = reasons
        .iter()
        .filter(|r| r.code == "positive-test")
        .filter_map(|r| match &r.because {
            Some(Because::PatchTest { id, item, .. }) => {
                Some(format!("patch test {id} item {item} "))
            }
            _ => None,
        })
        .collect();
    let mut out: Vec<(SensitivityId, String)> = Vec::new();
    for r in reasons {
        if let Some(Because::Sensitivity {
            id: Some(id),
            target,
            target_kind: TargetKind::Substance,
            source: Source::Reaction | Source::PatchTest,
            certainty: Certainty::Suspected,
            evidence,
        }) = &r.because
        {
            let of_this_product = evidence
                .as_deref()
                .is_some_and(|e| positive.iter().any(|p| e.starts_with(p.as_str())));
            if !of_this_product && !out.iter().any(|(i, _)| i == id) {
                out.push((*id, target.clone()));
            }
        }
    }
    out
}

/// What to do after a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// CLEAR: nothing to do.
    Nothing,
    /// Only the missing patch test stands.
    PatchTestFirst,
    /// Only the lot stands (expired or flagged): another lot of the same product.
    AnotherLot,
    /// Only a sensitivity that could not be compared stands: no product would be CLEAR until
    /// its substance is identified.
    Identify,
    /// Something about the product itself: a CLEAR alternative.
    Alternative,
}

/// The next step from the lines that stand (caution or block).
pub fn next(lines: &[Line], verdict: Verdict) -> Next {
    if verdict == Verdict::Clear {
        return Next::Nothing;
    }
    let standing: Vec<&str> = lines
        .iter()
        .filter(|l| l.level >= Level::Caution)
        .flat_map(|l| l.codes.iter().copied())
        .collect();
    if standing.iter().all(|c| *c == "no-patch-test") {
        Next::PatchTestFirst
    } else if standing.contains(&"sensitivity-unmatched")
        && standing
            .iter()
            .all(|c| matches!(*c, "sensitivity-unmatched" | "no-patch-test"))
    {
        Next::Identify
    } else if standing
        .iter()
        .all(|c| matches!(*c, "lot-flagged" | "lot-expired" | "no-patch-test"))
    {
        Next::AnotherLot
    } else {
        Next::Alternative
    }
}

#[cfg(test)]
mod tests;
