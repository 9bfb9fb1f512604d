//! The counter screen, drawn from what the worker saw: the card's kind,
//! the four PINs as tries left out of their maximum (● left, ○ used) with
//! ok / last try / locked and where a locked one is reset, the expiry
//! timeline with the renewal windows, the findings most severe first, the
//! reader and the time of the read. No personal data in the report; the
//! face panel (`face_view`, after the staff's `f` and entry) shows the face
//! being checked, only until the card leaves. Words carry every meaning;
//! colour only repeats them (none under `NO_COLOR`).

use super::face::Panel;
pub use super::look::Look;
use super::look::Tone;
use super::worker::Seen;
use crate::i18n::PinText;
use crate::report::timeline;
use crate::report::{FindingCode, Severity, Subject};
use crate::usecase::pins::CounterState;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Draw the whole screen; the face panel, when on, over the report.
pub fn draw(f: &mut Frame, seen: &Seen, face: &Panel, look: Look) {
    let area = f.area();
    let face_on = !matches!(face, Panel::Off) && matches!(seen, Seen::Report { .. });
    let mut lines = vec![header(seen, look, area.width), Line::default()];
    if face_on {
        lines.truncate(1);
    }
    match seen {
        Seen::Starting => lines.push(Line::from(look.pick("起動しています…", "starting…"))),
        Seen::NoService => big(
            &mut lines,
            look,
            Tone::Bad,
            look.pick(
                "PC/SC サービス (pcscd) が動いていません",
                "the PC/SC service (pcscd) is not running",
            ),
            look.pick(
                "pcscd を起動してください。起動すれば自動で再開します",
                "start pcscd: this screen resumes by itself",
            ),
        ),
        Seen::NoReader => big(
            &mut lines,
            look,
            Tone::Bad,
            look.pick("IC カードリーダーが見つかりません", "no smart-card reader"),
            look.pick(
                "リーダーを接続してください。接続すれば自動で再開します",
                "connect the reader: this screen resumes by itself",
            ),
        ),
        Seen::Waiting { .. } => big(
            &mut lines,
            look,
            Tone::Dim,
            look.pick("次のカードを置いてください", "place the next card"),
            "",
        ),
        Seen::Reading { .. } => big(
            &mut lines,
            look,
            Tone::Dim,
            look.pick("読み取り中…", "reading…"),
            look.pick("カードを動かさないでください", "keep the card still"),
        ),
        Seen::Failed { error, .. } => {
            let (tone, head) = match error {
                crate::error::Error::NotMyNumberCard { .. } => (
                    Tone::Warn,
                    look.pick("マイナンバーカードではありません", "not a My Number Card"),
                ),
                crate::error::Error::CardInUse | crate::error::Error::Timeout { .. } => (
                    Tone::Warn,
                    look.pick("カードは使用中です", "the card is busy"),
                ),
                _ => (Tone::Bad, look.pick("読み取りエラー", "read error")),
            };
            lines.push(Line::from(Span::styled(head, look.style(tone))));
            lines.push(Line::from(error.message(look.lang)));
            lines.push(Line::from(format!("→ {}", error.remedy(look.lang))));
        }
        Seen::Report { .. } if face_on => {}
        Seen::Report { status, .. } => report_lines(&mut lines, status, look, area.width),
    }
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    if face_on {
        let panel = Rect {
            y: body.y + 1,
            height: body.height.saturating_sub(1),
            ..body
        };
        super::face_view::draw(f, panel, face, look);
    }
    let keys = Rect {
        y: area.y + area.height.saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            match seen {
                _ if face_on => super::face_view::keys(face, look),
                Seen::Report { .. } => look.pick(
                    "q: 終了   l: English   f: 券面確認 (照合番号B)",
                    "q: quit   l: 日本語   f: face check (照合番号B)",
                ),
                _ => look.pick("q: 終了   l: English", "q: quit   l: 日本語"),
            },
            look.style(Tone::Dim),
        ))),
        keys,
    );
}

