//! The instructions: every command the tool sends or the virtual card
//! answers, by its class and instruction byte (card-protocol.md §3). The
//! one place these bytes are written; both sides name a command by its
//! variant.

/// The ISO 7816-4 interindustry class.
pub const CLA_ISO: u8 = 0x00;
/// The proprietary class of the card's own commands (CHANGE KEY, the
/// signature, …).
pub const CLA_PROPRIETARY: u8 = 0x80;

/// A command by its instruction byte. `cla()` is the class the card takes
/// it in; an instruction sent in the other class is not that command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Instruction {
    /// SELECT `00 A4`: an application by AID or an EF by FID.
    Select,
    /// READ BINARY `00 B0`.
    ReadBinary,
    /// READ RECORD `00 B2`.
    ReadRecord,
    /// VERIFY `00 20`; with no data, the retry-counter query.
    Verify,
    /// VERIFY with BER-TLV data `00 21` (ISO odd INS; not on this card).
    VerifyTlv,
    /// CHANGE REFERENCE DATA `00 24` (JPKI, 入力補助).
    ChangeReferenceData,
    /// RESET RETRY COUNTER `00 2C` (not on this card).
    ResetRetryCounter,
    /// GET RESPONSE `00 C0`, after `61xx`.
    GetResponse,
    /// GET DATA `00 CA` (MF level, §2.5).
    GetData,
    /// GET CHALLENGE `00 84`.
    GetChallenge,
    /// CHANGE KEY `80 32` (共通, 住基).
    ChangeKey,
    /// COMPUTE DIGITAL SIGNATURE `80 2A` (the card's own form of ISO's
    /// PERFORM SECURITY OPERATION, §9).
    ComputeDigitalSignature,
    /// The last-command indicator `80 FC` (the iPhone token).
    LastCommand,
    /// The secure-messaging key set-up `80 AE` (入力補助AP).
    SecureMessagingKey,
}

impl Instruction {
    pub const ALL: [Instruction; 14] = [
        Instruction::Select,
        Instruction::ReadBinary,
        Instruction::ReadRecord,
        Instruction::Verify,
        Instruction::VerifyTlv,
        Instruction::ChangeReferenceData,
        Instruction::ResetRetryCounter,
        Instruction::GetResponse,
        Instruction::GetData,
        Instruction::GetChallenge,
        Instruction::ChangeKey,
        Instruction::ComputeDigitalSignature,
        Instruction::LastCommand,
        Instruction::SecureMessagingKey,
    ];

    /// The instruction byte (INS).
    pub const fn byte(self) -> u8 {
        match self {
            Instruction::Select => 0xA4,
            Instruction::ReadBinary => 0xB0,
            Instruction::ReadRecord => 0xB2,
            Instruction::Verify => 0x20,
            Instruction::VerifyTlv => 0x21,
            Instruction::ChangeReferenceData => 0x24,
            Instruction::ResetRetryCounter => 0x2C,
            Instruction::GetResponse => 0xC0,
            Instruction::GetData => 0xCA,
            Instruction::GetChallenge => 0x84,
            Instruction::ChangeKey => 0x32,
            Instruction::ComputeDigitalSignature => 0x2A,
            Instruction::LastCommand => 0xFC,
            Instruction::SecureMessagingKey => 0xAE,
        }
    }

    /// The class byte the card takes it in.
    pub const fn cla(self) -> u8 {
        match self {
            Instruction::ChangeKey
            | Instruction::ComputeDigitalSignature
            | Instruction::LastCommand
            | Instruction::SecureMessagingKey => CLA_PROPRIETARY,
            _ => CLA_ISO,
        }
    }

    /// The instruction an INS byte names, whatever the class.
    pub fn from_byte(ins: u8) -> Option<Instruction> {
        Instruction::ALL.into_iter().find(|i| i.byte() == ins)
    }

    /// The instruction a command's CLA and INS name: the INS known and the
    /// class the one it is taken in.
    pub fn from_header(cla: u8, ins: u8) -> Option<Instruction> {
        Instruction::from_byte(ins).filter(|i| i.cla() == cla)
    }

    /// Whether its data is a secret (a PIN, a new PIN) never to be printed
    /// or sent twice. CHANGE KEY counts in any proprietary class (`8x`).
    pub fn carries_secret(self, cla: u8) -> bool {
        match self {
            Instruction::Verify
            | Instruction::VerifyTlv
            | Instruction::ChangeReferenceData
            | Instruction::ResetRetryCounter => true,
            Instruction::ChangeKey => cla & CLA_PROPRIETARY != 0,
            _ => false,
        }
    }

    /// Its name as the specifications write it.
    pub fn name(self) -> &'static str {
        match self {
            Instruction::Select => "SELECT",
            Instruction::ReadBinary => "READ BINARY",
            Instruction::ReadRecord => "READ RECORD",
            Instruction::Verify | Instruction::VerifyTlv => "VERIFY",
            Instruction::ChangeReferenceData => "CHANGE REFERENCE DATA",
            Instruction::ResetRetryCounter => "RESET RETRY COUNTER",
            Instruction::GetResponse => "GET RESPONSE",
            Instruction::GetData => "GET DATA",
            Instruction::GetChallenge => "GET CHALLENGE",
            Instruction::ChangeKey => "CHANGE KEY",
            Instruction::ComputeDigitalSignature => "COMPUTE DIGITAL SIGNATURE",
            Instruction::LastCommand => "last-command indicator",
            Instruction::SecureMessagingKey => "secure-messaging key set-up",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_round_trips_and_bytes_are_distinct() {
        for i in Instruction::ALL {
            assert_eq!(Instruction::from_byte(i.byte()), Some(i));
            assert_eq!(Instruction::from_header(i.cla(), i.byte()), Some(i));
        }
        assert_eq!(Instruction::from_header(CLA_ISO, 0x2A), None);
        assert_eq!(Instruction::from_header(CLA_PROPRIETARY, 0xA4), None);
        assert_eq!(Instruction::from_byte(0x88), None);
    }

    #[test]
    fn secrets_are_the_pin_commands() {
        // The same set `is_secret_command` always had: INS 20, 21, 24, 2C
        // in any class; 32 only in a proprietary one.
        for cla in 0..=u8::MAX {
            for ins in 0..=u8::MAX {
                let old =
                    matches!(ins, 0x20 | 0x21 | 0x24 | 0x2C) || (cla & 0x80 != 0 && ins == 0x32);
                let new = Instruction::from_byte(ins).is_some_and(|i| i.carries_secret(cla));
                assert_eq!(old, new, "{cla:02X} {ins:02X}");
            }
        }
    }
}
