//! GSIM inputs from CSV files laid out like `../shared/data/raw/gsim_4region_example`:
//!
//! * flows (`trade_flows_M.csv`): header `exporter,<importer>…`, one row per exporter,
//!   `M_vr` at world prices;
//! * initial and final tariff powers (`tariff_power_initial_T0.csv`,
//!   `tariff_power_final_T1_*.csv`): the same shape and labels, `T = 1 + t`;
//! * elasticities (`elasticities.csv`): `region,import_demand_Em,export_supply_Ex,substitution_Es`,
//!   one row per region; importers need `Em` and `Es`, exporters `Ex`.
//!
//! Every check names the file, line and column: matrices whose labels or sizes differ from
//! the flows, negative flows, tariff powers that are not positive, elasticities of the
//! wrong sign (`Em <= 0`, `Es >= 0`, `Ex >= 0`; `inf` allowed for `Ex`). The result holds
//! plain vectors in the layout `kanzei_pe::gsim::GsimData` takes.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::ElasticityKind;
use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// GSIM inputs read from CSV.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GsimInputs {
    /// Exporters (matrix rows), in file order.
    pub exporters: Vec<String>,
    /// Importers (matrix columns), in file order.
    pub importers: Vec<String>,
    /// `M_vr`, row-major by exporter.
    pub flows: Vec<f64>,
    /// `T0_vr`, row-major by exporter.
    pub t0: Vec<f64>,
    /// `T1_vr`, row-major by exporter.
    pub t1: Vec<f64>,
    /// `Em_r` per importer.
    pub em: Vec<f64>,
    /// `Es_r` per importer.
    pub es: Vec<f64>,
    /// `Ex_v` per exporter.
    pub ex: Vec<f64>,
    /// The files read: flows, T0, T1, elasticities.
    pub files: [String; 4],
}

struct Matrix {
    rows: Vec<String>,
    row_lines: Vec<u64>,
    columns: Vec<String>,
    values: Vec<f64>,
}

#[derive(Clone, Copy)]
enum MatrixKind {
    Flows,
    TariffPower,
}

fn parse_matrix<R: Read>(file: &str, source: R, kind: MatrixKind) -> Result<Matrix, DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let headers = table.headers().to_vec();
    if headers.len() < 2 {
        return Err(DataError::Csv {
            file: file.into(),
            line: 1,
            message: format!("the header has {} column(s); expected a label column and one column per importer", headers.len()),
        });
    }
    let columns = headers[1..].to_vec();
    let mut matrix = Matrix { rows: Vec::new(), row_lines: Vec::new(), columns, values: Vec::new() };
    while let Some(row) = table.next_row()? {
        let name = row.str(0).to_string();
        if let Some(previous) = matrix.rows.iter().position(|r| *r == name) {
            return Err(row.error(
                0,
                format!("exporter `{name}` appears twice (first on line {}); one row per exporter", matrix.row_lines[previous]),
            ));
        }
        for idx in 1..row.len() {
            let value = row.f64(idx)?;
            match kind {
                MatrixKind::Flows if value < 0.0 => {
                    return Err(row.error(idx, format!("{value} is negative; flows must be >= 0")));
                }
                MatrixKind::TariffPower if value <= 0.0 => {
                    return Err(row.error(
                        idx,
                        format!("{value} is not a tariff power; T = 1 + t must be > 0 (a 10% tariff is 1.10)"),
                    ));
                }
                _ => {}
            }
            matrix.values.push(value);
        }
        matrix.rows.push(name);
        matrix.row_lines.push(row.line());
    }
    Ok(matrix)
}

/// Checks that `other` has the flows' importers and exporters, in the same order.
fn check_same_shape(flows_file: &str, flows: &Matrix, file: &str, other: &Matrix) -> Result<(), DataError> {
    if other.columns != flows.columns {
        return Err(DataError::Csv {
            file: file.into(),
            line: 1,
            message: format!(
                "importer columns ({}) do not match `{flows_file}` ({}); every matrix must have the same importers in the same order",
                other.columns.join(", "),
                flows.columns.join(", ")
            ),
        });
    }
    for (idx, name) in other.rows.iter().enumerate() {
        match flows.rows.get(idx) {
            Some(expected) if expected == name => {}
            Some(expected) => {
                return Err(DataError::Malformed {
                    file: file.into(),
                    line: other.row_lines[idx],
                    column: "exporter".into(),
                    message: format!(
                        "`{name}` where `{flows_file}` has `{expected}`; every matrix must have the same exporters in the same order"
                    ),
                });
            }
            None => {
                return Err(DataError::Malformed {
                    file: file.into(),
                    line: other.row_lines[idx],
                    column: "exporter".into(),
                    message: format!(
                        "extra exporter `{name}`; `{flows_file}` has {} exporters ({})",
                        flows.rows.len(),
                        flows.rows.join(", ")
                    ),
                });
            }
        }
    }
    if other.rows.len() < flows.rows.len() {
        return Err(DataError::Csv {
            file: file.into(),
            line: other.row_lines.last().copied().unwrap_or(1),
            message: format!(
                "has {} exporter rows, `{flows_file}` has {} ({}); every matrix must have the same exporters in the same order",
                other.rows.len(),
                flows.rows.len(),
                flows.rows.join(", ")
            ),
        });
    }
    Ok(())
}

