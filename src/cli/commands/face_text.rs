//! `face-check`'s text: the four levels, each saying what it means for the
//! person at the counter, and the verdict with what to do.

use super::Ctx;
use crate::cert::cv_keys::Hierarchy;
use crate::cli::output::{paint, Tone};
use crate::i18n::{pad, sex_label, Lang};
use crate::usecase::face::{FaceCheck, Verdict};

fn mark(ctx: &Ctx, ok: bool, text: String) -> String {
    paint(ctx, if ok { Tone::Ok } else { Tone::Bad }, &text)
}

fn line(ctx: &Ctx, label: &str, ok: bool, text: String) {
    println!("  {} {}", pad(label, 24), mark(ctx, ok, text));
}

fn hierarchy(h: Option<Hierarchy>, l: Lang) -> &'static str {
    match h {
        Some(Hierarchy::Jlis) => l.pick("J-LIS (本番)", "J-LIS (production)"),
        Some(Hierarchy::JlisTest) => l.pick("J-LIS の試験用 CA (TEST)", "J-LIS's TEST hierarchy"),
        Some(Hierarchy::VirtualTest) => l.pick(
            "mynacard の仮想カードの試験用 CA (TEST)",
            "mynacard's virtual card TEST CA",
        ),
        None => l.pick("不明な発行者", "an unknown issuer"),
    }
}

/// What the verdict means and what to do.
pub fn verdict_text(v: Verdict, l: Lang) -> &'static str {
    match v {
        Verdict::Genuine => l.pick(
            "→ 本物のチップで、券面データも一致しています。写真と券面をご本人と見比べてください",
            "→ genuine chip, matching face data: compare the photo and the card with the person",
        ),
        Verdict::TestCard => l.pick(
            "→ 4 段階とも確認できましたが、試験用の CA のカードです。住民のカードではありません",
            "→ all four levels pass, but under a TEST CA: this is not a resident's card",
        ),
        Verdict::NotJlis => l.pick(
            "→ J-LIS が発行したチップではありません (偽造の疑い)。このカードで本人確認をしないでください",
            "→ not a chip issued by J-LIS (possible forgery): do not accept this card as identification",
        ),
        Verdict::Altered => l.pick(
            "→ 券面データが J-LIS の署名後に書き換えられています (改ざん)。このカードで本人確認をしないでください",
            "→ the face data were changed after J-LIS signed them (altered): do not accept this card",
        ),
        Verdict::Copied => l.pick(
            "→ 署名されたデータは本物ですが、このチップはその鍵を持っていません (他のカードのデータの複製)。受け付けないでください",
            "→ the signed data are genuine, but this chip does not hold their key (copied from another card): do not accept it",
        ),
        Verdict::Mismatch => l.pick(
            "→ 券面の印字とチップの内容が一致しません。印字を見直し、一致しなければ受け付けないでください",
            "→ what is printed does not agree with the chip: check the printed values; if they still disagree, do not accept the card",
        ),
    }
}

pub fn print(ctx: &Ctx, c: &FaceCheck) {
    let l = ctx.lang;
    println!(
        "{}",
        l.pick(
            "チップと券面の確認 (照合番号B、暗証番号なし):",
            "Is this chip genuine, and does it match the face? (照合番号B, no PIN)"
        )
    );
    let cert = &c.certificate;
    let t1 = cert_text(cert, l);
    line(
        ctx,
        l.pick("1. CV 証明書", "1. CV certificate"),
        cert.ok,
        t1,
    );
    let t2 = face_text(c.face_signature_ok, l);
    line(
        ctx,
        l.pick("2. 券面データの署名", "2. face signature"),
        c.face_signature_ok,
        t2,
    );
    let t3 = chip_text(c.chip_key_ok, l);
    line(
        ctx,
        l.pick("3. チップの鍵", "3. chip's key"),
        c.chip_key_ok,
        t3,
    );
    let k = &c.consistency;
    let t4 = consistency_text(k, l);
    line(
        ctx,
        l.pick("4. 印字との一致", "4. matches the print"),
        k.ok,
        t4,
    );
    if c.face_signature_ok && c.certificate.ok {
        let p = &c.personal;
        println!(
            "  {} {}{}  {} {}",
            pad(l.pick("生年月日 (署名付き)", "birth date (signed)"), 24),
            p.birth_date,
            crate::i18n::era_note(&p.birth_date.to_string(), l),
            l.pick("性別", "sex"),
            sex_label(&p.sex_code, l)
        );
    }
    if let Some(n) = c.code_tries_left_before {
        println!(
            "  {}",
            paint(
                ctx,
                Tone::Dim,
                &match l {
                    Lang::Ja => format!("照合番号B の残り回数: {n} 回 (正しい入力では減りません)"),
                    Lang::En => format!("照合番号B tries left: {n} (a right code spends none)"),
                }
            )
        );
    }
    let ok = c.verdict == Verdict::Genuine;
    println!("{}", mark(ctx, ok, verdict_text(c.verdict, l).to_string()));
}

