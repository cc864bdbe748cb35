//! SMART: the single-market partial-equilibrium model of Laird & Yeats (1986), as
//! implemented in the World Bank's WITS.
//!
//! One importing market, product by product. Each product has exporters `k` with base
//! imports `M_k` (valued at world prices; like WITS, values are read as quantities by
//! normalising every world price to 1), an initial and a final ad-valorem tariff `t0_k`,
//! `t1_k` (proportions: 0.25 is 25%), and three elasticities shared by all its exporters:
//! import demand `Em <= 0`, substitution between sources `Es >= 0`, and export supply
//! `Ex >= 0` (infinite by default, the small-country case; WITS writes 99).
//!
//! # Assumptions
//! * Partial equilibrium: no income effects, no links between products.
//! * Armington: a product from different exporters is an imperfect substitute, so a
//!   preference does not move all demand to the preferred source.
//! * Two-stage demand: total imports of the product respond to each source's own price
//!   through `Em` (trade creation); the split between sources responds to relative prices
//!   through `Es` (trade diversion, which only reallocates and sums to zero).
//! * With finite `Ex` the exporter's world price absorbs part of the tariff change.
//!
//! # Equations
//! With `τ_k = (t1_k − t0_k)/(1 + t0_k)` the proportional change of the tariff factor:
//! 1. World price (equate `M̂ = Ex·p*` and `M̂ = Em·(p* + τ)`):
//!    `p*_k = Em·τ_k / (Ex − Em)`, zero when `Ex = ∞`.
//! 2. Trade creation (Laird & Yeats 1986; WITS SMART manual, "Trade creation effect"):
//!    `TC_k = M_k · Em · Δt_k / ((1 + t0_k)(1 − Em/Ex))`, i.e. `M_k · Em·Ex/(Ex − Em) · τ_k`
//!    ([`CreationRule::Linear`]). [`CreationRule::ConstantElasticity`] uses the exact
//!    solution for constant-elasticity curves instead: `M̂ = (1 + τ)^(Em·Ex/(Ex − Em))`,
//!    `1 + p* = (1 + τ)^(Em/(Ex − Em))`.
//! 3. Domestic price factor of each source: `ρ_k = (1 + t1_k)/(1 + t0_k) · (1 + p*_k)`.
//! 4. Trade diversion. Laird & Yeats state it for two groups, the sources whose relative
//!    price falls (`k`) and the rest (`K`), with `r = ρ_K/ρ_k − 1 >= 0`:
//!    `TD_k = ΣM_k · ΣM_K · Es · r / (ΣM_k + ΣM_K + ΣM_k · Es · r)`, `TD_K = −TD_k`,
//!    shared within each group in proportion to `M`. It is the solution of
//!    `(M_k + TD)/(M_K − TD) = (M_k/M_K)(1 + Es·r)`. Every rule here writes diversion as
//!    a reallocation of the product's base total with weights `w_k`:
//!    `TD_k = ΣM · M_k w_k / Σ_j M_j w_j − M_k`, which sums to zero over exporters and
//!    never takes more than a source had. [`DiversionRule::LairdYeats`] uses
//!    `w_k = 1 + Es·(ρ_max/ρ_k − 1)`, measuring every source against the most-taxed one;
//!    with two groups this reproduces the formula above exactly, and it stays well
//!    defined for any number of sources and any size of change (the linear formula
//!    applied in the other direction divides by zero once `Es·r <= −1`).
//!    [`DiversionRule::Ces`] uses the exact CES share equation `w_k = ρ_k^(−Es)` (Armington
//!    1969), of which the Laird–Yeats form is the first-order approximation.
//! 5. Volume after `V_k = max(0, M_k + TC_k + TD_k)`; imports after, at the new world
//!    price, `M1_k = V_k (1 + p*_k)`; the price effect is `V_k p*_k` (WITS reports it
//!    separately when `Ex` is finite). Cells cut at zero are counted in [`SmartStats`].
//! 6. Tariff revenue, as WITS computes it: `R0_k = t0_k M_k`, `R1_k = t1_k M1_k`.
//! 7. Consumer surplus, the area left of the demand curve (second-order, as in the WITS
//!    welfare effect): `ΔCS_k = −Δp_k (M_k + ½ ΔV_k)` with
//!    `Δp_k = (1 + t1_k)(1 + p*_k) − (1 + t0_k)` the domestic price change per unit.
//!
//! # Sign of `Es`
//! Laird & Yeats define the substitution elasticity on the ratio `M_k/M_K` against the
//! price ratio `P_k/P_K`, a negative number; WITS takes it as a positive input (default
//! 1.5). Here `Es >= 0` and diversion always moves imports towards the source whose
//! relative price falls. `MODELS.md` §2 writes `r` as `k`'s price relative to `K`'s; with
//! that orientation the formula needs the Laird–Yeats negative `Es`.
//!
//! # Layout and speed
//! Inputs are flat slices (one entry per product × exporter cell, products delimited by
//! `product_offsets`), the result is one [`SmartCell`] per input cell in the same order,
//! and [`simulate_into`] reuses the caller's buffer: no allocation per cell or product.
//!
//! # References
//! * Laird, S. & Yeats, A. (1986) "The UNCTAD trade policy simulation model: a note on the
//!   methodology, data and uses", UNCTAD Discussion Paper 19.
//! * World Bank, WITS online help and *SMART user manual*: "SMART theoretical framework",
//!   "SMART input requirements and output results" (revenue `TR1 − TR0`; default
//!   substitution elasticity 1.5; infinite export supply written as 99).
//! * Jammes, O. & Olarreaga, M. (2005) "Explaining SMART and GSIM", World Bank.
//! * Armington, P. (1969) IMF Staff Papers 16(1).
//!
//! ```
//! use kanzei_pe::smart::{simulate, SmartConfig, SmartData, SmartElasticities};
//! let mut data = SmartData::new();
//! let cars = SmartElasticities { em: -1.5, es: 2.0, ex: f64::INFINITY };
//! // (base imports USD, t0, t1) for two exporters; only the second one's tariff rises.
//! data.push_product(cars, [(100.0, 0.10, 0.10), (50.0, 0.10, 0.21)]);
//! let outcome = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
//! let diversion: f64 = outcome.cells.iter().map(|c| c.trade_diversion_usd).sum();
//! assert!(diversion.abs() < 1e-12);
//! assert!((outcome.cells[0].trade_diversion_usd - 1000.0 / 170.0).abs() < 1e-12);
//! ```

