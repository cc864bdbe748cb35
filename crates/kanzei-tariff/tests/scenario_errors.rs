//! A scenario with a typo gets an error naming the file, line and key, with the valid choices.

use kanzei_core::AreaRegistry;
use kanzei_data::Store;
use kanzei_tariff::library::{vocabulary, Library};

fn check(text: &str) -> String {
    let store = Store::embedded();
    let inputs = store.tariff_inputs().unwrap();
    let vocab = vocabulary(AreaRegistry::builtin(), &inputs);
    Library::shipped().load_text("my.toml", text, &vocab).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
}

const HEAD: &str = "schema = 1\nid = \"t\"\nimporter = \"USA\"\n\n[[measure]]\nid = \"m\"\n";

#[test]
fn unknown_authority_lists_the_valid_ones() {
    let text = format!("{HEAD}authority = \"ieepa-recip\"\nexporters = \"all\"\nproducts = \"all\"\nrate_pct = 10\neffective = \"2025-04-05\"\n");
    assert_eq!(
        check(&text),
        "`my.toml` line 7, key `measure[0].authority`: `ieepa-recip` is not an authority; expected one of `s232`, `s301`, `s201`, `s122`, `s338`, `ieepa-fentanyl`, `ieepa-reciprocal`, `ieepa-other`, `retaliation`, `other`"
    );
}

#[test]
fn hs_code_of_the_wrong_length() {
    let text = format!("{HEAD}authority = \"s232\"\nexporters = \"all\"\nproducts = [\"87033\"]\nrate_pct = 25\neffective = \"2025-04-03\"\n");
    assert_eq!(
        check(&text),
        "`my.toml` line 9, key `measure[0].products`: `87033` is not an HS code: it has 5 digits, expected 2, 4, 6, 8 or 10"
    );
}

#[test]
fn dates_out_of_order() {
    let text = format!("{HEAD}authority = \"s232\"\nexporters = \"all\"\nproducts = \"87\"\nrate_pct = 25\neffective = \"2025-04-03\"\nexpires = \"2025-01-01\"\n");
    assert_eq!(
        check(&text),
        "`my.toml` line 12, key `measure[0].expires`: expires 2025-01-01 is not after effective 2025-04-03; dates are out of order"
    );
    let text = format!("{HEAD}authority = \"s232\"\nexporters = \"all\"\nproducts = \"87\"\nrate_pct = 25\neffective = \"2025-13-03\"\n");
    assert_eq!(check(&text), "`my.toml` line 11, key `measure[0].effective`: `2025-13-03` is not a date: expected YYYY-MM-DD, e.g. 2025-04-09");
}

#[test]
fn unknown_country_suggests_the_near_miss() {
    let text = format!("{HEAD}authority = \"s232\"\nexporters = [\"Japn\"]\nproducts = \"87\"\nrate_pct = 25\neffective = \"2025-04-03\"\n");
    assert_eq!(
        check(&text),
        "`my.toml` line 8, key `measure[0].exporters`: `Japn` is not a known country or group; did you mean JPN (Japan)?"
    );
}

#[test]
fn misspelled_key_and_list() {
    let text = format!("{HEAD}authority = \"s232\"\nexporters = \"all\"\nproducts = \"87\"\nrate_pc = 25\neffective = \"2025-04-03\"\n");
    let err = check(&text);
    // One error, not also "missing field `rate_pct`": the typo is the problem.
    assert!(err.starts_with("`my.toml` line 10, key `measure[0].rate_pc`: unknown field `rate_pc`, expected one of"), "{err}");
    assert!(err.ends_with("`expires`; did you mean `rate_pct`?") && !err.contains('\n'), "{err}");
    let text = format!("{HEAD}authority = \"s232\"\nexporters = \"all\"\nproducts = {{ list = \"s232-auto-part\" }}\nrate_pct = 25\neffective = \"2025-04-03\"\n");
    assert_eq!(
        check(&text),
        "`my.toml` line 9, key `measure[0].products`: no product list `s232-auto-part`; did you mean `s232-auto-parts`?"
    );
}

#[test]
fn extends_an_unknown_scenario_and_removes_an_unknown_measure() {
    let err = check("schema = 1\nid = \"w\"\nextends = \"us-2026\"\n");
    assert!(err.starts_with("`my.toml` line 3, key `extends`: no scenario `us-2026`; did you mean `us-2025`? known scenarios: `us-2024-baseline`, `us-2025`"), "{err}");
    // A part of an id is enough for a suggestion; a typo too.
    let err = check("schema = 1\nid = \"w\"\nextends = \"us-2025\"\nremove = [\"japan-floor\"]\n");
    assert_eq!(err, "`my.toml` line 4, key `remove`: no measure `japan-floor` to remove in `us-2025`; did you mean `ieepa-reciprocal-japan-floor`?");
    let err = check("schema = 1\nid = \"w\"\nextends = \"us-2025\"\nremove = [\"s232-autos-japan-dael\"]\n");
    assert_eq!(err, "`my.toml` line 4, key `remove`: no measure `s232-autos-japan-dael` to remove in `us-2025`; did you mean `s232-autos-japan-deal`?");
    // Nothing near: the parent's measures are listed.
    let err = check("schema = 1\nid = \"w\"\nextends = \"us-2025\"\nremove = [\"zzzz\"]\n");
    assert!(err.starts_with("`my.toml` line 4, key `remove`: no measure `zzzz` to remove in `us-2025`; the parent has `"), "{err}");
}

#[test]
fn every_shipped_scenario_parses() {
    let store = Store::embedded();
    let inputs = store.tariff_inputs().unwrap();
    let vocab = vocabulary(AreaRegistry::builtin(), &inputs);
    for (id, _, _) in kanzei_tariff::library::SHIPPED {
        let s = Library::shipped().load(id, &vocab).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(s.id, *id);
        assert!(!s.measures.is_empty(), "{id} has no measures");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_parsing() {
    let text = format!("schema = 1\nid = \"big\"\nimporter = \"USA\"\n# {}\n", "x".repeat(kanzei_tariff::scenario::MAX_SCENARIO_BYTES));
    assert_eq!(
        check(&text),
        "`my.toml` line 1: the file is 16.0 MiB, over the 16 MiB limit for a scenario file; split it, or use `extends` and product lists (`kanzei tariff lists`) instead of repeating measures"
    );
}
