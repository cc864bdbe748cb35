//! The baseline economy (levels), its construction from observed data, and shocks.

use crate::error::GeError;

/// Sizes and index arithmetic for N countries x J sectors.
///
/// Layouts used throughout (row-major, last index fastest):
/// * country x sector `[n * J + j]`: `gamma_va`, `alpha`, `expenditure`, `c_hat`, `p_hat`;
/// * country x input x user `[(n * J + k) * J + j]`: `gamma_io` (γ_n^{k,j});
/// * sector x importer x exporter `[(j * N + n) * N + i]`: `pi`, `tau`, trade flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// N, the number of countries.
    pub n_countries: usize,
    /// J, the number of sectors.
    pub n_sectors: usize,
}

impl Dims {
    /// Index of (country n, sector j).
    #[inline]
    pub fn nj(&self, n: usize, j: usize) -> usize {
        n * self.n_sectors + j
    }
    /// Index of (country n, input k, user j).
    #[inline]
    pub fn nkj(&self, n: usize, k: usize, j: usize) -> usize {
        (n * self.n_sectors + k) * self.n_sectors + j
    }
    /// Index of (sector j, importer n, exporter i).
    #[inline]
    pub fn jni(&self, j: usize, n: usize, i: usize) -> usize {
        (j * self.n_countries + n) * self.n_countries + i
    }
    /// N x J.
    pub fn country_sector_len(&self) -> usize {
        self.n_countries * self.n_sectors
    }
    /// J x N x N.
    pub fn bilateral_len(&self) -> usize {
        self.n_sectors * self.n_countries * self.n_countries
    }
}

/// A baseline economy in levels: the data the model's changes are taken from.
///
/// Symbols follow the paper. Values are in any one currency unit (the CP 1993 baseline
/// uses U.S. dollars). See [`Dims`] for the array layouts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// Country codes (N), e.g. ISO3.
    pub countries: Vec<String>,
    /// Sector names (J).
    pub sectors: Vec<String>,
    /// Whether each sector is tradable (informational; the model treats a sector as
    /// non-tradable through its all-domestic trade shares).
    pub tradable: Vec<bool>,
    /// θ^j, the trade elasticity (Fréchet dispersion) of each sector (J).
    pub theta: Vec<f64>,
    /// γ_n^j, value-added share of gross output (N x J).
    pub gamma_va: Vec<f64>,
    /// γ_n^{k,j}, share of input k in the gross output of sector j (N x J x J, input then
    /// user). Σ_k γ_n^{k,j} = 1 − γ_n^j under constant returns.
    pub gamma_io: Vec<f64>,
    /// α_n^j, share of sector j in final demand (N x J; each country sums to 1).
    pub alpha: Vec<f64>,
    /// π_ni^j, share of n's expenditure on sector j bought from i, at prices including
    /// tariffs (J x N x N; each (j, n) row sums to 1, or is all zero when X_n^j = 0).
    pub pi: Vec<f64>,
    /// τ_ni^j, ad-valorem tariff imposed by importer n on exporter i in sector j, as a
    /// fraction (0.05 = 5%); zero on the diagonal (J x N x N).
    pub tau: Vec<f64>,
    /// X_n^j, expenditure of n on sector j including tariffs (N x J).
    pub expenditure: Vec<f64>,
    /// w_n L_n, labour income (value added) of each country (N).
    pub value_added: Vec<f64>,
    /// D_n, trade deficit (imports minus exports, at producer prices) of each country (N);
    /// the deficits sum to zero.
    pub deficit: Vec<f64>,
}

