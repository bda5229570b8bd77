//! `patch-test report TEST`: the result for the client and the referring physician — readings
//! by day per item, positives with their relevance, what to avoid (substances and their groups
//! in plain words) and the client's safe list of the clinic's products, which comes from the
//! verdict service (`crate::verdict::safe_list`), never from a second rule. As text, JSON, or
//! one self-contained printable HTML page.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use super::patch_test::{view, ItemView, PatchTestView};
use super::Exit;
use crate::cli::Format;
use crate::db::series::{self, GroupNote};
use crate::db::{clinical, Db};
use crate::error::Result;
use crate::ids::PatchTestId;
use crate::output::Output;
use crate::verdict::{self, SafeListFilter};

#[derive(Debug, Serialize)]
struct ItemLine {
    item: i64,
    what: String,
    outcome: String,
    late: bool,
    relevance: Option<String>,
    photo_of: Option<i64>,
    /// The grade in force at each reading day (`null` where none was read).
    grades: Vec<Option<String>>,
}

#[derive(Debug, Serialize)]
struct Avoid {
    /// The substance, or the mix (a group), or the product that tested positive.
    what: String,
    kind: &'static str,
    items: Vec<i64>,
    /// A mix: its components.
    members: Vec<String>,
    /// The groups the substance belongs to, with how they relate, in plain words.
    groups: Vec<AvoidGroup>,
}

#[derive(Debug, Serialize)]
struct AvoidGroup {
    #[serde(flatten)]
    group: GroupNote,
    advice: &'static str,
}

#[derive(Debug, Serialize)]
struct SafeProduct {
    supplier: String,
    code: String,
    name: String,
    kind: &'static str,
    patch_test: String,
}

#[derive(Debug, Serialize)]
struct Report {
    test: PatchTestId,
    client: String,
    applied_at: String,
    site: Option<String>,
    irradiated_at: Option<String>,
    dose_j_cm2: Option<f64>,
    days: Vec<i64>,
    items: Vec<ItemLine>,
    positives: Vec<ItemLine>,
    avoid: Vec<Avoid>,
    safe_list: Vec<SafeProduct>,
    /// Products left out of the safe list: (CAUTION, BLOCKED).
    left_out: (usize, usize),
}

/// What to do about a group, in plain words.
fn advice(relation: &str) -> &'static str {
    match relation {
        "same-hapten" => "carries the same allergen: avoid as well",
        "cross-reactive" | "chemical-family" => "often cross-reacts: use with caution",
        _ => "often sensitised together: be watchful",
    }
}

fn build(db: &Db, v: &PatchTestView) -> Result<Report> {
    let policy = clinical::load_policy(&db.conn)?;
    let mut days: BTreeSet<i64> = policy.reading_days.iter().copied().collect();
    for i in &v.items {
        days.extend(i.readings.iter().filter(|r| !r.superseded).map(|r| r.day));
    }
    let days: Vec<i64> = days.into_iter().collect();
    let line = |i: &ItemView| ItemLine {
        item: i.item,
        what: i.what(),
        outcome: i.outcome.as_str().to_string(),
        late: i.late,
        relevance: i.relevance.clone(),
        photo_of: i.photo_of,
        grades: days
            .iter()
            .map(|d| {
                i.readings
                    .iter()
                    .rfind(|r| !r.superseded && r.day == *d)
                    .map(|r| r.grade.clone())
            })
            .collect(),
    };
    let items: Vec<ItemLine> = v.items.iter().map(line).collect();
    let positives: Vec<ItemLine> = v
        .items
        .iter()
        .filter(|i| i.outcome.is_positive())
        .map(line)
        .collect();
    let mut avoid: Vec<Avoid> = Vec::new();
    for i in v.items.iter().filter(|i| i.outcome.is_positive()) {
        let (what, kind, members, groups) = match (&i.product, i.group_id, i.substance_id) {
            (Some(_), ..) => (i.what(), "product", Vec::new(), Vec::new()),
            (None, Some(g), _) => {
                let note = series::group_note(&db.conn, g)?;
                let name = note.as_ref().map_or_else(|| i.what(), |n| n.name.clone());
                (
                    name,
                    "mix",
                    note.map(|n| n.members).unwrap_or_default(),
                    Vec::new(),
                )
            }
            (None, None, Some(s)) => (
                i.substance.clone().unwrap_or_default(),
                "substance",
                Vec::new(),
                series::groups_of_substance(&db.conn, s)?
                    .into_iter()
                    .map(|g| AvoidGroup {
                        advice: advice(&g.relation),
                        group: g,
                    })
                    .collect(),
            ),
            _ => continue,
        };
        match avoid.iter_mut().find(|a| a.what == what && a.kind == kind) {
            Some(a) => a.items.push(i.item),
            None => avoid.push(Avoid {
                what,
                kind,
                items: vec![i.item],
                members,
                groups,
            }),
        }
    }
    let list = verdict::safe_list(&db.conn, db.now, &v.client, SafeListFilter::default())?;
    Ok(Report {
        test: v.id,
        client: v.client.clone(),
        applied_at: v.applied_at.clone(),
        site: v.site.clone(),
        irradiated_at: v.irradiated_at.clone(),
        dose_j_cm2: v.dose_j_cm2,
        days,
        items,
        positives,
        avoid,
        safe_list: list
            .items
            .into_iter()
            .map(|p| SafeProduct {
                supplier: p.supplier,
                code: p.code,
                name: p.name,
                kind: p.kind,
                patch_test: p.patch_test,
            })
            .collect(),
        left_out: list.left_out,
    })
}

