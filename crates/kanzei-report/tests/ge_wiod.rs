//! Caliendo–Parro on the WIOD 2011 table with the 2025 U.S. tariffs (issue 5, item 4):
//! model invariants on the real data and economic sanity checks against published
//! estimates.
//!
//! Invariants (they hold whatever the tariffs):
//! * the baseline built from WIOD is itself an equilibrium, so a zero shock returns it;
//! * every equilibrium condition (10)-(14) holds at the solution, checked both by the
//!   solver's residuals and by adding up the reported flows independently;
//! * real outcomes do not depend on the numeraire;
//! * without tariffs, the final-demand shares derived from the goods-market identity (CP's
//!   step 6) are WIOD's own final-use shares: a check of the table layouts and of the
//!   rebalancing.
//!
//! Sanity bounds (see each test for the sources):
//! * U.S. real income under `us-2025` within ±1%: static quantitative trade models put the
//!   2025 tariffs' long-run effect on U.S. real income at a fraction of a percent either
//!   way without retaliation;
//! * the partners in the brief lose, Canada and Mexico most;
//! * Chinese and Canadian retaliation lower U.S. welfare.
//!
//! All runs use the embedded data snapshot and the default solver (tolerance 1e-10 on the
//! trade balance relative to value added); no tolerance is loosened.

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

use std::sync::OnceLock;

use kanzei_data::Store;
use kanzei_ge::caliendo_parro::{solve, Baseline, Equilibrium, Numeraire, Shock, SolverConfig};
use kanzei_report::runs::{self, WiodGeRun};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};
use kanzei_tariff::Date;

const DATE: &str = "2025-11-17";
const COUNTRIES: [&str; 7] = ["USA", "JPN", "CHN", "CAN", "MEX", "KOR", "DEU"];

/// The four runs of the brief: no retaliation, China's, Canada's, both.
struct Runs {
    us: WiodGeRun,
    china: WiodGeRun,
    canada: WiodGeRun,
    both: WiodGeRun,
}

fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let store = Store::embedded();
        let data = TariffData::load(&store).unwrap();
        let library = Library::shipped();
        let vocab = vocabulary(data.registry, &data.inputs);
        let load = |id: &str| library.load(id, &vocab).unwrap();
        let date: Date = DATE.parse().unwrap();
        let baseline = load("us-2024-baseline");
        let run = |ids: &[&str]| {
            let scenarios: Vec<_> = ids.iter().map(|id| load(id)).collect();
            let r = runs::cp_wiod(&store, &data, &scenarios, &baseline, date, &SolverConfig::default()).unwrap();
            println!(
                "{:?}: {} iterations, {:.3} s, residual {:.1e}",
                ids,
                r.equilibrium.report.iterations,
                r.solve_seconds,
                r.equilibrium.report.max_residual
            );
            for code in COUNTRIES {
                let c = r.equilibrium.country(code).unwrap();
                println!(
                    "  {code}: welfare {:+.3}% (ToT {:+.3}, VoT {:+.3}), real wage {:+.3}%, real income {:+.3}%",
                    c.welfare_pct, c.tot_pct, c.vot_pct, c.real_wage_pct, c.real_income_pct
                );
            }
            r
        };
        Runs {
            us: run(&["us-2025"]),
            china: run(&["us-2025", "retaliation/china-2025"]),
            canada: run(&["us-2025", "retaliation/canada-2025"]),
            both: run(&["us-2025", "retaliation/china-2025", "retaliation/canada-2025"]),
        }
    })
}

fn all_runs() -> [(&'static str, &'static WiodGeRun); 4] {
    let r = runs();
    [("us-2025", &r.us), ("+ China", &r.china), ("+ Canada", &r.canada), ("+ both", &r.both)]
}

fn country<'a>(eq: &'a Equilibrium, code: &str) -> &'a kanzei_ge::caliendo_parro::CountryWelfare {
    eq.country(code).unwrap()
}