/// Observed data from which a [`Baseline`] is built the way Caliendo & Parro's
/// `script.m` builds theirs (see [`Baseline::from_observed`]). A WIOD-style table maps into
/// this too: bilateral flows by sector from the intermediate and final-use blocks, gross
/// output, value-added shares, input shares from the intermediate block and, since WIOD
/// has final demand by sector, `final_demand_shares`.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedEconomy {
    /// Country codes (N).
    pub countries: Vec<String>,
    /// Sector names (J).
    pub sectors: Vec<String>,
    /// Whether each sector is tradable (J).
    pub tradable: Vec<bool>,
    /// θ^j for every sector (J); non-tradables need a positive value too (CP use 8.22).
    pub theta: Vec<f64>,
    /// Bilateral trade flows valued net of tariffs (J x N x N, importer n then exporter i).
    /// The diagonal (domestic sales) is ignored: domestic sales are gross output minus
    /// exports, as in CP's step 4.
    pub trade_flows: Vec<f64>,
    /// Applied tariffs τ_ni^j as fractions (J x N x N); the diagonal must be zero.
    pub tariffs: Vec<f64>,
    /// Gross output of each country and sector (N x J).
    pub gross_output: Vec<f64>,
    /// Value-added share of gross output γ_n^j (N x J).
    pub value_added_share: Vec<f64>,
    /// Share of input k in sector j's *intermediate* purchases (N x J x J, input then
    /// user): CP's `IO.txt`, whose columns sum to one. The model's γ_n^{k,j} is this times
    /// (1 − γ_n^j).
    pub input_shares: Vec<f64>,
    /// α_n^j if observed (N x J); `None` derives them from the goods-market identity as
    /// CP's step 6 does.
    pub final_demand_shares: Option<Vec<f64>>,
}

/// What [`Baseline::from_observed`] changed or derived, for the coverage report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildReport {
    /// Cells (country, sector, reported, used) where gross output was below exports and
    /// was raised to exports (CP's step 3).
    pub gross_output_raised: Vec<(usize, usize, f64, f64)>,
    /// Cells (country, sector, derived value) where a derived α was negative and was set
    /// to zero before renormalising (CP's step 6).
    pub alpha_clipped: Vec<(usize, usize, f64)>,
    /// Whether α was derived (true) or taken from `final_demand_shares`.
    pub alpha_derived: bool,
}

/// A counterfactual shock: new tariffs, new trade deficits, changes in iceberg costs.
/// Fields left `None` keep the baseline values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shock {
    /// τ'_ni^j, the new tariffs (J x N x N, fractions).
    pub tariffs: Option<Vec<f64>>,
    /// D'_n, the new deficits, in baseline units (held fixed as a share of world GDP).
    pub deficits: Option<Vec<f64>>,
    /// d̂_ni^j, the change in iceberg trade costs (J x N x N; 1 = unchanged).
    pub trade_cost_hat: Option<Vec<f64>>,
}

impl Shock {
    /// No change at all.
    pub fn none() -> Shock {
        Shock::default()
    }

    /// Deficits set to zero, nothing else changed: the counterfactual CP solve first.
    pub fn zero_deficits(baseline: &Baseline) -> Shock {
        Shock { deficits: Some(vec![0.0; baseline.countries.len()]), ..Shock::default() }
    }

    /// Sets one tariff τ'_ni^j (fraction), starting from the baseline tariffs.
    pub fn set_tariff(
        &mut self,
        baseline: &Baseline,
        sector: &str,
        importer: &str,
        exporter: &str,
        rate: f64,
    ) -> Result<(), GeError> {
        let dims = baseline.dims();
        let j = baseline.sector_index(sector)?;
        let n = baseline.country_index(importer)?;
        let i = baseline.country_index(exporter)?;
        if n == i {
            return Err(GeError::InvalidValue {
                what: "tariffs".into(),
                cell: format!("importer {importer}, exporter {exporter}, sector {sector}"),
                value: rate,
                valid: "domestic sales pay no tariff; choose two different countries".into(),
            });
        }
        check_tariff(rate, || format!("importer {importer}, exporter {exporter}, sector {sector}"))?;
        let tariffs = self.tariffs.get_or_insert_with(|| baseline.tau.clone());
        tariffs[dims.jni(j, n, i)] = rate;
        Ok(())
    }