/// Parses the four inputs from readers; each pair is `(file name for messages, reader)`.
pub fn parse<R1: Read, R2: Read, R3: Read, R4: Read>(
    flows: (&str, R1),
    t0: (&str, R2),
    t1: (&str, R3),
    elasticities: (&str, R4),
) -> Result<GsimInputs, DataError> {
    let flows_file = flows.0;
    let m = parse_matrix(flows.0, flows.1, MatrixKind::Flows)?;
    let m0 = parse_matrix(t0.0, t0.1, MatrixKind::TariffPower)?;
    check_same_shape(flows_file, &m, t0.0, &m0)?;
    let m1 = parse_matrix(t1.0, t1.1, MatrixKind::TariffPower)?;
    check_same_shape(flows_file, &m, t1.0, &m1)?;

    let file = elasticities.0;
    let mut table = Table::new(file, elasticities.1, TableOptions::default())?;
    let cols = table.require(&["region", "import_demand_Em", "export_supply_Ex", "substitution_Es"])?;
    let mut regions: Vec<(String, f64, f64, f64, u64)> = Vec::new();
    while let Some(row) = table.next_row()? {
        let region = row.str(cols[0]).to_string();
        if let Some(previous) = regions.iter().find(|r| r.0 == region) {
            return Err(row.error(cols[0], format!("region `{region}` appears twice (first on line {})", previous.4)));
        }
        let mut values = [0.0; 3];
        for (slot, (col, kind)) in values.iter_mut().zip([
            (cols[1], ElasticityKind::ImportDemand),
            (cols[2], ElasticityKind::ExportSupply),
            (cols[3], ElasticityKind::Substitution),
        ]) {
            let text = row.str(col);
            let value = if kind == ElasticityKind::ExportSupply && matches!(text.to_ascii_lowercase().as_str(), "inf" | "infinity") {
                f64::INFINITY
            } else {
                row.f64(col)?
            };
            kind.check(value).map_err(|message| row.error(col, message))?;
            *slot = value;
        }
        regions.push((region, values[0], values[1], values[2], row.line()));
    }
    let find = |name: &str, role: &str| {
        regions.iter().find(|r| r.0 == name).ok_or_else(|| DataError::NotAvailable {
            message: format!("`{file}` has no row for region `{name}`, which is an {role} in `{flows_file}`"),
        })
    };
    let mut em = Vec::new();
    let mut es = Vec::new();
    for importer in &m.columns {
        let row = find(importer, "importer")?;
        em.push(row.1);
        es.push(row.3);
    }
    let mut ex = Vec::new();
    for exporter in &m.rows {
        ex.push(find(exporter, "exporter")?.2);
    }
    Ok(GsimInputs {
        exporters: m.rows,
        importers: m.columns,
        flows: m.values,
        t0: m0.values,
        t1: m1.values,
        em,
        es,
        ex,
        files: [flows.0.into(), t0.0.into(), t1.0.into(), elasticities.0.into()],
    })
}

/// Reads the four files given by path.
pub fn read_files(flows: &Path, t0: &Path, t1: &Path, elasticities: &Path) -> Result<GsimInputs, DataError> {
    let name = |p: &Path| p.display().to_string();
    parse(
        (&name(flows), read::open(flows)?),
        (&name(t0), read::open(t0)?),
        (&name(t1), read::open(t1)?),
        (&name(elasticities), read::open(elasticities)?),
    )
}