/// Level 1 in words.
fn cert_text(cert: &crate::usecase::face::CertLevel, l: Lang) -> String {
    match (cert.outcome, l) {
        ("verified", Lang::Ja) => format!(
            "{} が発行 ({})",
            hierarchy(cert.hierarchy, l),
            cert.issuer_key_id
        ),
        ("verified", Lang::En) => format!(
            "issued by {} ({})",
            hierarchy(cert.hierarchy, l),
            cert.issuer_key_id
        ),
        ("bad_signature", Lang::Ja) => format!(
            "{} の鍵で検証できません ({}): J-LIS の発行ではありません",
            hierarchy(cert.hierarchy, l),
            cert.issuer_key_id
        ),
        ("bad_signature", Lang::En) => format!(
            "does not verify with {}'s key ({}): not issued by J-LIS",
            hierarchy(cert.hierarchy, l),
            cert.issuer_key_id
        ),
        (_, Lang::Ja) => format!(
            "内蔵していない CA ({}): J-LIS の発行ではありません",
            cert.issuer_key_id
        ),
        (_, Lang::En) => format!(
            "a CA mynacard does not hold ({}): not issued by J-LIS",
            cert.issuer_key_id
        ),
    }
}

/// Level 2 in words.
fn face_text(ok: bool, l: Lang) -> String {
    match (ok, l) {
        (true, Lang::Ja) => {
            "証明書の鍵で検証できました: 券面データは改ざんされていません".to_string()
        }
        (true, Lang::En) => {
            "verifies with the certificate's key: the face data are unaltered".to_string()
        }
        (false, Lang::Ja) => {
            "証明書の鍵で検証できません: 券面データが改ざんされています".to_string()
        }
        (false, Lang::En) => {
            "does not verify with the certificate's key: the face data were altered".to_string()
        }
    }
}

/// Level 3 in words.
fn chip_text(ok: bool, l: Lang) -> String {
    match (ok, l) {
        (true, Lang::Ja) => {
            "新しい乱数にチップが署名データ内の鍵で署名しました: 複製ではありません".to_string()
        }
        (true, Lang::En) => {
            "the chip signed a fresh challenge with the key inside the signed data: not a copy"
                .to_string()
        }
        (false, Lang::Ja) => {
            "チップは署名データ内の鍵を持っていません: 他のカードのデータの複製です".to_string()
        }
        (false, Lang::En) => {
            "the chip does not hold the key inside the signed data: a copy of another card's data"
                .to_string()
        }
    }
}

/// Level 4 in words.
fn consistency_text(k: &crate::usecase::face::Consistency, l: Lang) -> String {
    let yes_no = |b: Option<bool>| match (b, l) {
        (Some(true), Lang::Ja) => "一致",
        (Some(true), Lang::En) => "agrees",
        (Some(false), Lang::Ja) => "不一致",
        (Some(false), Lang::En) => "DISAGREES",
        (None, Lang::Ja) => "比較なし",
        (None, Lang::En) => "not compared",
    };
    match l {
        Lang::Ja => format!(
            "生年月日 (署名付き): {}、有効期限の年: カード情報と{}、券面レコード (署名対象外) と{}",
            yes_no(Some(k.birth_date_matches_signed)),
            yes_no(k.expiry_year_matches_card),
            yes_no(k.expiry_year_matches_face_unsigned)
        ),
        Lang::En => format!(
            "birth date (signed): {}; expiry year: card information {}, face record (NOT signed) {}",
            yes_no(Some(k.birth_date_matches_signed)),
            yes_no(k.expiry_year_matches_card),
            yes_no(k.expiry_year_matches_face_unsigned)
        ),
    }
}
