//! Writes the seed corpus (`fuzz/seeds/<target>/`, kept in the repository) from the built-in
//! virtual card and the fixture profiles: `cargo run --bin make_seeds` in
//! `fuzz/`. Not a fuzz target.
use mynacard::apdu::{Command, Response};
use mynacard::card::{common, jpki, pin, Session};
use mynacard::error::Result;
use mynacard::transport::Transport;
use mynacard::vcard::{Profile, VirtualCard};
use std::path::Path;

/// Records the card's answers as the card_session target reads them.
struct Recorder {
    card: VirtualCard,
    script: Vec<u8>,
}

impl Transport for Recorder {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let raw = self.card.process(&cmd.to_bytes());
        // A 2-byte length before each answer, as the target reads them.
        self.script
            .extend_from_slice(&(raw.len() as u16).to_be_bytes());
        self.script.extend_from_slice(&raw);
        Ok(Response::from_bytes(&raw).unwrap_or(Response::from_bytes(&[0x6F, 0x00]).unwrap()))
    }
}

fn write(target: &str, name: &str, data: &[u8]) {
    let d = Path::new("seeds").join(target);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(name), data).unwrap();
}

fn main() {
    let profiles = Path::new("../fixtures/profiles");
    let mut names: Vec<_> = std::fs::read_dir(profiles)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for p in &names {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(p).unwrap();
        write("profile", &format!("{stem}.toml"), text.as_bytes());
        let Ok(card) = Profile::load(p).and_then(|p| VirtualCard::new(&p)) else {
            continue;
        };
        let mut r = Recorder {
            card,
            script: Vec::new(),
        };
        {
            let mut s = Session::new(&mut r);
            let _ = jpki::identify(&mut s);
            let _ = jpki::availability(&mut s);
            for slot in [jpki::CertSlot::Auth, jpki::CertSlot::AuthCa] {
                let _ = jpki::read_cert(&mut s, slot);
            }
            let _ = pin::read_all(&mut s);
            let _ = common::read_card_info(&mut s);
        }
        write("card_session", &stem, &r.script);
        if stem == "default" {
            let c = &r.card;
            write("certificate", "auth.der", c.pki().auth_cert_der());
            write("certificate", "auth-ca.der", &c.pki().auth_ca);
            write("certificate", "sign-ca.der", &c.pki().sign_ca);
            for (app, fid, name) in [
                (mynacard::vcard::App::Text, 1, "number"),
                (mynacard::vcard::App::Text, 2, "attributes"),
                (mynacard::vcard::App::Text, 3, "integrity"),
                (mynacard::vcard::App::Jpki, 6, "token"),
            ] {
                if let Some(d) = c.ef(app, fid) {
                    write("card_files", name, d);
                }
            }
        }
    }
    // The tool's PIN-status sequence for the APDU processor (0xFE between APDUs).
    let seq: Vec<&[u8]> = vec![
        &[0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01],
        &[0x00, 0x20, 0x00, 0x9B],
        &[0x00, 0x20, 0x00, 0x98, 0x04, 0x31, 0x32, 0x33, 0x34],
        &[0x00, 0x24, 0x01, 0x80, 0x04, 0x35, 0x36, 0x37, 0x38],
    ];
    write("virtual_card", "verify-change", &seq.join(&0xFE));
    println!("seeds written under fuzz/seeds/");
}