use serde::Serialize;

use crate::error::PeError;

/// The three SMART elasticities of one product.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SmartElasticities {
    /// Import demand elasticity `Em <= 0`.
    pub em: f64,
    /// Substitution elasticity between sources `Es >= 0`.
    pub es: f64,
    /// Export supply elasticity `Ex >= 0`; `f64::INFINITY` for the small-country case.
    pub ex: f64,
}

/// How total imports respond to a source's own price (trade creation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum CreationRule {
    /// The Laird–Yeats/WITS linear formula `TC = M·Em·τ/(1 − Em/Ex)`.
    #[default]
    Linear,
    /// Exact solution for constant-elasticity demand and supply curves; its creation term
    /// never removes more than the base, and it equals `Linear` to first order.
    ConstantElasticity,
}

/// How imports are reallocated between sources (trade diversion).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum DiversionRule {
    /// The Laird–Yeats/WITS linear form, measured against the most-taxed source.
    #[default]
    LairdYeats,
    /// CES share equation `w_k = ρ_k^(−Es)` (exact Armington).
    Ces,
}

/// Options of a SMART run. The default is the WITS specification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SmartConfig {
    /// Trade-creation rule.
    pub creation: CreationRule,
    /// Trade-diversion rule.
    pub diversion: DiversionRule,
}

/// The inputs of a SMART run as flat slices. Cell `c` of product `p` lies in
/// `product_offsets[p]..product_offsets[p + 1]`.
#[derive(Clone, Copy, Debug)]
pub struct SmartInput<'a> {
    /// `n_products + 1` non-decreasing offsets, starting at 0 and ending at the number of
    /// cells.
    pub product_offsets: &'a [usize],
    /// Base imports `M_k` per cell, USD at world prices.
    pub imports_usd: &'a [f64],
    /// Initial ad-valorem rate `t0_k` per cell, as a proportion.
    pub t0: &'a [f64],
    /// Final ad-valorem rate `t1_k` per cell, as a proportion.
    pub t1: &'a [f64],
    /// Elasticities per product.
    pub elasticities: &'a [SmartElasticities],
}

impl SmartInput<'_> {
    /// Number of products.
    pub fn n_products(&self) -> usize {
        self.elasticities.len()
    }

    /// Number of product × exporter cells.
    pub fn n_cells(&self) -> usize {
        self.imports_usd.len()
    }

    /// Checks the shapes of the slices and the offsets. Values are checked during the run.
    pub fn check_shape(&self) -> Result<(), PeError> {
        let n_cells = self.imports_usd.len();
        let per_cell = "one entry per product × exporter cell, like `imports_usd`";
        for (name, len) in [("t0", self.t0.len()), ("t1", self.t1.len())] {
            if len != n_cells {
                return Err(PeError::Shape { model: "SMART", name, expected: n_cells, found: len, why: per_cell });
            }
        }
        let offsets = self.product_offsets;
        if offsets.len() != self.elasticities.len() + 1 {
            return Err(PeError::Shape {
                model: "SMART",
                name: "product_offsets",
                expected: self.elasticities.len() + 1,
                found: offsets.len(),
                why: "one more than the number of products in `elasticities`",
            });
        }
        if offsets[0] != 0 {
            return Err(PeError::invalid(
                "SMART input `product_offsets`",
                format!("starts at {}; it must start at 0", offsets[0]),
            ));
        }
        if let Some(p) = offsets.windows(2).position(|w| w[1] < w[0]) {
            return Err(PeError::invalid(
                "SMART input `product_offsets`",
                format!("decreases at product {p} ({} then {}); offsets must not decrease", offsets[p], offsets[p + 1]),
            ));
        }
        let last = offsets[offsets.len() - 1];
        if last != n_cells {
            return Err(PeError::invalid(
                "SMART input `product_offsets`",
                format!("ends at {last}; it must end at the number of cells ({n_cells})"),
            ));
        }
        Ok(())
    }
}

