//! A timing model, so that the virtual card is as slow as a real one: the
//! time a command takes is the chip's processing (a fixed delay per
//! command, more for a PIN check and for a signature) plus the transfer of
//! the bytes each way at the interface's bit rate, with the protocol's
//! framing. It is a model, not a measurement: the arithmetic follows
//! ISO/IEC 7816-3 (T=1) and ISO/IEC 14443-2/-4 (Type B); the processing
//! figures are assumptions, set per profile (docs/virtual-card.md).

use serde::Deserialize;
use std::time::Duration;

/// How the card is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interface {
    /// No model: answers at once (the default).
    None,
    /// Contact, T=1 (ISO/IEC 7816-3).
    Contact,
    /// Contactless, ISO/IEC 14443-4 Type B (the My Number Card's).
    Contactless,
}

/// The model's figures (microseconds; bit/s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub interface: Interface,
    /// Bits per second on the interface after PPS / bit-rate selection.
    pub bit_rate: u32,
    /// The chip's time for any command (and the reader's share of it).
    pub command_us: u64,
    /// Extra for a PIN check or change (the retry counter is written).
    pub verify_us: u64,
    /// Extra for an RSA-2048 signature (COMPUTE DIGITAL SIGNATURE).
    pub sign_us: u64,
    /// Power-up to the first command: activation, ATR (at the default
    /// 9600 bit/s for contact), PPS; paid after every power-on or reset.
    pub activation_us: u64,
}

/// The named presets. Processing figures are the same chip on every
/// interface; only the link differs. Contact stops at 38 400 bit/s: the
/// card's ATR offers TA1 = 13 (F = 372, D = 4), so no reader may go
/// faster than D·f/F = 38 400 bit/s at 3.5712 MHz (53 763 at the 5 MHz
/// that F = 372 allows); a 115 200 bit/s preset would need D = 12
/// (`contact_presets_stay_within_ta1`).
pub const PRESETS: &[(&str, Timing)] = &[
    ("none", NONE),
    ("contact-9600", contact(9_600)),
    ("contact-38400", contact(38_400)),
    ("contactless-106", contactless(106_000)),
    ("contactless-212", contactless(212_000)),
    ("contactless-424", contactless(424_000)),
];

pub const NONE: Timing = Timing {
    interface: Interface::None,
    bit_rate: 0,
    command_us: 0,
    verify_us: 0,
    sign_us: 0,
    activation_us: 0,
};

/// Chip figures assumed for every preset.
const COMMAND_US: u64 = 3_000;
const VERIFY_US: u64 = 20_000;
const SIGN_US: u64 = 250_000;

const fn contact(bit_rate: u32) -> Timing {
    Timing {
        interface: Interface::Contact,
        bit_rate,
        command_us: COMMAND_US,
        verify_us: VERIFY_US,
        sign_us: SIGN_US,
        // 40 000 clock cycles to the ATR at 3.5712 MHz (11 ms), a 20-byte
        // ATR at 12 etu per character and 9600 bit/s (25 ms), a 4-byte PPS
        // each way (10 ms).
        activation_us: 46_000,
    }
}

const fn contactless(bit_rate: u32) -> Timing {
    Timing {
        interface: Interface::Contactless,
        bit_rate,
        command_us: COMMAND_US,
        verify_us: VERIFY_US,
        sign_us: SIGN_US,
        // Field on and the chip's start (ISO/IEC 14443-3 allows 5 ms), REQB /
        // ATQB / ATTRIB at 106 kbit/s (~3 ms).
        activation_us: 8_000,
    }
}

pub fn preset(name: &str) -> Option<Timing> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

/// T=1: IFSC and IFSD after the usual S(IFS) negotiation of CCID readers.
const T1_IFS: usize = 254;
/// T=1 block frame: NAD, PCB, LEN and the LRC.
const T1_FRAME: usize = 4;
/// Character guard time in T=1: 11 etu per character (10 + 1 guard).
const T1_CHAR_ETU: u64 = 11;
/// Block guard time between blocks in opposite directions.
const T1_BGT_ETU: u64 = 22;

