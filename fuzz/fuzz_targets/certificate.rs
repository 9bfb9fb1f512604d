//! Certificate input (PEM or DER), the report, JPKI holder attributes and
//! the chain check.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynacard::cert;

fuzz_target!(|data: &[u8]| {
    let today = time::macros::date!(2026 - 01 - 01);
    if let Ok(ders) = cert::decode_input(data) {
        for d in &ders {
            if let Ok(r) = cert::parse_der(d, today) {
                let _ = cert::view::render_text(&r, None, mynacard::i18n::Lang::Ja);
            }
            let _ = cert::jpki_attrs::holder_from_der(d);
            let _ = cert::chain::check_chain(d, &ders, time::OffsetDateTime::UNIX_EPOCH);
        }
    }
    let _ = cert::parse_der(data, today);
    let _ = cert::jpki_attrs::holder_from_der(data);
});
