//! RFC 3161 signature timestamps for a CMS signature (CAdES / PAdES B-T):
//! the request for the SHA-256 of the signature value, the token taken
//! from the reply and checked to be for that value and nonce, and the
//! token added to the SignerInfo as the unsigned attribute
//! id-aa-signatureTimeStampToken (RFC 3161 appendix A). The transport
//! (plain HTTP: the reply is signed) is the use case's.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};

mod check;
pub use check::{check, Anchors, TimestampCheck, TimestampOutcome};

/// id-aa-signatureTimeStampToken.
pub const OID_SIGNATURE_TIMESTAMP: &str = "1.2.840.113549.1.9.16.2.14";
/// id-ct-TSTInfo.
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const SHA256_ALG: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
];

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let b: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|x| *x == 0)
            .collect();
        out.push(0x80 | b.len() as u8);
        out.extend(b);
    }
    out.extend_from_slice(body);
    out
}

/// The elements of a DER SEQUENCE (tag, whole TLV), or None.
fn elements(seq: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let (_, body, _) = split(seq)?;
    let mut rest = body;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (tag, _, len) = split(rest)?;
        out.push((tag, &rest[..len]));
        rest = &rest[len..];
    }
    Some(out)
}

/// One TLV at the start of `b`: (tag, body, whole length).
fn split(b: &[u8]) -> Option<(u8, &[u8], usize)> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = (l << 8) | *b.get(2 + i)? as usize;
        }
        (l, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((tag, b.get(head..end)?, end))
}

/// The signature value of the CMS's one SignerInfo.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>, String> {
    let sd = signed_data(cms_der)?;
    sd.signer_infos
        .0
        .as_slice()
        .first()
        .map(|si| si.signature.as_bytes().to_vec())
        .ok_or_else(|| "the CMS has no signer".into())
}

fn signed_data(cms_der: &[u8]) -> Result<SignedData, String> {
    ContentInfo::from_der(cms_der)
        .map_err(|e| e.to_string())?
        .content
        .decode_as::<SignedData>()
        .map_err(|e| e.to_string())
}

/// A TimeStampReq (RFC 3161 §2.4.1) for SHA-256 `imprint`, with `nonce`, asking for the TSA's certificate.
pub fn request(imprint: &[u8; 32], nonce: u64) -> Vec<u8> {
    let mi = tlv(0x30, &[&SHA256_ALG[..], &tlv(0x04, imprint)].concat());
    // DER INTEGER: minimal (no leading zero byte unless the next has its
    // high bit set); a non-minimal one is refused by strict TSAs (OpenSSL
    // answers "rejection"), so one nonce in 256 failed before.
    let mut n = magnitude(&nonce.to_be_bytes());
    if n.first().is_none_or(|b| b & 0x80 != 0) {
        n.insert(0, 0);
    }
    let body = [
        &tlv(0x02, &[1])[..],
        &mi,
        &tlv(0x02, &n),
        &[0x01, 0x01, 0xff],
    ]
    .concat();
    tlv(0x30, &body)
}

/// What a token's TSTInfo says (RFC 3161 §2.4.2), read once for both the
/// signer (`token`) and the verifier (`check`).
struct Token {
    /// The token's SignedData.
    sd: SignedData,
    /// The TSTInfo's DER: what the TSA signed.
    info_der: Vec<u8>,
    /// The imprint's hash algorithm is SHA-256.
    sha256: bool,
    /// The imprint's hash.
    imprint: Vec<u8>,
    /// genTime, as written (GeneralizedTime).
    gen_time: String,
    /// The nonce's magnitude (leading zeros dropped), when there is one.
    nonce: Option<Vec<u8>>,
}

fn magnitude(n: &[u8]) -> Vec<u8> {
    n.iter().copied().skip_while(|b| *b == 0).collect()
}

/// Read a timestamp token (ContentInfo of a SignedData holding a TSTInfo).
fn read_token(tok: &[u8]) -> Result<Token, String> {
    let sd = signed_data(tok).map_err(|e| format!("holds no SignedData ({e})"))?;
    if sd.encap_content_info.econtent_type.to_string() != OID_TST_INFO {
        return Err("is not a TSTInfo".into());
    }
    let info_der = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<der::asn1::OctetString>().ok())
        .ok_or("has no TSTInfo")?
        .as_bytes()
        .to_vec();
    let f = elements(&info_der).ok_or("has a TSTInfo that is not DER")?;
    // version, policy, messageImprint, serialNumber, genTime, [accuracy], [ordering], [nonce] …
    let mi = f
        .get(2)
        .and_then(|(_, m)| elements(m))
        .ok_or("has a TSTInfo with no imprint")?;
    // AlgorithmIdentifier { id-sha256, NULL or absent }, OCTET STRING.
    let sha256 = mi
        .first()
        .and_then(|(_, a)| elements(a))
        .and_then(|a| a.first().map(|(_, o)| o.to_vec()))
        .is_some_and(|o| o == SHA256_ALG[2..13]);
    let imprint = mi
        .get(1)
        .and_then(|(_, h)| split(h))
        .filter(|(tag, _, _)| *tag == 0x04)
        .map(|(_, h, _)| h.to_vec())
        .ok_or("has a TSTInfo whose imprint has no hash")?;
    let gen_time = f
        .get(4)
        .and_then(|(_, g)| split(g))
        .filter(|(tag, _, _)| *tag == 0x18)
        .map(|(_, v, _)| String::from_utf8_lossy(v).into_owned())
        .ok_or("has a TSTInfo with no time")?;
    let nonce = f
        .iter()
        .skip(5)
        .find(|(tag, _)| *tag == 0x02)
        .and_then(|(_, v)| split(v))
        .map(|(_, n, _)| magnitude(n));
    Ok(Token {
        sd,
        info_der,
        sha256,
        imprint,
        gen_time,
        nonce,
    })
}

