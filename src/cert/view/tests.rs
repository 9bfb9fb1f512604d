use super::*;
use crate::cert::chain::check_chain;
use crate::cert::parse_der;
use crate::cert::testutil::fixtures;
use time::macros::{date, datetime};

fn sign_text(lang: Lang) -> String {
    let f = fixtures();
    let r = parse_der(&f.sign_ee, date!(2026 - 01 - 01)).unwrap();
    let c = check_chain(
        &f.sign_ee,
        std::slice::from_ref(&f.ca),
        datetime!(2026-01-01 03:00 UTC),
    )
    .unwrap();
    render_text(&r, Some(&c), lang)
}

/// The column where the value starts on a line whose label is `label`.
fn value_column(text: &str, label: &str) -> usize {
    let line = text.lines().find(|l| l.starts_with(label)).unwrap();
    let value_start = line.len() - line[label.len()..].trim_start().len();
    width(&line[..value_start])
}

#[test]
fn english() {
    let t = sign_text(Lang::En);
    println!("{t}");
    for want in [
        "Type                 JPKI signature certificate\n",
        "Subject              C=JP, CN=Test sign User, L=Kiyose-shi\n",
        "Issuer               C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems\n",
        "Serial number        9ABC01\n",
        "Valid from           2025-10-27 09:00:00 JST\n                     (2025-10-27 00:00:00 UTC)\n",
        "Valid until          2030-02-17 23:59:59 JST\n                     (2030-02-17 14:59:59 UTC)\n                     1508 days left\n",
        "Public key           RSA 2048 bits\n",
        "Key usage            digitalSignature, nonRepudiation (critical)\n",
        "Basic constraints    CA:FALSE\n",
        "Holder attributes recorded in the certificate\n",
        "  Name               吉田\u{3000}一郎\n                     substitute character at position 1",
        "  Sex                male (1)\n",
        "  Date of birth      1980-02-17 (Shōwa 55, 昭和)\n",
        "  Address            東京都千代田区霞が関２丁目１番２号\n",
        "Chain                valid\n                     signed by \"C=JP, O=JPKI",
        "Revocation           not checked (JPKI OCSP needs a 署名検証者 contract)\n",
        "Notes                - substitute characters (代替文字) were used in the name",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
    let fp = crate::cert::sha256_hex(&fixtures().sign_ee);
    let first: Vec<String> = fp.as_bytes()[..32]
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    assert!(t.contains(&format!("SHA-256 fingerprint  {}\n", first.join(":"))));
    assert!(t.ends_with('\n') && !t.contains('\x1b'));
}

#[test]
fn japanese_aligned() {
    let t = sign_text(Lang::Ja);
    println!("{t}");
    for want in [
        "署名用電子証明書 (JPKI)",
        "主体者",
        "発行者",
        "シリアル番号",
        "有効期限",
        "残り 1508 日",
        "RSA 2048 ビット",
        "鍵用途",
        "digitalSignature, nonRepudiation (クリティカル)",
        "男性 (1)",
        "1980-02-17 (昭和55年2月17日)",
        "※ 1 文字目は代替文字",
        "証明書チェーン",
        "有効\n",
        "未確認",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
    let col = value_column(&t, "主体者");
    for label in [
        "発行者",
        "有効期限",
        "鍵用途",
        "  氏名",
        "  生年月日",
        "SHA-256 フィンガープリント",
    ] {
        assert_eq!(value_column(&t, label), col, "{label}");
    }
}

#[test]
fn expired_and_not_yet_valid_and_no_chain() {
    let f = fixtures();
    let r = parse_der(&f.auth_ee, date!(2030 - 03 - 01)).unwrap();
    let en = render_text(&r, None, Lang::En);
    assert!(en.contains("expired 12 days ago"));
    assert!(en.contains("JPKI user-authentication certificate"));
    assert!(en.contains("1.2.392.200149.8.5.1.3.30 (auth-class30)"));
    assert!(!en.contains("Chain") && !en.contains("Holder"));
    assert!(render_text(&r, None, Lang::Ja).contains("期限切れ (12 日前に失効)"));
    let r = parse_der(&f.auth_ee, date!(2030 - 02 - 17)).unwrap();
    assert!(render_text(&r, None, Lang::En).contains("expires today"));
    assert!(render_text(&r, None, Lang::Ja).contains("本日が有効期限です"));
    let r = parse_der(&f.not_yet_ee, date!(2026 - 01 - 01)).unwrap();
    assert!(render_text(&r, None, Lang::En).contains("not yet valid"));
    let c = check_chain(
        &f.bad_sig_ee,
        std::slice::from_ref(&f.ca),
        datetime!(2026-01-01 00:00 UTC),
    )
    .unwrap();
    let r = parse_der(&f.bad_sig_ee, date!(2026 - 01 - 01)).unwrap();
    assert!(render_text(&r, Some(&c), Lang::Ja).contains("署名が検証できません"));
}

#[test]
fn birth_text_variants() {
    let b = |raw: &str, code: Option<char>, era: Option<&str>, date: &str, ok: bool| BirthDate {
        raw: raw.into(),
        era_code: code,
        era: era.map(str::to_string),
        date: date.into(),
        era_consistent: ok,
    };
    assert_eq!(
        birth_text(
            &b("", Some('4'), Some("平成"), "1989-01-08", true),
            Lang::Ja
        ),
        "1989-01-08 (平成元年1月8日)"
    );
    assert_eq!(
        birth_text(&b("", None, None, "2020-02-24", true), Lang::En),
        "2020-02-24 (Reiwa 2, 令和)"
    );
    assert_eq!(
        birth_text(
            &b("", Some('3'), Some("昭和"), "1990-01-02", false),
            Lang::En
        ),
        "1990-01-02 (era code 3 (昭和) does not match the date)"
    );
    assert!(birth_text(
        &b("", Some('3'), Some("昭和"), "1990-01-02", false),
        Lang::Ja
    )
    .contains("※元号コード 3 (昭和) が日付と一致しません"));
}

#[test]
fn control_characters_are_neutralised() {
    let f = fixtures();
    let mut r = parse_der(&f.auth_ee, date!(2026 - 01 - 01)).unwrap();
    r.subject = "CN=evil\x1b[31m\rred".into();
    let t = render_text(&r, None, Lang::En);
    assert!(!t.contains('\x1b') && !t.contains('\r'));
    assert_eq!(width("ab霞２"), 6);
    assert_eq!(when("9999-12-31T23:59:59Z"), "9999-12-31 23:59:59 UTC");
    assert_eq!(when("2030-02-17T23:59:59+09:00"), "2030-02-17 23:59:59 JST");
    assert_eq!(when("not a time"), "not a time");
}
