//! An input–output table as plain row-major vectors: what the loaders in `kanzei-data`
//! produce and what `kanzei_mrio::Mrio::new` checks and factorises. Data only, no arithmetic
//! beyond indexing.

/// A table as plain row-major vectors, the form a loader produces. `kanzei_mrio::Mrio::new`
/// checks it and turns it into a model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MrioTable {
    /// Region codes in table order (ISO3 for WIOD and OECD ICIO).
    pub regions: Vec<String>,
    /// Sector codes in table order (`c1`…`c35` for WIOD 2013).
    pub sectors: Vec<String>,
    /// Final-demand categories per region, in column order.
    pub final_demand_categories: Vec<String>,
    /// Unit of every monetary value ("USD millions").
    pub unit: String,
    /// Intermediate use, row-major N × N: `z[i·N + j]` is what industry `i` sells to `j`.
    pub z: Vec<f64>,
    /// Final demand, row-major N × R·K.
    pub y: Vec<f64>,
    /// Gross output as published, N; `None` computes it as `Z·1 + Y·1` (pymrio `calc_x`).
    pub x: Option<Vec<f64>>,
    /// Value added by industry, N, when the table publishes a VA row; `None` uses the
    /// residual `x − Z'1`.
    pub value_added: Option<Vec<f64>>,
    /// Satellite accounts.
    pub extensions: Vec<ExtensionTable>,
    /// Population by region (for pymrio's per-capita accounts), R.
    pub population: Option<Vec<f64>>,
}

/// A satellite account as plain row-major vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExtensionTable {
    /// Name (`factor_inputs`, `emissions`).
    pub name: String,
    /// Row labels (`Value Added`, `emission_type1|air`).
    pub rows: Vec<String>,
    /// Unit of each row.
    pub units: Vec<String>,
    /// Factor use by industry, row-major rows × N.
    pub f: Vec<f64>,
    /// Factor use by final demand, row-major rows × R·K, if any.
    pub f_y: Option<Vec<f64>>,
}

impl MrioTable {
    /// N.
    pub fn n_industries(&self) -> usize {
        self.regions.len() * self.sectors.len()
    }

    /// `REGION_SECTOR` of industry `i`.
    pub fn industry_label(&self, i: usize) -> String {
        let s = self.sectors.len();
        format!("{}_{}", self.regions[i / s], self.sectors[i % s])
    }
}