/// 14443-4: a 256-byte frame size (FSCI 8) both ways; PCB and CRC_B.
const B_FS: usize = 256 - 3;
const B_FRAME: usize = 3;
/// Start, 8 bits, stop; no extra guard time.
const B_CHAR_ETU: u64 = 10;
/// SOF (12 etu) and EOF (11 etu) of a Type B frame.
const B_SOF_EOF_ETU: u64 = 23;
/// The minimum TR0 + TR1 before the card's answer (144/fs at 847.5 kHz).
const B_TURNAROUND_US: f64 = 170.0;

/// Blocks needed for `n` bytes with `per` per block (one at least).
fn blocks(n: usize, per: usize) -> usize {
    n.div_ceil(per).max(1)
}

impl Timing {
    pub fn is_none(&self) -> bool {
        self.interface == Interface::None
    }

    /// The time to move a command of `cmd` bytes and its answer of `resp`
    /// bytes (data and SW): chained blocks, each acknowledged by the
    /// other side.
    pub fn transfer(&self, cmd: usize, resp: usize) -> Duration {
        let etu_us = 1e6 / f64::from(self.bit_rate.max(1));
        let us = match self.interface {
            Interface::None => 0.0,
            Interface::Contact => {
                let (c, r) = (blocks(cmd, T1_IFS), blocks(resp, T1_IFS));
                // Every block but the last of a chain is acknowledged by an
                // R-block (frame only).
                let chars = cmd + resp + T1_FRAME * (c + r) + T1_FRAME * (c - 1 + r - 1);
                let block_count = (2 * c - 1 + 2 * r - 1) as u64;
                etu_us * (chars as u64 * T1_CHAR_ETU + block_count * T1_BGT_ETU) as f64
            }
            Interface::Contactless => {
                let (c, r) = (blocks(cmd, B_FS), blocks(resp, B_FS));
                let chars = cmd + resp + B_FRAME * (c + r) + B_FRAME * (c - 1 + r - 1);
                let frames = (2 * c - 1 + 2 * r - 1) as u64;
                etu_us * (chars as u64 * B_CHAR_ETU + frames * B_SOF_EOF_ETU) as f64
                    + frames as f64 * B_TURNAROUND_US
            }
        };
        Duration::from_micros(us.round() as u64)
    }

    /// The whole time of one command: processing and transfer.
    pub fn command(&self, raw: &[u8], resp: usize) -> Duration {
        if self.is_none() {
            return Duration::ZERO;
        }
        use crate::apdu::Instruction as I;
        let ins = raw.get(1).copied().and_then(I::from_byte);
        let has_data = raw.len() > 5;
        let extra = match ins {
            // VERIFY with data, CHANGE REFERENCE DATA, CHANGE KEY.
            Some(I::Verify) if has_data => self.verify_us,
            Some(I::ChangeReferenceData | I::ChangeKey) => self.verify_us,
            // COMPUTE DIGITAL SIGNATURE (JPKI), PSO.
            Some(I::ComputeDigitalSignature) => self.sign_us,
            _ => 0,
        };
        Duration::from_micros(self.command_us + extra) + self.transfer(raw.len(), resp)
    }

