//! `mynacard sign` and `mynacard verify`: detached CMS signatures with the
//! card, and their check (`usecase::sign`, `cert::cms`).

use super::cert::{check_output, refuse_binary_on_terminal, say_written, write_out};
use super::Ctx;
use crate::cert::cms;
use crate::cert::tsp::{Anchors, TimestampCheck};
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{Error, Result};
use crate::pdf::verify::Verdict;
use crate::protocol::PinKind;
use crate::usecase::pins::Which;
use crate::usecase::sign::KeyChoice;
use crate::usecase::verify::{DetachedVerification, JudgedAt};
use clap::Args;
use sha2::{Digest, Sha256};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["file", "digest_only"]))]
pub struct SignArgs {
    /// The file to sign (a detached CMS signature of it is written)
    pub file: Option<PathBuf>,
    /// Sign a SHA-256 digest instead (64 hex digits, or a file holding the 32 bytes or their hex):
    /// prints the raw PKCS#1 v1.5 signature in hex
    #[arg(long, value_name = "HEX|FILE", conflicts_with_all = ["file", "pem"])]
    pub digest_only: Option<String>,
    /// Which key signs: the signature key (default, signature password) or the user-authentication key
    #[arg(long, value_enum, default_value_t = KeyChoice::Sign)]
    pub key: KeyChoice,
    /// Write PEM (-----BEGIN CMS-----) instead of DER
    #[arg(long)]
    pub pem: bool,
    /// Write the signature to FILE (whole or not at all; - for standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it is a regular file (never a device, directory or link)
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Add a signature timestamp from the RFC 3161 TSA at URL (http://; CAdES-T)
    #[arg(long, value_name = "URL", conflicts_with = "digest_only")]
    pub tsa: Option<String>,
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub pin: PinSource,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The file that was signed
    pub file: PathBuf,
    /// Its detached CMS signature (DER or PEM)
    pub signature: PathBuf,
    /// Also trust the issuers in FILE or DIR (PEM or DER), besides the built-in J-LIS roots
    #[arg(long, value_name = "FILE|DIR")]
    pub ca: Option<PathBuf>,
    /// Also trust the test PKIs (the virtual card's, J-LIS's O=JPKI-TEST): for tests only
    #[arg(long)]
    pub test_pki: bool,
    /// Also show the signer's holder attributes (name, address, birth date, sex) of a signature certificate
    #[arg(long)]
    pub show_holder: bool,
}

/// SHA-256 of a regular file, streamed (exactly the length it reports);
/// a progress bar on a terminal when it takes more than a second.
fn hash_file(path: &Path) -> Result<[u8; 32]> {
    let mut h = Sha256::new();
    let start = std::time::Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    crate::platform::files::stream_regular(path, |chunk, done, total| {
        h.update(chunk);
        if bar.is_none() && start.elapsed().as_secs_f64() > 1.0 && std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    })
    .map_err(|e| Error::io(path, e))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(h.finalize().into())
}

/// A SHA-256 digest from 64 hex digits, or a file with 32 bytes or hex.
fn parse_digest(v: &str) -> Result<[u8; 32]> {
    let from_hex = |s: &str| -> Option<[u8; 32]> {
        let b = hex::decode(s.trim()).ok()?;
        b.try_into().ok()
    };
    if let Some(d) = from_hex(v) {
        return Ok(d);
    }
    let p = Path::new(v);
    if !p.exists() {
        return Err(Error::Usage(crate::error::Misuse::BadDigest {
            value: v.to_string(),
            exists: false,
        }));
    }
    let b = crate::platform::files::read_limited(p, 1024).map_err(|e| Error::io(p, e))?;
    if let Ok(d) = <[u8; 32]>::try_from(b.as_slice()) {
        return Ok(d);
    }
    std::str::from_utf8(&b)
        .ok()
        .and_then(from_hex)
        .ok_or_else(|| {
            Error::Usage(crate::error::Misuse::BadDigest {
                value: v.to_string(),
                exists: true,
            })
        })
}

/// The signature algorithm of `sign --digest-only`.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureAlgorithm {
    #[serde(rename = "rsassa-pkcs1-v1_5-sha256")]
    RsassaPkcs1V15Sha256,
}

/// `sign --json`: a raw signature (`--digest-only`), or the file signed.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum SignDoc {
    Digest {
        /// The SHA-256 digest signed (hex).
        digest: String,
        /// The signature (hex).
        signature: String,
        algorithm: SignatureAlgorithm,
    },
    File {
        file: String,
        /// SHA-256 of the file (hex).
        sha256: String,
        /// Where the CMS signature was written.
        output: Option<String>,
    },
}