#[test]
fn the_wiod_baseline_is_an_equilibrium_and_a_zero_shock_returns_it() {
    let run = &runs().us;
    // Built from the rebalanced table, the baseline meets every condition at ŵ = 1 to
    // rounding (sums over 1,435 industries): nothing had to be raised or clipped.
    let r = run.baseline_residuals;
    println!("baseline residuals {r:?}");
    assert!(r.max_equilibrium() < 1e-12, "{r:?}");
    assert!(r.labor_market < 1e-12, "{r:?}");
    assert_eq!(run.baseline_notes.gross_output_raised, 0);
    assert_eq!(run.baseline_notes.alpha_clipped, 0);
    let eq = solve(&run.baseline, &Shock::none(), &SolverConfig::default()).unwrap();
    println!("zero shock: {} iterations, residual {:.1e}", eq.report.iterations, eq.report.max_residual);
    assert_eq!(eq.report.iterations, 0, "the baseline's own trade balance already meets the tolerance");
    let worst = |v: &[f64], f: fn(f64) -> f64| v.iter().map(|&x| f(x).abs()).fold(0.0, f64::max);
    assert!(worst(&eq.w_hat, |w| w - 1.0) < 1e-12);
    assert!(worst(&eq.p_hat, f64::ln) < 1e-12);
    assert!(worst(&eq.c_hat, f64::ln) < 1e-12);
    let x_gap = eq
        .expenditure_new
        .iter()
        .zip(&run.baseline.expenditure)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max);
    assert!(x_gap < 1e-10, "X' differs from X by {x_gap:e} (relative)");
    let pi_gap = eq.pi_new.iter().zip(&run.baseline.pi).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(pi_gap < 1e-12, "π' differs from π by {pi_gap:e}");
    for c in &eq.countries {
        for v in [c.welfare_pct, c.real_wage_pct, c.real_income_pct] {
            assert!(v.abs() < 1e-8, "{}: {v}", c.country);
        }
    }
}

#[test]
fn every_equilibrium_condition_holds_at_the_solution() {
    for (name, run) in all_runs() {
        let eq = &run.equilibrium;
        let r = eq.report.residuals;
        println!("{name}: {r:?}");
        // The solver's own measures: trade balance at its tolerance (1e-10 of value added),
        // the inner conditions at theirs (1e-13 in logs), and labour-market clearing,
        // implied by (13)-(14) because every WIOD cost column sums to one.
        assert!(r.trade_balance <= 1e-10, "{name}: {r:?}");
        assert!(r.goods_market < 1e-10 && r.price_index < 1e-10 && r.input_cost < 1e-10, "{name}: {r:?}");
        assert!(r.trade_shares < 1e-10, "{name}: {r:?}");
        assert!(r.labor_market < 1e-9, "{name}: {r:?}");
        // Independently, from the reported flows at the baseline world GDP: exports −
        // imports + D'_n = 0 for every country (14), labour income = labour demand, and
        // deficits sum to zero.
        let n = eq.country_codes.len();
        let j_count = eq.sector_names.len();
        let world_va: f64 = eq.value_added_new.iter().sum();
        for c in 0..n {
            let (mut exports, mut imports) = (0.0, 0.0);
            for j in 0..j_count {
                for other in 0..n {
                    if other != c {
                        exports += eq.flows_new[(j * n + other) * n + c];
                        imports += eq.flows_new[(j * n + c) * n + other];
                    }
                }
            }
            let gap = (exports - imports + eq.deficit_new[c]) / eq.value_added_new[c];
            assert!(gap.abs() < 1e-9, "{name} {}: trade balance gap {gap:e}", eq.country_codes[c]);
            let labour = (eq.value_added_new[c] - eq.labor_demand_new[c]) / eq.value_added_new[c];
            assert!(labour.abs() < 1e-9, "{name} {}: labour-market gap {labour:e}", eq.country_codes[c]);
        }
        let deficit_sum: f64 = eq.deficit_new.iter().sum();
        assert!(deficit_sum.abs() < 1e-9 * world_va, "{name}: deficits sum to {deficit_sum:e}");
        // New deficits keep their 2011 shares of world GDP.
        let base_va: f64 = run.baseline.value_added.iter().sum();
        let usa = eq.country_codes.iter().position(|c| c == "USA").unwrap();
        let share_new = eq.deficit_new[usa] / world_va;
        let share_base = run.baseline.deficit[usa] / base_va;
        assert!((share_new - share_base).abs() < 1e-12, "{name}: U.S. deficit share {share_new} vs {share_base}");
    }
}

#[test]
fn results_do_not_depend_on_the_numeraire() {
    let run = &runs().both;
    for code in ["USA", "JPN"] {
        let config = SolverConfig { numeraire: Numeraire::Country(code.into()), ..SolverConfig::default() };
        let eq = solve(&run.baseline, &run.shock, &config).unwrap();
        let k = eq.country_codes.iter().position(|c| c == code).unwrap();
        assert_eq!(eq.w_hat[k], 1.0, "{code} is the numeraire");
        // The trade-balance tolerance (1e-10 of value added) bounds how far two solves of
        // the same equilibrium can be apart; 1e-7 percentage points leaves room for that.
        for (a, b) in run.equilibrium.countries.iter().zip(&eq.countries) {
            for (what, u, v) in [
                ("real income", a.real_income_pct, b.real_income_pct),
                ("real wage", a.real_wage_pct, b.real_wage_pct),
                ("welfare", a.welfare_pct, b.welfare_pct),
                ("ToT", a.tot_pct, b.tot_pct),
            ] {
                assert!((u - v).abs() < 1e-7, "numeraire {code}, {} {what}: {u} vs {v}", a.country);
            }
        }
        // Relative wages are real.
        let usa = eq.country_codes.iter().position(|c| c == "USA").unwrap();
        for c in 0..eq.w_hat.len() {
            let a = run.equilibrium.w_hat[c] / run.equilibrium.w_hat[usa];
            let b = eq.w_hat[c] / eq.w_hat[usa];
            assert!((a - b).abs() < 1e-9, "relative wage of {}", eq.country_codes[c]);
        }
    }
}

