//! The equilibrium conditions in changes, (10)-(14), as functions of candidate values.
//! Nothing here iterates; the loop is in `solver.rs`.

use faer::linalg::solvers::Solve;
use faer::Mat;

use super::baseline::{check_len, Baseline, Dims, Shock};
use crate::error::GeError;

/// A baseline and a shock: everything the equilibrium conditions need.
pub struct Problem<'a> {
    baseline: &'a Baseline,
    dims: Dims,
    /// τ'_ni^j (J x N x N).
    tau_new: Vec<f64>,
    /// κ̂_ni^j = (1 + τ'_ni^j)/(1 + τ_ni^j) · d̂_ni^j (J x N x N).
    kappa_hat: Vec<f64>,
    /// π_ni^j (κ̂_ni^j)^{−θ^j}, precomputed once per shock (J x N x N).
    pi_kappa: Vec<f64>,
    /// D'_n as asked for, in baseline units at the baseline world GDP (N).
    deficit_target: Vec<f64>,
    /// Σ_n w_n L_n in the baseline.
    world_value_added: f64,
}

/// The largest violation of each equilibrium condition at a candidate solution.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Residuals {
    /// (10): max |ln ĉ_n^j − γ_n^j ln ŵ_n − Σ_k γ_n^{k,j} ln P̂_n^k|.
    pub input_cost: f64,
    /// (11): max |ln P̂_n^j − ln [Σ_i π_ni^j (κ̂ ĉ_i^j)^{−θ^j}]^{−1/θ^j}|.
    pub price_index: f64,
    /// (12): max |π'_ni^j − π_ni^j (κ̂ ĉ_i^j / P̂_n^j)^{−θ^j}|, and |Σ_i π'_ni^j − 1|.
    pub trade_shares: f64,
    /// (13), goods-market clearing: max |X'_n^j − (right-hand side)| / X'_n^j.
    pub goods_market: f64,
    /// (14), trade balance: max |exports − imports + D'_n| / (w_n L_n).
    pub trade_balance: f64,
    /// Labour-market clearing, max |ŵ_n w_n L_n − Σ_j γ_n^j Y'_n^j| / (w_n L_n). Implied by
    /// (13)-(14) under constant returns; informational (see the module doc).
    pub labor_market: f64,
}

impl Residuals {
    /// The largest residual over conditions (10)-(14) (labour market excluded).
    pub fn max_equilibrium(&self) -> f64 {
        self.input_cost.max(self.price_index).max(self.trade_shares).max(self.goods_market).max(self.trade_balance)
    }
}

/// Equation (13) for given ŵ and π' as the linear system X' = A X' + b.
pub(crate) struct ExpenditureSystem<'p> {
    problem: &'p Problem<'p>,
    /// π'_ni^j / (1 + τ'_ni^j): the share of X'_n^j that reaches exporter i (J x N x N).
    pub(crate) to_producer: Vec<f64>,
    /// 1 − Σ_i π'_ni^j/(1 + τ'_ni^j): the tariff share of X'_n^j (N x J).
    pub(crate) tariff_share: Vec<f64>,
    /// ŵ_n w_n L_n + D'_n (N).
    pub(crate) exogenous_income: Vec<f64>,
}

