//! APDU round trip through the real PC/SC stack: this process → libpcsclite
//! → a private pcscd → vpcd → the served virtual card, and back.
//! Run: `sudo cargo bench --bench roundtrip` (needs root for the private
//! pcscd). Prints the median and percentiles of N SELECT round trips.

use mynacard::sandbox::Sandbox;
use mynacard::vcard::{Profile, VirtualCard};
use std::time::{Duration, Instant};

fn main() {
    // `cargo test --all-targets` runs this binary without --bench: the
    // measurement belongs to `cargo bench` only.
    if !std::env::args().any(|a| a == "--bench") {
        println!("roundtrip: skipped (run it with cargo bench --bench roundtrip)");
        return;
    }
    let n: usize = std::env::var("ROUNDTRIPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let card = VirtualCard::new(&Profile::builtin()).expect("virtual card");
    let mut sb = Sandbox::start(card).unwrap_or_else(|e| {
        eprintln!("roundtrip: cannot start a private pcscd: {e}");
        std::process::exit(1)
    });
    sb.insert();
    std::env::set_var("PCSCLITE_CSOCK_NAME", sb.socket());
    let ctx = pcsc::Context::establish(pcsc::Scope::User).expect("pcsc context");
    let reader = std::ffi::CString::new(sb.reader()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let card = loop {
        match ctx.connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(c) => break c,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("connect: {e}"),
        }
    };
    let select = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    let mut buf = [0u8; 300];
    for _ in 0..50 {
        card.transmit(&select, &mut buf).expect("warm-up");
    }
    let mut t: Vec<Duration> = (0..n)
        .map(|_| {
            let s = Instant::now();
            let r = card.transmit(&select, &mut buf).expect("transmit");
            assert_eq!(r, [0x90, 0x00]);
            s.elapsed()
        })
        .collect();
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "APDU round trip through pcscd + vpcd ({n} SELECTs): median {:.3} ms, p10 {:.3} ms, p90 {:.3} ms, max {:.3} ms",
        ms(t[n / 2]),
        ms(t[n / 10]),
        ms(t[n * 9 / 10]),
        ms(t[n - 1])
    );
    drop(card);
    drop(sb);
}
