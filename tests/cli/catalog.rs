//! The catalog: the database, substances, groups, supplier imports, products and lots
//! (SPEC sections 1, 2, 3 and 9).

use crate::support::{fixture, Work};

// --- The database (SPEC 1) ---------------------------------------------------------------------

#[test]
fn init_creates_a_private_file_in_new_folders_and_is_safe_to_run_again() {
    let w = Work::empty();
    let db = w.path("deep/er/clinic.db");
    let db_arg = db.to_str().unwrap();
    w.run(&["--db", db_arg, "init"]).ok().stdout_has("created");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "database mode {mode:o}");
    }
    let again = w
        .run(&["--db", db_arg, "init", "--format", "json"])
        .ok()
        .json();
    assert_eq!(again["created"], false);
    assert_eq!(
        again["reference"]["substances"], 0,
        "a second init adds nothing: {again}"
    );
}

#[test]
fn init_never_loses_data() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    let before = w.catalog();
    w.run(&["init"]).ok();
    assert_eq!(w.catalog(), before);
}

#[test]
fn a_missing_database_is_an_error_with_a_hint_to_run_init() {
    let w = Work::empty();
    w.run(&["product", "list"])
        .code(1)
        .stderr_has("error: no database at")
        .stderr_has("hint: create it with: inkguard --db");
    assert!(
        !w.db().exists(),
        "a failed command must not create the database"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_with_its_name() {
    let w = Work::empty();
    std::fs::write(
        w.db(),
        "this is not a database, just text that is long enough to matter",
    )
    .unwrap();
    w.run(&["product", "list"]).code(1).stderr_has("clinic.db");
}

#[test]
fn global_flags_go_before_or_after_the_command() {
    let w = Work::new();
    let db = w.db();
    let db = db.to_str().unwrap();
    w.run(&["--db", db, "--format", "json", "group", "list"])
        .ok()
        .json();
    w.run(&["group", "list", "--db", db, "--format", "json"])
        .ok()
        .json();
}

#[test]
fn usage_errors_exit_with_2() {
    let w = Work::new();
    w.run(&["product", "frobnicate"]).code(2);
    w.run(&["--format", "yaml", "group", "list"]).code(2);
}

// --- Substances and groups (SPEC 2) ------------------------------------------------------------

#[test]
fn substances_are_found_by_any_identifier_and_forgiving_names() {
    let w = Work::new();
    for name in [
        "CI 77499",
        "C.I. 77499",
        "CI77499",
        "77499",
        "1317-61-9",
        "215-277-5",
        "magnetite",
        "BLACK IRON-OXIDE",
    ] {
        let s = w
            .run(&["substance", "show", name, "--format", "json"])
            .ok()
            .json();
        assert_eq!(s["key"], "iron-oxide-black", "{name}");
    }
    let s = w
        .run(&["substance", "show", "nickel sulphate", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["key"], "nickel-sulfate");
    assert!(s["cas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "10101-97-0"));
    assert_eq!(s["groups"][0]["key"], "metal-co-sensitisation");
    for field in [
        "key", "name", "cas", "ec", "ci", "synonyms", "verified", "groups",
    ] {
        assert!(s.get(field).is_some(), "substance show lacks {field}: {s}");
    }
}

#[test]
fn an_unknown_substance_name_lists_the_closest_names() {
    let w = Work::new();
    w.run(&["substance", "show", "nickle sulfate"])
        .code(1)
        .stderr_has("no substance matches")
        .stderr_has("did you mean")
        .stderr_has("Nickel sulfate");
}

#[test]
fn a_name_shared_by_several_substances_lists_them() {
    let w = Work::new();
    w.run(&["substance", "show", "iron oxides"])
        .code(1)
        .stderr_has("matches several substances")
        .stderr_has("iron-oxide-red")
        .stderr_has("iron-oxide-black");
}

#[test]
fn alias_makes_a_substance_findable_and_refuses_ambiguity() {
    let w = Work::new();
    w.run(&["substance", "alias", "p-phenylenediamine", "para dye"])
        .ok();
    let s = w
        .run(&["substance", "show", "Para-Dye", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["key"], "p-phenylenediamine");
    w.run(&["substance", "alias", "benzocaine", "PPD"])
        .code(1)
        .stderr_has("already names");
}

#[test]
fn groups_can_be_listed_shown_added_extended_and_set() {
    let w = Work::new();
    let groups = w.run(&["group", "list", "--format", "json"]).ok().json();
    assert!(groups.as_array().unwrap().len() >= 12);
    let g = w
        .run(&[
            "group",
            "show",
            "formaldehyde releasers",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(g["relation"], "same-hapten");
    assert!(g["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["key"] == "quaternium-15"));
    w.run(&[
        "group",
        "add",
        "fragrance-test",
        "--name",
        "Fragrance test",
        "--relation",
        "chemical-family",
    ])
    .ok();
    let g = w
        .run(&["group", "show", "fragrance-test", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        g["on_match"], "caution",
        "chemical-family defaults to caution"
    );
    w.run(&["group", "add-member", "fragrance-test", "colophony"])
        .ok();
    w.run(&["group", "set", "fragrance-test", "--on-match", "block"])
        .ok();
    let g = w
        .run(&["group", "show", "Fragrance Test", "--format", "json"])
        .ok()
        .json();
    assert_eq!(g["on_match"], "block");
    assert_eq!(g["members"][0]["key"], "colophonium");
    w.run(&["group", "show", "nickle compounds"])
        .code(1)
        .stderr_has("did you mean");
}

#[test]
fn group_set_survives_a_second_init() {
    let w = Work::new();
    w.run(&[
        "group",
        "set",
        "metal-co-sensitisation",
        "--on-match",
        "caution",
    ])
    .ok();
    w.run(&["init"]).ok();
    let g = w
        .run(&[
            "group",
            "show",
            "metal-co-sensitisation",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(g["on_match"], "caution");
}

#[test]
fn import_substances_reads_the_plain_format() {
    let w = Work::new();
    let file = fixture("substances_plain.csv");
    let r = w
        .run(&[
            "import",
            "substances",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(r["substances"]["new"], 2);
    for field in ["dry_run", "substances", "rejected", "warnings"] {
        assert!(r.get(field).is_some(), "report lacks {field}");
    }
    let s = w
        .run(&["substance", "show", "PY83", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["ci"][0], "CI 21108");
    let again = w
        .run(&[
            "import",
            "substances",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(again["substances"]["unchanged"], 2, "{again}");
}

// --- Supplier imports (SPEC 3) -----------------------------------------------------------------

#[test]
fn a_german_semicolon_windows_1252_file_needs_and_takes_encoding() {
    let w = Work::new();
    let file = fixture("de_farbwerk_semicolon_1252.csv");
    let file = file.to_str().unwrap();
    w.run(&["import", "catalog", file, "--supplier", "Farbwerk"])
        .code(1)
        .stderr_has("line 3")
        .stderr_has("0xF6")
        .stderr_has("--encoding windows-1252");
    assert_eq!(w.count("products"), 0, "a failed import changes nothing");

    let r = w.import(
        "de_farbwerk_semicolon_1252.csv",
        "Farbwerk",
        &["--encoding", "windows-1252"],
    );
    assert_eq!(r["products"]["new"], 2);
    assert_eq!(r["lots"], 2);
    assert_eq!(r["delimiter"], "semicolon");
    let p = w
        .run(&["product", "show", "FW-202", "--format", "json"])
        .ok()
        .json();
    assert_eq!(p["name"], "Reinweiß");
    assert_eq!(p["shade"], "Weiß");
    let witch_hazel = &p["formulation"]["ingredients"][2];
    assert_eq!(witch_hazel["name_as_declared"], "Hamamelis-Wasser");
    assert_eq!(witch_hazel["min_percent"], 0.5, "decimal comma");
    assert_eq!(
        p["lots"][0]["expires"], "2027-06-30",
        "a month-only expiry means the month's end"
    );
    let black = w
        .run(&["product", "show", "FW-101", "--format", "json"])
        .ok()
        .json();
    let nickel = &black["formulation"]["ingredients"][4];
    assert_eq!(nickel["substance_key"], "nickel");
    assert_eq!(
        nickel["max_percent"], 0.0002,
        "< 2 mg/kg is at most 0.0002 %"
    );
    assert_eq!(black["lots"][0]["expires"], "2027-12-31");
}

#[test]
fn a_label_style_file_with_bom_keeps_may_contain_ingredients() {
    let w = Work::new();
    let r = w.import("label_bom.csv", "Rosa", &[]);
    assert_eq!(r["layout"], "one row per product");
    assert_eq!(r["products"]["new"], 2);
    let p = w
        .run(&["product", "show", "Lip Blush Rose", "--format", "json"])
        .ok()
        .json();
    let ingredients = p["formulation"]["ingredients"].as_array().unwrap();
    let keys: Vec<&str> = ingredients
        .iter()
        .map(|i| i["substance_key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"iron-oxide-red") && keys.contains(&"iron-oxide-black"),
        "{keys:?}"
    );
    let yellow = ingredients
        .iter()
        .find(|i| i["substance_key"] == "iron-oxide-yellow")
        .unwrap();
    assert_eq!(yellow["may_contain"], true);
    assert_eq!(p["lots"][0]["lot"], "LB-2301");
    let brow = w
        .run(&["product", "show", "Brow Taupe", "--format", "json"])
        .ok()
        .json();
    let white = brow["formulation"]["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["substance_key"] == "titanium-dioxide")
        .unwrap()
        .clone();
    assert_eq!(white["may_contain"], true, "[+/- CI 77891]");
}

#[test]
fn several_numbers_in_one_cell_with_en_dashes_declare_each_substance() {
    let w = Work::new();
    let r = w.import("multi_cas_en_dash.csv", "Scalp", &[]);
    assert_eq!(r["products"]["new"], 1);
    let p = w
        .run(&["product", "show", "SMP-1", "--format", "json"])
        .ok()
        .json();
    let ingredients = p["formulation"]["ingredients"].as_array().unwrap();
    let at = |pos: i64| -> Vec<String> {
        ingredients
            .iter()
            .filter(|i| i["position"] == pos)
            .map(|i| i["substance_key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(at(1), vec!["iron-oxide-black", "iron-oxide-red"]);
    let preservative = at(2);
    assert!(
        preservative.contains(&"benzisothiazolinone".to_string()),
        "{preservative:?}"
    );
    assert_eq!(
        preservative.len(),
        2,
        "the unknown mixture CAS gets a substance of its own: {preservative:?}"
    );
    assert_eq!(r["substances"]["unverified"].as_array().unwrap().len(), 1);
    assert_eq!(ingredients[0]["concentration_text"], "30–40 %");
    assert_eq!(ingredients[0]["max_percent"], 40.0);
}

#[test]
fn bad_rows_change_nothing_and_each_is_reported_by_line() {
    let w = Work::new();
    let file = fixture("bad_rows.csv");
    let run = w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Bad",
        "--format",
        "json",
    ]);
    run.code(1)
        .stderr_has("3 invalid rows, nothing was written")
        .stderr_has("--skip-invalid");
    let r = run.json();
    let rejected = r["rejected"].as_array().unwrap();
    let lines: Vec<i64> = rejected
        .iter()
        .map(|x| x["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(
        rejected[0]["reason"].as_str().unwrap().contains("64-17-5"),
        "names the right check digit"
    );
    assert!(rejected[1]["reason"]
        .as_str()
        .unwrap()
        .contains("no ingredient"));
    let contradiction = rejected[2]["reason"].as_str().unwrap();
    assert!(
        contradiction.contains("Titanium dioxide") && contradiction.contains("Carbon black"),
        "{contradiction}"
    );
    assert_eq!(r["written"], false);
    assert_eq!(
        w.count("products")
            + w.count("suppliers")
            + w.count("formulations")
            + w.count("substances WHERE verified = 0"),
        0
    );
}

#[test]
fn skip_invalid_writes_only_products_whose_rows_are_all_valid() {
    let w = Work::new();
    let r = w.import("bad_rows.csv", "Bad", &["--skip-invalid"]);
    assert_eq!(r["products"]["new"], 1, "{r}");
    assert_eq!(r["products"]["rejected"], 3);
    assert_eq!(r["rejected"].as_array().unwrap().len(), 3);
    let list = w.run(&["product", "list", "--format", "json"]).ok().json();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["GOOD-1"],
        "BAD-1 has one good row but is not written in part"
    );
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let w = Work::new();
    let r = w.import("label_bom.csv", "Rosa", &["--dry-run"]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["products"]["new"], 2);
    assert_eq!(w.count("products"), 0);
}

#[test]
fn importing_the_same_file_again_changes_nothing_and_says_so() {
    let w = Work::new();
    w.import(
        "de_farbwerk_semicolon_1252.csv",
        "Farbwerk",
        &["--encoding", "windows-1252"],
    );
    let before = (
        w.count("formulations"),
        w.count("ingredients"),
        w.count("lots"),
        w.count("substances"),
    );
    let file = fixture("de_farbwerk_semicolon_1252.csv");
    let again = w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "FARBWERK",
        "--encoding",
        "windows-1252",
    ]);
    again.ok().stdout_has("nothing changed");
    let r = w.import(
        "de_farbwerk_semicolon_1252.csv",
        "Farbwerk",
        &["--encoding", "windows-1252"],
    );
    assert_eq!(r["products"]["unchanged"], 2);
    assert_eq!(r["products"]["new"], 0);
    assert_eq!(r["products"]["changed"], 0);
    assert_eq!(
        before,
        (
            w.count("formulations"),
            w.count("ingredients"),
            w.count("lots"),
            w.count("substances")
        )
    );
}

#[test]
fn a_changed_ingredient_list_makes_a_new_formulation_and_keeps_the_old_with_its_lots() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    let r = w.import("reformulation_v2.csv", "Acme", &[]);
    assert_eq!(r["products"]["changed"], 1);
    assert_eq!(r["formulations"], 1);
    let p = w
        .run(&["product", "show", "RF-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(p["formulation"]["version"], 2);
    assert_eq!(p["formulation"]["ingredients"].as_array().unwrap().len(), 4);
    assert_eq!(p["formulations"].as_array().unwrap().len(), 2);
    let lots: Vec<(String, i64)> = p["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot"].as_str().unwrap().to_string(),
                l["formulation"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lots, vec![("R1-A".to_string(), 1), ("R2-A".to_string(), 2)]);
    // The old file again is another change: a third version, the lot R1-A stays with version 1.
    let file = fixture("reformulation_v1.csv");
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Acme",
    ])
    .code(1)
    .stderr_has("1 invalid row")
    .stdout_has("lot \"R1-A\"");
}

#[test]
fn utf16_with_bom_and_french_headers_import() {
    let w = Work::new();
    let r = w.import("fr_utf16le_bom.txt", "Encres", &[]);
    assert_eq!(r["encoding"], "UTF-16LE");
    assert_eq!(r["products"]["new"], 1);
    let p = w
        .run(&["product", "show", "FR-9", "--format", "json"])
        .ok()
        .json();
    assert_eq!(p["name"], "Noir Intense");
    assert_eq!(p["lots"][0]["lot"], "L-FR9");
}

#[test]
fn tab_separated_files_with_a_kind_column_import() {
    let w = Work::new();
    w.import("numbing_cream_tab.tsv", "Numb", &[]);
    let p = w
        .run(&[
            "product",
            "list",
            "--kind",
            "anaesthetic",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(p[0]["code"], "NC-5");
    assert_eq!(p[0]["formulation"], 1);
}

#[test]
fn unknown_headers_fail_with_the_headers_seen_and_an_example_map() {
    let w = Work::new();
    let file = fixture("odd_headers.csv");
    let file = file.to_str().unwrap();
    w.run(&["import", "catalog", file, "--supplier", "Odd"])
        .code(1)
        .stderr_has("\"Stuff\"")
        .stderr_has("--map ingredient=\"Stuff\"");
    w.run(&[
        "import",
        "catalog",
        file,
        "--supplier",
        "Odd",
        "--map",
        "ingredient=Stuff",
        "--map",
        "cas=4",
    ])
    .ok();
    let p = w
        .run(&["product", "show", "X-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        p["formulation"]["ingredients"][0]["substance_key"],
        "carbon-black"
    );
    w.run(&[
        "import",
        "catalog",
        file,
        "--supplier",
        "Odd",
        "--map",
        "colour=2",
    ])
    .code(1)
    .stderr_has("not a field");
}

#[test]
fn an_unknown_ingredient_becomes_unverified_with_suggestions_and_merge_fixes_it() {
    let w = Work::new();
    let r = w.import("unknown_ingredient.csv", "Myst", &[]);
    let unverified = &r["substances"]["unverified"][0];
    assert_eq!(unverified["name"], "Glycerine Vegetal");
    assert_eq!(unverified["suggestions"][0], "Glycerin");
    let list = w
        .run(&["substance", "list", "--unverified", "--format", "json"])
        .ok()
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    w.run(&["substance", "merge", "Glycerine Vegetal", "glycerin"])
        .ok();
    let p = w
        .run(&["product", "show", "UK-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        p["formulation"]["ingredients"][1]["substance_key"],
        "glycerin"
    );
    assert_eq!(
        p["formulation"]["ingredients"][1]["name_as_declared"],
        "Glycerine Vegetal"
    );
    // The merged name now finds glycerin, so the same file again is unchanged and verified.
    let again = w.import("unknown_ingredient.csv", "Myst", &[]);
    assert_eq!(again["products"]["unchanged"], 1);
    assert_eq!(
        again["substances"]["unverified"].as_array().unwrap().len(),
        0
    );
    w.run(&["substance", "merge", "glycerin", "water"])
        .code(1)
        .stderr_has("not an unverified one");
}

#[test]
fn a_products_rows_may_stand_anywhere_in_the_file() {
    let w = Work::new();
    let r = w.import("split_product.csv", "Split", &[]);
    assert_eq!(r["products"]["new"], 2, "{r}");
    let p = w
        .run(&["product", "show", "SP-1", "--format", "json"])
        .ok()
        .json();
    let names: Vec<&str> = p["formulation"]["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name_as_declared"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Aqua", "Glycerin"], "in file order");
    let again = w.import("split_product.csv", "Split", &[]);
    assert_eq!(again["products"]["unchanged"], 2);
}

#[test]
fn the_import_report_has_the_json_fields_of_the_spec() {
    let w = Work::new();
    let r = w.import("label_bom.csv", "Rosa", &[]);
    for field in [
        "dry_run",
        "products",
        "lots",
        "substances",
        "rejected",
        "warnings",
    ] {
        assert!(r.get(field).is_some(), "import report lacks {field}: {r}");
    }
    for field in ["new", "changed", "unchanged"] {
        assert!(r["products"].get(field).is_some());
    }
    assert!(r["substances"]["matched"].is_number());
    assert!(r["substances"]["unverified"].is_array());
}

#[test]
fn quoted_cells_may_span_lines_and_later_lines_keep_their_numbers() {
    let w = Work::new();
    let file = fixture("multiline_label.csv");
    let run = w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Multi",
        "--format",
        "json",
    ]);
    run.code(1);
    let r = run.json();
    assert_eq!(
        r["rejected"][0]["line"], 5,
        "the record after a three-line cell starts on line 5: {r}"
    );
    assert!(r["rejected"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("64-17-5"));
    let r = w.import("multiline_label.csv", "Multi", &["--skip-invalid"]);
    assert_eq!(r["products"]["new"], 1);
    let p = w
        .run(&["product", "show", "Multi Line", "--format", "json"])
        .ok()
        .json();
    let keys: Vec<&str> = p["formulation"]["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["substance_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["water", "glycerin", "carbon-black"]);
}

#[test]
fn restricted_substances_are_warned_about_in_the_import_report() {
    let w = Work::new();
    let r = w.import("verdict_catalog.csv", "Inkworks", &[]);
    let warnings: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"PB-1\"") && w.contains("banned in tattoo and PMU inks (EU)")),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("\"NI-1\"")),
        "nickel below its limit is no warning: {warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("\"CO-1\"")),
        "cobalt below its limit is no warning: {warnings:#?}"
    );
    // A limited substance without a concentration is warned about, in a pigment only.
    let r = w.import("nickel_without_concentration.csv", "Bare", &["--dry-run"]);
    assert!(
        r["warnings"]
            .to_string()
            .contains("no maximum concentration is declared"),
        "{}",
        r["warnings"]
    );
    let r = w.import(
        "nickel_without_concentration.csv",
        "Bare",
        &["--dry-run", "--kind", "anaesthetic"],
    );
    assert!(
        !r["warnings"].to_string().contains("limited"),
        "{}",
        r["warnings"]
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let w = Work::new();
    w.run(&["import", "catalog", "nope.csv", "--supplier", "X"])
        .code(1)
        .stderr_has("nope.csv");
}

#[test]
fn a_row_without_supplier_is_refused() {
    let w = Work::new();
    let file = fixture("label_bom.csv");
    w.run(&["import", "catalog", file.to_str().unwrap()])
        .code(1)
        .stdout_has("--supplier");
}

// --- Products, lots, export --------------------------------------------------------------------

#[test]
fn product_list_and_show_have_the_json_fields_of_the_spec() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    let list = w.run(&["product", "list", "--format", "json"]).ok().json();
    for field in ["supplier", "code", "name", "shade", "kind", "formulation"] {
        assert!(list[0].get(field).is_some(), "product list lacks {field}");
    }
    let p = w
        .run(&["product", "show", "acme/rf-1", "--format", "json"])
        .ok()
        .json();
    for field in [
        "supplier",
        "code",
        "name",
        "shade",
        "kind",
        "formulation",
        "formulations",
        "lots",
    ] {
        assert!(p.get(field).is_some(), "product show lacks {field}");
    }
    let i = &p["formulation"]["ingredients"][0];
    for field in [
        "substance",
        "name_as_declared",
        "cas",
        "ci",
        "ec",
        "min_percent",
        "max_percent",
        "concentration_text",
        "may_contain",
        "verified",
    ] {
        assert!(i.get(field).is_some(), "ingredient lacks {field}");
    }
    for field in ["lot", "expires", "formulation", "flagged"] {
        assert!(p["lots"][0].get(field).is_some(), "lot lacks {field}");
    }
    let csv = w
        .run(&["product", "list", "--format", "csv"])
        .ok()
        .stdout
        .clone();
    assert!(
        csv.starts_with("supplier,code,name,shade,kind,formulation\n"),
        "{csv}"
    );
}

#[test]
fn a_code_shared_by_two_suppliers_needs_the_supplier() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    w.import("reformulation_v1.csv", "Bolt", &[]);
    w.run(&["product", "show", "RF-1"])
        .code(1)
        .stderr_has("Acme/RF-1")
        .stderr_has("Bolt/RF-1");
    w.run(&["product", "show", "Bolt/RF-1"]).ok();
    w.run(&["product", "show", "RF-2"])
        .code(1)
        .stderr_has("no product matches");
}

#[test]
fn lots_can_be_added_listed_and_flagged() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    w.run(&["lot", "add", "RF-1", "R1-B", "--expires", "2027-09-30"])
        .ok();
    w.run(&["lot", "add", "RF-1", "R1-B"])
        .code(1)
        .stderr_has("already recorded");
    w.run(&["lot", "add", "RF-1", "R1-C", "--expires", "30.09.2027"])
        .code(1)
        .stderr_has("YYYY-MM-DD");
    w.run(&[
        "lot",
        "flag",
        "RF-1",
        "--lot",
        "R1-B",
        "--reason",
        "supplier recall",
    ])
    .ok()
    .stdout_has("BLOCKED");
    w.run(&["lot", "flag", "RF-1", "--lot", "R9", "--reason", "x"])
        .code(1)
        .stderr_has("R1-A");
    let lots = w
        .run(&["lot", "list", "RF-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(lots[1]["lot"], "R1-B");
    assert_eq!(lots[1]["flagged"], true);
    assert_eq!(lots[1]["flag_reason"], "supplier recall");
    assert_eq!(lots[0]["flagged"], false);
}

#[test]
fn export_then_import_gives_the_same_catalog() {
    let w = Work::new();
    w.import(
        "de_farbwerk_semicolon_1252.csv",
        "Farbwerk",
        &["--encoding", "windows-1252"],
    );
    w.import("label_bom.csv", "Rosa", &[]);
    w.import("multi_cas_en_dash.csv", "Scalp", &[]);
    let exported = w.path("export.csv");
    w.run(&["export", "catalog", "--output", exported.to_str().unwrap()])
        .ok();
    // Into the same database: nothing changes.
    let r = w
        .run(&[
            "import",
            "catalog",
            exported.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(r["products"]["unchanged"], 5, "{r}");
    assert_eq!(
        r["products"]["new"].as_i64().unwrap() + r["products"]["changed"].as_i64().unwrap(),
        0
    );
    // Into a fresh database: the same catalog comes out.
    let fresh = Work::new();
    fresh
        .run(&["import", "catalog", exported.to_str().unwrap()])
        .ok();
    assert_eq!(fresh.catalog(), w.catalog());
}

#[test]
fn output_into_a_closed_pipe_is_not_an_error() {
    for format in ["table", "json", "csv"] {
        closed_pipe(format);
    }
}

/// Regression: JSON into a closed pipe printed "error: Broken pipe" (serde_json hid the kind).
fn closed_pipe(format: &str) {
    use std::process::{Command, Stdio};
    let w = Work::new();
    // The reading end is closed before the program writes: every write fails with EPIPE.
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkguard"))
        .args(["substance", "list", "--format", format])
        .env("INKGUARD_DB", w.db())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- How an ingredient is identified (SPEC 2, "The name and the numbers of one row") ----------

/// Writes a catalog file into the work folder and returns its path.
fn write_file(w: &Work, name: &str, text: &str) -> std::path::PathBuf {
    let path = w.path(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// `(substance, doubt)` of each current ingredient of a product, from `product show`.
fn declared_substances(w: &Work, product: &str) -> Vec<(String, serde_json::Value)> {
    let doc = w
        .run(&["product", "show", product, "--format", "json"])
        .ok()
        .json();
    doc["formulation"]["ingredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["substance"].as_str().unwrap().to_string(),
                i["doubt"].clone(),
            )
        })
        .collect()
}

#[test]
fn name_and_numbers_disagree_declares_both_with_a_warning_and_a_doubt() {
    let w = Work::new();
    let file = write_file(
        &w,
        "doubt.csv",
        "code,name,ingredient,cas\n\
         NUMB,Numbing cream,Benzocaine,137-58-6\n\
         RED,Red ink,Pigment Red 101,1317-61-9\n\
         WHITE,White ink,Titandioxid,13463-67-7\n",
    );
    let r = w.import_path(&file, "Acme", &[]);
    let all = warnings(&r);
    let benzocaine: Vec<&String> = all.iter().filter(|m| m.contains("Benzocaine")).collect();
    assert_eq!(benzocaine.len(), 1, "one warning: {all:?}");
    assert!(benzocaine[0].contains("Lidocaine"), "{all:?}");
    assert!(
        all.iter()
            .any(|m| m.contains("Iron oxide red") && m.contains("Iron oxide black")),
        "{all:?}"
    );
    let doubt = serde_json::json!(r#"declared as "Benzocaine" with the CAS of Lidocaine"#);
    assert_eq!(
        declared_substances(&w, "NUMB"),
        vec![
            ("Benzocaine".to_string(), doubt.clone()),
            ("Lidocaine".to_string(), doubt)
        ]
    );
    let red = declared_substances(&w, "RED");
    assert_eq!(red.len(), 2, "{red:?}");
    assert_eq!(
        red[0].1,
        r#"declared as "Pigment Red 101" with the CAS of Iron oxide black"#
    );
    // A translation of the numbers' substance changes nothing.
    assert_eq!(
        declared_substances(&w, "WHITE"),
        vec![("Titanium dioxide".to_string(), serde_json::Value::Null)]
    );
    assert!(!all.iter().any(|m| m.contains("Titandioxid")), "{all:?}");
    // The doubt round-trips through export and import.
    let exported = w.catalog();
    let back = Work::new();
    let path = write_file(&back, "export.csv", &exported);
    back.import_path(&path, "Acme", &[]);
    assert_eq!(back.catalog(), exported);
    assert_eq!(
        declared_substances(&back, "NUMB"),
        declared_substances(&w, "NUMB")
    );
}

#[test]
fn a_known_name_beside_an_unknown_number_declares_the_known_substance() {
    let w = Work::new();
    // 1234-56-6 is a valid CAS that the built-in reference lacks.
    let file = write_file(
        &w,
        "nickel.csv",
        "code,name,ingredient,cas\nNI,Test,Nickel sulfate,1234-56-6\n",
    );
    let r = w.import_path(&file, "Acme", &[]);
    assert_eq!(
        r["substances"]["unverified"].as_array().unwrap().len(),
        0,
        "{r}"
    );
    assert!(
        warnings(&r).iter().any(|m| m.contains("CAS 1234-56-6")
            && m.contains(r#"substance alias "Nickel sulfate" "CAS 1234-56-6""#)),
        "{r}"
    );
    assert_eq!(declared_substances(&w, "NI")[0].0, "Nickel sulfate");
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    w.add_sensitivity("C-1", "nickel sulfate", "declared");
    // The alias the warning offers makes the number the substance's own.
    w.run(&["substance", "alias", "Nickel sulfate", "CAS 1234-56-6"])
        .ok();
    let s = w
        .run(&["substance", "show", "1234-56-6", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["key"], "nickel-sulfate");
    let again = w.import_path(&file, "Acme", &[]);
    assert!(
        !warnings(&again).iter().any(|m| m.contains("1234-56-6")),
        "{again}"
    );
}

#[test]
fn unverified_substances_never_contradict_themselves() {
    let w = Work::new();
    let file = write_file(
        &w,
        "acid-red.csv",
        "code,name,ingredient,cas\n\
         A,Red A,ACID RED 18,2611-82-7\n\
         B,Red B,CI 16255,2611-82-7\n\
         C,Red C,Acid Red 18,\n",
    );
    let first = w.import_path(&file, "Acme", &[]);
    let unverified = first["substances"]["unverified"].as_array().unwrap();
    assert_eq!(unverified.len(), 1, "one substance: {first}");
    let before = (w.catalog(), w.count("substances"), w.count("identifiers"));
    let again = w.import_path(&file, "Acme", &[]);
    assert_eq!(again["products"]["unchanged"], 3, "{again}");
    assert_eq!(
        (w.catalog(), w.count("substances"), w.count("identifiers")),
        before
    );
    // Another file finds it again by its CI number.
    let other = write_file(&w, "other.csv", "code,name,ci\nD,Red D,CI 16255\n");
    w.import_path(&other, "Other", &[]);
    assert_eq!(w.count("substances"), before.1);
    assert_eq!(declared_substances(&w, "D")[0].0, "ACID RED 18");
}

#[test]
fn a_generic_cas_is_narrowed_by_the_name() {
    let w = Work::new();
    let reference = write_file(
        &w,
        "poloxamers.csv",
        "name,cas,ec,ci,synonyms\nPoloxamer 407,9003-11-6,,,\nPoloxamer 188,9003-11-6,,,\n",
    );
    w.run(&["import", "substances", reference.to_str().unwrap()])
        .ok();
    let file = write_file(
        &w,
        "gel.csv",
        "code,name,ingredient,cas\nGEL,Gel,Poloxamer 407,9003-11-6\nGEL2,Gel 2,Pluronic,9003-11-6\n",
    );
    let r = w.import_path(&file, "Acme", &[]);
    assert_eq!(
        declared_substances(&w, "GEL"),
        vec![("Poloxamer 407".to_string(), serde_json::Value::Null)]
    );
    // A name that names none of them: all of them, with the warning.
    assert_eq!(declared_substances(&w, "GEL2").len(), 2);
    assert!(
        warnings(&r)
            .iter()
            .any(|m| m.contains("CAS 9003-11-6 names several substances")),
        "{r}"
    );
}

#[test]
fn a_ci_number_written_as_the_name_is_a_ci_number() {
    let w = Work::new();
    let file = write_file(
        &w,
        "ci.csv",
        "code,name,ingredient\nBK,Black,CI 77266\nBK2,Black 2,77266\n",
    );
    let r = w.import_path(&file, "Acme", &[]);
    assert_eq!(
        r["substances"]["unverified"].as_array().unwrap().len(),
        0,
        "{r}"
    );
    assert_eq!(declared_substances(&w, "BK")[0].0, "Carbon black");
    assert_eq!(declared_substances(&w, "BK2")[0].0, "Carbon black");
}

#[test]
fn label_impurity_notes_declare_the_substance_with_its_concentration() {
    let w = Work::new();
    let file = write_file(
        &w,
        "label.csv",
        "code,name,ingredients\n\
         L1,Black,\"Aqua; Glycerin; CI 77266; Nickel (impurity) < 2 mg/kg\"\n\
         L2,Red,\"Aqua, traces of nickel, Nickel 0.0001%\"\n",
    );
    let r = w.import_path(&file, "Acme", &[]);
    assert!(
        warnings(&r)
            .iter()
            .any(|m| m.starts_with("line 2:") && m.contains("';'")),
        "{r}"
    );
    assert_eq!(
        r["substances"]["unverified"].as_array().unwrap().len(),
        0,
        "{r}"
    );
    let doc = w
        .run(&["product", "show", "L1", "--format", "json"])
        .ok()
        .json();
    let items = doc["formulation"]["ingredients"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{doc}");
    assert_eq!(items[3]["substance"], "Nickel");
    assert_eq!(items[3]["concentration_text"], "< 2 mg/kg");
    assert_eq!(items[3]["function"], "impurity");
    assert!((items[3]["max_percent"].as_f64().unwrap() - 0.0002).abs() < 1e-9);
    let doc = w
        .run(&["product", "show", "L2", "--format", "json"])
        .ok()
        .json();
    let items = doc["formulation"]["ingredients"].as_array().unwrap();
    assert_eq!(
        (&items[1]["substance"], &items[1]["concentration_text"]),
        (&serde_json::json!("Nickel"), &serde_json::json!("traces"))
    );
    assert_eq!(items[2]["concentration_text"], "0.0001%");
}

#[test]
fn a_product_with_no_ingredient_is_an_invalid_row() {
    let w = Work::new();
    let file = write_file(
        &w,
        "empty.csv",
        "code,name,ingredient,lot\nP1,Lot only,,L-1\nP2,Fine,Aqua,\n",
    );
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Acme",
    ])
    .code(1)
    .stdout_has("line 2: product \"P1\" (line 2) has no ingredient");
    assert_eq!(w.count("products"), 0);
}

#[test]
fn an_unclosed_quote_is_an_error_naming_the_line_where_it_opened() {
    let w = Work::new();
    let mut text = String::from(
        "code,name,ingredients\nA,One,\"Aqua, Glycerin\"\nB,Two,Aqua\nC,Three,\"Aqua, Glycerin\n",
    );
    for i in 0..57 {
        text.push_str(&format!("P{i},Product {i},\"Aqua, Glycerin\"\n"));
    }
    let file = write_file(&w, "unclosed.csv", &text);
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Q",
    ])
    .code(1)
    .stderr_has("line 4: a quote opens here and is not closed");
    assert_eq!(w.count("products"), 0);
    // With no quote after it, it stays open until the end of the file.
    let file = write_file(
        &w,
        "open.csv",
        "code,name,ingredients\nA,One,Aqua\nB,Two,\"Aqua\nC,Three,Aqua\n",
    );
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Q",
    ])
    .code(1)
    .stderr_has("line 3: a quote opens here and is never closed");
}

#[test]
fn a_label_column_gets_a_hint_for_the_ingredients_field_and_a_title_row_is_skipped() {
    let w = Work::new();
    let file = write_file(
        &w,
        "label.csv",
        "Price list 2026,,,\nArticle,Label,Price,Stock\nX-1,\"Aqua, Glycerin\",5,1\n",
    );
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "L",
    ])
    .code(1)
    .stderr_has("\"Article\", \"Label\", \"Price\", \"Stock\"")
    .stderr_has("--map ingredients=\"Label\"");
}

#[test]
fn the_report_counts_records_against_lines_and_shows_the_mapping_and_the_assumed_kind() {
    let w = Work::new();
    let r = w.import(
        "multiline_label.csv",
        "Multi",
        &["--skip-invalid", "--dry-run"],
    );
    assert!(
        r["lines"].as_u64().unwrap() > r["rows"].as_u64().unwrap() + 1,
        "{r}"
    );
    assert!(r["mapping"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["field"] == "ingredients"));
    assert_eq!(r["kind_assumed"], "pigment");
    assert_eq!(r["warning_counts"]["kind-assumed"], 1);
}