impl<'a> Problem<'a> {
    /// Validates the baseline and the shock and precomputes κ̂ and π κ̂^{−θ}.
    pub fn new(baseline: &'a Baseline, shock: &Shock) -> Result<Problem<'a>, GeError> {
        baseline.validate()?;
        let dims = baseline.dims();
        let layout = baseline.bilateral_layout();
        let tau_new = match &shock.tariffs {
            Some(t) => {
                check_len("shock tariffs", t.len(), dims.bilateral_len(), &layout)?;
                t.clone()
            }
            None => baseline.tau.clone(),
        };
        if let Some(d_hat) = &shock.trade_cost_hat {
            check_len("shock trade_cost_hat", d_hat.len(), dims.bilateral_len(), &layout)?;
        }
        let mut kappa_hat = vec![1.0; dims.bilateral_len()];
        let mut pi_kappa = vec![0.0; dims.bilateral_len()];
        for j in 0..dims.n_sectors {
            for n in 0..dims.n_countries {
                for i in 0..dims.n_countries {
                    let idx = dims.jni(j, n, i);
                    let t = tau_new[idx];
                    if !(t.is_finite() && t > -1.0) || (i == n && t != 0.0) {
                        return Err(GeError::InvalidValue {
                            what: "shock tariffs".into(),
                            cell: baseline.bilateral_cell(j, n, i),
                            value: t,
                            valid: "a tariff is a finite fraction above -1, and 0 on domestic sales".into(),
                        });
                    }
                    let d_hat = shock.trade_cost_hat.as_ref().map_or(1.0, |d| d[idx]);
                    if !(d_hat.is_finite() && d_hat > 0.0) {
                        return Err(GeError::InvalidValue {
                            what: "shock trade_cost_hat".into(),
                            cell: baseline.bilateral_cell(j, n, i),
                            value: d_hat,
                            valid: "a change in iceberg costs is finite and positive (1 = unchanged)".into(),
                        });
                    }
                    // κ̂_ni^j = (1 + τ'_ni^j)/(1 + τ_ni^j) · d̂_ni^j.
                    let k = (1.0 + t) / (1.0 + baseline.tau[idx]) * d_hat;
                    kappa_hat[idx] = k;
                    // 1^x = 1 exactly: most cells' tariffs do not change, and a draw rebuilds this.
                    pi_kappa[idx] = if k == 1.0 { baseline.pi[idx] } else { baseline.pi[idx] * k.powf(-baseline.theta[j]) };
                }
            }
        }
        let world_value_added: f64 = baseline.value_added.iter().sum();
        let deficit_target = match &shock.deficits {
            Some(d) => {
                check_len("shock deficits", d.len(), dims.n_countries, "countries")?;
                for (n, &v) in d.iter().enumerate() {
                    if !v.is_finite() {
                        return Err(GeError::InvalidValue {
                            what: "shock deficits".into(),
                            cell: format!("country {}", baseline.countries[n]),
                            value: v,
                            valid: "deficits are finite".into(),
                        });
                    }
                }
                let sum: f64 = d.iter().sum();
                if sum.abs() > 1e-6 * world_value_added {
                    return Err(GeError::Inconsistent {
                        what: "shock deficits".into(),
                        detail: format!("sum to {sum:.6e}; they must sum to zero (world value added {world_value_added:.6e})"),
                    });
                }
                d.clone()
            }
            None => baseline.deficit.clone(),
        };
        Ok(Problem { baseline, dims, tau_new, kappa_hat, pi_kappa, deficit_target, world_value_added })
    }

    /// The baseline.
    pub fn baseline(&self) -> &Baseline {
        self.baseline
    }

    /// The dimensions.
    pub fn dims(&self) -> Dims {
        self.dims
    }

    /// τ'_ni^j.
    pub fn tau_new(&self) -> &[f64] {
        &self.tau_new
    }

    /// κ̂_ni^j.
    pub fn kappa_hat(&self) -> &[f64] {
        &self.kappa_hat
    }

    /// Σ_n w_n L_n.
    pub fn world_value_added(&self) -> f64 {
        self.world_value_added
    }

    /// D'_n at wages ŵ: the target deficits scaled with world nominal GDP,
    /// D'_n = D_n^target · Σ_m ŵ_m w_m L_m / Σ_m w_m L_m (a fixed share of world GDP).
    pub fn deficits(&self, w_hat: &[f64]) -> Vec<f64> {
        let scale = self.world_gdp_factor(w_hat);
        self.deficit_target.iter().map(|d| d * scale).collect()
    }

    /// Σ_m ŵ_m w_m L_m / Σ_m w_m L_m.
    pub fn world_gdp_factor(&self, w_hat: &[f64]) -> f64 {
        w_hat.iter().zip(&self.baseline.value_added).map(|(w, va)| w * va).sum::<f64>() / self.world_value_added
    }

    /// Equation (10): ĉ_n^j = ŵ_n^{γ_n^j} Π_k (P̂_n^k)^{γ_n^{k,j}}, computed in logs.
    pub fn input_costs(&self, w_hat: &[f64], p_hat: &[f64], c_hat: &mut [f64]) {
        let d = self.dims;
        let b = self.baseline;
        let jj = d.n_sectors;
        let mut log_c = vec![0.0; jj];
        for n in 0..d.n_countries {
            let log_w = w_hat[n].ln();
            // ln ĉ_n^j = γ_n^j ln ŵ_n + Σ_k γ_n^{k,j} ln P̂_n^k, each sum added in k order; the
            // users j of one input k are contiguous, so the J sums advance together.
            for (j, c) in log_c.iter_mut().enumerate() {
                *c = b.gamma_va[d.nj(n, j)] * log_w;
            }
            for k in 0..jj {
                let lp = p_hat[d.nj(n, k)].ln();
                let gammas = &b.gamma_io[d.nkj(n, k, 0)..d.nkj(n, k, 0) + jj];
                for (c, g) in log_c.iter_mut().zip(gammas) {
                    *c += g * lp;
                }
            }
            for (j, c) in log_c.iter().enumerate() {
                c_hat[d.nj(n, j)] = c.exp();
            }
        }
    }

    /// Equation (11): P̂_n^j = [Σ_i π_ni^j (κ̂_ni^j ĉ_i^j)^{−θ^j}]^{−1/θ^j}. A sector a
    /// country does not buy at all (zero row) keeps P̂ = 1, as in CP's `PH.m`.
    pub fn price_indices(&self, c_hat: &[f64], p_hat: &mut [f64]) {
        let mut cost_power = vec![0.0; self.dims.bilateral_len() / self.dims.n_countries];
        self.price_indices_with(c_hat, p_hat, &mut cost_power);
    }

    /// [`Self::price_indices`] with a caller-owned scratch buffer of J x N values
    /// ((ĉ_i^j)^{−θ^j}).
    pub(crate) fn price_indices_with(&self, c_hat: &[f64], p_hat: &mut [f64], cost_power: &mut [f64]) {
        let d = self.dims;
        let theta = &self.baseline.theta;
        for j in 0..d.n_sectors {
            for i in 0..d.n_countries {
                cost_power[j * d.n_countries + i] = (-theta[j] * c_hat[d.nj(i, j)].ln()).exp();
            }
        }
        for j in 0..d.n_sectors {
            let e = &cost_power[j * d.n_countries..(j + 1) * d.n_countries];
            for n in 0..d.n_countries {
                let row = &self.pi_kappa[d.jni(j, n, 0)..d.jni(j, n, 0) + d.n_countries];
                let sum: f64 = row.iter().zip(e).map(|(a, b)| a * b).sum();
                p_hat[d.nj(n, j)] = if sum > 0.0 { sum.powf(-1.0 / theta[j]) } else { 1.0 };
            }
        }
    }

    /// Equation (12): π'_ni^j = π_ni^j [κ̂_ni^j ĉ_i^j / P̂_n^j]^{−θ^j}.
    pub fn trade_shares(&self, c_hat: &[f64], p_hat: &[f64], pi_new: &mut [f64]) {
        let d = self.dims;
        let theta = &self.baseline.theta;
        // (ĉ_i^j)^{−θ^j} once per (j, i), not once per (j, n, i).
        let mut cost_power = vec![0.0; d.n_countries];
        for j in 0..d.n_sectors {
            for (i, e) in cost_power.iter_mut().enumerate() {
                *e = (-theta[j] * c_hat[d.nj(i, j)].ln()).exp();
            }
            for n in 0..d.n_countries {
                let p_pow = (theta[j] * p_hat[d.nj(n, j)].ln()).exp(); // (P̂_n^j)^{θ^j}
                for (i, e) in cost_power.iter().enumerate() {
                    let idx = d.jni(j, n, i);
                    pi_new[idx] = if self.pi_kappa[idx] == 0.0 { 0.0 } else { self.pi_kappa[idx] * e * p_pow };
                }
            }
        }
    }

    /// The linear system of equation (13) at wages ŵ and shares π'.
    pub(crate) fn expenditure_system(&'a self, w_hat: &[f64], pi_new: &[f64]) -> ExpenditureSystem<'a> {
        let d = self.dims;
        let mut to_producer = vec![0.0; d.bilateral_len()];
        let mut tariff_share = vec![1.0; d.country_sector_len()];
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                let mut f = 0.0;
                for i in 0..d.n_countries {
                    let idx = d.jni(j, n, i);
                    let a = pi_new[idx] / (1.0 + self.tau_new[idx]);
                    to_producer[idx] = a;
                    f += a;
                }
                tariff_share[d.nj(n, j)] = 1.0 - f;
            }
        }
        let deficits = self.deficits(w_hat);
        let exogenous_income =
            (0..d.n_countries).map(|n| w_hat[n] * self.baseline.value_added[n] + deficits[n]).collect();
        ExpenditureSystem { problem: self, to_producer, tariff_share, exogenous_income }
    }

