//! Property tests of the model's invariants on random productive tables: the Leontief
//! solve round-trips `(I − A)·x = y`, value added by origin adds up to the demand it is
//! embodied in, and the Borin & Mancini decomposition adds up to gross exports for every
//! pair and sector.

use kanzei_mrio::{
    decompose_bilateral, gross_exports, va_by_origin, value_added_coefficients, BorinMancini, Leontief, Mrio,
    MrioTable,
};
use proptest::prelude::*;

/// A table with `r` regions, `s` sectors and `k` categories. Final demand per row is at
/// least `N · max Z`, so every industry's output exceeds its intermediate inputs and the
/// table is productive (all value added positive).
fn table(r: usize, s: usize, k: usize, z: Vec<f64>, y: Vec<f64>) -> MrioTable {
    MrioTable {
        regions: (0..r).map(|i| format!("R{i}")).collect(),
        sectors: (0..s).map(|i| format!("s{i}")).collect(),
        final_demand_categories: (0..k).map(|i| format!("f{i}")).collect(),
        unit: "USD".into(),
        z,
        y,
        ..MrioTable::default()
    }
}

fn arb_table() -> impl Strategy<Value = MrioTable> {
    (2usize..=4, 1usize..=3, 1usize..=2).prop_flat_map(|(r, s, k)| {
        let n = r * s;
        (
            proptest::collection::vec(0.0..10.0f64, n * n),
            proptest::collection::vec(0.0..100.0f64, n * r * k),
        )
            .prop_map(move |(z, mut y)| {
                // Lift own-region final demand so that Y·1 >= 10·N on every row.
                for i in 0..n {
                    y[i * r * k + (i / s) * k] += 10.0 * n as f64;
                }
                table(r, s, k, z, y)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn leontief_solve_round_trips(t in arb_table(), seed in proptest::collection::vec(-50.0..50.0f64, 12)) {
        let mrio = Mrio::new(t).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let n = mrio.n_industries();
        let y: Vec<f64> = (0..n).map(|i| seed[i % seed.len()]).collect();
        let x = leontief.solve(&y).unwrap();
        let a = leontief.a();
        for i in 0..n {
            // (I − A)·x = y (Miller & Blair 2009, sect. 2.2).
            let lhs = x[i] - (0..n).map(|j| a[(i, j)] * x[j]).sum::<f64>();
            prop_assert!((lhs - y[i]).abs() <= 1e-10 * (1.0 + y.iter().map(|v| v.abs()).sum::<f64>()));
        }
        // L·(Y·1) reproduces gross output.
        let total: Vec<f64> = (0..n).map(|i| mrio.final_use(i)).collect();
        for (got, want) in leontief.solve(&total).unwrap().iter().zip(mrio.x()) {
            prop_assert!((got - want).abs() <= 1e-10 * want);
        }
    }

    #[test]
    fn value_added_by_origin_adds_up(t in arb_table(), weights in proptest::collection::vec(0.0..1000.0f64, 12)) {
        let mrio = Mrio::new(t).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let v = value_added_coefficients(&mrio, leontief.a());
        prop_assert!(v.iter().all(|&vi| vi > 0.0));
        let e: Vec<f64> = (0..mrio.n_industries()).map(|i| weights[i % weights.len()]).collect();
        let va = va_by_origin(&leontief, &v, &e).unwrap();
        let (sum_va, sum_e) = (va.iter().sum::<f64>(), e.iter().sum::<f64>());
        prop_assert!((sum_va - sum_e).abs() <= 1e-10 * sum_e.max(1.0));
        prop_assert!(va.iter().all(|&x| x >= 0.0));
    }

    #[test]
    fn decomposition_adds_up_for_every_pair_and_sector(t in arb_table()) {
        let mrio = Mrio::new(t).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let v = value_added_coefficients(&mrio, leontief.a());
        let l = leontief.inverse();
        let bm = BorinMancini::new(&mrio, leontief.a(), &v, &l);
        let e = gross_exports(&mrio);
        for s in 0..mrio.n_regions() {
            for r in (0..mrio.n_regions()).filter(|&r| r != s) {
                for sector in mrio.sectors() {
                    let d = decompose_bilateral(&mrio, bm.exporter(s), &e, &mrio.regions()[r], Some(sector)).unwrap();
                    prop_assert!((d.total() - d.gross_exports).abs() <= 1e-10 * d.gross_exports.max(1.0));
                    prop_assert!(d.domestic_va >= 0.0);
                    prop_assert!(d.foreign_va_by_origin.iter().all(|&f| f >= -1e-12));
                }
            }
        }
    }
}
