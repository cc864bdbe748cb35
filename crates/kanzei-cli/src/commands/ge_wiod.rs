//! `kanzei ge cp --data wiod2011`: a tariff scenario in Caliendo–Parro on WIOD 2011.

use kanzei_data::Store;
use kanzei_ge::caliendo_parro::SolverConfig;
use kanzei_report::runs;
use kanzei_tariff::analysis::TariffData;

use crate::commands::ge::{cp_report, CpArgs};
use crate::commands::tariff::{load_scenario, load_scenario_as};
use crate::output::Report;

/// Runs the WIOD application.
pub fn run(store: &Store, args: &CpArgs) -> anyhow::Result<Report> {
    let data = TariffData::load(store)?;
    let date_text = args.date.as_deref().unwrap_or("2025-11-17");
    let date = date_text.parse::<kanzei_tariff::Date>().map_err(|e| anyhow::anyhow!("--date: {e}"))?;
    let scenario = load_scenario(args.scenario.as_deref().unwrap_or("us-2025"), &data)?;
    let warnings = crate::commands::tariff::date_warnings(&scenario, &[date]);
    if scenario.importer.as_str() != "USA" {
        anyhow::bail!("--scenario must be a U.S. scenario; add retaliation with --with {}", scenario.id);
    }
    let baseline = load_scenario("us-2024-baseline", &data)?;
    let mut scenarios = vec![scenario];
    for w in &args.with {
        let retaliation = load_scenario_as("--with", w, &data)?;
        if retaliation.importer.as_str() == "USA" {
            anyhow::bail!(
                "--with {w}: `{}` is a scenario of U.S. imports; --with adds other importers' retaliation against U.S. goods (retaliation/china-2025, retaliation/canada-2025)\n\nhint: give a U.S. scenario with --scenario",
                retaliation.id
            );
        }
        scenarios.push(retaliation);
    }
    let set_name = args.elasticities.as_deref().unwrap_or("kanzei");
    let file_text = match set_name {
        name if kanzei_report::theta_sets::WIOD_SET_NAMES.contains(&name) => None,
        path if std::path::Path::new(path).is_file() => {
            Some(std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("--elasticities {path}: {e}"))?)
        }
        _ => None,
    };
    let set = kanzei_report::theta_sets::wiod_theta_set(store, set_name, file_text.as_deref())?;
    let config = SolverConfig::default();
    let run = runs::cp_wiod_theta(store, &data, &scenarios, &baseline, date, &config, &set.theta)?;
    let bands = if args.draws > 0 {
        let progress = indicatif::ProgressBar::new_spinner().with_message(format!("solving {} θ draws on 2 threads…", args.draws));
        progress.enable_steady_tick(std::time::Duration::from_millis(120));
        let bands = kanzei_report::theta_sets::cp_bands(&run, &set, args.draws, args.seed, &SolverConfig::for_draws())?;
        progress.finish_and_clear();
        Some(bands)
    } else {
        None
    };
    let mut countries = args.countries.clone();
    if countries.is_empty() {
        countries = ["USA", "JPN", "CHN", "CAN", "MEX", "KOR", "DEU"].iter().map(|s| s.to_string()).collect();
    }
    crate::commands::ge::check_countries(&run.equilibrium, &countries)?;
    let applied: Vec<String> = run.applied.iter().map(|(i, s)| format!("{s} ({i})")).collect();
    let mut notes = run.notes.clone();
    notes.push(format!(
        "Tariff mapping coverage: {}.",
        run.mapped_value_pct.iter().map(|(i, p)| format!("{i} {p:.1}% of value")).collect::<Vec<_>>().join(", ")
    ));
    notes.extend(run.baseline_notes.theta_overrides.iter().cloned());
    let b = &run.baseline_notes;
    if b.negative_final_use_cells > 0 {
        notes.push(format!(
            "{} negative final-use cells (inventory drawdowns, {:.0} $M) were set to zero and gross output rebalanced through the Leontief system: {:+.0} $M in all ({:+.3}% of world output; largest change {:+.1}% in {}).",
            b.negative_final_use_cells,
            b.negative_final_use_value,
            b.output_change_total,
            b.output_change_total_pct,
            b.output_change_max_pct,
            b.output_change_max_cell
        ));
    }
    notes.push(format!(
        "The baseline is an equilibrium of the model: largest residual of (10)-(14) at the baseline {:.1e}.",
        run.baseline_residuals.max_equilibrium()
    ));
    let mut report = cp_report(
        &run.equilibrium,
        format!("Caliendo–Parro on WIOD 2011: {} on {date}, against the 2024 regime (% change)", applied.join(" + ")),
        &countries,
        notes,
        bands.as_ref(),
    );
    report.json["applied"] = serde_json::json!(run.applied);
    report.json["mapped_value_pct"] = serde_json::json!(run.mapped_value_pct);
    report.json["baseline_notes"] = serde_json::json!(run.baseline_notes);
    report.json["baseline_residuals"] = serde_json::json!(run.baseline_residuals);
    // Timings go to the notes, not the JSON, so the same command gives the same JSON.
    report.notes.push(format!("Equilibrium solved in {:.2} s.", run.solve_seconds));
    report.json["elasticities"] = serde_json::json!({"set": set.name, "source": set.source, "theta": set.theta, "notes": set.notes});
    if let Some(bands) = &bands {
        attach_draws(&mut report, bands);
    }
    crate::commands::tariff::attach_warnings(&mut report, warnings);
    Ok(report)
}


/// The draw summary in the JSON and the notes; the bands themselves are columns of the table.
fn attach_draws(report: &mut Report, bands: &kanzei_report::theta_sets::CpBands) {
    let s = &bands.summary;
    report.json["draws"] = serde_json::json!({
        "draws": s.draws, "seed": s.seed, "succeeded": s.succeeded, "failed": s.failed, "failures": s.failures,
        "distribution": s.distribution, "theta_redraws": bands.theta_redraws,
        "mean_iterations": bands.mean_iterations,
    });
    report.notes.push(format!(
        "90% bands from {} draws of θ (seed {}, {:.1} s): {} solved, {} failed and excluded; the table shows real income's p5 and p95, CSV and JSON every quantity's p5/p50/p95 (`*_pct_p5`). {}",
        s.draws, s.seed, bands.seconds, s.succeeded, s.failed, s.distribution.join("; ")
    ));
}
