//! 公的個人認証AP (JPKI): token type, certificate availability and the four
//! certificates (card-protocol.md §2.1, §8.8, §8.9, §13).

use super::Session;
use crate::error::{Error, Result};
use crate::protocol::{App, SignKey};
use serde::Serialize;

pub use crate::protocol::files::jpki as ef;
pub use crate::protocol::TokenType;

/// Which certificates the card holds (EF 0008; byte 0 = signature,
/// byte 1 = user authentication; `8F` when present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Availability {
    pub sign: bool,
    pub auth: bool,
}

impl Availability {
    pub fn parse(b: &[u8]) -> Result<Availability> {
        if b.len() < 2 {
            return Err(Error::Data(format!(
                "JPKI EF 0008 has {} bytes, expected 3",
                b.len()
            )));
        }
        Ok(Availability {
            sign: b[0] != 0x00,
            auth: b[1] != 0x00,
        })
    }
}

pub use crate::protocol::CertSlot;

/// SELECT the JPKI AP and read the token label. `None`: not a My Number
/// Card (no JPKI application). Identification is by AID, never by ATR.
pub fn identify(s: &mut Session) -> Result<Option<TokenType>> {
    if !select(s)? {
        return Ok(None);
    }
    token(s).map(Some)
}

/// SELECT the JPKI AP; `false`: the card has none (not a My Number Card).
pub fn select(s: &mut Session) -> Result<bool> {
    s.try_select_ap(App::Jpki)
}

/// The token label (EF 0006), the JPKI AP selected.
pub fn token(s: &mut Session) -> Result<TokenType> {
    let label = s
        .read_binary(ef::TOKEN_INFO, 32)?
        .ok_or_else(|| Error::Data("JPKI EF 0006 (token information) is missing".into()))?;
    Ok(TokenType::from_label(&label))
}

/// Read EF 0008.
pub fn availability(s: &mut Session) -> Result<Availability> {
    s.select_ap(App::Jpki)?;
    let b = s
        .read_binary(ef::CERT_AVAILABILITY, 3)?
        .ok_or_else(|| Error::Data("JPKI EF 0008 (certificate availability) is missing".into()))?;
    Availability::parse(&b)
}

/// Read a certificate's DER. `None` when the EF does not exist. The
/// signature certificate needs the signature password verified first.
pub fn read_cert(s: &mut Session, slot: CertSlot) -> Result<Option<Vec<u8>>> {
    s.select_ap(App::Jpki)?;
    s.read_tlv_file(slot.fid())
}

pub use crate::protocol::SHA256_DIGEST_INFO;

/// Whether the card holds the private key `key`: SELECT of its EF, which
/// needs no PIN (card-protocol.md §9.1 selects it after the VERIFY; the
/// card answers the same before it). A card whose key EF is absent (a
/// recorded card: its files copied from a real one) is refused here,
/// before any counter is read or PIN asked; the key EF is left selected.
pub fn require_key(s: &mut Session, key: SignKey) -> Result<()> {
    s.select_ap(key.app())?;
    if s.try_select_ef(key.fid())? {
        Ok(())
    } else {
        Err(Error::NoPrivateKey { key })
    }
}

/// `require_key` before any PIN. Only "no such file" (6A82) refuses: a
/// card that answers the SELECT otherwise before the VERIFY (not seen; the
/// public sources select the key after it) is not judged here, and `sign`
/// decides after the PIN as before.
pub fn probe_key(s: &mut Session, key: SignKey) -> Result<()> {
    match require_key(s, key) {
        Err(Error::UnexpectedStatus {
            command: "SELECT EF",
            ..
        }) => Ok(()),
        r => r,
    }
}

/// COMPUTE DIGITAL SIGNATURE with a JPKI key (card-protocol.md §3, §9):
/// SELECT the key's EF, then `80 2A 00 80 Lc <DigestInfo> 00`; the card
/// pads (PKCS#1 v1.5) and signs. The key's PIN must have been verified in
/// this session. Returns the signature.
pub fn sign(s: &mut Session, key: SignKey, digest_info: &[u8]) -> Result<Vec<u8>> {
    if key.app() != App::Jpki {
        return Err(Error::Usage(crate::error::Misuse::Internal(
            "only the two JPKI keys sign here",
        )));
    }
    require_key(s, key)?;
    let r = s.send(&crate::apdu::cmd::sign(digest_info))?;
    match r.sw {
        crate::apdu::StatusWord::Ok if !r.data.is_empty() => Ok(r.data),
        sw => Err(Error::UnexpectedStatus {
            command: "COMPUTE DIGITAL SIGNATURE",
            sw,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            TokenType::from_label(b"JPKIAPICCTOKEN2                 "),
            TokenType::Card
        );
        assert_eq!(
            TokenType::from_label(b"JPKIAPICCTOKEN                  "),
            TokenType::JukiCard
        );
        assert_eq!(
            TokenType::from_label(b"JPKIAPGPSETOKEN\0\0"),
            TokenType::SmartphoneAndroid
        );
        assert_eq!(
            TokenType::from_label(b"JPKIAPIOSTOKEN  "),
            TokenType::SmartphoneIos
        );
        assert!(matches!(
            TokenType::from_label(b"XYZ"),
            TokenType::Unknown(_)
        ));
    }

    #[test]
    fn availability() {
        assert_eq!(
            Availability::parse(&[0x8F, 0x8F, 0x00]).unwrap(),
            Availability {
                sign: true,
                auth: true
            }
        );
        assert_eq!(
            Availability::parse(&[0x00, 0x8F, 0x00]).unwrap(),
            Availability {
                sign: false,
                auth: true
            }
        );
        assert!(Availability::parse(&[0x8F]).is_err());
    }
}
