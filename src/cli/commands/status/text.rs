//! The status report as text: rows, the renewal lines, the timeline bar on
//! a terminal, PINs and findings (the JSON shape is in mod.rs).

use super::*;

fn expiry_line(ctx: &Ctx, e: &Expiry) -> String {
    let tone = if e.expired {
        Tone::Bad
    } else if e.renewal_open {
        Tone::Warn
    } else {
        Tone::Ok
    };
    let d = e.days_left;
    let date = shown_date(e.expires, ctx.lang);
    let s = match ctx.lang {
        Lang::Ja if d < 0 => format!("{date} (期限切れ、{} 日経過)", -d),
        Lang::Ja if d == 0 => format!("{date} (本日が有効期限です)"),
        Lang::Ja => format!("{date} (残り {d} 日)"),
        Lang::En if d == -1 => format!("{date} (expired 1 day ago)"),
        Lang::En if d < 0 => format!("{date} (expired {} days ago)", -d),
        Lang::En if d == 0 => format!("{date} (the last day)"),
        Lang::En if d == 1 => format!("{date} (1 day left)"),
        Lang::En => format!("{date} ({d} days left)"),
    };
    paint(ctx, tone, &s)
}

/// A date as the language writes it (2035年2月17日 in Japanese).
fn shown_date(d: time::Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => crate::i18n::jp_date(d),
        Lang::En => d.to_string(),
    }
}

/// "renewal opens on …" / "renewal is open", when not yet expired.
fn renewal_row(ctx: &Ctx, o: &mut String, e: &Expiry) {
    if e.expired {
        return;
    }
    let l = ctx.lang;
    let v = if e.renewal_open {
        paint(
            ctx,
            Tone::Warn,
            &match l {
                Lang::Ja => format!("受付中 ({} から)", shown_date(e.renewal_opens, l)),
                Lang::En => format!("open now (since {})", e.renewal_opens),
            },
        )
    } else {
        shown_date(e.renewal_opens, l)
    };
    o.push_str(&format!(
        "  {} {v}\n",
        crate::cli::commands::pin::pad(l.pick("更新の受付開始", "renewal opens"), 24)
    ));
}

/// On a terminal: the expiry timeline as one bar (report::timeline) and
/// its legend.
fn timeline_rows(ctx: &Ctx, st: &Status, o: &mut String) {
    use crate::report::timeline;
    let l = ctx.lang;
    let (marks, legend) = timeline::marks(&st.facts, l);
    if marks.is_empty() {
        return;
    }
    o.push_str(&format!(
        "{}: {} {} {}\n",
        l.pick("期限の見通し", "timeline"),
        st.today,
        timeline::bar(st.today, &marks, 48),
        timeline::end(st.today, &marks)
    ));
    o.push_str(&format!(
        "  {}\n",
        paint(ctx, Tone::Dim, &legend.join(" · "))
    ));
}

/// One labelled row; labels are padded to one column.
fn row(o: &mut String, k: &str, v: &str) {
    let k = crate::cli::commands::pin::pad(k, 24);
    o.push_str(&format!("  {k} {v}\n"));
}

/// The card's own rows: its kind, serial, municipality and expiry.
fn card_rows(ctx: &Ctx, st: &Status, o: &mut String) {
    let l = ctx.lang;
    o.push_str(&format!(
        "{}: {}\n",
        l.pick("カード", "Card"),
        crate::i18n::describe_token(&st.token, l)
    ));
    if let Some(c) = &st.card {
        row(o, l.pick("製造番号", "serial"), &c.serial);
        row(
            o,
            l.pick("市区町村コード", "municipality code"),
            &c.municipality,
        );
    }
    match st.card.as_ref().map(|c| report::expiry(st.today, c.expiry)) {
        Some(e) => {
            row(o, l.pick("有効期限", "expires"), &expiry_line(ctx, &e));
            renewal_row(ctx, o, &e);
        }
        None => row(
            o,
            l.pick("有効期限", "expires"),
            l.pick("(読めません)", "(not readable)"),
        ),
    }
}