pub fn run(db: &Db, out: &Output, test: PatchTestId) -> Result<Exit> {
    let v = view(db, test)?;
    let report = build(db, &v)?;
    match out.format {
        Format::Html => out.text(&html(&report, db.zone)),
        _ => out.document(&report, &text(&report, db.zone)),
    }?;
    Ok(0)
}

fn positive_line(p: &ItemLine) -> String {
    let photo = p
        .photo_of
        .map_or(String::new(), |n| format!(" [irradiated, twin of {n}]"));
    let mut t = format!(
        "item {}: {}{photo}: {}",
        p.item,
        p.what,
        p.outcome.to_uppercase()
    );
    if p.late {
        t.push_str(" (late: first seen after D4)");
    }
    t.push_str(&format!(
        "; relevance: {}",
        p.relevance.as_deref().unwrap_or("not recorded")
    ));
    t
}

fn avoid_lines(a: &Avoid) -> Vec<String> {
    let mut lines = vec![match a.kind {
        "product" => format!(
            "{} (every ingredient is a suspect until tested one by one)",
            a.what
        ),
        "mix" => format!("{} (a mix: each of its components)", a.what),
        _ => a.what.clone(),
    }];
    if !a.members.is_empty() {
        lines.push(format!("components: {}", a.members.join(", ")));
    }
    for g in &a.groups {
        lines.push(format!(
            "{} ({}): {}",
            g.group.name,
            g.group.members.join(", "),
            g.advice
        ));
    }
    lines
}