/// Without tariffs, CP's derived α_n^j = (X_n^j − Σ_k γ_n^{j,k} Y_n^k) / I_n must equal
/// WIOD's final use of sector j by n (all supplying countries, all five categories,
/// negative cells set to zero) over n's total final use — computed here straight from the
/// table's `y` block (N × R·K, columns region-major).
#[test]
fn derived_final_demand_shares_are_wiod_final_use_shares() {
    let store = Store::embedded();
    let (observed, notes) = runs::wiod_observed(&store).unwrap();
    println!("{notes:?}");
    let (baseline, report) = Baseline::from_observed(&observed).unwrap();
    assert!(report.alpha_derived);
    assert!(report.gross_output_raised.is_empty(), "{:?}", report.gross_output_raised);
    assert!(report.alpha_clipped.is_empty(), "{:?}", report.alpha_clipped);
    let table = &store.wiod_2011().unwrap().table;
    let n = table.regions.len();
    let j_count = table.sectors.len();
    let n_cat = table.final_demand_categories.len();
    assert_eq!((n, j_count, n_cat), (41, 35, 5));
    let mut worst = 0.0_f64;
    for m in 0..n {
        let mut by_sector = vec![0.0; j_count];
        for i in 0..n {
            for (j, v) in by_sector.iter_mut().enumerate() {
                for c in 0..n_cat {
                    *v += table.y[(i * j_count + j) * (n * n_cat) + m * n_cat + c].max(0.0);
                }
            }
        }
        let total: f64 = by_sector.iter().sum();
        let alpha = &baseline.alpha[m * j_count..(m + 1) * j_count];
        for (a, v) in alpha.iter().zip(&by_sector) {
            worst = worst.max((a - v / total).abs());
        }
    }
    println!("largest |derived α − WIOD final-use share| = {worst:e}");
    assert!(worst < 1e-9, "{worst}");
    // Rebalancing keeps the table close to the published one: inventory drawdowns are
    // about 0.1% of world output.
    assert!(notes.negative_final_use_cells > 0);
    assert!(notes.output_change_total_pct > 0.0 && notes.output_change_total_pct < 0.5, "{notes:?}");
}

/// U.S. real income (the exact change Î/P̂) under `us-2025` without retaliation lies within
/// ±1%. Sources:
/// * Ignatenko, Lashkaripour, Macedoni & Simonovska (2025), "Making America Great Again?
///   The Economic Impacts of Liberation Day Tariffs", *Journal of International
///   Economics* 157: without retaliation the tariffs yield "modest welfare gains" for the
///   U.S. (its unilaterally optimal tariff is 19%); with retaliation, losses.
/// * Rodríguez-Clare, Ulate & Vásquez (2025), "The 2025 Trade War: Dynamic Impacts Across
///   U.S. States and the Global Economy", FRBSF WP 2025-09: U.S. real income falls
///   around 1% by 2028 — with retaliation and downward nominal wage rigidity, both absent
///   here, so a static model without retaliation should lose less.
/// * The Budget Lab at Yale (State of U.S. tariffs, 2025 updates): long-run U.S. real GDP
///   0.4% smaller.
///
/// Penn Wharton's −6% to −8% of GDP comes from capital-market and fiscal channels
/// (crowded-out investment) that a static trade model does not have.
#[test]
fn us_real_income_under_us_2025_is_in_the_range_of_published_estimates() {
    let eq = &runs().us.equilibrium;
    let usa = country(eq, "USA");
    assert!(usa.real_income_pct > -1.0 && usa.real_income_pct < 1.0, "{usa:?}");
    // The decomposition (first order around the 2024 tariffs) is within the same range,
    // with a terms-of-trade gain and a volume-of-trade loss, as the optimal-tariff
    // argument says.
    assert!(usa.welfare_pct > -1.0 && usa.welfare_pct < 1.0, "{usa:?}");
    assert!(usa.tot_pct > 0.0 && usa.vot_pct < 0.0, "{usa:?}");
    // Tariffs raise U.S. prices relative to wages: the real wage falls; tariff revenue
    // (about 1.3% of income here) makes up most of it in real income.
    assert!(usa.real_wage_pct < 0.0 && usa.real_wage_pct < usa.real_income_pct, "{usa:?}");
    assert!(usa.tariff_revenue_new > 2.0 * usa.tariff_revenue_base, "{usa:?}");
}

