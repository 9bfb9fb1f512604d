//! What the system knows about readers below PC/SC, for `mynacard doctor`:
//! the USB devices the kernel sees (Linux sysfs), pcsc-lite's socket and
//! process, and whether the CCID driver bundle is installed. Every path is
//! read under `root` so that tests can give a fake tree; nothing is written.

use std::path::{Path, PathBuf};

/// USB interface class of smart-card readers (CCID).
pub const CLASS_SMART_CARD: u8 = 0x0B;

/// One USB device as the kernel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbDevice {
    /// The sysfs name (`1-1.2`).
    pub port: String,
    pub vendor: u16,
    pub product: u16,
    /// The product and manufacturer strings, when the device gives them.
    pub product_name: Option<String>,
    pub manufacturer: Option<String>,
    /// Whether one of its interfaces is of the smart-card class (0x0B).
    pub ccid: bool,
    /// Kernel drivers bound to its interfaces (`port100`, `usbfs`, …).
    pub drivers: Vec<String>,
}

/// Whether the USB device tree can be read on this system (Linux only).
pub fn usb_tree_supported() -> bool {
    cfg!(target_os = "linux")
}

fn read_trim(p: &Path) -> Option<String> {
    let s = std::fs::read_to_string(p).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn read_hex<T: TryFrom<u32>>(p: &Path) -> Option<T> {
    let v = u32::from_str_radix(&read_trim(p)?, 16).ok()?;
    T::try_from(v).ok()
}

/// Every USB device under `root`/sys/bus/usb/devices, with its interfaces
/// (`<port>:<config>.<interface>` entries) folded in, sorted by port.
/// An unreadable tree is an empty list.
pub fn usb_devices(root: &Path) -> Vec<UsbDevice> {
    let dir = root.join("sys/bus/usb/devices");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut devices: Vec<UsbDevice> = Vec::new();
    for name in names.iter().filter(|n| !n.contains(':')) {
        let d = dir.join(name);
        let (Some(vendor), Some(product)) = (
            read_hex::<u16>(&d.join("idVendor")),
            read_hex::<u16>(&d.join("idProduct")),
        ) else {
            continue;
        };
        devices.push(UsbDevice {
            port: name.clone(),
            vendor,
            product,
            product_name: read_trim(&d.join("product")),
            manufacturer: read_trim(&d.join("manufacturer")),
            ccid: false,
            drivers: Vec::new(),
        });
    }
    for name in names.iter().filter(|n| n.contains(':')) {
        let port = name.split(':').next().unwrap_or("");
        let Some(dev) = devices.iter_mut().find(|d| d.port == port) else {
            continue;
        };
        let i = dir.join(name);
        if read_hex::<u8>(&i.join("bInterfaceClass")) == Some(CLASS_SMART_CARD) {
            dev.ccid = true;
        }
        let driver = std::fs::read_link(i.join("driver"))
            .ok()
            .and_then(|l| l.file_name().and_then(|f| f.to_str()).map(str::to_string));
        if let Some(driver) = driver.filter(|d| !dev.drivers.contains(d)) {
            dev.drivers.push(driver);
        }
    }
    devices
}

/// pcsc-lite's socket: `PCSCLITE_CSOCK_NAME` when set (the second value
/// says so), else the usual place. `None` where PC/SC is not pcsc-lite
/// (Windows, macOS).
pub fn pcsc_socket() -> Option<(PathBuf, bool)> {
    if !cfg!(target_os = "linux") && !cfg!(target_os = "freebsd") {
        return None;
    }
    match std::env::var_os("PCSCLITE_CSOCK_NAME") {
        Some(p) if !p.is_empty() => Some((PathBuf::from(p), true)),
        _ => Some((PathBuf::from("/run/pcscd/pcscd.comm"), false)),
    }
}

/// Whether `path` exists and is a socket (no link followed).
pub fn is_socket(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Whether a process named `name` runs (Linux: `root`/proc/*/comm);
/// `None` where it cannot be told.
pub fn process_running(root: &Path, name: &str) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let entries = std::fs::read_dir(root.join("proc")).ok()?;
    Some(
        entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
            .any(|e| read_trim(&e.path().join("comm")).as_deref() == Some(name)),
    )
}

/// Where pcsc-lite looks for reader drivers (Debian and a local build).
const DRIVER_DIRS: [&str; 3] = [
    "usr/lib/pcsc/drivers",
    "usr/local/lib/pcsc/drivers",
    "usr/lib64/pcsc/drivers",
];

/// Whether the CCID driver (libccid's `ifd-ccid.bundle`) is installed
/// under `root`; `None` where it cannot be told (not pcsc-lite).
pub fn ccid_driver_installed(root: &Path) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    Some(
        DRIVER_DIRS
            .iter()
            .any(|d| root.join(d).join("ifd-ccid.bundle").exists()),
    )
}

/// Whether pcsc-lite's daemon is installed under `root`.
pub fn pcscd_installed(root: &Path) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    Some(
        ["usr/sbin/pcscd", "usr/local/sbin/pcscd", "usr/bin/pcscd"]
            .iter()
            .any(|p| root.join(p).exists()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_tree_is_read() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("sys/bus/usb/devices");
        std::fs::create_dir_all(d.join("1-1")).unwrap();
        std::fs::write(d.join("1-1/idVendor"), "054c\n").unwrap();
        std::fs::write(d.join("1-1/idProduct"), "06c3\n").unwrap();
        std::fs::write(d.join("1-1/product"), "RC-S380/P\n").unwrap();
        std::fs::create_dir_all(d.join("1-1:1.0")).unwrap();
        std::fs::write(d.join("1-1:1.0/bInterfaceClass"), "ff\n").unwrap();
        std::fs::create_dir_all(t.path().join("drivers/port100")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(t.path().join("drivers/port100"), d.join("1-1:1.0/driver"))
            .unwrap();
        std::fs::create_dir_all(d.join("usb1")).unwrap();
        std::fs::write(d.join("usb1/idVendor"), "1d6b\n").unwrap();
        std::fs::write(d.join("usb1/idProduct"), "0002\n").unwrap();
        let devs = usb_devices(t.path());
        assert_eq!(devs.len(), 2);
        assert_eq!((devs[0].vendor, devs[0].product), (0x054c, 0x06c3));
        assert_eq!(devs[0].product_name.as_deref(), Some("RC-S380/P"));
        assert!(!devs[0].ccid);
        #[cfg(unix)]
        assert_eq!(devs[0].drivers, ["port100"]);
        assert!(usb_devices(&t.path().join("none")).is_empty());
    }
}
