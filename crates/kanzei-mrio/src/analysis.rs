//! One entry point for the questions the CLI asks of a table: value added by origin in a
//! bilateral export flow, an origin's exposure through an importer's suppliers, and the
//! Borin & Mancini decomposition of a flow. [`ValueAddedModel`] factors `I − A` once and
//! answers each question with LU solves, never forming the full inverse.
//!
//! Definitions and references: see [`crate::decompose`].

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::decompose::{
    decompose_bilateral, exposure, gross_exports, sum_by_region, va_by_origin, BilateralDecomposition,
    BorinMancini, Exposure,
};
use crate::error::MrioError;
use crate::leontief::{value_added_coefficients, Leontief};
use crate::table::Mrio;

/// One origin's value added in a flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OriginShare {
    /// Origin region.
    pub origin: String,
    /// Its value added in the flow, in the table's unit.
    pub va: f64,
    /// `100 · va / gross exports`.
    pub share_pct: f64,
}

/// Value added by origin in one bilateral flow (Johnson & Noguera 2012; Koopman, Wang &
/// Wei 2014: `diag(v)·L·e`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VaInExports {
    /// Exporting region.
    pub exporter: String,
    /// Importing region.
    pub importer: String,
    /// Exporting sector, or `None` for all sectors.
    pub sector: Option<String>,
    /// Unit of `gross_exports` and `va` ("USD millions").
    pub unit: String,
    /// Gross exports (intermediate + final).
    pub gross_exports: f64,
    /// Value added by origin region, in table order (shares sum to 100).
    pub by_origin: Vec<OriginShare>,
    /// Value added by origin industry (N values, `REGION_SECTOR` order).
    pub by_origin_industry: Vec<f64>,
}

/// A table with `I − A` factored, value-added coefficients and bilateral exports.
pub struct ValueAddedModel {
    mrio: Mrio,
    leontief: Leontief,
    v: Vec<f64>,
    exports: Mat<f64>,
}

impl ValueAddedModel {
    /// Factors the table (errors: singular `I − A`).
    pub fn new(mrio: Mrio) -> Result<ValueAddedModel, MrioError> {
        let leontief = Leontief::new(&mrio)?;
        let v = value_added_coefficients(&mrio, leontief.a());
        let exports = gross_exports(&mrio);
        Ok(ValueAddedModel { mrio, leontief, v, exports })
    }

    /// The table.
    pub fn mrio(&self) -> &Mrio {
        &self.mrio
    }

    /// The factored Leontief model.
    pub fn leontief(&self) -> &Leontief {
        &self.leontief
    }

    /// Value-added coefficients `v`.
    pub fn v(&self) -> &[f64] {
        &self.v
    }

    /// Bilateral gross exports (N × R), see [`gross_exports`].
    pub fn exports(&self) -> &Mat<f64> {
        &self.exports
    }

    /// Value added by origin in `exporter`'s exports to `importer` (one sector or all).
    pub fn va_in_exports(&self, exporter: &str, importer: &str, sector: Option<&str>) -> Result<VaInExports, MrioError> {
        let s = self.mrio.region_index(exporter)?;
        let r = self.mrio.region_index(importer)?;
        if s == r {
            return Err(MrioError::Invalid {
                message: format!("exporter and importer are both `{}`; a bilateral flow needs two regions", self.mrio.regions()[s]),
            });
        }
        let n_sectors = self.mrio.n_sectors();
        let sectors: Vec<usize> = match sector {
            Some(code) => vec![self.mrio.sector_index(code)?],
            None => (0..n_sectors).collect(),
        };
        let mut e = vec![0.0; self.mrio.n_industries()];
        for &k in &sectors {
            let i = self.mrio.industry_index(s, k);
            e[i] = self.exports[(i, r)];
        }
        let gross: f64 = e.iter().sum();
        let va = va_by_origin(&self.leontief, &self.v, &e)?;
        let by_region = sum_by_region(&self.mrio, &va);
        let by_origin = self
            .mrio
            .regions()
            .iter()
            .zip(&by_region)
            .map(|(origin, &va)| OriginShare {
                origin: origin.clone(),
                va,
                share_pct: if gross == 0.0 { 0.0 } else { 100.0 * va / gross },
            })
            .collect();
        Ok(VaInExports {
            exporter: self.mrio.regions()[s].clone(),
            importer: self.mrio.regions()[r].clone(),
            sector: sector.map(|_| self.mrio.sectors()[sectors[0]].clone()),
            unit: self.mrio.unit().to_string(),
            gross_exports: gross,
            by_origin,
            by_origin_industry: va,
        })
    }

    /// `origin`'s value added in `importer`'s imports from each exporter, see [`exposure`].
    pub fn exposure(&self, origin: &str, importer: &str) -> Result<Exposure, MrioError> {
        exposure(&self.mrio, &self.leontief, &self.v, &self.exports, origin, importer)
    }

    /// Borin & Mancini (2019) source-based decomposition of `exporter` → `importer`
    /// (one sector or all), from `S` column solves.
    pub fn decompose(&self, exporter: &str, importer: &str, sector: Option<&str>) -> Result<BilateralDecomposition, MrioError> {
        let coefficients = BorinMancini::for_exporter(&self.mrio, &self.leontief, &self.v, exporter)?;
        decompose_bilateral(&self.mrio, &coefficients, &self.exports, importer, sector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::tests::small_table;

    #[test]
    fn shares_add_to_one_hundred_and_codes_are_checked() {
        let model = ValueAddedModel::new(Mrio::new(small_table()).unwrap()).unwrap();
        let flow = model.va_in_exports("AAA", "BBB", Some("s1")).unwrap();
        // AAA_s1 → BBB: Z to BBB (50 + 25) + Y to BBB (275) = 350.
        assert_eq!(flow.gross_exports, 350.0);
        let total: f64 = flow.by_origin.iter().map(|o| o.share_pct).sum();
        assert!((total - 100.0).abs() < 1e-12);
        let d = model.decompose("AAA", "BBB", None).unwrap();
        assert!((d.total() - d.gross_exports).abs() < 1e-12 * d.gross_exports);
        assert_eq!(
            model.va_in_exports("AAA", "BBB", Some("c15")).unwrap_err().to_string(),
            "unknown sector `c15`; expected one of s1, s2"
        );
        assert_eq!(
            model.exposure("ZZZ", "BBB").unwrap_err().to_string(),
            "unknown region `ZZZ`; expected one of AAA, BBB"
        );
    }
}
