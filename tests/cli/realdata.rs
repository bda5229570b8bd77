//! Tests against real public files in `../shared/realdata/` (skipped when absent).

use crate::support::{realdata, Work};

#[test]
fn the_cosing_inventory_imports_and_then_finds_ci_77499_and_a_cosing_only_substance() {
    let Some(cosing) = realdata("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv") else {
        return;
    };
    let w = Work::new();
    let r = w
        .run(&[
            "import",
            "substances",
            cosing.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    let new = r["substances"]["new"].as_i64().unwrap();
    assert!(new > 29_000, "{}", r["substances"]);
    assert_eq!(r["rejected"].as_array().unwrap().len(), 0);
    // CosIng's known bad CAS numbers are left out with the digit that would be right.
    let warnings = r["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("\"136-17-7\"")
            && w.as_str().unwrap().contains("136-17-4")));

    let ci = w
        .run(&["substance", "show", "CI 77499", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        ci["key"], "iron-oxide-black",
        "CosIng's CI 77499 row updated the built-in substance"
    );
    assert!(
        ci["cas"].as_array().unwrap().len() > 1,
        "and brought CosIng's CAS numbers: {ci}"
    );
    let only_cosing = w
        .run(&[
            "substance",
            "show",
            "DISODIUM TETRAMETHYLHEXADECENYLCYSTEINE FORMYLPROLINATE",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(only_cosing["verified"], true);
    assert!(only_cosing["cas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "2040469-40-5"));
    // Importing it again changes nothing.
    let again = w
        .run(&[
            "import",
            "substances",
            cosing.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(again["substances"]["new"], 0);
    assert_eq!(again["substances"]["updated"], 0);
}

/// Every case of the CAS check-digit vectors. Where the file records a library's stricter view
/// ("webchem strict", "leading zero") inkguard follows the SPEC and python-stdnum: surrounding
/// spaces, leading zeros and bare digits are accepted when the check digit holds.
#[test]
fn every_cas_test_vector_is_decided_as_documented() {
    let Some(path) = realdata("cas/cas_test_vectors.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (input, expected, normalized) = (&row[0], &row[1], &row[2]);
        let got = inkguard::ident::Cas::parse(input);
        let accepted_by_spec = expected.starts_with("invalid (webchem strict)")
            || expected == "invalid" && row[4].contains("leading zero");
        if expected.starts_with("valid")
            || expected.starts_with("as.cas ->") && !normalized.is_empty()
        {
            assert_eq!(
                got.as_ref().map(|c| c.as_str()),
                Ok(normalized),
                "{input:?} ({expected})"
            );
        } else if accepted_by_spec {
            let cas = got.unwrap_or_else(|e| panic!("{input:?} should be accepted: {e}"));
            assert!(inkguard::ident::Cas::parse(cas.as_str()).is_ok());
        } else {
            assert!(
                got.is_err(),
                "{input:?} should be refused ({expected}), got {got:?}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 54);
}

/// Writes a one-row-per-ingredient catalog of `products` products, 11 ingredients each, drawn
/// from the first few thousand CosIng substances with a valid CAS number (INCI name and CAS as
/// CosIng gives them). `None` when the inventory is absent.
fn cosing_catalog(w: &Work, products: usize) -> Option<std::path::PathBuf> {
    let cosing = realdata("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(cosing)
        .unwrap();
    let mut all: Vec<(String, String)> = Vec::new();
    let mut names = std::collections::HashSet::new();
    for record in reader.records().skip(3) {
        let record = record.unwrap();
        let (Some(name), Some(cas)) = (record.get(1), record.get(4)) else {
            continue;
        };
        let name = name.trim();
        let first = cas.split([',', '/', ';']).next().unwrap_or("").trim();
        let Ok(cas) = inkguard::ident::Cas::parse(first) else {
            continue;
        };
        if name.is_empty() || !names.insert(inkguard::ident::normalize_name(name)) {
            continue;
        }
        all.push((name.to_string(), cas.to_string()));
    }
    // First the substances whose CAS CosIng gives to several names (`ACID RED 18` and
    // `CI 16255` share 2611-82-7): the rows that once contradicted each other.
    let mut holders: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (_, cas) in &all {
        *holders.entry(cas.as_str()).or_default() += 1;
    }
    let (shared, single): (Vec<_>, Vec<_>) =
        all.iter().partition(|(_, cas)| holders[cas.as_str()] > 1);
    let substances: Vec<&(String, String)> = shared.into_iter().chain(single).take(3_000).collect();
    let path = w.path("cosing-catalog.csv");
    let mut out = csv::Writer::from_path(&path).unwrap();
    out.write_record(["code", "name", "ingredient", "cas"])
        .unwrap();
    let n = substances.len();
    for p in 0..products {
        let code = format!("P{p:06}");
        let name = format!("Product {p}");
        for k in 0..11 {
            let (ingredient, cas) = &substances[(p * 7 + k * 13) % n];
            out.write_record([code.as_str(), &name, ingredient, cas])
                .unwrap();
        }
    }
    out.flush().unwrap();
    Some(path)
}

/// Unverified substances never contradict themselves: a catalog of real CosIng names and CAS
/// numbers, imported with only the built-in reference (so that nearly every ingredient makes an
/// unverified substance), imports again without an error and without a change.
fn a_cosing_catalog_imports_twice_without_change(products: usize) {
    let w = Work::new();
    let Some(file) = cosing_catalog(&w, products) else {
        return;
    };
    let first = w.import_path(&file, "CosIng Supplies", &[]);
    assert_eq!(first["products"]["new"], products, "{}", first["products"]);
    let before = (
        w.count("substances"),
        w.count("identifiers"),
        w.count("ingredients"),
        w.count("formulations"),
    );
    let again = w.import_path(&file, "CosIng Supplies", &[]);
    assert_eq!(
        again["products"]["unchanged"], products,
        "{}",
        again["products"]
    );
    assert_eq!(again["rejected"].as_array().unwrap().len(), 0);
    assert_eq!(
        (
            w.count("substances"),
            w.count("identifiers"),
            w.count("ingredients"),
            w.count("formulations"),
        ),
        before
    );
}

/// 60,000 products (660,000 rows), as the issue asks: the longest test of the suite (about a
/// minute and a half in a debug build), run with the others.
#[test]
fn a_cosing_catalog_of_60000_products_imports_twice_without_change() {
    a_cosing_catalog_imports_twice_without_change(60_000);
}

/// Every real file that is a supplier catalog (the Sephora list, one row per product with the
/// label declaration), imported twice: the second import changes nothing and says so.
#[test]
fn every_real_catalog_imports_twice_and_the_second_import_changes_nothing() {
    let catalogs = [("products/sephora_cosmetics.csv", "Sephora")];
    for (file, supplier) in catalogs {
        let Some(path) = realdata(file) else {
            continue;
        };
        let w = Work::new();
        let extra = ["--encoding", "windows-1252", "--skip-invalid"];
        let first = w.import_path(&path, supplier, &extra);
        assert!(first["products"]["new"].as_u64().unwrap() > 1000, "{file}");
        let catalog = w.catalog();
        let again = w.import_path(&path, supplier, &extra);
        let p = &again["products"];
        assert_eq!(p["new"], 0, "{file}: {p}");
        assert_eq!(p["changed"], 0, "{file}: {p}");
        assert_eq!(p["unchanged"], first["products"]["new"], "{file}: {p}");
        assert_eq!(again["formulations"], 0, "{file}");
        assert_eq!(again["lots"], 0, "{file}");
        assert_eq!(
            w.catalog(),
            catalog,
            "{file}: the second import changed the catalog"
        );
        // The terminal summary stays short however many warnings and unverified substances.
        let args = [
            "import",
            "catalog",
            path.to_str().unwrap(),
            "--supplier",
            supplier,
            "--encoding",
            "windows-1252",
            "--skip-invalid",
            "--dry-run",
        ];
        let text = w.run(&args).ok().stdout.clone();
        assert!(
            text.lines().count() < 80,
            "{file}: {} lines",
            text.lines().count()
        );
        assert!(text.contains("--report FILE"), "{text}");
    }
}