/// An owned SMART input table, convenient for building small cases; [`as_input`] lends
/// it to [`simulate`].
///
/// [`as_input`]: SmartData::as_input
#[derive(Clone, Debug, PartialEq)]
pub struct SmartData {
    /// See [`SmartInput::product_offsets`].
    pub product_offsets: Vec<usize>,
    /// See [`SmartInput::imports_usd`].
    pub imports_usd: Vec<f64>,
    /// See [`SmartInput::t0`].
    pub t0: Vec<f64>,
    /// See [`SmartInput::t1`].
    pub t1: Vec<f64>,
    /// See [`SmartInput::elasticities`].
    pub elasticities: Vec<SmartElasticities>,
}

impl Default for SmartData {
    fn default() -> SmartData {
        SmartData::new()
    }
}

impl SmartData {
    /// An empty table.
    pub fn new() -> SmartData {
        SmartData {
            product_offsets: vec![0],
            imports_usd: Vec::new(),
            t0: Vec::new(),
            t1: Vec::new(),
            elasticities: Vec::new(),
        }
    }

    /// Appends a product with its exporters given as `(M_k in USD, t0_k, t1_k)`; returns the
    /// product's index.
    pub fn push_product(
        &mut self,
        elasticities: SmartElasticities,
        exporters: impl IntoIterator<Item = (f64, f64, f64)>,
    ) -> usize {
        for (imports_usd, t0, t1) in exporters {
            self.imports_usd.push(imports_usd);
            self.t0.push(t0);
            self.t1.push(t1);
        }
        self.elasticities.push(elasticities);
        self.product_offsets.push(self.imports_usd.len());
        self.elasticities.len() - 1
    }

    /// Borrows the table as a [`SmartInput`].
    pub fn as_input(&self) -> SmartInput<'_> {
        SmartInput {
            product_offsets: &self.product_offsets,
            imports_usd: &self.imports_usd,
            t0: &self.t0,
            t1: &self.t1,
            elasticities: &self.elasticities,
        }
    }
}

/// Results for one product × exporter cell. Money in USD; `world_price_change` is a
/// proportion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SmartCell {
    /// `M_k`, base imports at world prices.
    pub imports_before_usd: f64,
    /// `TC_k`, trade creation (volume at base world prices).
    pub trade_creation_usd: f64,
    /// `TD_k`, trade diversion (volume at base world prices); sums to zero per product.
    pub trade_diversion_usd: f64,
    /// `V_k p*_k`, the value change from the exporter's world price (zero when `Ex = ∞`).
    pub price_effect_usd: f64,
    /// `M1_k = V_k (1 + p*_k)`, imports after, at the new world price.
    pub imports_after_usd: f64,
    /// `p*_k`, proportional change of the exporter's world price.
    pub world_price_change: f64,
    /// `t0_k M_k`.
    pub revenue_before_usd: f64,
    /// `t1_k M_k`: the new rate on the old imports (the pre-substitution, static revenue).
    pub revenue_static_usd: f64,
    /// `t1_k M1_k`: revenue after substitution.
    pub revenue_after_usd: f64,
    /// `ΔCS_k`, change in consumer surplus (negative when domestic prices rise).
    pub consumer_surplus_usd: f64,
}

/// Run-level counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SmartStats {
    /// Products simulated.
    pub n_products: usize,
    /// Cells simulated.
    pub n_cells: usize,
    /// Cells whose volume `M + TC + TD` came out negative and was set to zero: large
    /// tariff increases with [`CreationRule::Linear`], or creation and diversion that both
    /// pull imports away from the same source.
    pub n_clamped_cells: usize,
    /// The negative volume removed by that cut, USD (a positive number).
    pub clamped_usd: f64,
    /// The first clamped cell, for the user to inspect.
    pub first_clamped_cell: Option<usize>,
}

/// Results of a SMART run: one cell per input cell, in input order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SmartOutcome {
    /// Per-cell results.
    pub cells: Vec<SmartCell>,
    /// Counts, including clamped cells.
    pub stats: SmartStats,
}

/// Sums of [`SmartCell`] fields over a set of cells, with the effective tariff rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SmartTotals {
    /// Cells summed.
    pub n_cells: usize,
    /// Σ `M`.
    pub imports_before_usd: f64,
    /// Σ `TC`.
    pub trade_creation_usd: f64,
    /// Σ `TD`.
    pub trade_diversion_usd: f64,
    /// Σ price effect.
    pub price_effect_usd: f64,
    /// Σ `M1`.
    pub imports_after_usd: f64,
    /// Σ `t0 M`.
    pub revenue_before_usd: f64,
    /// Σ `t1 M`.
    pub revenue_static_usd: f64,
    /// Σ `t1 M1`.
    pub revenue_after_usd: f64,
    /// Σ `ΔCS`.
    pub consumer_surplus_usd: f64,
}

impl SmartTotals {
    /// Adds one cell.
    pub fn add(&mut self, cell: &SmartCell) {
        self.n_cells += 1;
        self.imports_before_usd += cell.imports_before_usd;
        self.trade_creation_usd += cell.trade_creation_usd;
        self.trade_diversion_usd += cell.trade_diversion_usd;
        self.price_effect_usd += cell.price_effect_usd;
        self.imports_after_usd += cell.imports_after_usd;
        self.revenue_before_usd += cell.revenue_before_usd;
        self.revenue_static_usd += cell.revenue_static_usd;
        self.revenue_after_usd += cell.revenue_after_usd;
        self.consumer_surplus_usd += cell.consumer_surplus_usd;
    }

