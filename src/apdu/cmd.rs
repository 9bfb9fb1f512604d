//! One named builder per command the tool sends (card-protocol.md §3):
//! the bytes of each command are written here once. The card layer picks
//! which EF or key a command names; these put it in P1/P2.

use super::{Command, Instruction};

/// SELECT P1: an application (DF) by its AID.
pub const SELECT_DF: u8 = 0x04;
/// SELECT P1: an EF or IEF by its FID under the current application.
pub const SELECT_EF: u8 = 0x02;
/// SELECT P1: the MF (ISO; the card answers it, the tool never sends it).
pub const SELECT_MF: u8 = 0x00;
/// SELECT P2: no FCI in the answer.
pub const NO_FCI: u8 = 0x0C;
/// SELECT P2: the FCI in the answer (the card answers as for `NO_FCI`).
pub const FCI: u8 = 0x00;
/// READ BINARY P1 bit 8, VERIFY/CHANGE P2 bit 8: a short EF identifier (or
/// `80` alone, the selected key) follows in the low five bits.
pub const SFI_FLAG: u8 = 0x80;
/// The low five bits that carry a short EF identifier.
pub const SFI_MASK: u8 = 0x1F;
/// READ RECORD P2 low bits: record number in P1.
pub const RECORD_BY_NUMBER: u8 = 0x04;
/// CHANGE REFERENCE DATA P1: the data is the new value alone (after a VERIFY).
pub const NEW_VALUE_ONLY: u8 = 0x01;
/// COMPUTE DIGITAL SIGNATURE P1, the scheme (§9.2): PKCS#1 v1.5 over the
/// data as given (a DigestInfo) — the one the tool sends.
pub const SIGN_AS_GIVEN: u8 = 0x00;
/// … the card hashes (SHA-256) and signs the bare hash.
pub const SIGN_HASHED_BY_CARD: u8 = 0x01;
/// … a 32-byte hash is given; the card wraps it in a DigestInfo.
pub const SIGN_WRAPPED_BY_CARD: u8 = 0x02;
/// … the card hashes and wraps.
pub const SIGN_HASHED_AND_WRAPPED: u8 = 0x03;
/// COMPUTE DIGITAL SIGNATURE P2: the selected application's own key.
pub const AP_KEY: u8 = 0x00;
/// The Le of an extended READ BINARY of a whole file.
pub const EXTENDED_LE: usize = 65536;

/// Which EF or key a command acts on: the one selected, or one named by its
/// short EF identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Selected,
    Sfi(u8),
}

impl Target {
    pub fn by_sfi(self) -> bool {
        matches!(self, Target::Sfi(_))
    }

    /// P2 of VERIFY and the change commands: `80` or `80|SFI`.
    fn key_p2(self) -> u8 {
        match self {
            Target::Selected => SFI_FLAG,
            Target::Sfi(s) => SFI_FLAG | (s & SFI_MASK),
        }
    }
}

fn of(ins: Instruction, p1: u8, p2: u8) -> Command {
    Command::new(ins.cla(), ins.byte(), p1, p2)
}

/// SELECT an application by AID: `00 A4 04 0C Lc <AID>`.
pub fn select_df(aid: &[u8]) -> Command {
    of(Instruction::Select, SELECT_DF, NO_FCI).with_data(aid)
}

/// SELECT an EF or IEF of the current application: `00 A4 02 0C 02 <FID>`.
pub fn select_ef(fid: u16) -> Command {
    of(Instruction::Select, SELECT_EF, NO_FCI).with_data(fid.to_be_bytes())
}

/// READ BINARY of `le` bytes at `offset`: `00 B0 <80|SFI> <off> <Le>` (an
/// offset up to 255) or `00 B0 <off hi> <off lo> <Le>` on the selected EF
/// (P1 bit 8 clear: up to `7FFF`).
pub fn read_binary(at: Target, offset: usize, le: usize) -> Command {
    let (p1, p2) = match at {
        Target::Sfi(s) => (SFI_FLAG | (s & SFI_MASK), offset as u8),
        Target::Selected => ((offset >> 8) as u8 & !SFI_FLAG, offset as u8),
    };
    of(Instruction::ReadBinary, p1, p2).with_le(le)
}

/// One extended-length READ BINARY of a whole file by SFI:
/// `00 B0 <80|SFI> 00 00 00 00` (Le 65536).
pub fn read_binary_whole(sfi: u8) -> Command {
    of(Instruction::ReadBinary, SFI_FLAG | (sfi & SFI_MASK), 0x00)
        .with_le(EXTENDED_LE)
        .extended()
}

/// READ RECORD `n`: `00 B2 <n> <SFI<<3|4> <Le>`, or P2 `04` on the
/// selected EF.
pub fn read_record(at: Target, n: u8, le: usize) -> Command {
    let p2 = match at {
        Target::Sfi(s) => ((s & SFI_MASK) << 3) | RECORD_BY_NUMBER,
        Target::Selected => RECORD_BY_NUMBER,
    };
    of(Instruction::ReadRecord, n, p2).with_le(le)
}

