//! `mynacard doctor` on the in-process virtual card and on a fake system
//! tree (USB devices, drivers): which step fails, its fix, its exit code.
//! The cases through a real pcscd are in `e2e_doctor`.

use crate::common::{assert_schema, bin, json, sent};
use serde_json::Value;
use std::path::Path;

/// A fake root with one USB device (`class`: its interface class,
/// `driver`: the kernel driver bound to it) and, if `ccid`, libccid.
fn tree(
    id: (&str, &str),
    product: &str,
    class: &str,
    driver: Option<&str>,
    ccid: bool,
) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("sys/bus/usb/devices");
    let dev = d.join("3-2");
    std::fs::create_dir_all(&dev).unwrap();
    std::fs::write(dev.join("idVendor"), format!("{}\n", id.0)).unwrap();
    std::fs::write(dev.join("idProduct"), format!("{}\n", id.1)).unwrap();
    std::fs::write(dev.join("product"), format!("{product}\n")).unwrap();
    let intf = d.join("3-2:1.0");
    std::fs::create_dir_all(&intf).unwrap();
    std::fs::write(intf.join("bInterfaceClass"), format!("{class}\n")).unwrap();
    if let Some(drv) = driver {
        let target = t.path().join("sys/bus/usb/drivers").join(drv);
        std::fs::create_dir_all(&target).unwrap();
        std::os::unix::fs::symlink(&target, intf.join("driver")).unwrap();
    }
    if ccid {
        std::fs::create_dir_all(t.path().join("usr/lib/pcsc/drivers/ifd-ccid.bundle")).unwrap();
    }
    t
}

/// `doctor --json` with no pcscd (a socket that is not there) under `root`.
fn doctor_without_pcscd(root: &Path) -> (i32, Value) {
    let out = bin()
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .args(["--json", "--timeout", "5", "doctor", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_schema(&v, "doctor");
    (out.status.code().unwrap(), v)
}

fn step<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == id)
        .unwrap_or_else(|| panic!("no step {id}: {v}"))
}

#[test]
fn doctor_on_the_virtual_card_passes_every_card_step_without_a_pin() {
    let out = bin()
        .args(["--virtual", "--trace", "--json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    assert_schema(&v, "doctor");
    assert_eq!(v["ok"], true);
    assert_eq!(v["failed_step"], Value::Null);
    for id in ["usb", "service", "readers"] {
        assert_eq!(step(&v, id)["status"], "not_checked", "{id}");
    }
    for id in ["card", "applications", "extended_length", "latency"] {
        assert_eq!(step(&v, id)["status"], "ok", "{id}: {v}");
    }
    assert_eq!(v["card"]["interface"], "contact");
    let apps: Vec<bool> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["present"].as_bool().unwrap())
        .collect();
    assert_eq!(apps, [true; 5]);
    // The built-in card refuses extended length (6700): short reads.
    assert_eq!(v["extended_length"], false);
    assert_eq!(v["latency"]["apdus"], 5);
    // On the wire: SELECTs and READ BINARYs only (token, CA certificate).
    let trace = String::from_utf8_lossy(&out.stderr);
    let cmds = sent(&trace);
    assert!(!cmds.is_empty(), "{trace}");
    for c in &cmds {
        assert!(
            c.starts_with("> 00 A4") || c.starts_with("> 00 B0"),
            "only SELECT and READ BINARY: {c}"
        );
    }
    let selects = cmds.iter().filter(|c| c.starts_with("> 00 A4 04")).count();
    assert!(selects >= 5 + 5, "{trace}");
}

#[test]
fn doctor_text_names_each_step_in_japanese() {
    let out = bin()
        .args(["--virtual", "--lang", "ja", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    for w in [
        "PC/SC サービス",
        "カード",
        "応答時間",
        "すべての段階を通りました",
    ] {
        assert!(s.contains(w), "{w}: {s}");
    }
}

#[test]
fn doctor_names_the_rc_s380_held_by_port100() {
    let t = tree(("054c", "06c3"), "RC-S380/P", "ff", Some("port100"), true);
    let (code, v) = doctor_without_pcscd(t.path());
    assert_eq!(v["failed_step"], "usb", "{v}");
    assert_eq!(code, 4);
    let usb = step(&v, "usb");
    assert_eq!(usb["status"], "fail");
    assert!(
        usb["summary"].as_str().unwrap().contains("port100"),
        "{usb}"
    );
    let fix = usb["fix"].as_str().unwrap();
    assert!(
        fix.contains("blacklist port100") && fix.contains("CCID reader"),
        "{fix}"
    );
    assert_eq!(v["usb_devices"][0]["id"], "054c:06c3");
    assert_eq!(v["usb_devices"][0]["quirk"], "kernel_nfc_driver");
    assert_eq!(v["usb_devices"][0]["drivers"][0], "port100");
    // The service is checked too, and named.
    assert_eq!(step(&v, "service")["status"], "fail");
}

#[test]
fn doctor_names_a_ccid_reader_without_libccid() {
    let t = tree(("054c", "0dc9"), "RC-S300/P", "0b", None, false);
    let (code, v) = doctor_without_pcscd(t.path());
    assert_eq!(v["failed_step"], "usb", "{v}");
    assert_eq!(code, 4);
    let usb = step(&v, "usb");
    assert!(
        usb["summary"].as_str().unwrap().contains("libccid"),
        "{usb}"
    );
    assert!(
        usb["fix"].as_str().unwrap().contains("apt install libccid"),
        "{usb}"
    );
    assert_eq!(v["usb_devices"][0]["ccid"], true);
    assert_eq!(v["usb_devices"][0]["quirk"], "short_ccid_messages");
}

#[test]
fn doctor_without_pcscd_names_the_service_and_its_socket() {
    // A CCID reader with its driver: the service is what fails.
    let t = tree(("072f", "90cc"), "ACR38U-CCID", "0b", Some("usbfs"), true);
    let (code, v) = doctor_without_pcscd(t.path());
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["failed_step"], "service");
    assert_eq!(step(&v, "usb")["status"], "ok");
    let s = step(&v, "service");
    assert!(
        s["summary"]
            .as_str()
            .unwrap()
            .contains("PCSCLITE_CSOCK_NAME"),
        "{s}"
    );
    assert!(
        s["fix"]
            .as_str()
            .unwrap()
            .contains("unset PCSCLITE_CSOCK_NAME"),
        "{s}"
    );
    assert_eq!(v["socket"], "/nonexistent/pcscd.comm");
    assert_eq!(v["socket_from_env"], true);
    for id in [
        "readers",
        "card",
        "applications",
        "extended_length",
        "latency",
    ] {
        assert_eq!(step(&v, id)["status"], "skipped", "{id}");
    }
    // The text says the step and its fix.
    let out = bin()
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .args(["doctor", "--root"])
        .arg(t.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("NG PC/SC service"), "{s}");
    assert!(s.contains("fix first: PC/SC service"), "{s}");
}

#[test]
fn every_reader_error_suggests_the_doctor_first() {
    let out = bin()
        .env("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm")
        .args(["--json", "pin", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out.stdout);
    assert!(
        v["error"]["remedy"]
            .as_str()
            .unwrap()
            .starts_with("mynacard doctor"),
        "{v}"
    );
}