    /// New tariffs `new_rates` (J x N x N, fractions) applied only between the listed
    /// countries (importer and exporter both members, importer ≠ exporter); all other
    /// tariffs stay at their baseline values. CP's NAFTA experiment is
    /// `tariffs_among(&baseline, &tariffs_2005, &["CAN", "MEX", "USA"])`.
    pub fn tariffs_among(baseline: &Baseline, new_rates: &[f64], members: &[&str]) -> Result<Shock, GeError> {
        let dims = baseline.dims();
        check_len("new tariffs", new_rates.len(), dims.bilateral_len(), &baseline.bilateral_layout())?;
        let member_idx = members.iter().map(|m| baseline.country_index(m)).collect::<Result<Vec<_>, _>>()?;
        let mut tariffs = baseline.tau.clone();
        for j in 0..dims.n_sectors {
            for &n in &member_idx {
                for &i in &member_idx {
                    if n == i {
                        continue;
                    }
                    let idx = dims.jni(j, n, i);
                    check_tariff(new_rates[idx], || baseline.bilateral_cell(j, n, i))?;
                    tariffs[idx] = new_rates[idx];
                }
            }
        }
        Ok(Shock { tariffs: Some(tariffs), ..Shock::default() })
    }
}

fn check_tariff(rate: f64, cell: impl Fn() -> String) -> Result<(), GeError> {
    if rate.is_finite() && rate > -1.0 {
        Ok(())
    } else {
        Err(GeError::InvalidValue {
            what: "tariffs".into(),
            cell: cell(),
            value: rate,
            valid: "a tariff is a finite fraction above -1 (0.05 = 5%)".into(),
        })
    }
}

pub(crate) fn check_len(what: &str, found: usize, expected: usize, layout: &str) -> Result<(), GeError> {
    if found == expected {
        Ok(())
    } else {
        Err(GeError::Shape { what: what.into(), found, expected, layout: layout.into() })
    }
}

/// Relative tolerance for shares that must sum to one.
const SHARE_TOLERANCE: f64 = 1e-6;
/// Published IO tables carry tiny negative coefficients (CP's Canada has one of
/// −0.00085); they are kept, anything below this is rejected as an error in the data.
const MIN_IO_COEFFICIENT: f64 = -0.01;

impl Baseline {
    /// The dimensions.
    pub fn dims(&self) -> Dims {
        Dims { n_countries: self.countries.len(), n_sectors: self.sectors.len() }
    }

    /// Index of a country code.
    pub fn country_index(&self, code: &str) -> Result<usize, GeError> {
        self.countries.iter().position(|c| c == code).ok_or_else(|| GeError::UnknownName {
            kind: "country",
            name: code.to_string(),
            valid: self.countries.join(", "),
        })
    }

    /// Index of a sector name.
    pub fn sector_index(&self, name: &str) -> Result<usize, GeError> {
        self.sectors.iter().position(|s| s == name).ok_or_else(|| GeError::UnknownName {
            kind: "sector",
            name: name.to_string(),
            valid: self.sectors.join(", "),
        })
    }

    pub(crate) fn bilateral_layout(&self) -> String {
        let d = self.dims();
        format!("sectors x importers x exporters = {} x {} x {}", d.n_sectors, d.n_countries, d.n_countries)
    }

    pub(crate) fn country_sector_layout(&self) -> String {
        let d = self.dims();
        format!("countries x sectors = {} x {}", d.n_countries, d.n_sectors)
    }

    pub(crate) fn bilateral_cell(&self, j: usize, n: usize, i: usize) -> String {
        format!("importer {}, exporter {}, sector {}", self.countries[n], self.countries[i], self.sectors[j])
    }

    pub(crate) fn country_sector_cell(&self, n: usize, j: usize) -> String {
        format!("country {}, sector {}", self.countries[n], self.sectors[j])
    }