/// The retry-counter query: the case-1 VERIFY `00 20 00 <80|SFI>`, no
/// data and no Le, which spends no try.
pub fn retry_query(at: Target) -> Command {
    of(Instruction::Verify, 0x00, at.key_p2())
}

/// VERIFY a PIN: `00 20 00 <80|SFI> Lc <PIN>`.
pub fn verify(at: Target, pin: &[u8]) -> Command {
    of(Instruction::Verify, 0x00, at.key_p2()).with_data(pin)
}

/// CHANGE REFERENCE DATA of the selected key: `00 24 01 80 Lc <new PIN>`.
pub fn change_reference_data(new: &[u8]) -> Command {
    of(
        Instruction::ChangeReferenceData,
        NEW_VALUE_ONLY,
        Target::Selected.key_p2(),
    )
    .with_data(new)
}

/// CHANGE KEY of the selected key: `80 32 00 80 Lc <new PIN>`.
pub fn change_key(new: &[u8]) -> Command {
    of(Instruction::ChangeKey, 0x00, Target::Selected.key_p2()).with_data(new)
}

/// COMPUTE DIGITAL SIGNATURE with the selected key EF:
/// `80 2A 00 80 Lc <DigestInfo> 00`; the card pads and signs.
pub fn sign(digest_info: &[u8]) -> Command {
    of(
        Instruction::ComputeDigitalSignature,
        SIGN_AS_GIVEN,
        Target::Selected.key_p2(),
    )
    .with_data(digest_info)
    .with_le(256)
}

/// COMPUTE DIGITAL SIGNATURE with the selected application's own key (the
/// 券面AP's card key, `001A`, no credential): `80 2A 00 00 Lc <DigestInfo>
/// 00` (card-protocol.md §2.3; myna-card `SurfaceAp::sign`).
pub fn sign_with_ap_key(digest_info: &[u8]) -> Command {
    of(Instruction::ComputeDigitalSignature, SIGN_AS_GIVEN, AP_KEY)
        .with_data(digest_info)
        .with_le(256)
}

/// GET RESPONSE of the `n` bytes a `61xx` promised: `00 C0 00 00 <n>`
/// (`00` = 256).
pub fn get_response(n: u8) -> Command {
    of(Instruction::GetResponse, 0x00, 0x00).with_le(if n == 0 { 256 } else { n as usize })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(c: &Command) -> String {
        crate::apdu::hex_spaced(&c.to_bytes())
    }

    #[test]
    fn the_bytes_of_card_protocol_section_3() {
        let aid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
        assert_eq!(
            hex(&select_df(&aid)),
            "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
        );
        assert_eq!(hex(&select_ef(0x0017)), "00 A4 02 0C 02 00 17");
        assert_eq!(
            hex(&read_binary(Target::Sfi(0x01), 0, 17)),
            "00 B0 81 00 11"
        );
        assert_eq!(
            hex(&read_binary(Target::Sfi(0x0A), 0, 256)),
            "00 B0 8A 00 00"
        );
        assert_eq!(
            hex(&read_binary(Target::Selected, 0x1234, 256)),
            "00 B0 12 34 00"
        );
        assert_eq!(
            hex(&read_binary(Target::Selected, 0x7FFF, 1)),
            "00 B0 7F FF 01"
        );
        assert_eq!(hex(&read_binary_whole(0x0A)), "00 B0 8A 00 00 00 00");
        assert_eq!(hex(&read_record(Target::Sfi(1), 1, 256)), "00 B2 01 0C 00");
        assert_eq!(
            hex(&read_record(Target::Selected, 1, 256)),
            "00 B2 01 04 00"
        );
        assert_eq!(hex(&retry_query(Target::Sfi(0x18))), "00 20 00 98");
        assert_eq!(hex(&retry_query(Target::Selected)), "00 20 00 80");
        let v = verify(Target::Sfi(0x1B), b"ABC123");
        assert_eq!(v.trace_hex(), "00 20 00 9B 06 ****");
        assert_eq!(hex(&v), "00 20 00 9B 06 41 42 43 31 32 33");
        assert_eq!(
            change_reference_data(b"1234").trace_hex(),
            "00 24 01 80 04 ****"
        );
        assert_eq!(change_key(b"1234").trace_hex(), "80 32 00 80 04 ****");
        assert_eq!(hex(&sign(&[1, 2])), "80 2A 00 80 02 01 02 00");
        assert_eq!(hex(&get_response(0)), "00 C0 00 00 00");
        assert_eq!(hex(&get_response(0x10)), "00 C0 00 00 10");
    }

    #[test]
    fn the_retry_query_is_case_1() {
        let q = retry_query(Target::Sfi(0x11));
        assert!(q.data.is_empty() && q.le.is_none());
        assert_eq!(q.to_bytes().len(), 4);
    }
}
