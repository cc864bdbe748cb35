//! For tests across the workspace: where the official files are, and what to do when they
//! are not there.

use std::path::PathBuf;

/// `<workspace>/../shared/data/raw` (the official files; present in CI), or `None` after
/// printing `skipped: ../shared/data/raw not present`. Under `CI=true` a missing folder is a
/// failure, not a skip: CI must run every test.
///
/// `crate_dir` is the calling crate's `env!("CARGO_MANIFEST_DIR")`.
pub fn shared_raw(crate_dir: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(crate_dir).join("../../../shared/data/raw");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {} is missing: CI has ../shared", dir.display());
    #[expect(clippy::print_stderr, reason = "the skip notice is the point")]
    {
        eprintln!("skipped: ../shared/data/raw not present");
    }
    None
}