    /// Checks shapes, ranges and adding-up; the solver calls this first.
    pub fn validate(&self) -> Result<(), GeError> {
        let d = self.dims();
        let (nn, jj) = (d.n_countries, d.n_sectors);
        if nn == 0 || jj == 0 {
            return Err(GeError::Inconsistent {
                what: "baseline".into(),
                detail: format!("{nn} countries and {jj} sectors; a model needs at least one of each"),
            });
        }
        let cs = self.country_sector_layout();
        let bl = self.bilateral_layout();
        check_len("tradable", self.tradable.len(), jj, "sectors")?;
        check_len("theta", self.theta.len(), jj, "sectors")?;
        check_len("gamma_va", self.gamma_va.len(), nn * jj, &cs)?;
        check_len("gamma_io", self.gamma_io.len(), nn * jj * jj, &format!("countries x inputs x users = {nn} x {jj} x {jj}"))?;
        check_len("alpha", self.alpha.len(), nn * jj, &cs)?;
        check_len("pi", self.pi.len(), d.bilateral_len(), &bl)?;
        check_len("tau", self.tau.len(), d.bilateral_len(), &bl)?;
        check_len("expenditure", self.expenditure.len(), nn * jj, &cs)?;
        check_len("value_added", self.value_added.len(), nn, "countries")?;
        check_len("deficit", self.deficit.len(), nn, "countries")?;
        let invalid = |what: &str, cell: String, value: f64, valid: &str| GeError::InvalidValue {
            what: what.into(),
            cell,
            value,
            valid: valid.into(),
        };
        for (j, &theta) in self.theta.iter().enumerate() {
            if !(theta.is_finite() && theta > 0.0) {
                return Err(invalid("theta", format!("sector {}", self.sectors[j]), theta, "θ must be finite and positive"));
            }
        }
        for n in 0..nn {
            let va = self.value_added[n];
            if !(va.is_finite() && va > 0.0) {
                return Err(invalid("value_added", format!("country {}", self.countries[n]), va, "labour income must be finite and positive"));
            }
            if !self.deficit[n].is_finite() {
                return Err(invalid("deficit", format!("country {}", self.countries[n]), self.deficit[n], "deficits must be finite"));
            }
            let mut alpha_sum = 0.0;
            for j in 0..jj {
                let cell = || self.country_sector_cell(n, j);
                let g = self.gamma_va[d.nj(n, j)];
                if !(g.is_finite() && (0.0..=1.0).contains(&g)) {
                    return Err(invalid("gamma_va", cell(), g, "a value-added share lies in [0, 1]"));
                }
                let a = self.alpha[d.nj(n, j)];
                if !(a.is_finite() && a >= 0.0) {
                    return Err(invalid("alpha", cell(), a, "a final-demand share is finite and >= 0"));
                }
                alpha_sum += a;
                let x = self.expenditure[d.nj(n, j)];
                if !(x.is_finite() && x >= 0.0) {
                    return Err(invalid("expenditure", cell(), x, "expenditure is finite and >= 0"));
                }
                let mut cost_sum = g;
                for k in 0..jj {
                    let v = self.gamma_io[d.nkj(n, k, j)];
                    if !(v.is_finite() && v >= MIN_IO_COEFFICIENT) {
                        return Err(invalid(
                            "gamma_io",
                            format!("country {}, input {}, user {}", self.countries[n], self.sectors[k], self.sectors[j]),
                            v,
                            "an input share is finite and >= -0.01 (tiny negatives in published tables are kept)",
                        ));
                    }
                    cost_sum += v;
                }
                if cost_sum > 1.0 + 1e-4 {
                    return Err(GeError::Inconsistent {
                        what: format!("cost shares of {}", cell()),
                        detail: format!(
                            "value-added share plus input shares sum to {cost_sum}; they must not exceed 1"
                        ),
                    });
                }
                // Trade shares of (sector j, importer n).
                let mut pi_sum = 0.0;
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    let p = self.pi[idx];
                    if !(p.is_finite() && p >= 0.0) {
                        return Err(invalid("pi", self.bilateral_cell(j, n, i), p, "a trade share is finite and >= 0"));
                    }
                    pi_sum += p;
                    let t = self.tau[idx];
                    check_tariff(t, || self.bilateral_cell(j, n, i))?;
                    if i == n && t != 0.0 {
                        return Err(invalid("tau", self.bilateral_cell(j, n, i), t, "domestic sales pay no tariff; expected 0"));
                    }
                }
                let empty_row = pi_sum == 0.0 && x == 0.0;
                if !empty_row && (pi_sum - 1.0).abs() > SHARE_TOLERANCE {
                    return Err(GeError::Inconsistent {
                        what: format!("trade shares pi of importer {}, sector {}", self.countries[n], self.sectors[j]),
                        detail: format!("sum to {pi_sum}; they must sum to 1 (or be all zero with zero expenditure)"),
                    });
                }
            }
            if (alpha_sum - 1.0).abs() > SHARE_TOLERANCE {
                return Err(GeError::Inconsistent {
                    what: format!("final-demand shares alpha of {}", self.countries[n]),
                    detail: format!("sum to {alpha_sum}; they must sum to 1"),
                });
            }
        }
        let world_va: f64 = self.value_added.iter().sum();
        let deficit_sum: f64 = self.deficit.iter().sum();
        if deficit_sum.abs() > 1e-6 * world_va {
            return Err(GeError::Inconsistent {
                what: "deficits".into(),
                detail: format!(
                    "sum to {deficit_sum:.6e} (world value added {world_va:.6e}); one country's deficit is another's surplus, so they must sum to zero"
                ),
            });
        }
        Ok(())
    }

    /// Trade flows at producer prices (net of tariffs), π_ni^j X_n^j / (1 + τ_ni^j),
    /// importer n, exporter i (J x N x N); the diagonal holds domestic sales.
    pub fn flows(&self) -> Vec<f64> {
        let d = self.dims();
        let mut flows = vec![0.0; d.bilateral_len()];
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                let x = self.expenditure[d.nj(n, j)];
                for i in 0..d.n_countries {
                    let idx = d.jni(j, n, i);
                    flows[idx] = self.pi[idx] * x / (1.0 + self.tau[idx]);
                }
            }
        }
        flows
    }

    /// Gross output Y_i^j = Σ_n π_ni^j X_n^j / (1 + τ_ni^j) (N x J).
    pub fn gross_output(&self) -> Vec<f64> {
        let d = self.dims();
        let flows = self.flows();
        let mut y = vec![0.0; d.country_sector_len()];
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                for i in 0..d.n_countries {
                    y[d.nj(i, j)] += flows[d.jni(j, n, i)];
                }
            }
        }
        y
    }

    /// Tariff revenue R_n = Σ_j Σ_i τ_ni^j π_ni^j X_n^j / (1 + τ_ni^j) (N).
    pub fn tariff_revenue(&self) -> Vec<f64> {
        let d = self.dims();
        let flows = self.flows();
        let mut r = vec![0.0; d.n_countries];
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                for i in 0..d.n_countries {
                    let idx = d.jni(j, n, i);
                    r[n] += self.tau[idx] * flows[idx];
                }
            }
        }
        r
    }

    /// Final income I_n = w_n L_n + R_n + D_n (N).
    pub fn income(&self) -> Vec<f64> {
        let r = self.tariff_revenue();
        (0..self.countries.len()).map(|n| self.value_added[n] + r[n] + self.deficit[n]).collect()
    }

    /// Builds a baseline from observed data following Caliendo & Parro's `script.m`:
    /// 1. (the caller converts flows to one unit; CP multiply `xbilat` by 1000);
    /// 2. expenditure = flow x (1 + τ);
    /// 3. gross output is raised to total exports where it falls short;
    /// 4. domestic sales = gross output − exports, put on the diagonal;
    /// 5. trade shares π = expenditure shares within each (sector, importer);
    /// 6. α from the goods-market identity X_n^j = Σ_k γ_n^{j,k} Y_n^k + α_n^j I_n,
    ///    negatives set to zero and each country renormalised (unless observed);
    /// 7. deficits D_n = imports − exports.
    ///
    /// The result reproduces the data but, because of step 6's clipping and the observed
    /// deficits, is not exactly an equilibrium of the model; CP then solve the model with
    /// zero deficits and use that equilibrium as the baseline (see
    /// [`Baseline::with_zero_deficits`]).
    pub fn from_observed(obs: &ObservedEconomy) -> Result<(Baseline, BuildReport), GeError> {
        let nn = obs.countries.len();
        let jj = obs.sectors.len();
        let d = Dims { n_countries: nn, n_sectors: jj };
        let bl = format!("sectors x importers x exporters = {jj} x {nn} x {nn}");
        let cs = format!("countries x sectors = {nn} x {jj}");
        check_len("tradable", obs.tradable.len(), jj, "sectors")?;
        check_len("theta", obs.theta.len(), jj, "sectors")?;
        check_len("trade_flows", obs.trade_flows.len(), d.bilateral_len(), &bl)?;
        check_len("tariffs", obs.tariffs.len(), d.bilateral_len(), &bl)?;
        check_len("gross_output", obs.gross_output.len(), nn * jj, &cs)?;
        check_len("value_added_share", obs.value_added_share.len(), nn * jj, &cs)?;
        check_len("input_shares", obs.input_shares.len(), nn * jj * jj, &format!("countries x inputs x users = {nn} x {jj} x {jj}"))?;
        if let Some(alpha) = &obs.final_demand_shares {
            check_len("final_demand_shares", alpha.len(), nn * jj, &cs)?;
        }
        let bilateral_cell =
            |j: usize, n: usize, i: usize| format!("importer {}, exporter {}, sector {}", obs.countries[n], obs.countries[i], obs.sectors[j]);
        let mut report = BuildReport::default();

        // Steps 2-4: exports by (exporter, sector), gross output raised to exports,
        // domestic sales on the diagonal, expenditure including tariffs.
        let mut exports = vec![0.0; nn * jj];
        for j in 0..jj {
            for n in 0..nn {
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    let flow = obs.trade_flows[idx];
                    if !(flow.is_finite() && flow >= 0.0) {
                        return Err(GeError::InvalidValue {
                            what: "trade_flows".into(),
                            cell: bilateral_cell(j, n, i),
                            value: flow,
                            valid: "flows are finite and >= 0".into(),
                        });
                    }
                    check_tariff(obs.tariffs[idx], || bilateral_cell(j, n, i))?;
                    if i == n {
                        if obs.tariffs[idx] != 0.0 {
                            return Err(GeError::InvalidValue {
                                what: "tariffs".into(),
                                cell: bilateral_cell(j, n, i),
                                value: obs.tariffs[idx],
                                valid: "domestic sales pay no tariff; expected 0".into(),
                            });
                        }
                        continue;
                    }
                    exports[d.nj(i, j)] += flow;
                }
            }
        }
        let mut gross_output = obs.gross_output.clone();
        for n in 0..nn {
            for j in 0..jj {
                let idx = d.nj(n, j);
                let go = gross_output[idx];
                if !(go.is_finite() && go >= 0.0) {
                    return Err(GeError::InvalidValue {
                        what: "gross_output".into(),
                        cell: format!("country {}, sector {}", obs.countries[n], obs.sectors[j]),
                        value: go,
                        valid: "gross output is finite and >= 0".into(),
                    });
                }
                // CP step 3: GO = max(GO, exports).
                if go < exports[idx] {
                    report.gross_output_raised.push((n, j, go, exports[idx]));
                    gross_output[idx] = exports[idx];
                }
            }
        }
        let mut flows = obs.trade_flows.clone();
        let mut expenditure = vec![0.0; nn * jj];
        for j in 0..jj {
            for n in 0..nn {
                let diag = d.jni(j, n, n);
                // CP step 4: domestic sales = GO − exports.
                flows[diag] = gross_output[d.nj(n, j)] - exports[d.nj(n, j)];
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    // CP step 2: expenditure = flow × (1 + τ).
                    expenditure[d.nj(n, j)] += flows[idx] * (1.0 + obs.tariffs[idx]);
                }
            }
        }
        // Step 5: trade shares.
        let mut pi = vec![0.0; d.bilateral_len()];
        for j in 0..jj {
            for n in 0..nn {
                let x = expenditure[d.nj(n, j)];
                if x > 0.0 {
                    for i in 0..nn {
                        let idx = d.jni(j, n, i);
                        pi[idx] = flows[idx] * (1.0 + obs.tariffs[idx]) / x;
                    }
                }
            }
        }
        // γ_n^{k,j} = input share × (1 − γ_n^j).
        let mut gamma_io = vec![0.0; nn * jj * jj];
        for n in 0..nn {
            for k in 0..jj {
                for j in 0..jj {
                    gamma_io[d.nkj(n, k, j)] = obs.input_shares[d.nkj(n, k, j)] * (1.0 - obs.value_added_share[d.nj(n, j)]);
                }
            }
        }
        // Value added, tariff revenue, deficits (step 7), income.
        let mut value_added = vec![0.0; nn];
        let mut revenue = vec![0.0; nn];
        let mut deficit = vec![0.0; nn];
        for n in 0..nn {
            for j in 0..jj {
                value_added[n] += gross_output[d.nj(n, j)] * obs.value_added_share[d.nj(n, j)];
            }
        }
        for j in 0..jj {
            for n in 0..nn {
                for i in 0..nn {
                    let idx = d.jni(j, n, i);
                    revenue[n] += obs.tariffs[idx] * flows[idx];
                    if i != n {
                        deficit[n] += flows[idx];
                        deficit[i] -= flows[idx];
                    }
                }
            }
        }
        let income: Vec<f64> = (0..nn).map(|n| value_added[n] + revenue[n] + deficit[n]).collect();
        // Step 6: α.
        let alpha = match &obs.final_demand_shares {
            Some(alpha) => alpha.clone(),
            None => {
                report.alpha_derived = true;
                let mut alpha = vec![0.0; nn * jj];
                for n in 0..nn {
                    for j in 0..jj {
                        // Final demand = X_n^j − Σ_k γ_n^{j,k} Y_n^k (Y = gross output).
                        let mut intermediate = 0.0;
                        for k in 0..jj {
                            intermediate += gamma_io[d.nkj(n, j, k)] * gross_output[d.nj(n, k)];
                        }
                        let a = (expenditure[d.nj(n, j)] - intermediate) / income[n];
                        if a < 0.0 {
                            report.alpha_clipped.push((n, j, a));
                            alpha[d.nj(n, j)] = 0.0;
                        } else {
                            alpha[d.nj(n, j)] = a;
                        }
                    }
                    let sum: f64 = alpha[n * jj..(n + 1) * jj].iter().sum();
                    if sum.is_nan() || sum <= 0.0 {
                        return Err(GeError::Inconsistent {
                            what: format!("derived final-demand shares of {}", obs.countries[n]),
                            detail: "are all zero or negative: expenditure does not exceed intermediate use in any sector".into(),
                        });
                    }
                    for a in &mut alpha[n * jj..(n + 1) * jj] {
                        *a /= sum;
                    }
                }
                alpha
            }
        };
        let baseline = Baseline {
            countries: obs.countries.clone(),
            sectors: obs.sectors.clone(),
            tradable: obs.tradable.clone(),
            theta: obs.theta.clone(),
            gamma_va: obs.value_added_share.clone(),
            gamma_io,
            alpha,
            pi,
            tau: obs.tariffs.clone(),
            expenditure,
            value_added,
            deficit,
        };
        baseline.validate()?;
        Ok((baseline, report))
    }

    /// A two-country, one-sector economy without intermediates, for examples and tests:
    /// A spends 80% at home, B 70%; both spend 100; A runs a surplus of 10.
    pub fn example_two_country() -> Baseline {
        Baseline {
            countries: vec!["A".into(), "B".into()],
            sectors: vec!["Goods".into()],
            tradable: vec![true],
            theta: vec![4.0],
            gamma_va: vec![1.0, 1.0],
            gamma_io: vec![0.0, 0.0],
            alpha: vec![1.0, 1.0],
            pi: vec![0.8, 0.2, 0.3, 0.7],
            tau: vec![0.0; 4],
            expenditure: vec![100.0, 100.0],
            value_added: vec![110.0, 90.0],
            deficit: vec![-10.0, 10.0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_is_valid_and_consistent() {
        let b = Baseline::example_two_country();
        b.validate().unwrap();
        assert_eq!(b.gross_output(), vec![110.0, 90.0]);
        assert_eq!(b.income(), vec![100.0, 100.0]);
    }

    #[test]
    fn errors_name_the_cell_and_the_valid_range() {
        let mut b = Baseline::example_two_country();
        b.pi[1] = -0.2;
        assert_eq!(
            b.validate().unwrap_err().to_string(),
            "`pi` (importer A, exporter B, sector Goods): -0.2 is invalid; a trade share is finite and >= 0"
        );
        let mut b = Baseline::example_two_country();
        b.deficit[0] = -5.0;
        assert_eq!(
            b.validate().unwrap_err().to_string(),
            "deficits: sum to 5.000000e0 (world value added 2.000000e2); one country's deficit is another's surplus, so they must sum to zero"
        );
        let mut b = Baseline::example_two_country();
        b.theta.push(1.0);
        assert_eq!(b.validate().unwrap_err().to_string(), "`theta` has 2 values; expected 1 (sectors)");
        let b = Baseline::example_two_country();
        let mut shock = Shock::none();
        assert_eq!(
            shock.set_tariff(&b, "Goods", "B", "C", 0.1).unwrap_err().to_string(),
            "unknown country `C`; expected one of A, B"
        );
        assert_eq!(
            shock.set_tariff(&b, "Goods", "B", "A", -1.5).unwrap_err().to_string(),
            "`tariffs` (importer B, exporter A, sector Goods): -1.5 is invalid; a tariff is a finite fraction above -1 (0.05 = 5%)"
        );
    }

    /// CP steps 2-7 by hand on a two-country, two-sector economy.
    #[test]
    fn from_observed_follows_cp_script_steps() {
        let obs = ObservedEconomy {
            countries: vec!["A".into(), "B".into()],
            sectors: vec!["Goods".into(), "Services".into()],
            tradable: vec![true, false],
            theta: vec![5.0, 8.22],
            // Goods: A imports 10 from B, B imports 30 from A. Services: no trade.
            trade_flows: vec![0.0, 10.0, 30.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            // B charges 10% on A's goods.
            tariffs: vec![0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
            // A's goods output 20 < exports 30: raised to 30.
            gross_output: vec![20.0, 50.0, 40.0, 60.0],
            value_added_share: vec![0.5, 1.0, 0.5, 1.0],
            // Goods use only goods.
            input_shares: vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            final_demand_shares: None,
        };
        let (b, report) = Baseline::from_observed(&obs).unwrap();
        assert_eq!(report.gross_output_raised, vec![(0, 0, 20.0, 30.0)]);
        // Domestic goods sales: A 30 − 30 = 0, B 40 − 10 = 30.
        // Expenditure on goods: A = 0 + 10 = 10; B = 30 × 1.1 + 30 = 63.
        assert_eq!(b.expenditure, vec![10.0, 50.0, 63.0, 60.0]);
        assert!((b.pi[b.dims().jni(0, 1, 0)] - 33.0 / 63.0).abs() < 1e-15);
        assert!((b.tariff_revenue()[1] - 3.0).abs() < 1e-12);
        // Deficits: A exports 30, imports 10 → D_A = −20.
        assert_eq!(b.deficit, vec![-20.0, 20.0]);
        // Value added: A = 30 × 0.5 + 50 = 65; B = 40 × 0.5 + 60 = 80.
        assert_eq!(b.value_added, vec![65.0, 80.0]);
        // α for A: goods final = 10 − 0.5 × 30 = −5 → clipped; services 50 → α = (0, 1).
        assert_eq!(report.alpha_clipped, vec![(0, 0, -5.0 / 45.0)]);
        assert_eq!(&b.alpha[0..2], &[0.0, 1.0]);
        // B: income = 80 + 3 + 20 = 103; goods final = 63 − 0.5 × 40 = 43; services 60.
        assert!((b.alpha[2] - 43.0 / 103.0).abs() < 1e-15);
        assert!((b.alpha[3] - 60.0 / 103.0).abs() < 1e-15);
    }
}