fn text(r: &Report, zone: chrono_tz::Tz) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Patch test {} of {}, applied {}{}",
        r.test,
        r.client,
        crate::time::show_stamp(&r.applied_at, zone),
        r.site.as_ref().map_or(String::new(), |s| format!(" ({s})"))
    );
    if let (Some(at), Some(dose)) = (&r.irradiated_at, r.dose_j_cm2) {
        let _ = writeln!(
            t,
            "Photopatch set irradiated {} with {dose} J/cm² UVA",
            crate::time::show_stamp(at, zone)
        );
    }
    let _ = writeln!(t, "\nReadings by day");
    let header: Vec<String> = r.days.iter().map(|d| format!("D{d}")).collect();
    let _ = writeln!(t, "  item  {:<5}  allergen or product", header.join("  "));
    for i in &r.items {
        let cells: Vec<String> = i
            .grades
            .iter()
            .map(|g| format!("{:<3}", g.as_deref().unwrap_or(".")))
            .collect();
        let photo = i
            .photo_of
            .map_or(String::new(), |n| format!(" [irradiated, twin of {n}]"));
        let _ = writeln!(
            t,
            "  {:>4}  {}  {}{photo}: {}",
            i.item,
            cells.join(" "),
            i.what,
            i.outcome
        );
    }
    let _ = writeln!(t, "\nPositives");
    if r.positives.is_empty() {
        let _ = writeln!(t, "  none");
    }
    for p in &r.positives {
        let _ = writeln!(t, "  {}", positive_line(p));
    }
    let _ = writeln!(t, "\nWhat to avoid");
    if r.avoid.is_empty() {
        let _ = writeln!(t, "  nothing found by this test");
    }
    for a in &r.avoid {
        for (n, l) in avoid_lines(a).iter().enumerate() {
            let _ = writeln!(t, "  {}{l}", if n == 0 { "- " } else { "    " });
        }
    }
    let _ = writeln!(
        t,
        "\nProducts of the clinic that would be CLEAR for {} once patch-tested ({} left out as CAUTION, {} as BLOCKED)",
        r.client, r.left_out.0, r.left_out.1
    );
    if r.safe_list.is_empty() {
        let _ = writeln!(t, "  none");
    }
    for p in &r.safe_list {
        let _ = writeln!(
            t,
            "  {}/{} {} ({}; patch test: {})",
            p.supplier, p.code, p.name, p.kind, p.patch_test
        );
    }
    t
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One printable page: inline styles only, nothing fetched.
fn html(r: &Report, zone: chrono_tz::Tz) -> String {
    let cell = "border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top";
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Patch test {} of {}</title></head>\n\
<body style=\"font-family:sans-serif;font-size:11pt;margin:1.5cm;color:#000\">\n\
<h1 style=\"font-size:16pt\">Patch test {} of {}</h1>\n<p>Applied {}{}</p>\n",
        r.test,
        esc(&r.client),
        r.test,
        esc(&r.client),
        esc(&crate::time::show_stamp(&r.applied_at, zone)),
        r.site
            .as_ref()
            .map_or(String::new(), |s| format!(" ({})", esc(s)))
    );
    if let (Some(at), Some(dose)) = (&r.irradiated_at, r.dose_j_cm2) {
        let _ = writeln!(
            h,
            "<p>Photopatch set irradiated {} with {dose} J/cm² UVA</p>",
            esc(&crate::time::show_stamp(at, zone))
        );
    }
    let _ = write!(
        h,
        "<h2 style=\"font-size:13pt\">Readings by day</h2>\n\
<table id=\"readings\" style=\"border-collapse:collapse\"><thead><tr><th style=\"{cell}\">item</th><th style=\"{cell}\">allergen or product</th>"
    );
    for d in &r.days {
        let _ = write!(h, "<th style=\"{cell}\">D{d}</th>");
    }
    let _ = writeln!(h, "<th style=\"{cell}\">outcome</th></tr></thead><tbody>");
    for i in &r.items {
        let strong = if i.outcome.contains("positive") {
            "font-weight:bold;"
        } else {
            ""
        };
        let photo = i
            .photo_of
            .map_or(String::new(), |n| format!(" [irradiated, twin of {n}]"));
        let _ = write!(
            h,
            "<tr style=\"{strong}\"><td style=\"{cell}\">{}</td><td style=\"{cell}\">{}{}</td>",
            i.item,
            esc(&i.what),
            esc(&photo)
        );
        for g in &i.grades {
            let _ = write!(
                h,
                "<td style=\"{cell}\">{}</td>",
                esc(g.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(
            h,
            "<td style=\"{cell}\">{}{}</td></tr>",
            esc(&i.outcome),
            if i.late { " (late)" } else { "" }
        );
    }
    let _ = writeln!(h, "</tbody></table>");
    let _ = writeln!(
        h,
        "<h2 style=\"font-size:13pt\">Positives</h2>\n<ul id=\"positives\">"
    );
    if r.positives.is_empty() {
        let _ = writeln!(h, "<li>none</li>");
    }
    for p in &r.positives {
        let _ = writeln!(h, "<li>{}</li>", esc(&positive_line(p)));
    }
    let _ = writeln!(
        h,
        "</ul>\n<h2 style=\"font-size:13pt\">What to avoid</h2>\n<ul id=\"avoid\">"
    );
    if r.avoid.is_empty() {
        let _ = writeln!(h, "<li>nothing found by this test</li>");
    }
    for a in &r.avoid {
        let lines = avoid_lines(a);
        let _ = write!(h, "<li><strong>{}</strong>", esc(&lines[0]));
        if lines.len() > 1 {
            let _ = write!(h, "<ul>");
            for l in &lines[1..] {
                let _ = write!(h, "<li>{}</li>", esc(l));
            }
            let _ = write!(h, "</ul>");
        }
        let _ = writeln!(h, "</li>");
    }
    let _ = writeln!(
        h,
        "</ul>\n<h2 style=\"font-size:13pt\">Products of the clinic that would be CLEAR once patch-tested</h2>\n\
<p>{} left out as CAUTION, {} as BLOCKED.</p>\n<ul id=\"safe-list\">",
        r.left_out.0, r.left_out.1
    );
    if r.safe_list.is_empty() {
        let _ = writeln!(h, "<li>none</li>");
    }
    for p in &r.safe_list {
        let _ = writeln!(
            h,
            "<li>{}/{} {} ({}; patch test: {})</li>",
            esc(&p.supplier),
            esc(&p.code),
            esc(&p.name),
            p.kind,
            esc(&p.patch_test)
        );
    }
    let _ = writeln!(h, "</ul>\n</body></html>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
