//! Published results of Caliendo & Parro (2015), for reproductions (`kanzei validate`) and
//! tests.

/// One row of CP (2015) Table 2, "Welfare effects from NAFTA's tariff reductions" (percent,
/// two decimals as published).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Table2Row {
    /// Country code (ISO3).
    pub country: &'static str,
    /// Total welfare change (ToT + VoT).
    pub welfare_pct: f64,
    /// Terms of trade.
    pub tot_pct: f64,
    /// Volume of trade.
    pub vot_pct: f64,
    /// Real wages.
    pub real_wage_pct: f64,
}

/// CP (2015) Table 2 (also the cp2015 R port's test expectations). The experiment: tariffs
/// among Canada, Mexico and the U.S. set to their 2005 values, all others at 1993, on the
/// zero-aggregate-deficit 1993 baseline.
pub const TABLE_2: [Table2Row; 3] = [
    Table2Row { country: "MEX", welfare_pct: 1.31, tot_pct: -0.41, vot_pct: 1.72, real_wage_pct: 1.72 },
    Table2Row { country: "CAN", welfare_pct: -0.06, tot_pct: -0.11, vot_pct: 0.04, real_wage_pct: 0.32 },
    Table2Row { country: "USA", welfare_pct: 0.08, tot_pct: 0.04, vot_pct: 0.04, real_wage_pct: 0.11 },
];

/// A result reproduces a published two-decimal figure when it rounds to it:
/// |ours − published| ≤ 0.005 (plus 1e-9 at the rounding boundary).
pub const TWO_DECIMALS: f64 = 0.005 + 1e-9;
