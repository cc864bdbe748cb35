//! SCRATCH diagnostics (gew) — to be deleted.
#![allow(clippy::print_stdout)]
use kanzei_data::Store;
use kanzei_ge::caliendo_parro::{Baseline, Problem, Shock};
use kanzei_report::runs;

#[test]
fn diag() {
    let store = Store::embedded();
    let (obs, notes) = runs::wiod_observed(&store).unwrap();
    println!("notes: {notes:?}");
    let (b, rep) = Baseline::from_observed(&obs).unwrap();
    println!("gross_output_raised: {}", rep.gross_output_raised.len());
    for (n, j, a, c) in rep.gross_output_raised.iter().take(20) {
        println!("  raised {} {} {a:.3e} -> {c:.3e}", b.countries[*n], b.sectors[*j]);
    }
    let d = b.dims();
    let (nn, jj) = (d.n_countries, d.n_sectors);
    println!("theta: {:?}", b.theta);
    // Zero output cells, VA shares.
    let y = b.gross_output();
    let mut zero_go = 0; let mut va0 = 0; let mut va1 = 0;
    for n in 0..nn { for j in 0..jj {
        let g = b.gamma_va[d.nj(n,j)];
        if obs.gross_output[d.nj(n,j)] <= 0.0 { zero_go += 1; }
        if g <= 1e-9 { va0 += 1; println!("  va=0: {} {} go={:.3e}", b.countries[n], b.sectors[j], obs.gross_output[d.nj(n,j)]); }
        if g >= 1.0 - 1e-9 { va1 += 1; }
        // input-share column sums
        let s: f64 = (0..jj).map(|k| obs.input_shares[d.nkj(n,k,j)]).sum();
        if (s-1.0).abs() > 1e-9 { println!("  input col sum {} {} = {s}", b.countries[n], b.sectors[j]); }
    }}
    println!("zero GO cells {zero_go}, va=0 {va0}, va=1 {va1}");
    let inc = b.income();
    let fd_total: Vec<f64> = (0..nn).map(|n| (0..jj).map(|j| {
        // final use implied: X - sum_k gamma^{j,k} Y^k
        let inter: f64 = (0..jj).map(|k| b.gamma_io[d.nkj(n,j,k)] * y[d.nj(n,k)]).sum();
        b.expenditure[d.nj(n,j)] - inter
    }).sum()).collect();
    println!("country  VA  D  D/VA  I  implied_FD  FD/I  maxrel_identity_gap");
    for n in 0..nn {
        let mut worst = 0.0f64; let mut wj = 0;
        for j in 0..jj {
            let inter: f64 = (0..jj).map(|k| b.gamma_io[d.nkj(n,j,k)] * y[d.nj(n,k)]).sum();
            let gap = b.expenditure[d.nj(n,j)] - inter - b.alpha[d.nj(n,j)] * inc[n];
            let rel = gap.abs() / inc[n];
            if rel > worst { worst = rel; wj = j; }
        }
        println!("{} {:.3e} {:.3e} {:.3} {:.3e} {:.3e} {:.4} {:.3e} ({})", b.countries[n], b.value_added[n], b.deficit[n], b.deficit[n]/b.value_added[n], inc[n], fd_total[n], fd_total[n]/inc[n], worst, b.sectors[wj]);
    }
    // One evaluation at w_hat = 1 with no shock.
    let p = Problem::new(&b, &Shock::none()).unwrap();
    let w = vec![1.0; nn];
    let c = vec![1.0; nn*jj]; let ph = vec![1.0; nn*jj];
    let pi = b.pi.clone();
    let mut x = b.expenditure.clone(); let mut x2 = x.clone();
    for _ in 0..5000 { p.expenditure_map(&w, &pi, &x, &mut x2); std::mem::swap(&mut x, &mut x2); }
    let mut z = vec![0.0; nn];
    p.trade_balance_excess(&w, &pi, &x, &mut z);
    println!("zero-shock Z/VA at w=1:");
    for n in 0..nn { println!("  {} {:.4e}  X'/X total {:.4}", b.countries[n], z[n]/b.value_added[n], (0..jj).map(|j| x[d.nj(n,j)]).sum::<f64>()/(0..jj).map(|j| b.expenditure[d.nj(n,j)]).sum::<f64>()); }
    let _ = (c, ph);
    use kanzei_ge::caliendo_parro::{solve, SolverConfig, WageUpdate};
    for (label, theta_s) in [("theta100", 100.0), ("theta8.22", 8.22), ("theta5", 5.0)] {
        let mut b2 = b.clone();
        for j in 16..jj { b2.theta[j] = theta_s; }
        for cfg in [SolverConfig{max_iterations: 300, ..SolverConfig::default()}, SolverConfig{max_iterations: 300, wage_update: WageUpdate::Damped{step:0.2}, ..SolverConfig::default()}] {
            let t = std::time::Instant::now();
            match solve(&b2, &Shock::none(), &cfg) {
                Ok(eq) => {
                    let maxdw = eq.w_hat.iter().map(|w| (w-1.0).abs()).fold(0.0, f64::max);
                    println!("{label} {:?}: ok iters {} rej {} max|w-1| {maxdw:.3e} time {:?}", cfg.wage_update, eq.report.iterations, eq.report.rejected_steps, t.elapsed());
                }
                Err(e) => println!("{label} {:?}: {e} time {:?}", cfg.wage_update, t.elapsed()),
            }
        }
    }
}
