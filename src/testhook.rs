//! Fault points for the end-to-end tests of the exit paths (a panic after a
//! VERIFY must still leave the card powered down). Only debug builds have
//! them: `MYNACARD_TEST_PANIC=<point>` panics there. Release builds compile
//! every point to nothing.

#[cfg(debug_assertions)]
#[allow(
    clippy::panic,
    reason = "the fault point's whole purpose, in debug builds only"
)]
pub fn point(name: &str) {
    if std::env::var("MYNACARD_TEST_PANIC").is_ok_and(|v| v == name) {
        panic!("test panic at {name}");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &str) {}