    /// Adds another total.
    pub fn merge(&mut self, other: &SmartTotals) {
        self.n_cells += other.n_cells;
        self.imports_before_usd += other.imports_before_usd;
        self.trade_creation_usd += other.trade_creation_usd;
        self.trade_diversion_usd += other.trade_diversion_usd;
        self.price_effect_usd += other.price_effect_usd;
        self.imports_after_usd += other.imports_after_usd;
        self.revenue_before_usd += other.revenue_before_usd;
        self.revenue_static_usd += other.revenue_static_usd;
        self.revenue_after_usd += other.revenue_after_usd;
        self.consumer_surplus_usd += other.consumer_surplus_usd;
    }

    /// Base effective rate `Σ t0 M / Σ M`, percent (NaN when there are no imports).
    pub fn etr_base_pct(&self) -> f64 {
        100.0 * self.revenue_before_usd / self.imports_before_usd
    }

    /// Pre-substitution effective rate `Σ t1 M / Σ M`, percent: the tariff engine's static
    /// rate.
    pub fn etr_pre_pct(&self) -> f64 {
        100.0 * self.revenue_static_usd / self.imports_before_usd
    }

    /// Post-substitution effective rate `Σ t1 M1 / Σ M1`, percent.
    pub fn etr_post_pct(&self) -> f64 {
        100.0 * self.revenue_after_usd / self.imports_after_usd
    }

    /// Revenue change after substitution, `Σ t1 M1 − Σ t0 M`.
    pub fn revenue_change_usd(&self) -> f64 {
        self.revenue_after_usd - self.revenue_before_usd
    }

    /// Importer's net welfare from the product market: consumer surplus plus revenue change.
    pub fn net_welfare_usd(&self) -> f64 {
        self.consumer_surplus_usd + self.revenue_change_usd()
    }
}

impl SmartOutcome {
    /// Totals over all cells.
    pub fn totals(&self) -> SmartTotals {
        let mut totals = SmartTotals::default();
        for cell in &self.cells {
            totals.add(cell);
        }
        totals
    }

    /// Totals per group, where `group_of_cell[c]` is the group of cell `c` (for example a
    /// partner index, or a chapter index) and groups are `0..n_groups`. Cells whose group is
    /// `u32::MAX` are left out.
    pub fn group_totals(&self, group_of_cell: &[u32], n_groups: usize) -> Result<Vec<SmartTotals>, PeError> {
        if group_of_cell.len() != self.cells.len() {
            return Err(PeError::Shape {
                model: "SMART",
                name: "group_of_cell",
                expected: self.cells.len(),
                found: group_of_cell.len(),
                why: "one group per result cell",
            });
        }
        let mut totals = vec![SmartTotals::default(); n_groups];
        for (cell_idx, (cell, &group)) in self.cells.iter().zip(group_of_cell).enumerate() {
            if group == u32::MAX {
                continue;
            }
            let slot = totals.get_mut(group as usize).ok_or_else(|| {
                PeError::invalid(
                    format!("SMART `group_of_cell`, cell {cell_idx}"),
                    format!("group {group} is out of range; expected 0..{n_groups} or u32::MAX to leave the cell out"),
                )
            })?;
            slot.add(cell);
        }
        Ok(totals)
    }

    /// Totals per product, using the offsets of the input the outcome came from.
    pub fn product_totals(&self, product_offsets: &[usize]) -> Vec<SmartTotals> {
        product_offsets
            .windows(2)
            .map(|w| {
                let mut totals = SmartTotals::default();
                for cell in &self.cells[w[0]..w[1]] {
                    totals.add(cell);
                }
                totals
            })
            .collect()
    }
}

/// Runs SMART over every product of `input`.
pub fn simulate(input: &SmartInput<'_>, config: &SmartConfig) -> Result<SmartOutcome, PeError> {
    let mut cells = Vec::new();
    let stats = simulate_into(input, config, &mut cells)?;
    Ok(SmartOutcome { cells, stats })
}

/// Runs SMART into a caller-owned buffer (resized to the number of cells), so repeated
/// runs allocate nothing.
pub fn simulate_into(
    input: &SmartInput<'_>,
    config: &SmartConfig,
    cells: &mut Vec<SmartCell>,
) -> Result<SmartStats, PeError> {
    input.check_shape()?;
    cells.clear();
    cells.resize(input.n_cells(), SmartCell::default());
    let mut stats = SmartStats { n_products: input.n_products(), n_cells: input.n_cells(), ..SmartStats::default() };
    for (product, window) in input.product_offsets.windows(2).enumerate() {
        let range = window[0]..window[1];
        simulate_product(product, range.start, input, config, &mut cells[range], &mut stats)?;
    }
    Ok(stats)
}

/// The multipliers of the tariff-factor change in trade creation (`a`) and in the world
/// price (`b`): linear `TC = M·a·τ`, `p* = b·τ`; constant elasticity `M̂ = (1+τ)^a`,
/// `1 + p* = (1+τ)^b`. From `M̂ = Ex·p*` and `M̂ = Em·(p* + τ)`:
/// `a = Em·Ex/(Ex − Em)`, `b = Em/(Ex − Em)`.
fn supply_multipliers(em: f64, ex: f64) -> (f64, f64) {
    if ex.is_infinite() {
        (em, 0.0)
    } else if ex - em == 0.0 {
        // Em = Ex = 0: neither demand nor supply responds.
        (0.0, 0.0)
    } else {
        (em * ex / (ex - em), em / (ex - em))
    }
}