    pub fn activation(&self) -> Duration {
        Duration::from_micros(self.activation_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    #[test]
    fn contact_arithmetic() {
        let t = preset("contact-9600").unwrap();
        // A 15-byte SELECT and its 2-byte answer: 19 + 6 characters of
        // 11 etu, two blocks of 22 etu guard: 319 etu at 9600 bit/s.
        assert!((ms(t.transfer(15, 2)) - 319.0 / 9.6).abs() < 0.01);
        // 258 bytes back need two blocks and one R-block from the reader.
        let chars = 5 + 258 + 4 * 3 + 4;
        let etu = chars * 11 + 4 * 22;
        assert!((ms(t.transfer(5, 258)) - etu as f64 / 9.6).abs() < 0.01);
        // Four times the bit rate: four times faster on the wire.
        let fast = preset("contact-38400").unwrap();
        let r = t.transfer(5, 258).as_secs_f64() / fast.transfer(5, 258).as_secs_f64();
        assert!((r - 4.0).abs() < 0.01, "{r}");
    }

    #[test]
    fn contactless_arithmetic() {
        let t = preset("contactless-424").unwrap();
        // 5 + 3 and 258 + 3·2 characters + one ACK frame (3), 10 etu each;
        // four frames (command, two answers, the ACK) of SOF/EOF and turnaround.
        let chars = 5 + 3 + 258 + 6 + 3;
        let us = (chars * 10 + 4 * 23) as f64 * 1e6 / 424_000.0 + 4.0 * 170.0;
        assert!((t.transfer(5, 258).as_secs_f64() * 1e6 - us).abs() < 1.0);
    }

    #[test]
    fn processing_by_kind() {
        let t = preset("contact-38400").unwrap();
        let query = t.command(&[0x00, 0x20, 0x00, 0x80], 2);
        let verify = t.command(&[0x00, 0x20, 0x00, 0x80, 0x04, 1, 2, 3, 4], 2);
        let sign = t.command(&[0x80, 0x2A, 0x00, 0x80, 0x33, 0], 258);
        assert!(verify - query >= Duration::from_micros(VERIFY_US));
        assert!(sign > Duration::from_micros(SIGN_US));
        assert_eq!(NONE.command(&[0x80, 0x2A, 0, 0x80], 258), Duration::ZERO);
        assert!(preset("nope").is_none());
        assert_eq!(preset_names()[0], "none");
    }

    /// ISO/IEC 7816-3 Table 7 and 8: Fi and fmax by the high nibble of
    /// TA1, Di by the low one (0: reserved).
    fn ta1_limit(ta1: u8) -> f64 {
        const F: [(f64, f64); 16] = [
            (372.0, 4e6),
            (372.0, 5e6),
            (558.0, 6e6),
            (744.0, 8e6),
            (1116.0, 12e6),
            (1488.0, 16e6),
            (1860.0, 20e6),
            (0.0, 0.0),
            (0.0, 0.0),
            (512.0, 5e6),
            (768.0, 7.5e6),
            (1024.0, 10e6),
            (1536.0, 15e6),
            (2048.0, 20e6),
            (0.0, 0.0),
            (0.0, 0.0),
        ];
        const D: [f64; 16] = [
            0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 12.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        let (f, fmax) = F[usize::from(ta1 >> 4)];
        D[usize::from(ta1 & 0x0F)] * fmax / f
    }

    #[test]
    fn contact_presets_stay_within_ta1() {
        let atr = crate::vcard::profile::DEFAULT_ATR;
        // T0's high nibble says which of TA1..TD1 follow; TA1 is bit 5.
        assert_eq!(atr[1] & 0x10, 0x10, "the ATR has a TA1");
        let ta1 = atr[2];
        assert_eq!(ta1, 0x13, "F = 372, D = 4");
        let limit = ta1_limit(ta1);
        assert!((limit - 53_763.4).abs() < 1.0, "{limit}");
        for (name, t) in PRESETS {
            if t.interface == Interface::Contact {
                assert!(
                    f64::from(t.bit_rate) <= limit,
                    "{name}: {} bit/s is above what TA1 {ta1:02X} allows ({limit:.0})",
                    t.bit_rate
                );
            }
        }
        assert!(preset("contact-115200").is_none());
        // The default 9600 is D = 1 at 3.5712 MHz; 38 400 is the card's D = 4 there.
        assert!((3.5712e6 * 4.0 / 372.0 - 38_400.0f64).abs() < 1.0);
    }
}
