//! The solved equilibrium and the welfare decomposition (paper section 3.1, computed as the
//! replication code's `Welfarelineal.m`).

use super::baseline::{Baseline, Shock};
use super::problem::Problem;
use super::solver::{solve_problem, SolveReport, SolverConfig, State};
use crate::error::GeError;

/// One country's headline results (CP Table 2 columns, plus more).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CountryWelfare {
    /// Country code.
    pub country: String,
    /// Welfare change in percent, ToT + VoT: the paper's "Total" (Table 2).
    pub welfare_pct: f64,
    /// Terms-of-trade contribution, percent.
    pub tot_pct: f64,
    /// Volume-of-trade contribution, percent.
    pub vot_pct: f64,
    /// Real wage change ŵ_n / P̂_n − 1, percent, with P̂_n = Π_j (P̂_n^j)^{α_n^j}.
    pub real_wage_pct: f64,
    /// Exact real-income change Î_n / P̂_n − 1, percent (the decomposition is its
    /// first-order approximation).
    pub real_income_pct: f64,
    /// Consumer price index change P̂_n − 1, percent (in the solve's numeraire).
    pub price_index_pct: f64,
    /// Wage change ŵ_n − 1, percent (in the solve's numeraire).
    pub wage_pct: f64,
    /// Baseline final income I_n.
    pub income_base: f64,
    /// Tariff revenue in the baseline, R_n.
    pub tariff_revenue_base: f64,
    /// Tariff revenue in the counterfactual, R'_n, at the baseline world GDP.
    pub tariff_revenue_new: f64,
}

/// A partner's contribution to a country's welfare change.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BilateralWelfare {
    /// The country whose welfare changes.
    pub country: String,
    /// The trading partner.
    pub partner: String,
    /// Terms-of-trade contribution of trade with `partner`, percent of `country`'s income.
    pub tot_pct: f64,
    /// Volume-of-trade contribution of imports from `partner`, percent.
    pub vot_pct: f64,
}

/// A sector's contribution to a country's welfare change.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SectorWelfare {
    /// Country code.
    pub country: String,
    /// Sector name.
    pub sector: String,
    /// Terms-of-trade contribution of the sector, percent of the country's income.
    pub tot_pct: f64,
    /// Volume-of-trade contribution of the sector, percent.
    pub vot_pct: f64,
}

/// Change in bilateral trade, all sectors together, at producer prices.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TradeChange {
    /// Importing country.
    pub importer: String,
    /// Exporting country.
    pub exporter: String,
    /// Baseline imports of `importer` from `exporter`, net of tariffs.
    pub base: f64,
    /// Counterfactual imports at the baseline world GDP (world-GDP numeraire).
    pub new: f64,
    /// Percent change; `None` when there was no trade in the baseline.
    pub change_pct: Option<f64>,
}

/// A solved counterfactual: every variable of the model, the welfare decomposition and
/// the solve report.
///
/// Nominal changes (ŵ, ĉ, P̂, X') are in the solve's numeraire; the decomposition, trade
/// flows and tariff revenue are reported at the baseline world GDP, the paper's
/// normalisation, whatever numeraire the solve used.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Equilibrium {
    /// Country codes (N).
    pub country_codes: Vec<String>,
    /// Sector names (J).
    pub sector_names: Vec<String>,
    /// ŵ_n (N).
    pub w_hat: Vec<f64>,
    /// ĉ_n^j (N x J).
    pub c_hat: Vec<f64>,
    /// P̂_n^j, sectoral price indices (N x J).
    pub p_hat: Vec<f64>,
    /// P̂_n = Π_j (P̂_n^j)^{α_n^j}, consumer price index (N).
    pub price_index_hat: Vec<f64>,
    /// π'_ni^j (J x N x N).
    pub pi_new: Vec<f64>,
    /// τ'_ni^j (J x N x N).
    pub tau_new: Vec<f64>,
    /// X'_n^j (N x J), in the solve's numeraire.
    pub expenditure_new: Vec<f64>,
    /// Baseline flows at producer prices, importer n, exporter i (J x N x N).
    pub flows_base: Vec<f64>,
    /// Counterfactual flows at producer prices at the baseline world GDP (J x N x N).
    pub flows_new: Vec<f64>,
    /// Headline results per country.
    pub countries: Vec<CountryWelfare>,
    /// Partner contributions (every ordered pair of different countries).
    pub bilateral: Vec<BilateralWelfare>,
    /// Sector contributions (every country and sector).
    pub sectors: Vec<SectorWelfare>,
    /// Bilateral trade changes, all sectors (every ordered pair of different countries).
    pub trade: Vec<TradeChange>,
    /// What the solver did.
    pub report: SolveReport,
    /// Labour income ŵ_n w_n L_n at the baseline world GDP (N).
    pub value_added_new: Vec<f64>,
    /// Labour demand Σ_j γ_n^j Y'_n^j at the baseline world GDP (N); equal to
    /// `value_added_new` where cost shares sum to one (see the module doc).
    pub labor_demand_new: Vec<f64>,
    /// D'_n at the baseline world GDP (N).
    pub deficit_new: Vec<f64>,
}