/// One certificate's rows: its state, expiry, chain and provenance.
fn cert_rows(ctx: &Ctx, st: &Status, name: &str, part: &CertPart, o: &mut String) {
    let l = ctx.lang;
    o.push_str(&format!("{name}:\n"));
    if !part.present {
        row(
            o,
            l.pick("状態", "state"),
            l.pick("搭載されていません", "not on the card"),
        );
        return;
    }
    if !part.read() {
        row(
            o,
            l.pick("状態", "state"),
            l.pick("搭載 (未読取)", "present (not read)"),
        );
        if let Some(n) = &part.note {
            row(o, "", &paint(ctx, Tone::Dim, &note_text(n, l)));
        }
        return;
    }
    if let Some(f) = &part.facts {
        let e = report::expiry(st.today, f.not_after);
        row(o, l.pick("有効期限", "expires"), &expiry_line(ctx, &e));
        renewal_row(ctx, o, &e);
    }
    if let Some(ch) = part.facts.as_ref().and_then(|f| f.chain) {
        let valid = ch == crate::cert::chain::ChainStatus::Valid;
        let tone = if valid { Tone::Ok } else { Tone::Bad };
        let against = match part.chain_against {
            Some(crate::usecase::status::Against::JlisRoot) => l.pick(
                "内蔵の J-LIS ルートによる検証",
                "chain (built-in J-LIS root)",
            ),
            _ => l.pick("CA による検証", "chain (card CA)"),
        };
        row(
            o,
            against,
            &paint(ctx, tone, crate::cert::view::chain_label(ch, l)),
        );
    }
    if let Some(f) = part.facts.as_ref() {
        use crate::cert::roots::Provenance as P;
        let (head, _) = crate::cert::view::provenance_text(&f.provenance, l);
        let tone = match f.provenance {
            P::Jlis { .. } => Tone::Ok,
            P::NotJlis { .. } => Tone::Bad,
            _ => Tone::Warn,
        };
        row(
            o,
            l.pick("発行元の確認", "provenance"),
            &paint(ctx, tone, &head),
        );
        if let Some(same) = f.card_ca_is_root {
            let tone = if same { Tone::Ok } else { Tone::Warn };
            row(
                o,
                l.pick("カードの CA ファイル", "card's CA file"),
                &paint(
                    ctx,
                    tone,
                    &crate::cert::view::card_ca_text(same, &f.provenance, l),
                ),
            );
        }
    }
}

/// The findings, or that there are none.
fn findings_rows(ctx: &Ctx, findings: &[Finding], o: &mut String) {
    let l = ctx.lang;
    if findings.is_empty() {
        o.push_str(&format!(
            "{}\n",
            paint(
                ctx,
                Tone::Ok,
                l.pick("問題は見つかりませんでした", "no findings")
            )
        ));
    } else {
        o.push_str(&format!("{}:\n", l.pick("所見", "Findings")));
        for f in findings {
            let (tone, tag) = match f.severity {
                Severity::Error => (Tone::Bad, l.pick("エラー", "ERROR")),
                Severity::Warning => (Tone::Warn, l.pick("警告", "WARN ")),
                Severity::Info => (Tone::Dim, l.pick("情報", "info ")),
            };
            o.push_str(&format!(
                "  {} {}\n",
                paint(ctx, tone, tag),
                f.message.pick(l)
            ));
            o.push_str(&format!("        → {}\n", f.next_step.pick(l)));
        }
    }
}

pub(super) fn render(ctx: &Ctx, st: &Status) -> String {
    let l = ctx.lang;
    let mut o = String::new();
    card_rows(ctx, st, &mut o);
    for (name, part) in [
        (crate::i18n::cert_name(CertSlot::Auth, l), &st.auth),
        (crate::i18n::cert_name(CertSlot::Sign, l), &st.sign),
    ] {
        cert_rows(ctx, st, name, part, &mut o);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        timeline_rows(ctx, st, &mut o);
    }
    o.push_str(&format!(
        "{}:\n",
        l.pick("暗証番号 (残り回数)", "PINs (tries left)")
    ));
    for line in render_rows(ctx, &st.pins) {
        o.push_str(&format!("  {line}\n"));
    }
    findings_rows(ctx, &st.findings, &mut o);
    o
}
