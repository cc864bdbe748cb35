//! Caliendo & Parro (2015): a multi-sector Ricardian model with input-output links and
//! tariffs, solved for counterfactual changes by exact hat algebra.
//!
//! # The model (paper, section 2)
//! N countries (index n importer, i exporter) and J sectors (j, k), tradable and
//! non-tradable. Each country has one factor, labour, with income w_n L_n. Sector j in
//! country n produces with value-added share γ_n^j and intermediate shares γ_n^{k,j} from
//! every sector k (Cobb-Douglas), and its goods are sourced from the cheapest supplier
//! under Fréchet productivity with dispersion θ^j (Eaton & Kortum). Households spend a
//! constant share α_n^j of final income I_n = w_n L_n + R_n + D_n on sector j, where R_n is
//! tariff revenue and D_n the exogenous trade deficit. Imports from i into n in sector j
//! pay the ad-valorem tariff τ_ni^j and iceberg cost d_ni^j; κ_ni^j = (1 + τ_ni^j) d_ni^j.
//!
//! # Equilibrium in changes (paper, section 3, "equilibrium conditions in relative changes")
//! For a shock κ̂_ni^j = (1 + τ'_ni^j)/(1 + τ_ni^j) · d̂_ni^j and new deficits D'_n, the
//! unknowns ŵ_n, ĉ_n^j, P̂_n^j, π'_ni^j, X'_n^j solve
//!
//! | eq. | condition | code |
//! |---|---|---|
//! | (10) | ĉ_n^j = ŵ_n^{γ_n^j} Π_k (P̂_n^k)^{γ_n^{k,j}} | [`Problem::input_costs`] |
//! | (11) | P̂_n^j = [Σ_i π_ni^j (κ̂_ni^j ĉ_i^j)^{−θ^j}]^{−1/θ^j} | [`Problem::price_indices`] |
//! | (12) | π'_ni^j = π_ni^j [κ̂_ni^j ĉ_i^j / P̂_n^j]^{−θ^j} | [`Problem::trade_shares`] |
//! | (13) | X'_n^j = Σ_k γ_n^{j,k} Σ_i π'_in^k X'_i^k/(1+τ'_in^k) + α_n^j I'_n, I'_n = ŵ_n w_n L_n + Σ_j Σ_i τ'_ni^j π'_ni^j X'_n^j/(1+τ'_ni^j) + D'_n | [`Problem::expenditure_map`] |
//! | (14) | Σ_j Σ_i π'_ni^j X'_n^j/(1+τ'_ni^j) − D'_n = Σ_j Σ_i π'_in^j X'_i^j/(1+τ'_in^j) | [`Problem::trade_balance_excess`] |
//!
//! Equation numbers follow the published paper's numbering of the system in changes as
//! cited in the authors' replication code comments ((14) is the trade balance); check them
//! against the PDF when citing.
//!
//! # Welfare (paper section 3.1; [`CountryWelfare`])
//! The paper decomposes d ln W_n into terms of trade,
//! (1/I_n) Σ_j Σ_i (E_ni^j d ln c_n^j − M_ni^j d ln c_i^j), and volume of trade,
//! (1/I_n) Σ_j Σ_i τ_ni^j M_ni^j (d ln M_ni^j − d ln c_i^j), with E_ni^j and M_ni^j n's
//! exports to and imports from i at producer prices. Table 2's "Total" is ToT + VoT
//! evaluated as the replication code's `Welfarelineal.m` does, with finite changes (x̂ − 1)
//! where the formula has d ln x; kanzei reports exactly that as `welfare_pct`, with the
//! bilateral (by partner i) and sectoral (by j) terms of the same sums. It is a first-order
//! measure: the exact change in real income Î_n/P̂_n is reported beside it
//! (`real_income_pct`) and can differ a lot for large tariff cuts — for Mexico under
//! NAFTA it is +0.01% against the decomposition's +1.31%, because the tariff revenue Mexico
//! gives up (1.7% of its income) offsets its real-wage gain (+1.72%).
//!
//! # Solver (see [`solve`])
//! As in the replication code: guess ŵ; iterate (10)-(11) to a fixed point in P̂; compute
//! π' from (12); solve the linear system (13) for X'; update ŵ on the trade-balance excess
//! of (14), ŵ_n ← ŵ_n + step · Z_n / (w_n L_n). The replication code damps that update with
//! a fixed step of 0.2; kanzei applies Anderson acceleration to the same map by default
//! ([`WageUpdate::Anderson`]), which reaches the same fixed point in tens rather than
//! thousands of iterations, and keeps the plain damped update as an option. A safeguard
//! undoes any step that more than doubles the excess and halves the damped step, so stiff
//! problems (a large θ on much trade) converge too; on the CP data it never triggers.
//!
//! # Assumptions and conventions
//! * Numeraire: world GDP, Σ_n ŵ_n w_n L_n = Σ_n w_n L_n, as in the replication code (its
//!   wage update preserves that sum). [`Numeraire::Country`] fixes one country's wage
//!   instead; real outcomes do not change. New deficits D'_n are held fixed as a share of
//!   world GDP, so they too are independent of the numeraire, and must sum to zero.
//! * The welfare decomposition and trade changes are always reported in the world-GDP
//!   normalization (the paper's), whatever numeraire the solve used, because the
//!   first-order decomposition is not invariant to rescaling nominal variables.
//! * Labour-market clearing, ŵ_n w_n L_n = Σ_j γ_n^j Y'_n^j, follows from (13)-(14) when
//!   every sector's cost shares sum to one. The CP data has sectors where they do not
//!   (India's and Turkey's public administration report no intermediate inputs), so the
//!   labour-market residual is reported but is not a convergence criterion.
//! * Non-tradable sectors are sectors whose baseline trade shares are all domestic; no
//!   separate code path exists.
//!
//! # References
//! * Caliendo, L. & Parro, F. (2015), "Estimates of the Trade and Welfare Effects of
//!   NAFTA", *Review of Economic Studies* 82(1): 1-44; replication package
//!   `Data_and_Codes_CP.zip` (`script.m`, `equilibrium_LC.m`, `PH.m`, `Dinprime.m`,
//!   `expenditure.m`, `Welfarelineal.m`).
//! * Dekle, R., Eaton, J. & Kortum, S. (2008), "Global rebalancing with gravity", IMF Staff
//!   Papers 55(3) (exact hat algebra).
//! * Walker, H. F. & Ni, P. (2011), "Anderson acceleration for fixed-point iterations",
//!   SIAM J. Numer. Anal. 49(4).

mod baseline;
pub mod monte_carlo;
mod problem;
pub mod published;
mod results;
mod solver;

pub use baseline::{Baseline, BuildReport, Dims, ObservedEconomy, Shock};
pub use problem::{Problem, Residuals};
pub use results::{BilateralWelfare, CountryWelfare, Equilibrium, SectorWelfare, TradeChange};
pub use solver::{solve, solve_from, ExpenditureSolve, Numeraire, SolveReport, SolverConfig, StopReason, WageUpdate};