fn header(seen: &Seen, look: Look, width: u16) -> Line<'static> {
    let reader = match seen {
        Seen::Waiting { reader }
        | Seen::Reading { reader }
        | Seen::Report { reader, .. }
        | Seen::Failed { reader, .. } => reader.as_str(),
        _ => "",
    };
    let at = match seen {
        Seen::Report { at, .. } => format!("  {} {at} JST", look.pick("読み取り", "read at")),
        _ => String::new(),
    };
    let title = look.pick("mynacard 窓口画面", "mynacard counter screen");
    let mut s = format!("{title}  {reader}{at}");
    if crate::i18n::width(&s) > width as usize {
        s = format!("{title}{at}");
    }
    Line::from(Span::styled(
        s,
        Style::default().add_modifier(Modifier::REVERSED),
    ))
}

fn big(
    lines: &mut Vec<Line<'static>>,
    look: Look,
    tone: Tone,
    head: &'static str,
    sub: &'static str,
) {
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("  {head}"),
        look.style(tone).add_modifier(Modifier::BOLD),
    )));
    if !sub.is_empty() {
        lines.push(Line::from(format!("  {sub}")));
    }
}

/// ●●○ for 2 of 3 tries left.
fn dots(left: u8, max: u8) -> String {
    let left = left.min(max);
    "●".repeat(left as usize) + &"○".repeat((max - left) as usize)
}