impl Document for SignDoc {
    const COMMAND: &'static str = "sign";
}

/// `verify --json`: the verification, its timestamp, and the holder with --show-holder.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct VerifyDoc<'a> {
    /// The verdict, as `pdf verify` names it: the CMS check's outcome, or
    /// `timestamp_not_valid` when the signature is valid but its timestamp is not.
    pub verdict: Verdict,
    #[serde(flatten)]
    pub verification: &'a crate::cert::cms::Verification,
    /// The claimed signing time in UTC (RFC 3339), when present.
    pub signing_time_utc: Option<String>,
    /// The signature timestamp (CAdES-T), checked; null when there is none.
    pub timestamp: Option<&'a TimestampCheck>,
    /// The time the signer's certificate was judged at.
    pub judged_at: JudgedAt,
    /// Revocation was not checked: JPKI's OCSP needs a 署名検証者 contract.
    pub revocation_checked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<&'a crate::cert::jpki_attrs::Holder>,
}

impl Document for VerifyDoc<'_> {
    const COMMAND: &'static str = "verify";
}

pub fn sign(ctx: &Ctx, a: SignArgs) -> Result<i32> {
    check_output(a.output.as_deref(), a.force)?;
    let kind = match a.key {
        KeyChoice::Sign => PinKind::Sign,
        KeyChoice::Auth => PinKind::Auth,
    };
    let mut input = PinInput::new(ctx.lang).with(kind, Which::Current, a.pin.source());
    // The signature certificate names its holder: files holding it are private.
    let private = a.key == KeyChoice::Sign;
    if let Some(d) = &a.digest_only {
        if a.output.is_some() {
            refuse_binary_on_terminal(a.output.as_deref(), crate::error::Binary::RawSignature)?;
        }
        let digest = parse_digest(d)?;
        let (sig, _) = crate::usecase::sign::sign_digest(
            &ctx.card,
            a.key,
            &digest,
            a.last.force_last_try,
            &mut input,
        )?;
        if ctx.g.json {
            // -o is honoured under --json too; the JSON carries the hex.
            if a.output.is_some() {
                write_out(a.output.as_deref(), &sig, a.force, false)?;
                say_written(ctx, a.output.as_deref());
            }
            print_json(&SignDoc::Digest {
                digest: hex::encode(digest),
                signature: hex::encode(&sig),
                algorithm: SignatureAlgorithm::RsassaPkcs1V15Sha256,
            });
            return Ok(0);
        }
        return match &a.output {
            Some(_) => {
                write_out(a.output.as_deref(), &sig, a.force, false)?;
                say_written(ctx, a.output.as_deref());
                Ok(0)
            }
            None => {
                println!("{}", hex::encode(&sig));
                Ok(0)
            }
        };
    }
    let file = a
        .file
        .as_deref()
        .ok_or(Error::Usage(crate::error::Misuse::NoFile))?;
    // Refused before the card is touched: nothing to undo.
    if !a.pem {
        refuse_binary_on_terminal(a.output.as_deref(), crate::error::Binary::Signature)?;
    }

    let digest = hash_file(file)?;
    let der = crate::usecase::sign::sign_cms(
        &ctx.card,
        a.key,
        &digest,
        a.last.force_last_try,
        &mut input,
    )?;
    // After the card: a timestamp over the signature value.
    let der = match &a.tsa {
        Some(url) => crate::usecase::tsa::stamp(url, &der)?.0,
        None => der,
    };
    let bytes = if a.pem {
        pem::encode_config(
            &pem::Pem::new("CMS", der),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
        .into_bytes()
    } else {
        der
    };
    if ctx.g.json && a.output.is_some() {
        write_out(a.output.as_deref(), &bytes, a.force, private)?;
        print_json(&SignDoc::File {
            file: file.display().to_string(),
            sha256: hex::encode(digest),
            output: a.output.as_ref().map(|o| o.display().to_string()),
        });
        return Ok(0);
    }
    write_out(a.output.as_deref(), &bytes, a.force, private)?;
    say_written(ctx, a.output.as_deref());
    Ok(0)
}

/// An RFC 3339 time in UTC.
fn utc(rfc: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc, &Rfc3339)
        .ok()?
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .ok()
}