fn check_elasticities(product: usize, e: &SmartElasticities) -> Result<(), PeError> {
    let location = || format!("SMART product {product}");
    let describe = |symbol: &str, value: f64, what: &str| {
        if value.is_nan() {
            format!("{symbol} = NaN is not a number; {what}")
        } else {
            format!("{symbol} = {value} has the wrong sign; {what}")
        }
    };
    if !(e.em.is_finite() && e.em <= 0.0) {
        return Err(PeError::invalid(
            location(),
            describe("Em", e.em, "the import demand elasticity must be finite and <= 0"),
        ));
    }
    if !(e.es.is_finite() && e.es >= 0.0) {
        return Err(PeError::invalid(
            location(),
            describe("Es", e.es, "the substitution elasticity must be finite and >= 0"),
        ));
    }
    if e.ex.is_nan() || e.ex < 0.0 {
        return Err(PeError::invalid(
            location(),
            describe(
                "Ex",
                e.ex,
                "the export supply elasticity must be >= 0, or infinite (f64::INFINITY) for the small-country case",
            ),
        ));
    }
    Ok(())
}

fn check_cell(product: usize, cell: usize, first: usize, m: f64, t0: f64, t1: f64) -> Result<(), PeError> {
    let location = || format!("SMART product {product}, cell {cell} (exporter {} of the product)", cell - first);
    if !(m.is_finite() && m >= 0.0) {
        return Err(PeError::invalid(
            location(),
            format!("imports_usd = {m} is not valid; base imports must be finite and >= 0"),
        ));
    }
    for (name, t) in [("t0", t0), ("t1", t1)] {
        if !(t.is_finite() && t > -1.0) {
            return Err(PeError::invalid(
                location(),
                format!("{name} = {t} is not a tariff rate; expected a finite proportion > -1 (0.25 means 25%)"),
            ));
        }
    }
    Ok(())
}