    /// The right-hand side of equation (13) evaluated at `x` (N x J):
    /// Σ_k γ_n^{j,k} Σ_i π'_in^k X_i^k/(1+τ'_in^k) + α_n^j I'_n.
    pub fn expenditure_map(&self, w_hat: &[f64], pi_new: &[f64], x: &[f64], out: &mut [f64]) {
        let system = self.expenditure_system(w_hat, pi_new);
        let mut scratch = vec![0.0; x.len()];
        system.apply(x, out, &mut scratch);
    }

    /// Equation (14) as an excess: Z_n = exports_n − imports_n + D'_n, all at producer
    /// prices; zero in equilibrium. Positive Z means n earns more abroad than it spends
    /// there net of its deficit, so its wage must rise.
    pub fn trade_balance_excess(&self, w_hat: &[f64], pi_new: &[f64], x: &[f64], z: &mut [f64]) {
        let d = self.dims;
        let deficits = self.deficits(w_hat);
        z.copy_from_slice(&deficits);
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                let xn = x[d.nj(n, j)];
                for i in 0..d.n_countries {
                    if i == n {
                        continue;
                    }
                    let idx = d.jni(j, n, i);
                    let flow = pi_new[idx] / (1.0 + self.tau_new[idx]) * xn;
                    z[i] += flow; // exports of i
                    z[n] -= flow; // imports of n
                }
            }
        }
    }

    /// All residuals of (10)-(14) and the labour market at a candidate solution.
    pub fn residuals(&self, w_hat: &[f64], c_hat: &[f64], p_hat: &[f64], pi_new: &[f64], x_new: &[f64]) -> Residuals {
        let d = self.dims;
        let b = self.baseline;
        let mut r = Residuals::default();
        // (10)
        let mut c_check = vec![0.0; c_hat.len()];
        self.input_costs(w_hat, p_hat, &mut c_check);
        r.input_cost = c_hat.iter().zip(&c_check).map(|(a, b)| (a.ln() - b.ln()).abs()).fold(0.0, f64::max);
        // (11)
        let mut p_check = vec![0.0; p_hat.len()];
        self.price_indices(c_hat, &mut p_check);
        r.price_index = p_hat.iter().zip(&p_check).map(|(a, b)| (a.ln() - b.ln()).abs()).fold(0.0, f64::max);
        // (12)
        let mut pi_check = vec![0.0; pi_new.len()];
        self.trade_shares(c_hat, p_hat, &mut pi_check);
        let mut worst = pi_new.iter().zip(&pi_check).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        for j in 0..d.n_sectors {
            for n in 0..d.n_countries {
                let row = &pi_new[d.jni(j, n, 0)..d.jni(j, n, 0) + d.n_countries];
                let sum: f64 = row.iter().sum();
                if sum > 0.0 {
                    worst = worst.max((sum - 1.0).abs());
                }
            }
        }
        r.trade_shares = worst;
        // (13)
        let mut x_check = vec![0.0; x_new.len()];
        self.expenditure_map(w_hat, pi_new, x_new, &mut x_check);
        let mean_x = x_new.iter().sum::<f64>() / x_new.len() as f64;
        r.goods_market = x_new
            .iter()
            .zip(&x_check)
            .map(|(a, b)| (a - b).abs() / a.abs().max(1e-9 * mean_x))
            .fold(0.0, f64::max);
        // (14)
        let mut z = vec![0.0; d.n_countries];
        self.trade_balance_excess(w_hat, pi_new, x_new, &mut z);
        r.trade_balance = z.iter().zip(&b.value_added).map(|(z, va)| (z / va).abs()).fold(0.0, f64::max);
        // Labour market.
        let system = self.expenditure_system(w_hat, pi_new);
        let y = system.gross_output(x_new);
        r.labor_market = (0..d.n_countries)
            .map(|n| {
                let demand: f64 = (0..d.n_sectors).map(|j| b.gamma_va[d.nj(n, j)] * y[d.nj(n, j)]).sum();
                (w_hat[n] * b.value_added[n] - demand).abs() / b.value_added[n]
            })
            .fold(0.0, f64::max);
        r
    }
}

