//! `mynacard prove`: is this card genuine? The three levels, stated as
//! what each proves (`usecase::prove`).

use super::Ctx;
use crate::cert::roots::Provenance;
use crate::cli::input::{PinInput, PinSource};
use crate::cli::output::{paint, print_json, Document, Tone};
use crate::error::{exit, Result};
use crate::i18n::{pad, Lang};
use crate::protocol::PinKind;
use crate::usecase::pins::Which;
use clap::Args;

/// `prove --json`: the proof as found.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ProveDoc<'a>(pub &'a crate::usecase::prove::Proof);

impl Document for ProveDoc<'_> {
    const COMMAND: &'static str = "prove";
}

#[derive(Args, Debug)]
pub struct ProveArgs {
    #[command(flatten)]
    pub last: super::pin::LastTry,
    #[command(flatten)]
    pub pin: PinSource,
}

pub fn run(ctx: &Ctx, a: ProveArgs) -> Result<i32> {
    let mut input = PinInput::new(ctx.lang).with(PinKind::Auth, Which::Current, a.pin.source());
    let p = crate::usecase::prove::prove(&ctx.card, a.last.force_last_try, &mut input)?;
    let code = if p.genuine {
        exit::OK
    } else {
        exit::NOT_GENUINE
    };
    if ctx.g.json {
        print_json(&ProveDoc(&p));
        return Ok(code);
    }
    let l = ctx.lang;
    let (head, note) = crate::cert::view::provenance_text(&p.issued_by, l);
    let w = 22;
    println!(
        "{}",
        l.pick("カードの真正性の確認:", "Is this card genuine?")
    );
    let tone = if p.issued_by.is_jlis() {
        Tone::Ok
    } else {
        Tone::Bad
    };
    println!(
        "  {} {}",
        pad(l.pick("1. 証明書", "1. certificate"), w),
        paint(ctx, tone, &head)
    );
    if let Some(same) = p.card_ca_is_root {
        println!(
            "  {} {}",
            pad(l.pick("2. カードの CA ファイル", "2. card's CA file"), w),
            paint(
                ctx,
                if same { Tone::Ok } else { Tone::Warn },
                &crate::cert::view::card_ca_text(same, &p.issued_by, l)
            )
        );
    }
    let key = match (p.holds_key, l) {
        (true, Lang::Ja) => {
            "新しい乱数にカードが証明書の鍵で署名しました (カードは鍵を持っています)".to_string()
        }
        (true, Lang::En) => {
            "the card signed a fresh random challenge with the certificate's key".to_string()
        }
        (false, Lang::Ja) => format!(
            "カードは証明書の鍵を持っていません ({})",
            p.failure.as_deref().unwrap_or("")
        ),
        (false, Lang::En) => format!(
            "the card does not hold the certificate's key ({})",
            p.failure.as_deref().unwrap_or("")
        ),
    };
    println!(
        "  {} {}",
        pad(l.pick("3. カードの鍵", "3. the card's key"), w),
        paint(ctx, if p.holds_key { Tone::Ok } else { Tone::Bad }, &key)
    );
    let verdict = match (&p.issued_by, p.holds_key, l) {
        (_, false, Lang::Ja) => "→ このカードは本物ではありません".to_string(),
        (_, false, Lang::En) => "→ this card is not genuine".to_string(),
        (Provenance::Jlis { .. }, true, Lang::Ja) => "→ このカードは本物です (J-LIS が発行した証明書の秘密鍵を持っています)".to_string(),
        (Provenance::Jlis { .. }, true, Lang::En) => "→ this card is genuine: it holds the private key of a certificate J-LIS issued".to_string(),
        (Provenance::TestPki { .. } | Provenance::JlisTest, true, Lang::Ja) => "→ 試験用のカードです (鍵は持っていますが、J-LIS の本番のカードではありません)".to_string(),
        (Provenance::TestPki { .. } | Provenance::JlisTest, true, Lang::En) => "→ a test card: it holds its key, but it is not a J-LIS production card".to_string(),
        (Provenance::JlisUnverifiable { .. }, true, Lang::Ja) => "→ カードは鍵を持っていますが、証明書の発行元をここでは確かめられません".to_string(),
        (Provenance::JlisUnverifiable { .. }, true, Lang::En) => "→ the card holds its key, but the certificate's issuer cannot be verified here".to_string(),
        (Provenance::NotJlis { .. }, true, Lang::Ja) => "→ カードは鍵を持っていますが、その証明書は J-LIS の発行ではありません: 本物ではありません".to_string(),
        (Provenance::NotJlis { .. }, true, Lang::En) => "→ the card holds a key, but its certificate is not J-LIS's: not genuine".to_string(),
    };
    println!(
        "{}",
        paint(ctx, if p.genuine { Tone::Ok } else { Tone::Bad }, &verdict)
    );
    if p.genuine && !note.is_empty() {
        // The level-3 check is the one that answers the note's caveat.
        println!(
            "  {}",
            paint(
                ctx,
                Tone::Dim,
                l.pick(
                    "(証明書だけなら写せますが、秘密鍵はカードの外に出せません)",
                    "(a certificate can be copied; its private key cannot leave the card)"
                )
            )
        );
    }
    Ok(code)
}