pub fn verify(ctx: &Ctx, a: VerifyArgs) -> Result<i32> {
    let sig =
        crate::platform::files::read_limited(&a.signature, crate::platform::files::limit::CERT)
            .map_err(|e| Error::io(&a.signature, e))?;
    let sd = cms::decode_container(&sig)
        .map_err(|e| Error::Cert(format!("{}: {e}", a.signature.display())))?;
    let digest = hash_file(&a.file)?;
    let extra = match &a.ca {
        Some(p) => Some(
            crate::cert::chain::load_trust_anchors(p).map_err(|e| Error::Cert(e.to_string()))?,
        ),
        None => None,
    };
    let anchors = Anchors {
        test: a.test_pki,
        extra: extra.as_deref(),
    };
    let r = crate::usecase::verify::verify(&sd, &digest, &anchors)
        .map_err(|e| Error::Cert(format!("{}: {e}", a.signature.display())))?;
    let code = super::pdf_verify::verdict_code(r.verdict, r.timestamp.as_ref().map(|t| t.outcome));
    let holder = if a.show_holder {
        r.cms
            .signer_der
            .as_deref()
            .and_then(|d| crate::cert::jpki_attrs::holder_from_der(d).ok().flatten())
    } else {
        None
    };
    if ctx.g.json {
        print_json(&VerifyDoc {
            verdict: r.verdict,
            verification: &r.cms,
            signing_time_utc: r.cms.signing_time.as_deref().and_then(utc),
            timestamp: r.timestamp.as_ref(),
            judged_at: r.judged_at,
            revocation_checked: false,
            holder: holder.as_ref(),
        });
        return Ok(code);
    }
    show(ctx, &r, holder.as_ref(), a.ca.is_some());
    Ok(code)
}

fn show(
    ctx: &Ctx,
    r: &DetachedVerification,
    holder: Option<&crate::cert::jpki_attrs::Holder>,
    with_ca: bool,
) {
    let (l, v) = (ctx.lang, &r.cms);
    let tone = if r.verdict == Verdict::Valid {
        Tone::Ok
    } else {
        Tone::Bad
    };
    let head = match r.verdict {
        Verdict::TimestampNotValid => super::pdf_verify::verdict_text(r.verdict, l),
        _ => crate::cert::view::verification_heading(&v.outcome, l),
    };
    println!("{}", paint(ctx, tone, head));
    let row = |k: &str, val: &str| println!("  {} {val}", crate::i18n::pad(k, 18));
    if let Some(s) = &v.signer_subject {
        row(l.pick("署名者", "signer"), s);
    }
    if let Some(p) = &v.issued_by {
        row(
            l.pick("発行元", "issuer"),
            &crate::cert::view::provenance_text(p, l).0,
        );
    }
    if let Some(t) = &v.signing_time {
        row(
            l.pick("署名日時 (申告)", "claimed time"),
            &crate::cert::view::time_jst_utc(t, l),
        );
    }
    if let Some(t) = &r.timestamp {
        let when = match (&t.time_jst, &t.time) {
            (Some(j), _) => crate::cert::view::time_jst_utc(j, l),
            (None, Some(g)) => g.clone(),
            (None, None) => "-".into(),
        };
        row(
            l.pick("タイムスタンプ", "timestamp"),
            &format!(
                "{when} ({})",
                super::pdf_verify::timestamp_text(t.outcome, l)
            ),
        );
        if let Some(who) = &t.tsa_subject {
            row("TSA", who);
        }
    }
    let judged = match r.judged_at {
        JudgedAt::Timestamp => l.pick("タイムスタンプの時刻", "the timestamp's time"),
        JudgedAt::ClaimedSigningTime => l.pick(
            "申告された署名日時 (証明ではありません)",
            "the claimed signing time (a claim, not proof)",
        ),
        JudgedAt::Now => l.pick("現在", "now"),
    };
    row(l.pick("判定時刻", "judged at"), judged);
    if let Some(h) = holder {
        row(l.pick("氏名", "name"), &h.name);
        row(l.pick("住所", "address"), &h.address);
    }
    match (r.verdict, &r.timestamp) {
        (Verdict::Valid, _) => {}
        (Verdict::TimestampNotValid, Some(t)) => {
            row(l.pick("詳細 (技術情報)", "detail"), &t.detail)
        }
        _ => row(l.pick("詳細 (技術情報)", "detail"), &v.detail),
    }
    if let Some(rem) =
        crate::cert::view::verification_remedy(&v.outcome, v.issued_by.as_ref(), with_ca, l)
    {
        row(l.pick("対処", "what to do"), rem);
    }
    println!(
        "  {}",
        paint(
            ctx,
            Tone::Dim,
            l.pick(
                "失効は確認していません (JPKI の OCSP は署名検証者の契約が必要)",
                "revocation not checked (JPKI OCSP needs a 署名検証者 contract)"
            )
        )
    );
}