fn report_lines(
    lines: &mut Vec<Line<'static>>,
    st: &crate::usecase::status::Status,
    look: Look,
    width: u16,
) {
    let l = look.lang;
    lines.push(Line::from(format!(
        "{}: {}",
        look.pick("カード", "card"),
        crate::i18n::describe_token(&st.token, l)
    )));
    let findings = &st.findings;
    lines.push(Line::from(Span::styled(
        look.pick("暗証番号 (残り回数)", "PINs (tries left)"),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    let name_w = st
        .pins
        .iter()
        .map(|p| crate::i18n::width(p.kind.name(l)))
        .max()
        .unwrap_or(0);
    for p in &st.pins {
        let left = p.remaining.unwrap_or(0);
        let (tone, word) = match p.state {
            CounterState::Ok | CounterState::Low => (Tone::Ok, look.pick("正常", "ok")),
            CounterState::LastTry => (Tone::Warn, look.pick("あと1回", "LAST TRY")),
            CounterState::Locked => (Tone::Bad, look.pick("ロック", "LOCKED")),
            _ => (Tone::Dim, look.pick("不明", "unknown")),
        };
        let mut spans = vec![
            Span::raw(format!("  {} ", crate::i18n::pad(p.kind.name(l), name_w))),
            Span::styled(dots(left, p.max), look.style(tone)),
            Span::raw(format!(" {left}/{} ", p.max)),
            Span::styled(word.to_string(), look.style(tone)),
        ];
        if p.state == CounterState::Locked {
            if let Some(f) = findings
                .iter()
                .find(|f| f.code == FindingCode::PinLocked && f.subject == Subject::Pin(p.kind))
            {
                spans.push(Span::raw(format!(" → {}", f.next_step.pick(l))));
            }
        }
        lines.push(Line::from(spans));
    }
    // The timeline: today to the latest last day, renewal windows as `=`.
    let (marks, legend) = timeline::marks(&st.facts, l);
    if !marks.is_empty() {
        let end = timeline::end(st.today, &marks);
        let w = (width as usize).saturating_sub(30).clamp(16, 200);
        lines.push(Line::from(Span::styled(
            look.pick("期限の見通し", "timeline"),
            Style::default().add_modifier(Modifier::BOLD),
        )));
        lines.push(Line::from(format!(
            "  {} {} {end}",
            st.today,
            timeline::bar(st.today, &marks, w)
        )));
        lines.push(Line::from(Span::styled(
            format!("  {}", legend.join(" · ")),
            look.style(Tone::Dim),
        )));
    }
    lines.push(Line::from(Span::styled(
        look.pick("所見 (重要度の高い順)", "findings (most severe first)"),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    if findings.is_empty() {
        lines.push(Line::from(look.pick("  なし", "  none")));
    }
    for f in findings {
        let (tone, word) = match f.severity {
            Severity::Error => (Tone::Bad, look.pick("エラー", "ERROR")),
            Severity::Warning => (Tone::Warn, look.pick("警告", "WARN")),
            Severity::Info => (Tone::Dim, look.pick("情報", "info")),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {word} "), look.style(tone)),
            Span::raw(f.message.pick(l).to_string()),
        ]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;
    use ratatui::Terminal;

    fn report(profile: &str) -> Seen {
        let o = crate::usecase::CardOptions {
            virtual_card: Some(profile.into()),
            timeout: 10.0,
            no_cache: true,
            ..Default::default()
        };
        let today = time::macros::date!(2026 - 11 - 25);
        let st = crate::usecase::status::status(
            &o,
            crate::usecase::status::Request {
                today,
                at: time::OffsetDateTime::now_utc(),
                sign: None,
                compare_holder: false,
                lang: Lang::En,
            },
        )
        .unwrap();
        Seen::Report {
            reader: "Reader 00 00".into(),
            at: "10:00:00".into(),
            status: Box::new(st),
        }
    }

    fn screen(seen: &Seen, look: Look, w: u16, h: u16) -> (String, ratatui::buffer::Buffer) {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw(f, seen, &Panel::Off, look)).unwrap();
        let buf = t.backend().buffer().clone();
        let text = (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n");
        (text, buf)
    }

    #[test]
    fn fits_80_by_24_in_both_languages_and_uses_more_room_when_there_is_more() {
        let seen = report("");
        for lang in [Lang::En, Lang::Ja] {
            let (s, _) = screen(&seen, Look { lang, color: true }, 80, 24);
            let want = match lang {
                Lang::En => ["PINs (tries left)", "timeline", "q: quit"],
                Lang::Ja => ["暗証番号 (残り回数)", "期限の見通し", "q: 終了"],
            };
            for w in want {
                assert!(
                    s.replace(' ', "").contains(&w.replace(' ', "")),
                    "{w}:\n{s}"
                );
            }
        }
        let bar_len = |s: &str| {
            s.lines()
                .find(|l| l.contains("|-"))
                .map(|l| l.trim().len())
                .unwrap_or(0)
        };
        let (small, _) = screen(
            &seen,
            Look {
                lang: Lang::En,
                color: true,
            },
            80,
            24,
        );
        let (big, _) = screen(
            &seen,
            Look {
                lang: Lang::En,
                color: true,
            },
            140,
            40,
        );
        assert!(bar_len(&big) > bar_len(&small) + 40, "{small}\n{big}");
    }

    #[test]
    fn no_colour_without_it_and_words_carry_the_meaning() {
        let seen = report("fixtures/profiles/pin-locked.toml");
        let (s, buf) = screen(
            &seen,
            Look {
                lang: Lang::En,
                color: false,
            },
            80,
            24,
        );
        assert!(s.contains("LOCKED") && s.contains("LAST TRY"), "{s}");
        for c in buf.content() {
            assert_eq!(c.fg, Color::Reset, "{s}");
            assert_eq!(c.bg, Color::Reset, "{s}");
        }
        let (_, buf) = screen(
            &seen,
            Look {
                lang: Lang::En,
                color: true,
            },
            80,
            24,
        );
        assert!(buf.content().iter().any(|c| c.fg == Color::Red));
    }

    #[test]
    fn every_state_has_its_words() {
        let look = Look {
            lang: Lang::En,
            color: false,
        };
        for (seen, want) in [
            (Seen::NoService, "pcscd) is not running"),
            (Seen::NoReader, "no smart-card reader"),
            (Seen::Waiting { reader: "R".into() }, "place the next card"),
            (Seen::Reading { reader: "R".into() }, "reading…"),
            (
                Seen::Failed {
                    reader: "R".into(),
                    error: crate::error::Error::NotMyNumberCard {
                        reader: "R".into(),
                        atr: vec![0x3B],
                    },
                },
                "not a My Number Card",
            ),
            (
                Seen::Failed {
                    reader: "R".into(),
                    error: crate::error::Error::CardInUse,
                },
                "the card is busy",
            ),
        ] {
            let (s, _) = screen(&seen, look, 80, 24);
            assert!(s.contains(want), "{want}:\n{s}");
        }
    }
}