/// Japan, China, Canada, Mexico, Korea and Germany lose, and the U.S.'s neighbours lose
/// most (their exports to the U.S. are a much larger share of their GDP). The Budget Lab
/// put Canada's long-run loss at 1.9% of real GDP while Canada retaliated (July 2025
/// update), less once it stopped; Rodríguez-Clare, Ulate & Vásquez (2025) find Canada,
/// Mexico, China and Ireland among the largest losers. Bounds: above −3% for the
/// neighbours, above −1% for the others.
#[test]
fn partners_lose_and_the_neighbours_lose_most() {
    for (name, run) in all_runs() {
        let eq = &run.equilibrium;
        for code in ["JPN", "CHN", "CAN", "MEX", "KOR", "DEU"] {
            let c = country(eq, code);
            let floor = if code == "CAN" || code == "MEX" { -3.0 } else { -1.0 };
            assert!(c.real_income_pct < 0.0 && c.real_income_pct > floor, "{name} {c:?}");
            assert!(c.welfare_pct < 0.0 && c.welfare_pct > floor, "{name} {c:?}");
        }
        for neighbour in ["CAN", "MEX"] {
            for other in ["JPN", "CHN", "KOR", "DEU"] {
                assert!(
                    country(eq, neighbour).real_income_pct < country(eq, other).real_income_pct,
                    "{name}: {neighbour} should lose more than {other}"
                );
            }
        }
    }
    // U.S. imports fall most from China, which faces the highest rates.
    let eq = &runs().us.equilibrium;
    let from_china = eq.trade_change("USA", "CHN").unwrap().change_pct.unwrap();
    for code in ["JPN", "CAN", "MEX", "KOR", "DEU"] {
        let other = eq.trade_change("USA", code).unwrap().change_pct.unwrap();
        assert!(from_china < other, "imports from CHN {from_china:.1}% vs {code} {other:.1}%");
    }
    assert!(from_china < -25.0, "{from_china}");
}

/// Retaliation lowers U.S. welfare, on both measures, and more with both retaliators than
/// with either (Ignatenko et al. 2025: "reciprocal retaliation results in net welfare
/// losses for the U.S. economy").
#[test]
fn retaliation_lowers_us_welfare() {
    let r = runs();
    let usa = |run: &WiodGeRun| country(&run.equilibrium, "USA").clone();
    let (none, china, canada, both) = (usa(&r.us), usa(&r.china), usa(&r.canada), usa(&r.both));
    for single in [&china, &canada] {
        assert!(single.real_income_pct < none.real_income_pct, "{single:?} vs {none:?}");
        assert!(single.welfare_pct < none.welfare_pct, "{single:?} vs {none:?}");
        assert!(both.real_income_pct < single.real_income_pct, "{both:?} vs {single:?}");
        assert!(both.welfare_pct < single.welfare_pct, "{both:?} vs {single:?}");
    }
    // China's retaliation improves its own terms of trade: China loses less than without.
    let china_none = country(&r.us.equilibrium, "CHN").real_income_pct;
    let china_ret = country(&r.china.equilibrium, "CHN").real_income_pct;
    assert!(china_ret > china_none, "{china_ret} vs {china_none}");
}

/// Issue 5: with the θ file's 100 for the 19 service sectors the wage loop did not converge
/// (residual 17.6 after 2,000 iterations). The baseline now uses θ = 5 for services
/// (`runs::THETA_SERVICES`); and the solver's safeguard, which halves the damped step when
/// a step more than doubles the trade-balance excess, solves even the θ = 100 economy.
/// Its answer is far from the θ = 5 one, which is why the override stays.
#[test]
fn issue_5_services_theta_100_converges_but_is_not_the_baseline() {
    let run = &runs().us;
    assert!(run.baseline.theta[16..].iter().all(|&t| t == runs::THETA_SERVICES));
    let mut baseline = run.baseline.clone();
    for theta in &mut baseline.theta[16..] {
        *theta = 100.0;
    }
    let eq = solve(&baseline, &run.shock, &SolverConfig::default()).unwrap();
    let usa = country(&eq, "USA");
    println!(
        "θ = 100 for services: {} iterations ({} rejected steps), U.S. real income {:+.3}%",
        eq.report.iterations, eq.report.rejected_steps, usa.real_income_pct
    );
    assert!(eq.report.rejected_steps > 0, "the safeguard is what makes this converge");
    assert!(eq.report.max_residual < 1e-9, "{:?}", eq.report.residuals);
    let base = country(&run.equilibrium, "USA").real_income_pct;
    assert!((usa.real_income_pct - base).abs() > 0.2, "{} vs {base}", usa.real_income_pct);
}