impl Equilibrium {
    pub(crate) fn new(problem: &Problem<'_>, state: &State, report: SolveReport) -> Equilibrium {
        let b = problem.baseline();
        let d = problem.dims();
        let (nn, jj) = (d.n_countries, d.n_sectors);
        // λ brings nominal counterfactual values to the world-GDP normalisation.
        let lambda = 1.0 / problem.world_gdp_factor(&state.w_hat);
        let c_tilde: Vec<f64> = state.c_hat.iter().map(|c| c * lambda).collect();
        let tau_new = problem.tau_new().to_vec();
        let flows_base = b.flows();
        let mut flows_new = vec![0.0; d.bilateral_len()];
        for j in 0..jj {
            for n in 0..nn {
                let x = state.x_new[d.nj(n, j)] * lambda;
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    flows_new[idx] = state.pi_new[idx] * x / (1.0 + tau_new[idx]);
                }
            }
        }
        let income_base = b.income();
        let revenue_base = b.tariff_revenue();
        let mut revenue_new = vec![0.0; nn];
        for j in 0..jj {
            for n in 0..nn {
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    revenue_new[n] += tau_new[idx] * flows_new[idx];
                }
            }
        }
        let deficit_new: Vec<f64> = problem.deficits(&state.w_hat).iter().map(|v| v * lambda).collect();
        // Welfarelineal.m: contributions of (country n, partner i, sector j).
        //   ToT: E_ni^j (ĉ_n^j − 1) − M_ni^j (ĉ_i^j − 1), with E_ni^j = M_in^j n's exports to i;
        //   VoT: τ_ni^j M_ni^j (M̂_ni^j − ĉ_i^j), with M̂ = M'/M (zero when M = 0);
        // both divided by baseline income I_n. ĉ and M' at the baseline world GDP.
        let mut tot = vec![0.0; nn * nn];
        let mut vot = vec![0.0; nn * nn];
        let mut tot_sector = vec![0.0; nn * jj];
        let mut vot_sector = vec![0.0; nn * jj];
        for j in 0..jj {
            for n in 0..nn {
                for i in 0..nn {
                    if i == n {
                        continue;
                    }
                    let exports = flows_base[d.jni(j, i, n)];
                    let imports = flows_base[d.jni(j, n, i)];
                    let t = exports * (c_tilde[d.nj(n, j)] - 1.0) - imports * (c_tilde[d.nj(i, j)] - 1.0);
                    let v = if imports > 0.0 {
                        let idx = d.jni(j, n, i);
                        b.tau[idx] * imports * (flows_new[idx] / imports - c_tilde[d.nj(i, j)])
                    } else {
                        0.0
                    };
                    tot[n * nn + i] += t;
                    vot[n * nn + i] += v;
                    tot_sector[d.nj(n, j)] += t;
                    vot_sector[d.nj(n, j)] += v;
                }
            }
        }
        let price_index_hat: Vec<f64> = (0..nn)
            .map(|n| (0..jj).map(|j| b.alpha[d.nj(n, j)] * state.p_hat[d.nj(n, j)].ln()).sum::<f64>().exp())
            .collect();
        let countries = (0..nn)
            .map(|n| {
                let tot_pct = 100.0 * (0..nn).map(|i| tot[n * nn + i]).sum::<f64>() / income_base[n];
                let vot_pct = 100.0 * (0..nn).map(|i| vot[n * nn + i]).sum::<f64>() / income_base[n];
                // I'_n at the baseline world GDP: value added, tariff revenue, deficit.
                let income_new = state.w_hat[n] * b.value_added[n] * lambda + revenue_new[n] + deficit_new[n];
                let p_tilde = price_index_hat[n] * lambda;
                CountryWelfare {
                    country: b.countries[n].clone(),
                    welfare_pct: tot_pct + vot_pct,
                    tot_pct,
                    vot_pct,
                    real_wage_pct: 100.0 * (state.w_hat[n] / price_index_hat[n] - 1.0),
                    real_income_pct: 100.0 * (income_new / income_base[n] / p_tilde - 1.0),
                    price_index_pct: 100.0 * (price_index_hat[n] - 1.0),
                    wage_pct: 100.0 * (state.w_hat[n] - 1.0),
                    income_base: income_base[n],
                    tariff_revenue_base: revenue_base[n],
                    tariff_revenue_new: revenue_new[n],
                }
            })
            .collect();
        let mut bilateral = Vec::with_capacity(nn * (nn - 1));
        let mut trade = Vec::with_capacity(nn * (nn - 1));
        for n in 0..nn {
            for i in 0..nn {
                if i == n {
                    continue;
                }
                bilateral.push(BilateralWelfare {
                    country: b.countries[n].clone(),
                    partner: b.countries[i].clone(),
                    tot_pct: 100.0 * tot[n * nn + i] / income_base[n],
                    vot_pct: 100.0 * vot[n * nn + i] / income_base[n],
                });
                let base: f64 = (0..jj).map(|j| flows_base[d.jni(j, n, i)]).sum();
                let new: f64 = (0..jj).map(|j| flows_new[d.jni(j, n, i)]).sum();
                trade.push(TradeChange {
                    importer: b.countries[n].clone(),
                    exporter: b.countries[i].clone(),
                    base,
                    new,
                    change_pct: (base > 0.0).then(|| 100.0 * (new / base - 1.0)),
                });
            }
        }
        let sectors = (0..nn)
            .flat_map(|n| {
                let income = income_base[n];
                let tot_sector = &tot_sector;
                let vot_sector = &vot_sector;
                (0..jj).map(move |j| SectorWelfare {
                    country: b.countries[n].clone(),
                    sector: b.sectors[j].clone(),
                    tot_pct: 100.0 * tot_sector[d.nj(n, j)] / income,
                    vot_pct: 100.0 * vot_sector[d.nj(n, j)] / income,
                })
            })
            .collect();
        // Labour demand Σ_j γ_n^j Y'_n^j.
        let mut labor_demand_new = vec![0.0; nn];
        for j in 0..jj {
            for n in 0..nn {
                for i in 0..nn {
                    labor_demand_new[i] += b.gamma_va[d.nj(i, j)] * flows_new[d.jni(j, n, i)];
                }
            }
        }
        Equilibrium {
            country_codes: b.countries.clone(),
            sector_names: b.sectors.clone(),
            w_hat: state.w_hat.clone(),
            c_hat: state.c_hat.clone(),
            p_hat: state.p_hat.clone(),
            price_index_hat,
            pi_new: state.pi_new.clone(),
            tau_new,
            expenditure_new: state.x_new.clone(),
            flows_base,
            flows_new,
            countries,
            bilateral,
            sectors,
            trade,
            report,
            value_added_new: (0..nn).map(|n| state.w_hat[n] * b.value_added[n] * lambda).collect(),
            labor_demand_new,
            deficit_new,
        }
    }

    /// Headline results of one country.
    pub fn country(&self, code: &str) -> Result<&CountryWelfare, GeError> {
        self.countries.iter().find(|c| c.country == code).ok_or_else(|| GeError::UnknownName {
            kind: "country",
            name: code.to_string(),
            valid: self.country_codes.join(", "),
        })
    }

    /// Imports of `importer` from `exporter`, all sectors, baseline and counterfactual.
    pub fn trade_change(&self, importer: &str, exporter: &str) -> Result<&TradeChange, GeError> {
        self.trade.iter().find(|t| t.importer == importer && t.exporter == exporter).ok_or_else(|| {
            GeError::UnknownName {
                kind: "country pair",
                name: format!("{importer} <- {exporter}"),
                valid: "two different country codes of the model".into(),
            }
        })
    }

    /// The counterfactual as a new baseline in levels (at the baseline world GDP): trade
    /// shares π', tariffs τ', expenditure X', deficits D' and value added ŵ_n w_n L_n, so
    /// the new baseline is itself an equilibrium (a zero shock returns it).
    ///
    /// CP's scripts rebuild their base year with value added from labour demand
    /// (`VAn = GO .* B`); the two differ only where a sector's cost shares do not sum to
    /// one (in the CP data, India's and Turkey's public administration: relative
    /// difference below 1e-7), and kanzei keeps the consistent one.
    pub fn rebase(&self, baseline: &Baseline) -> Baseline {
        let lambda = 1.0 / (self.w_hat.iter().zip(&baseline.value_added).map(|(w, va)| w * va).sum::<f64>()
            / baseline.value_added.iter().sum::<f64>());
        Baseline {
            countries: baseline.countries.clone(),
            sectors: baseline.sectors.clone(),
            tradable: baseline.tradable.clone(),
            theta: baseline.theta.clone(),
            gamma_va: baseline.gamma_va.clone(),
            gamma_io: baseline.gamma_io.clone(),
            alpha: baseline.alpha.clone(),
            pi: self.pi_new.clone(),
            tau: self.tau_new.clone(),
            expenditure: self.expenditure_new.iter().map(|x| x * lambda).collect(),
            value_added: self.value_added_new.clone(),
            deficit: self.deficit_new.clone(),
        }
    }
}

impl Baseline {
    /// CP's first step: the equilibrium with zero trade deficits (tariffs unchanged),
    /// rebased as the new baseline. Returns the new baseline and the solve.
    pub fn with_zero_deficits(&self, config: &SolverConfig) -> Result<(Baseline, Equilibrium), GeError> {
        let shock = Shock::zero_deficits(self);
        let problem = Problem::new(self, &shock)?;
        let (state, report) = solve_problem(&problem, config)?;
        let eq = Equilibrium::new(&problem, &state, report);
        Ok((eq.rebase(self), eq))
    }
}
