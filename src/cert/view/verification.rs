//! A signature check's outcome in words (`verify`), and times as JST with UTC.

use super::when;
use crate::cert::cms;
use crate::i18n::Lang;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The headline of a signature check.
pub fn verification_heading(o: &cms::Outcome, lang: Lang) -> &'static str {
    use cms::Outcome as O;
    match o {
        O::Valid => lang.pick("有効な署名です", "valid signature"),
        O::FileChanged => lang.pick(
            "ファイルが署名後に変更されています",
            "the file was changed after it was signed",
        ),
        O::BadSignature => lang.pick(
            "署名が正しくありません (署名が壊れているか、別の鍵で作られています)",
            "bad signature: it is damaged or was made with another key",
        ),
        O::UnknownSigner => lang.pick(
            "署名者の証明書は信頼する発行元のものではありません",
            "unknown signer: the certificate is not from a trusted issuer",
        ),
        O::NotValidAtSigningTime => lang.pick(
            "署名の日時に署名者の証明書は有効期間外でした",
            "the signer's certificate was not valid at the signing time",
        ),
        O::WrongKeyUsage => lang.pick(
            "署名者の証明書の鍵は署名に使えません",
            "the signer's certificate does not allow its key to sign",
        ),
    }
}

/// What a person can do about a failed check (`None`: nothing to do).
pub fn verification_remedy(
    o: &cms::Outcome,
    issued_by: Option<&crate::cert::roots::Provenance>,
    anchors_given: bool,
    lang: Lang,
) -> Option<&'static str> {
    use crate::cert::roots::Provenance as P;
    use cms::Outcome as O;
    Some(match o {
        O::Valid => return None,
        O::FileChanged => lang.pick(
            "署名されたときのファイルを入手し直してください。このファイルは署名者が署名したものではありません",
            "get the file as it was signed; this file is not what the signer signed",
        ),
        O::BadSignature => lang.pick(
            "署名ファイルを入手し直してください",
            "get the signature file again from the signer",
        ),
        O::UnknownSigner => match issued_by {
            // A name copied from a real CA: no option makes it trusted.
            Some(P::NotJlis {
                claims_jlis,
                claims_test_pki,
            }) if (*claims_jlis || *claims_test_pki) && !anchors_given => lang.pick(
                "署名者の証明書は発行元を名乗っているだけで、その署名は検証できません。この署名を信頼しないでください",
                "the signer's certificate only claims its issuer (its signature does not verify): do not trust this signature",
            ),
            Some(P::TestPki { .. } | P::JlisTest) if !anchors_given => lang.pick(
                "テスト用の署名です。試験でのみ --test-pki を付けて確かめてください",
                "a test signature: add --test-pki to check it (for tests only)",
            ),
            _ if anchors_given => lang.pick(
                "--ca で指定した発行元の証明書が署名者の証明書を発行したものか確かめてください",
                "check that the issuer given with --ca issued the signer's certificate",
            ),
            _ => lang.pick(
                "信頼する発行元であれば、その証明書を --ca FILE で指定してください",
                "if you trust its issuer, give the issuer's certificate with --ca FILE",
            ),
        },
        O::NotValidAtSigningTime => lang.pick(
            "署名者に有効な証明書で署名し直してもらってください",
            "ask the signer to sign again with a valid certificate",
        ),
        O::WrongKeyUsage => lang.pick(
            "署名者に署名用の証明書で署名し直してもらってください",
            "ask the signer to sign again with a signing certificate",
        ),
    })
}

/// A time from RFC 3339 as JST, with UTC beside it.
pub fn time_jst_utc(rfc: &str, lang: crate::i18n::Lang) -> String {
    match OffsetDateTime::parse(rfc, &Rfc3339) {
        Ok(t) => {
            let jst = t.to_offset(crate::rules::JST);
            let utc = t.to_offset(time::UtcOffset::UTC);
            let f = |t: OffsetDateTime| {
                t.format(&Rfc3339)
                    .map(|s| when(&s))
                    .unwrap_or_else(|_| rfc.to_string())
            };
            let jst = f(jst);
            let era = crate::i18n::era_note(&jst, lang);
            format!("{jst}{era} ({})", f(utc))
        }
        Err(_) => rfc.to_string(),
    }
}
