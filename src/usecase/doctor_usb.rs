//! The USB step of `doctor`: smart-card and NFC devices the kernel sees,
//! whether pcscd offers them, and the known models with what to do.

pub use super::doctor_model::UsbFinding;
use super::doctor_model::{Finding, NotChecked, Service, Status, Step, StepId};
use crate::platform::devices::{self, UsbDevice};
use serde::Serialize;
use std::path::Path;

/// What is known about a reader model that trips residents up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Quirk {
    /// An NFC reader a Linux NFC driver claims (Sony RC-S380: `port100`;
    /// ACS ACR122U: `pn533_usb`): pcscd cannot offer it while it does.
    KernelNfcDriver,
    /// A CCID reader whose messages carry at most 522 bytes (Sony RC-S300):
    /// a long extended-length answer does not fit.
    ShortCcidMessages,
}

/// A known model: USB id, name, quirk, the kernel driver that claims it.
#[derive(Debug)]
pub struct Model {
    pub vendor: u16,
    pub product: u16,
    pub name: &'static str,
    pub quirk: Quirk,
    /// A part of the name pcscd gives its reader.
    pub reader_hint: &'static str,
}

/// The models by USB id (vendor:product as `lsusb` prints them).
pub const MODELS: &[Model] = &[
    Model {
        vendor: 0x054c,
        product: 0x06c1,
        name: "Sony RC-S380/S",
        quirk: Quirk::KernelNfcDriver,
        reader_hint: "RC-S380",
    },
    Model {
        vendor: 0x054c,
        product: 0x06c3,
        name: "Sony RC-S380/P",
        quirk: Quirk::KernelNfcDriver,
        reader_hint: "RC-S380",
    },
    Model {
        vendor: 0x054c,
        product: 0x0dc8,
        name: "Sony RC-S300/S",
        quirk: Quirk::ShortCcidMessages,
        reader_hint: "RC-S300",
    },
    Model {
        vendor: 0x054c,
        product: 0x0dc9,
        name: "Sony RC-S300/P",
        quirk: Quirk::ShortCcidMessages,
        reader_hint: "RC-S300",
    },
    Model {
        vendor: 0x072f,
        product: 0x2200,
        name: "ACS ACR122U",
        quirk: Quirk::KernelNfcDriver,
        reader_hint: "ACR122",
    },
];

/// Linux NFC drivers that claim USB readers pcscd would otherwise use.
const NFC_DRIVERS: [&str; 3] = ["port100", "pn533_usb", "nfcmrvl_usb"];

pub fn model(vendor: u16, product: u16) -> Option<&'static Model> {
    MODELS
        .iter()
        .find(|m| m.vendor == vendor && m.product == product)
}

/// One smart-card or NFC device the kernel sees.
#[derive(Debug, Clone)]
pub struct UsbSeen {
    pub device: UsbDevice,
    pub model: Option<&'static Model>,
    /// The Linux NFC driver holding it, if one does.
    pub nfc_driver: Option<String>,
    /// Whether a reader pcscd offers is this device (`None`: cannot tell,
    /// pcscd not reached or the device has no name to match).
    pub seen_by_pcscd: Option<bool>,
}

/// The smart-card and NFC devices under `root`, matched against the
/// readers pcscd offers (`None`: pcscd not reached).
pub fn scan(root: &Path, readers: Option<&[String]>) -> Vec<UsbSeen> {
    if !devices::usb_tree_supported() {
        return Vec::new();
    }
    devices::usb_devices(root)
        .into_iter()
        .filter_map(|d| {
            let model = model(d.vendor, d.product);
            let nfc_driver = d
                .drivers
                .iter()
                .find(|x| NFC_DRIVERS.contains(&x.as_str()))
                .cloned();
            if !d.ccid && model.is_none() && nfc_driver.is_none() {
                return None;
            }
            let hint = model
                .map(|m| m.reader_hint.to_lowercase())
                .or_else(|| d.product_name.as_ref().map(|p| p.to_lowercase()));
            let seen_by_pcscd = match (readers, hint) {
                (Some(names), Some(h)) => Some(names.iter().any(|n| n.to_lowercase().contains(&h))),
                _ => None,
            };
            Some(UsbSeen {
                device: d,
                model,
                nfc_driver,
                seen_by_pcscd,
            })
        })
        .collect()
}

/// The device's name for people: the model, else its strings, else its id.
pub fn display_name(s: &UsbSeen) -> String {
    if let Some(m) = s.model {
        return m.name.to_string();
    }
    match (&s.device.manufacturer, &s.device.product_name) {
        (Some(m), Some(p)) => format!("{m} {p}"),
        (None, Some(p)) => p.clone(),
        _ => format!("{:04x}:{:04x}", s.device.vendor, s.device.product),
    }
}

/// The USB step. A device problem fails the step when pcscd offers no
/// reader (it is then why nothing can be read), else it is a warning.
pub fn step(seen: &[UsbSeen], root: &Path, readers: usize, service: &Service) -> Step {
    let done = |status, f| Step {
        id: StepId::Usb,
        status,
        finding: Finding::Usb(f),
    };
    if !devices::usb_tree_supported() {
        return Step {
            id: StepId::Usb,
            status: Status::NotChecked,
            finding: Finding::NotChecked(NotChecked::OtherSystem),
        };
    }
    let bad = if readers == 0 {
        Status::Fail
    } else {
        Status::Warn
    };
    let unseen = |s: &&UsbSeen| s.seen_by_pcscd != Some(true);
    if let Some(s) = seen.iter().filter(unseen).find(|s| s.nfc_driver.is_some()) {
        let driver = s.nfc_driver.clone().unwrap_or_default();
        return done(
            bad,
            UsbFinding::KernelNfc {
                model: display_name(s),
                driver,
            },
        );
    }
    let ccid: Vec<&UsbSeen> = seen.iter().filter(|s| s.device.ccid).collect();
    if let Some(s) = ccid.iter().find(|s| s.seen_by_pcscd != Some(true)) {
        if devices::ccid_driver_installed(root) == Some(false) {
            return done(
                Status::Fail,
                UsbFinding::NoCcidDriver {
                    model: display_name(s),
                },
            );
        }
        if *service == Service::Ok && s.seen_by_pcscd == Some(false) {
            return done(
                bad,
                UsbFinding::NotOffered {
                    model: display_name(s),
                },
            );
        }
    }
    if seen.is_empty() {
        let status = if readers == 0 {
            Status::Warn
        } else {
            Status::Ok
        };
        return done(status, UsbFinding::None);
    }
    done(Status::Ok, UsbFinding::Fine(seen.len()))
}
