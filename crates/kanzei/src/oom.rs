//! Out of memory, said plainly. Rust's default reaction to a failed allocation is to abort
//! (exit 134) after "memory allocation of N bytes failed", and with `RUST_BACKTRACE` set it
//! then tries to capture a backtrace, which needs memory too (issue 16: under a 300 MB
//! address-space cap `brief --no-ge` hung that way). This wrapper around the system
//! allocator turns a failed allocation into one `error:` line with the size asked for and a
//! hint, then exits with status 1 like any other error; it writes from a stack buffer, so it
//! allocates nothing itself.
//!
//! It also asks the kernel for transparent huge pages for large blocks ([`huge_pages`]).

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, exiting with a clear message when an allocation fails.
pub struct ExitOnOom;

// SAFETY: every call forwards to `System` with the same arguments; on a null result the
// process exits instead of returning, which `GlobalAlloc` allows (it may not unwind).
unsafe impl GlobalAlloc for ExitOnOom {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        huge_pages(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        huge_pages(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this wrapper with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; the caller guarantees `new_size` is valid for `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        if new_size > layout.size() {
            huge_pages(p, new_size);
        }
        p
    }
}

/// Blocks at least this large are backed by transparent huge pages where the kernel allows.
const HUGE: usize = 2 << 20;

/// Asks the kernel to back the 2 MiB-aligned part of a large block with transparent huge
/// pages (`madvise(MADV_HUGEPAGE)`; a hint, ignored where unsupported). In the virtual machines
/// kanzei is measured on, first touching a page costs several microseconds; a one-shot run
/// that fills ~200 MB of tables pays that ~50,000 times with 4 KiB pages and ~100 times
/// with 2 MiB ones (`tariff rates`: ~0.30 s → ~0.22 s).
#[cfg(target_os = "linux")]
fn huge_pages(p: *mut u8, size: usize) {
    const TWO_MIB: usize = 2 << 20;
    if size < HUGE {
        return;
    }
    let start = (p as usize).next_multiple_of(TWO_MIB);
    let end = (p as usize + size) / TWO_MIB * TWO_MIB;
    if end > start {
        // SAFETY: the range lies inside the block just allocated; MADV_HUGEPAGE changes no
        // contents and no mapping, only how future page faults are served.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn huge_pages(_: *mut u8, _: usize) {}

/// Writes the message to standard error (file descriptor 2, no lock, no allocation) and
/// exits with status 1.
#[cold]
fn out_of_memory(size: usize) -> ! {
    let mut buf = [0u8; 512];
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        let n = bytes.len().min(buf.len() - len);
        buf[len..len + n].copy_from_slice(&bytes[..n]);
        len += n;
    };
    put(b"error: out of memory: an allocation of ");
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut mib = size / (1 << 20);
    let unit: &[u8] = if mib > 0 { b" MiB" } else { b" bytes" };
    if mib == 0 {
        mib = size;
    }
    loop {
        i -= 1;
        digits[i] = b'0' + (mib % 10) as u8;
        mib /= 10;
        if mib == 0 {
            break;
        }
    }
    put(&digits[i..]);
    put(unit);
    put(b" failed\n\n");
    put(kanzei_cli::OUT_OF_MEMORY_HINT.as_bytes());
    put(b"\n");
    write_stderr(&buf[..len]);
    std::process::exit(1)
}

#[cfg(unix)]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::io::FromRawFd;
    // SAFETY: descriptor 2 is standard error; the `File` is forgotten, so it is not closed.
    let mut stderr = unsafe { std::fs::File::from_raw_fd(2) };
    let _ = stderr.write_all(bytes);
    std::mem::forget(stderr);
}

#[cfg(not(unix))]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(bytes);
}