/// `out[r]` = row r of `rows` (row-major, `v.len()` columns) times `v`, each row summed in
/// column order from −0.0 as `Iterator::sum` does (the same result to the bit), four rows
/// at a time so that their additions overlap.
fn row_dots(rows: &[f64], v: &[f64], out: &mut [f64]) {
    let m = v.len();
    let mut r = 0;
    while r + 4 <= out.len() {
        let (a, b, c, e) = (&rows[r * m..(r + 1) * m], &rows[(r + 1) * m..(r + 2) * m], &rows[(r + 2) * m..(r + 3) * m], &rows[(r + 3) * m..(r + 4) * m]);
        let mut acc = [-0.0_f64; 4];
        for (k, x) in v.iter().enumerate() {
            acc[0] += a[k] * x;
            acc[1] += b[k] * x;
            acc[2] += c[k] * x;
            acc[3] += e[k] * x;
        }
        out[r..r + 4].copy_from_slice(&acc);
        r += 4;
    }
    for (q, o) in out.iter_mut().enumerate().skip(r) {
        *o = rows[q * m..(q + 1) * m].iter().zip(v).map(|(g, x)| g * x).sum();
    }
}

impl ExpenditureSystem<'_> {
    /// Y'_i^j = Σ_n π'_ni^j X_n^j / (1 + τ'_ni^j) (N x J).
    pub(crate) fn gross_output(&self, x: &[f64]) -> Vec<f64> {
        let d = self.problem.dims;
        let mut y = vec![0.0; d.country_sector_len()];
        self.gross_output_into(x, &mut y);
        y
    }

    fn gross_output_into(&self, x: &[f64], y: &mut [f64]) {
        let d = self.problem.dims;
        // Sector by sector into a contiguous column (the exporters i of one sector), each
        // element added in importer order n as before, then placed in y.
        let mut column = vec![0.0; d.n_countries];
        for j in 0..d.n_sectors {
            column.fill(0.0);
            for n in 0..d.n_countries {
                let xn = x[d.nj(n, j)];
                if xn == 0.0 {
                    continue;
                }
                let row = &self.to_producer[d.jni(j, n, 0)..d.jni(j, n, 0) + d.n_countries];
                for (c, a) in column.iter_mut().zip(row) {
                    *c += a * xn;
                }
            }
            for (i, c) in column.iter().enumerate() {
                y[d.nj(i, j)] = *c;
            }
        }
    }

    /// out = A x + b, the right-hand side of (13); `scratch` holds N x J values.
    pub(crate) fn apply(&self, x: &[f64], out: &mut [f64], scratch: &mut [f64]) {
        let d = self.problem.dims;
        let b = self.problem.baseline;
        self.gross_output_into(x, scratch);
        for n in 0..d.n_countries {
            // I'_n = ŵ_n w_n L_n + D'_n + Σ_k (tariff share) X'_n^k.
            let mut income = self.exogenous_income[n];
            for k in 0..d.n_sectors {
                income += self.tariff_share[d.nj(n, k)] * x[d.nj(n, k)];
            }
            let y_n = &scratch[n * d.n_sectors..(n + 1) * d.n_sectors];
            let rows = &b.gamma_io[d.nkj(n, 0, 0)..d.nkj(n, 0, 0) + d.n_sectors * d.n_sectors];
            let out_n = &mut out[d.nj(n, 0)..d.nj(n, 0) + d.n_sectors];
            row_dots(rows, y_n, out_n);
            for (j, o) in out_n.iter_mut().enumerate() {
                *o += b.alpha[d.nj(n, j)] * income;
            }
        }
    }

    /// Solves (I − A) X' = b directly with faer's partial-pivoting LU (NJ x NJ).
    pub(crate) fn solve_direct(&self) -> Vec<f64> {
        let d = self.problem.dims;
        let b = self.problem.baseline;
        let size = d.country_sector_len();
        let mut matrix = Mat::<f64>::zeros(size, size);
        let mut rhs = Mat::<f64>::zeros(size, 1);
        for n in 0..d.n_countries {
            for j in 0..d.n_sectors {
                let row = d.nj(n, j);
                matrix[(row, row)] += 1.0;
                let alpha = b.alpha[row];
                rhs[(row, 0)] = alpha * self.exogenous_income[n];
                for k in 0..d.n_sectors {
                    // Final demand out of tariff revenue: α_n^j (1 − F'_n^k) X_n^k.
                    matrix[(row, d.nj(n, k))] -= alpha * self.tariff_share[d.nj(n, k)];
                    // Intermediate demand: γ_n^{j,k} Σ_m π'_mn^k/(1+τ'_mn^k) X_m^k.
                    let gamma = b.gamma_io[d.nkj(n, j, k)];
                    if gamma != 0.0 {
                        for m in 0..d.n_countries {
                            matrix[(row, d.nj(m, k))] -= gamma * self.to_producer[d.jni(k, m, n)];
                        }
                    }
                }
            }
        }
        let solution = matrix.partial_piv_lu().solve(&rhs);
        (0..size).map(|r| solution[(r, 0)]).collect()
    }
}