/// One product. The caller passes the product's slice of the output buffer; `first` is the
/// index of its first cell in the input.
fn simulate_product(
    product: usize,
    first: usize,
    input: &SmartInput<'_>,
    config: &SmartConfig,
    out: &mut [SmartCell],
    stats: &mut SmartStats,
) -> Result<(), PeError> {
    let e = input.elasticities[product];
    check_elasticities(product, &e)?;
    let (a, b) = supply_multipliers(e.em, e.ex);
    let end = first + out.len();
    let imports = &input.imports_usd[first..end];
    let t0 = &input.t0[first..end];
    let t1 = &input.t1[first..end];

    // Pass 1: creation and world price per cell; the range of domestic price factors ρ.
    // The output cells hold intermediate values until pass 2: `world_price_change` = p*,
    // `trade_diversion_usd` = ρ.
    let mut total_m = 0.0;
    let (mut rho_min, mut rho_max) = (f64::INFINITY, 0.0_f64);
    for k in 0..out.len() {
        let (m, t0k, t1k) = (imports[k], t0[k], t1[k]);
        check_cell(product, first + k, first, m, t0k, t1k)?;
        let factor = (1.0 + t1k) / (1.0 + t0k);
        let tau = factor - 1.0;
        let (tc, p_star) = match config.creation {
            // Laird & Yeats (1986); WITS "trade creation effect": TC = M·Em·Δt/((1+t0)(1 − Em/Ex)).
            CreationRule::Linear => (m * a * tau, b * tau),
            CreationRule::ConstantElasticity => {
                let log_factor = factor.ln();
                (m * ((a * log_factor).exp() - 1.0), (b * log_factor).exp() - 1.0)
            }
        };
        if p_star <= -1.0 {
            // Only the linear rule can get here: p* = b·τ with b in [−1, 0) and a large τ.
            return Err(PeError::invalid(
                format!("SMART product {product}, cell {} (exporter {k} of the product)", first + k),
                format!(
                    "the linear world-price response p* = Em·τ/(Ex − Em) = {p_star:.4} leaves no positive world price \
                     (Em = {}, Ex = {}, t0 = {t0k}, t1 = {t1k}); use CreationRule::ConstantElasticity or a larger Ex",
                    e.em, e.ex
                ),
            ));
        }
        // Domestic price factor of this source: tariff factor times world price factor.
        let rho = factor * (1.0 + p_star);
        if m > 0.0 {
            total_m += m;
            rho_min = rho_min.min(rho);
            rho_max = rho_max.max(rho);
        }
        out[k] = SmartCell {
            imports_before_usd: m,
            trade_creation_usd: tc,
            trade_diversion_usd: rho,
            world_price_change: p_star,
            ..SmartCell::default()
        };
    }

    // Pass 2: diversion weights, kept in `price_effect_usd` until pass 3. Nothing to
    // reallocate when relative prices do not move.
    let diverts = e.es > 0.0 && total_m > 0.0 && rho_max > rho_min;
    let mut weighted = 0.0;
    if diverts {
        for (cell, &m) in out.iter_mut().zip(imports) {
            let rho = cell.trade_diversion_usd;
            let weight = match config.diversion {
                // Laird & Yeats (1986): the ratio of a source's imports to the reference
                // group's moves by 1 + Es·r, r = ρ_ref/ρ_k − 1, with the most-taxed source
                // as reference.
                DiversionRule::LairdYeats => 1.0 + e.es * (rho_max / rho - 1.0),
                // Armington CES share equation, normalised by ρ_min so weights are in (0, 1].
                DiversionRule::Ces => (e.es * (rho_min / rho).ln()).exp(),
            };
            cell.price_effect_usd = weight;
            weighted += m * weight;
        }
    }
    let scale = if diverts { total_m / weighted } else { 0.0 };

    // Pass 3: diversion, volumes, values, revenue, surplus.
    for k in 0..out.len() {
        let cell = &mut out[k];
        let (m, t0k, t1k) = (imports[k], t0[k], t1[k]);
        // TD_k = ΣM · M_k w_k / Σ M_j w_j − M_k.
        let td = if diverts && m > 0.0 { scale * m * cell.price_effect_usd - m } else { 0.0 };
        let p_star = cell.world_price_change;
        let raw_volume = m + cell.trade_creation_usd + td;
        let volume = if raw_volume < 0.0 {
            stats.n_clamped_cells += 1;
            stats.clamped_usd -= raw_volume;
            stats.first_clamped_cell.get_or_insert(first + k);
            0.0
        } else {
            raw_volume
        };
        let imports_after = volume * (1.0 + p_star);
        // Domestic price change per unit of base-value volume.
        let dp = (1.0 + t1k) * (1.0 + p_star) - (1.0 + t0k);
        cell.trade_diversion_usd = td;
        cell.price_effect_usd = volume * p_star;
        cell.imports_after_usd = imports_after;
        cell.revenue_before_usd = t0k * m;
        cell.revenue_static_usd = t1k * m;
        cell.revenue_after_usd = t1k * imports_after;
        cell.consumer_surplus_usd = -dp * (m + 0.5 * (volume - m));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-9;

    fn close(got: f64, want: f64) {
        assert!((got - want).abs() < TOL * want.abs().max(1.0), "got {got}, want {want}");
    }

    /// Two exporters of one product, small-country case (`Ex = ∞`), `Em = −1.5`, `Es = 2`.
    /// A: M = 100, t0 = t1 = 10%. B: M = 50, t0 = 10%, t1 = 21%.
    ///
    /// On paper:
    /// * τ_A = 0; τ_B = (0.21 − 0.10)/1.10 = 0.1.
    /// * TC_A = 0; TC_B = 50 · (−1.5) · 0.1 = −7.5.
    /// * ρ_A = 1, ρ_B = 1.1. A's price falls relative to B's: r = 1.1/1 − 1 = 0.1, so
    ///   TD_A = 100·50·2·0.1 / (100 + 50 + 100·2·0.1) = 1000/170 = 5.882352941…, TD_B = −TD_A.
    /// * V_A = 105.882352941, V_B = 50 − 7.5 − 5.882352941 = 36.617647059; p* = 0.
    /// * Revenue before 10 + 5 = 15; static 10 + 10.5 = 20.5; after
    ///   0.10·105.882352941 + 0.21·36.617647059 = 10.588235294 + 7.689705882 = 18.277941176.
    /// * ETR pre = 20.5/150 = 13.6667%; post = 18.277941176/142.5 = 12.826625387%.
    /// * ΔCS_B = −(1.21 − 1.10)·(50 + ½(36.617647059 − 50)) = −0.11 · 43.308823529
    ///   = −4.763970588; ΔCS_A = 0 (its price does not move).
    #[test]
    fn two_exporters_by_hand_laird_yeats() {
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -1.5, es: 2.0, ex: f64::INFINITY }, [(100.0, 0.10, 0.10), (50.0, 0.10, 0.21)]);
        let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
        let (a, b) = (out.cells[0], out.cells[1]);
        close(a.trade_creation_usd, 0.0);
        close(b.trade_creation_usd, -7.5);
        close(a.trade_diversion_usd, 1000.0 / 170.0);
        close(b.trade_diversion_usd, -1000.0 / 170.0);
        close(a.imports_after_usd, 105.882352941176);
        close(b.imports_after_usd, 36.617647058824);
        close(a.world_price_change, 0.0);
        close(b.price_effect_usd, 0.0);
        let totals = out.totals();
        close(totals.revenue_before_usd, 15.0);
        close(totals.revenue_static_usd, 20.5);
        close(totals.revenue_after_usd, 18.277941176471);
        close(totals.imports_after_usd, 142.5);
        close(totals.etr_pre_pct(), 13.666666666667);
        close(totals.etr_post_pct(), 12.826625386997);
        assert!(totals.etr_post_pct() < totals.etr_pre_pct());
        close(a.consumer_surplus_usd, 0.0);
        close(b.consumer_surplus_usd, -4.763970588235);
        assert_eq!(out.stats.n_clamped_cells, 0);
    }

    /// Same product under the CES rule: D_A/D_B = (100/50)·1.1² = 2.42, so
    /// D_A = 150 · 2.42/3.42 = 106.140350877, TD_A = 6.140350877.
    #[test]
    fn two_exporters_by_hand_ces() {
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -1.5, es: 2.0, ex: f64::INFINITY }, [(100.0, 0.10, 0.10), (50.0, 0.10, 0.21)]);
        let config = SmartConfig { diversion: DiversionRule::Ces, ..SmartConfig::default() };
        let out = simulate(&data.as_input(), &config).unwrap();
        close(out.cells[0].trade_diversion_usd, 150.0 * 2.42 / 3.42 - 100.0);
        close(out.cells[1].trade_diversion_usd, -(150.0 * 2.42 / 3.42 - 100.0));
    }

    /// Laird–Yeats with two groups: beneficiaries A1, A2 (cut from 20% to 0%), the rest B1,
    /// B2 unchanged at 20%. ρ_A = 1/1.2, ρ_B = 1, r = ρ_B/ρ_A − 1 = 0.2; Es = 1.5.
    /// ΣM_A = 30 + 10 = 40, ΣM_K = 60 + 20 = 80:
    /// TD_A = 40·80·1.5·0.2 / (40 + 80 + 40·1.5·0.2) = 960/132 = 7.272727…, shared 3:1
    /// between A1 and A2; −7.272727… shared 3:1 between B1 and B2.
    #[test]
    fn laird_yeats_group_formula_is_reproduced() {
        let mut data = SmartData::new();
        data.push_product(
            SmartElasticities { em: 0.0, es: 1.5, ex: f64::INFINITY },
            [(30.0, 0.2, 0.0), (60.0, 0.2, 0.2), (10.0, 0.2, 0.0), (20.0, 0.2, 0.2)],
        );
        let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
        let td = 960.0 / 132.0;
        close(out.cells[0].trade_diversion_usd, 0.75 * td);
        close(out.cells[2].trade_diversion_usd, 0.25 * td);
        close(out.cells[1].trade_diversion_usd, -0.75 * td);
        close(out.cells[3].trade_diversion_usd, -0.25 * td);
    }

    /// Finite export supply, one exporter: Em = −2, Ex = 3, M = 100, t0 = 0, t1 = 20%.
    /// τ = 0.2; TC = 100·(−2)·0.2/(1 + 2/3) = −24; p* = −2·0.2/(3 + 2) = −0.08 (the
    /// exporter absorbs 8 points of the 20); check on the supply curve: V = 100(1 + 3·(−0.08))
    /// = 76 = 100 − 24. M1 = 76 · 0.92 = 69.92; price effect = 76·(−0.08) = −6.08;
    /// R1 = 0.2 · 69.92 = 13.984; Δp = 1.2·0.92 − 1 = 0.104; ΔCS = −0.104·(100 − 12) = −9.152.
    #[test]
    fn finite_export_supply_by_hand() {
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -2.0, es: 1.5, ex: 3.0 }, [(100.0, 0.0, 0.2)]);
        let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
        let c = out.cells[0];
        close(c.trade_creation_usd, -24.0);
        close(c.world_price_change, -0.08);
        close(c.trade_diversion_usd, 0.0);
        close(c.imports_after_usd, 69.92);
        close(c.price_effect_usd, -6.08);
        close(c.revenue_after_usd, 13.984);
        close(c.consumer_surplus_usd, -9.152);
    }

    /// Constant-elasticity creation for the same case: M̂ = 1.2^(−1.2), 1 + p* = 1.2^(−0.4).
    #[test]
    fn constant_elasticity_creation() {
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -2.0, es: 1.5, ex: 3.0 }, [(100.0, 0.0, 0.2)]);
        let config = SmartConfig { creation: CreationRule::ConstantElasticity, ..SmartConfig::default() };
        let c = simulate(&data.as_input(), &config).unwrap().cells[0];
        close(c.trade_creation_usd, 100.0 * (1.2_f64.powf(-1.2) - 1.0));
        close(c.world_price_change, 1.2_f64.powf(-0.4) - 1.0);
    }

    #[test]
    fn zero_elasticities_move_nothing() {
        for ex in [f64::INFINITY, 2.0, 0.0] {
            for config in [
                SmartConfig::default(),
                SmartConfig { creation: CreationRule::ConstantElasticity, diversion: DiversionRule::Ces },
            ] {
                let mut data = SmartData::new();
                data.push_product(SmartElasticities { em: 0.0, es: 0.0, ex }, [(100.0, 0.0, 0.5), (40.0, 0.1, 0.0), (7.0, 0.0, 0.0)]);
                let out = simulate(&data.as_input(), &config).unwrap();
                for (c, m) in out.cells.iter().zip([100.0, 40.0, 7.0]) {
                    assert_eq!(c.trade_creation_usd, 0.0);
                    assert_eq!(c.trade_diversion_usd, 0.0);
                    assert_eq!(c.world_price_change, 0.0);
                    assert_eq!(c.imports_after_usd, m);
                }
                // Revenue still follows the rate: the new rate on unchanged imports.
                assert_eq!(out.cells[0].revenue_after_usd, 50.0);
                assert_eq!(out.cells[1].revenue_after_usd, 0.0);
            }
        }
    }

    #[test]
    fn zero_export_supply_passes_the_tariff_to_the_world_price() {
        // Ex = 0: supply cannot move, so the exporter's price falls by the whole tariff factor.
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -3.0, es: 0.0, ex: 0.0 }, [(100.0, 0.0, 0.25)]);
        let c = simulate(&data.as_input(), &SmartConfig::default()).unwrap().cells[0];
        assert_eq!(c.trade_creation_usd, 0.0);
        close(c.world_price_change, -0.25);
    }

    #[test]
    fn linear_world_price_below_zero_is_an_error() {
        // Em = −5, Ex = 1: b = −5/6; a tariff factor rise of 145% gives p* = −1.208.
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -5.0, es: 0.0, ex: 1.0 }, [(100.0, 0.0, 1.45)]);
        let err = simulate(&data.as_input(), &SmartConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SMART product 0, cell 0 (exporter 0 of the product): the linear world-price response p* = Em·τ/(Ex − Em) = -1.2083 leaves no positive world price (Em = -5, Ex = 1, t0 = 0, t1 = 1.45); use CreationRule::ConstantElasticity or a larger Ex"
        );
        let config = SmartConfig { creation: CreationRule::ConstantElasticity, ..SmartConfig::default() };
        let c = simulate(&data.as_input(), &config).unwrap().cells[0];
        close(c.world_price_change, 2.45_f64.powf(-5.0 / 6.0) - 1.0);
    }

    #[test]
    fn large_increases_are_clamped_and_counted() {
        // Em = −4 and a 50% tariff factor increase: TC = −200 on 100 of imports.
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -4.0, es: 0.0, ex: f64::INFINITY }, [(100.0, 0.0, 0.5)]);
        let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
        assert_eq!(out.cells[0].imports_after_usd, 0.0);
        assert_eq!(out.stats.n_clamped_cells, 1);
        close(out.stats.clamped_usd, 100.0);
        assert_eq!(out.stats.first_clamped_cell, Some(0));
    }

    #[test]
    fn group_totals_and_bad_groups() {
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -1.5, es: 2.0, ex: f64::INFINITY }, [(100.0, 0.10, 0.10), (50.0, 0.10, 0.21)]);
        data.push_product(SmartElasticities { em: -1.0, es: 0.0, ex: f64::INFINITY }, [(10.0, 0.0, 0.0)]);
        let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
        let groups = out.group_totals(&[0, 1, 0], 2).unwrap();
        close(groups[0].imports_before_usd, 110.0);
        close(groups[1].trade_creation_usd, -7.5);
        let products = out.product_totals(&data.product_offsets);
        close(products[0].trade_diversion_usd, 0.0);
        let err = out.group_totals(&[0, 5, 0], 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SMART `group_of_cell`, cell 1: group 5 is out of range; expected 0..2 or u32::MAX to leave the cell out"
        );
    }

    #[test]
    fn bad_inputs_have_exact_messages() {
        let good = SmartElasticities { em: -1.0, es: 1.0, ex: f64::INFINITY };
        let run = |e: SmartElasticities, cells: Vec<(f64, f64, f64)>| {
            let mut data = SmartData::new();
            data.push_product(good, [(1.0, 0.0, 0.0)]);
            data.push_product(e, cells);
            simulate(&data.as_input(), &SmartConfig::default()).unwrap_err().to_string()
        };
        assert_eq!(
            run(SmartElasticities { em: 0.8, ..good }, vec![(1.0, 0.0, 0.0)]),
            "SMART product 1: Em = 0.8 has the wrong sign; the import demand elasticity must be finite and <= 0"
        );
        assert_eq!(
            run(SmartElasticities { es: -2.0, ..good }, vec![(1.0, 0.0, 0.0)]),
            "SMART product 1: Es = -2 has the wrong sign; the substitution elasticity must be finite and >= 0"
        );
        assert_eq!(
            run(SmartElasticities { ex: -1.0, ..good }, vec![(1.0, 0.0, 0.0)]),
            "SMART product 1: Ex = -1 has the wrong sign; the export supply elasticity must be >= 0, or infinite (f64::INFINITY) for the small-country case"
        );
        assert_eq!(
            run(SmartElasticities { em: f64::NAN, ..good }, vec![(1.0, 0.0, 0.0)]),
            "SMART product 1: Em = NaN is not a number; the import demand elasticity must be finite and <= 0"
        );
        assert_eq!(
            run(good, vec![(1.0, 0.0, 0.0), (-5.0, 0.0, 0.0)]),
            "SMART product 1, cell 2 (exporter 1 of the product): imports_usd = -5 is not valid; base imports must be finite and >= 0"
        );
        assert_eq!(
            run(good, vec![(1.0, 0.0, -1.5)]),
            "SMART product 1, cell 1 (exporter 0 of the product): t1 = -1.5 is not a tariff rate; expected a finite proportion > -1 (0.25 means 25%)"
        );
    }

    #[test]
    fn bad_shapes_have_exact_messages() {
        let e = [SmartElasticities { em: -1.0, es: 1.0, ex: f64::INFINITY }];
        let m = [1.0, 2.0];
        let t = [0.0, 0.0];
        let input = SmartInput { product_offsets: &[0, 2], imports_usd: &m, t0: &t, t1: &t[..1], elasticities: &e };
        assert_eq!(
            simulate(&input, &SmartConfig::default()).unwrap_err().to_string(),
            "SMART input: `t1` has 1 entries, expected 2 (one entry per product × exporter cell, like `imports_usd`)"
        );
        let input = SmartInput { product_offsets: &[0, 1], imports_usd: &m, t0: &t, t1: &t, elasticities: &e };
        assert_eq!(
            simulate(&input, &SmartConfig::default()).unwrap_err().to_string(),
            "SMART input `product_offsets`: ends at 1; it must end at the number of cells (2)"
        );
        let input = SmartInput { product_offsets: &[0], imports_usd: &m, t0: &t, t1: &t, elasticities: &e };
        assert_eq!(
            simulate(&input, &SmartConfig::default()).unwrap_err().to_string(),
            "SMART input: `product_offsets` has 1 entries, expected 2 (one more than the number of products in `elasticities`)"
        );
    }
}