/// The token of a TimeStampResp (RFC 3161 §2.4.2), checked: granted,
/// a TSTInfo for `imprint` (SHA-256) with `nonce`. Returns the token's DER
/// and its genTime as written (GeneralizedTime).
pub fn token(reply: &[u8], imprint: &[u8; 32], nonce: u64) -> Result<(Vec<u8>, String), String> {
    let bad = |w: &str| format!("the TSA's reply {w}");
    let parts = elements(reply).ok_or_else(|| bad("is not DER"))?;
    let status = parts
        .first()
        .and_then(|(_, s)| elements(s))
        .and_then(|s| {
            s.first()
                .and_then(|(_, v)| split(v))
                .map(|(_, v, _)| v.to_vec())
        })
        .ok_or_else(|| bad("has no status"))?;
    if !(status == [0] || status == [1]) {
        return Err(bad(&format!("refuses the request (status {status:?})")));
    }
    let tok = parts
        .get(1)
        .map(|(_, t)| t.to_vec())
        .ok_or_else(|| bad("holds no token"))?;
    let t = read_token(&tok).map_err(|e| bad(&format!("token {e}")))?;
    if !(t.sha256 && t.imprint == imprint) {
        return Err(bad("token is for another value than the signature"));
    }
    if t.nonce != Some(magnitude(&nonce.to_be_bytes())) {
        return Err(bad("token does not carry the request's nonce"));
    }
    Ok((tok, t.gen_time))
}

/// The signature timestamp token a SignerInfo carries (DER), if any.
pub fn signature_timestamp(sd: &SignedData) -> Option<Vec<u8>> {
    let si = sd.signer_infos.0.as_slice().first()?;
    let attr = si
        .unsigned_attrs
        .as_ref()?
        .iter()
        .find(|a| a.oid.to_string() == OID_SIGNATURE_TIMESTAMP)?;
    attr.values.iter().next()?.to_der().ok()
}

/// SHA-256 of a signature value: what the timestamp is for.
pub fn imprint(signature: &[u8]) -> [u8; 32] {
    Sha256::digest(signature).into()
}

/// The CMS with `token` added to its SignerInfo's unsigned attributes.
pub fn add_token(cms_der: &[u8], token: &[u8]) -> Result<Vec<u8>, String> {
    let e = |x: der::Error| x.to_string();
    let ci = ContentInfo::from_der(cms_der).map_err(e)?;
    let mut sd = ci.content.decode_as::<SignedData>().map_err(e)?;
    let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
    let si = infos.first_mut().ok_or("the CMS has no signer")?;
    let attr = x509_cert::attr::Attribute {
        oid: const_oid::ObjectIdentifier::new(OID_SIGNATURE_TIMESTAMP)
            .map_err(|x| x.to_string())?,
        values: der::asn1::SetOfVec::try_from(vec![der::Any::from_der(token).map_err(e)?])
            .map_err(e)?,
    };
    si.unsigned_attrs = Some(der::asn1::SetOfVec::try_from(vec![attr]).map_err(e)?);
    sd.signer_infos =
        cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).map_err(e)?);
    ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_nonce_is_a_minimal_der_integer() {
        for (nonce, want) in [
            (0u64, vec![0x00]),
            (0x7f, vec![0x7f]),
            (0x80, vec![0x00, 0x80]),
            (
                0x0012_3456_789a_bcde,
                vec![0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde],
            ),
            (0x00ff_0000_0000_0000, vec![0x00, 0xff, 0, 0, 0, 0, 0, 0]),
        ] {
            let q = request(&[7; 32], nonce);
            let f = elements(&q).unwrap();
            let (_, body, _) = split(f[2].1).unwrap();
            assert_eq!(body, &want[..], "{nonce:#x}");
            // And the der crate, strict about minimal integers, reads it.
            let i = der::asn1::Int::from_der(f[2].1).unwrap();
            assert_eq!(i.as_bytes(), &want[..]);
        }
    }
}