/// Reads a folder laid out like `gsim_4region_example`: `trade_flows_M.csv`,
/// `tariff_power_initial_T0.csv`, exactly one `tariff_power_final_T1*.csv`, and
/// `elasticities.csv`. Messages name the files relative to the folder.
pub fn read_dir(dir: &Path) -> Result<GsimInputs, DataError> {
    let entries = std::fs::read_dir(dir).map_err(|e| DataError::io(dir, e))?;
    let mut finals: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("tariff_power_final_T1") && n.ends_with(".csv"))
        .collect();
    finals.sort();
    if finals.len() != 1 {
        return Err(DataError::NotAvailable {
            message: format!(
                "`{}` must hold exactly one `tariff_power_final_T1*.csv` scenario file; found {}",
                dir.display(),
                if finals.is_empty() { "none".to_string() } else { finals.join(", ") }
            ),
        });
    }
    let open = |name: &str| read::open(&dir.join(name));
    parse(
        ("trade_flows_M.csv", open("trade_flows_M.csv")?),
        ("tariff_power_initial_T0.csv", open("tariff_power_initial_T0.csv")?),
        (&finals[0], open(&finals[0])?),
        ("elasticities.csv", open("elasticities.csv")?),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOWS: &str = "exporter,US,EU\nUS,0,200\nEU,300,200\n";
    const T0: &str = "exporter,US,EU\nUS,1.00,1.41\nEU,1.32,1.00\n";
    const T1: &str = "exporter,US,EU\nUS,1.00,1.00\nEU,1.00,1.00\n";
    const E: &str = "region,import_demand_Em,export_supply_Ex,substitution_Es\nUS,-1.25,1.5,5\nEU,-1.25,inf,5\n";

    fn run(flows: &str, t0: &str, t1: &str, e: &str) -> Result<GsimInputs, DataError> {
        parse(
            ("trade_flows_M.csv", flows.as_bytes()),
            ("tariff_power_initial_T0.csv", t0.as_bytes()),
            ("tariff_power_final_T1.csv", t1.as_bytes()),
            ("elasticities.csv", e.as_bytes()),
        )
    }

    #[test]
    fn reads_a_small_case() {
        let inputs = run(FLOWS, T0, T1, E).unwrap();
        assert_eq!(inputs.exporters, ["US", "EU"]);
        assert_eq!(inputs.flows, [0.0, 200.0, 300.0, 200.0]);
        assert_eq!(inputs.t0[1], 1.41);
        assert_eq!(inputs.em, [-1.25, -1.25]);
        assert!(inputs.ex[1].is_infinite());
    }

    #[test]
    fn bad_inputs_name_file_and_cell() {
        let err = |flows: &str, t0: &str, t1: &str, e: &str| run(flows, t0, t1, e).unwrap_err().to_string();
        assert_eq!(
            err("exporter,US,EU\nUS,0,200\nEU,-5,200\n", T0, T1, E),
            "`trade_flows_M.csv` line 3, column `US`: -5 is negative; flows must be >= 0"
        );
        assert_eq!(
            err(FLOWS, "exporter,US,EU\nUS,1.00,0\nEU,1.32,1.00\n", T1, E),
            "`tariff_power_initial_T0.csv` line 2, column `EU`: 0 is not a tariff power; T = 1 + t must be > 0 (a 10% tariff is 1.10)"
        );
        assert_eq!(
            err(FLOWS, T0, "exporter,US\nUS,1.00\nEU,1.00\n", E),
            "`tariff_power_final_T1.csv` line 1: importer columns (US) do not match `trade_flows_M.csv` (US, EU); every matrix must have the same importers in the same order"
        );
        assert_eq!(
            err(FLOWS, T0, "exporter,US,EU\nUS,1.00,1.00\n", E),
            "`tariff_power_final_T1.csv` line 2: has 1 exporter rows, `trade_flows_M.csv` has 2 (US, EU); every matrix must have the same exporters in the same order"
        );
        assert_eq!(
            err(FLOWS, "exporter,US,EU\nEU,1.32,1.00\nUS,1.00,1.41\n", T1, E),
            "`tariff_power_initial_T0.csv` line 2, column `exporter`: `EU` where `trade_flows_M.csv` has `US`; every matrix must have the same exporters in the same order"
        );
        assert_eq!(
            err(FLOWS, "exporter,US,EU\nUS,1.00\nEU,1.32,1.00\n", T1, E),
            "`tariff_power_initial_T0.csv` line 2: expected 3 fields, found 2 (truncated or misquoted row?)"
        );
        assert_eq!(
            err(FLOWS, T0, T1, "region,import_demand_Em,export_supply_Ex,substitution_Es\nUS,1.25,1.5,5\nEU,-1.25,1.5,5\n"),
            "`elasticities.csv` line 2, column `import_demand_Em`: 1.25 has the wrong sign; an import demand elasticity (Em) must be finite and <= 0"
        );
        assert_eq!(
            err(FLOWS, T0, T1, "region,import_demand_Em,export_supply_Ex,substitution_Es\nUS,-1.25,1.5,5\nEU,-1.25,1.5,-5\n"),
            "`elasticities.csv` line 3, column `substitution_Es`: -5 has the wrong sign; a substitution elasticity (Es) must be finite and >= 0"
        );
        assert_eq!(
            err(FLOWS, T0, T1, "region,import_demand_Em,export_supply_Ex,substitution_Es\nUS,-1.25,-1.5,5\nEU,-1.25,1.5,5\n"),
            "`elasticities.csv` line 2, column `export_supply_Ex`: -1.5 has the wrong sign; an export supply elasticity (Ex) must be >= 0 (`inf` for infinitely elastic supply)"
        );
        assert_eq!(
            err(FLOWS, T0, T1, "region,import_demand_Em,export_supply_Ex,substitution_Es\nUS,-1.25,1.5,5\n"),
            "`elasticities.csv` has no row for region `EU`, which is an importer in `trade_flows_M.csv`"
        );
    }
}
