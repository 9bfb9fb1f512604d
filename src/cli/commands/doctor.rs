//! `mynacard doctor`: each step from the USB port to the card, checked and
//! named, with the fix for the one that fails (`usecase::doctor`).

use super::doctor_words::{label, words};
use super::Ctx;
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::Result;
use crate::i18n::{pad, Lang};
use crate::usecase::doctor::{self, Diagnosis, Status, StepId};
use crate::usecase::doctor_card::Interface;
use crate::usecase::doctor_usb::Quirk;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Read the system's files (sysfs, /proc, drivers) under DIR (tests)
    #[arg(long, value_name = "DIR", hide = true, default_value = "/")]
    pub root: PathBuf,
}

/// One step as checked.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StepRow {
    pub step: StepId,
    pub status: Status,
    /// What was found, in English; `summary_ja` in Japanese.
    pub summary: String,
    pub summary_ja: String,
    /// What to do (a failed or warning step only).
    pub fix: Option<String>,
    pub fix_ja: Option<String>,
}

/// A smart-card or NFC device on USB.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UsbRow {
    /// The kernel's name for its port (`1-1.2`).
    pub port: String,
    /// `vendor:product`, as lsusb prints it.
    pub id: String,
    pub name: String,
    /// It has a smart-card (CCID) interface.
    pub ccid: bool,
    /// Kernel drivers bound to its interfaces.
    pub drivers: Vec<String>,
    /// What is known about the model.
    pub quirk: Option<Quirk>,
    /// Whether pcscd offers it (null: cannot be told).
    pub seen_by_pcscd: Option<bool>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CardRow {
    pub reader: Option<String>,
    pub atr: Option<String>,
    pub interface: Option<Interface>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AppRow {
    /// Short id (`jpki`, `text`, `surface`, `common`, `juki`).
    pub id: String,
    pub name: String,
    pub present: bool,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Latency {
    pub median_ms: f64,
    pub apdus: u32,
}

/// `doctor --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DoctorDoc {
    /// No step failed.
    pub ok: bool,
    /// The first step that failed: the one to fix first.
    pub failed_step: Option<StepId>,
    pub exit_code: i32,
    pub steps: Vec<StepRow>,
    /// pcsc-lite's socket, and whether PCSCLITE_CSOCK_NAME named it.
    pub socket: Option<String>,
    pub socket_from_env: bool,
    pub readers: Vec<String>,
    pub usb_devices: Vec<UsbRow>,
    pub card: Option<CardRow>,
    pub applications: Vec<AppRow>,
    /// Whether one extended-length READ BINARY worked (null: not tried or broke).
    pub extended_length: Option<bool>,
    pub latency: Option<Latency>,
}

impl Document for DoctorDoc {
    const COMMAND: &'static str = "doctor";
}

fn doc(d: &Diagnosis) -> DoctorDoc {
    use crate::usecase::doctor_card::Extended;
    let steps = d
        .steps
        .iter()
        .map(|s| {
            let (summary, fix) = words(s, d);
            StepRow {
                step: s.id,
                status: s.status,
                summary: summary.en,
                summary_ja: summary.ja,
                fix_ja: fix.as_ref().map(|f| f.ja.clone()),
                fix: fix.map(|f| f.en),
            }
        })
        .collect();
    let usb_devices = d
        .usb
        .iter()
        .map(|u| UsbRow {
            port: u.device.port.clone(),
            id: format!("{:04x}:{:04x}", u.device.vendor, u.device.product),
            name: crate::usecase::doctor_usb::display_name(u),
            ccid: u.device.ccid,
            drivers: u.device.drivers.clone(),
            quirk: u.model.map(|m| m.quirk),
            seen_by_pcscd: u.seen_by_pcscd,
        })
        .collect();
    let p = d.probe.as_ref();
    DoctorDoc {
        ok: d.failed().is_none(),
        failed_step: d.failed().map(|s| s.id),
        exit_code: d.exit_code(),
        steps,
        socket: d.socket.as_ref().map(|s| s.0.display().to_string()),
        socket_from_env: d.socket.as_ref().is_some_and(|s| s.1),
        readers: d.readers.clone(),
        usb_devices,
        card: p.filter(|p| p.reader.is_some()).map(|p| CardRow {
            reader: p.reader.clone(),
            atr: p.atr.as_deref().map(crate::apdu::hex_spaced),
            interface: p.atr.as_deref().map(crate::usecase::doctor_card::interface),
        }),
        applications: p
            .map(|p| {
                p.apps
                    .iter()
                    .map(|(a, has)| AppRow {
                        id: a.id().into(),
                        name: a.name().into(),
                        present: *has,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        extended_length: p.and_then(|p| match p.extended {
            Some(Extended::Works { .. }) => Some(true),
            Some(Extended::Refused) => Some(false),
            _ => None,
        }),
        latency: p.and_then(|p| {
            p.median_ms().map(|median_ms| Latency {
                median_ms,
                apdus: p.latency_ms.len() as u32,
            })
        }),
    }
}

pub fn run(ctx: &Ctx, a: DoctorArgs) -> Result<i32> {
    let d = doctor::diagnose(&ctx.card, &a.root);
    let doc = doc(&d);
    if ctx.g.json {
        print_json(&doc);
        return Ok(doc.exit_code);
    }
    let l = ctx.lang;
    println!(
        "{}",
        l.pick(
            "mynacard doctor: USB からカードまでの各段階",
            "mynacard doctor: each step from USB to the card"
        )
    );
    for s in &doc.steps {
        let (mark, tone) = match s.status {
            Status::Ok => ("ok", Tone::Ok),
            Status::Warn => ("!!", Tone::Warn),
            Status::Fail => ("NG", Tone::Bad),
            Status::Skipped | Status::NotChecked => ("--", Tone::Dim),
        };
        let name = label(s.step);
        let summary = pick(l, &s.summary_ja, &s.summary);
        println!(
            "  {} {} {summary}",
            paint(ctx, tone, mark),
            pad(l.pick(&name.ja, &name.en), 18)
        );
        if let (Some(ja), Some(en)) = (&s.fix_ja, &s.fix) {
            println!("     {}: {}", l.pick("対処", "fix"), pick(l, ja, en));
        }
    }
    match doc.failed_step {
        Some(id) => {
            let name = label(id);
            println!(
                "{}",
                paint(
                    ctx,
                    Tone::Bad,
                    &match l {
                        Lang::Ja => format!("最初に直す段階: {}", name.ja),
                        Lang::En => format!("fix first: {}", name.en),
                    }
                )
            );
        }
        None => println!(
            "{}",
            paint(
                ctx,
                Tone::Ok,
                l.pick("すべての段階を通りました", "every step passed")
            )
        ),
    }
    Ok(doc.exit_code)
}

fn pick<'a>(l: Lang, ja: &'a str, en: &'a str) -> &'a str {
    l.pick(ja, en)
}
