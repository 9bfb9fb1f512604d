//! The face panel drawn: the entry of the printed parts (masked), the
//! check running, then the verdict with its four levels beside the photo
//! and the name and address images (half-blocks), the signed birth date
//! and sex. Personal data appear here only, and only while the panel is
//! on (cleared when the card leaves or after `face::SHOWN_FOR`).

use super::face::{Done, Panel, Pictures};
use super::look::{Look, Tone};
use crate::i18n::Lang;
use crate::report::face_image::{self, Grey};
use crate::usecase::face::{printed::Problem, FaceCheck, Verdict};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The keys line while the panel is on.
pub fn keys(panel: &Panel, look: Look) -> &'static str {
    match panel {
        Panel::Entry { .. } => look.pick(
            "Enter: 次へ / 照合   Esc: 取消",
            "Enter: next / check   Esc: cancel",
        ),
        Panel::Checking => look.pick("確認中…", "checking…"),
        _ => look.pick("Esc: 閉じる   q: 終了", "Esc: close   q: quit"),
    }
}

/// Draw the panel in `area` (the screen's body).
pub fn draw(f: &mut Frame, area: Rect, panel: &Panel, look: Look) {
    match panel {
        Panel::Off => {}
        Panel::Entry {
            parts, at, problem, ..
        } => entry(f, area, parts, *at, *problem, look),
        Panel::Checking => {
            let lines = vec![
                Line::default(),
                Line::from(Span::styled(
                    look.pick(
                        "  照合番号B で確認しています…",
                        "  checking with 照合番号B…",
                    ),
                    look.style(Tone::Dim).add_modifier(Modifier::BOLD),
                )),
                Line::from(look.pick("  カードを動かさないでください", "  keep the card still")),
            ];
            f.render_widget(Paragraph::new(lines), area);
        }
        Panel::Shown { done, .. } => match done.as_ref() {
            Done::Checked { check, pictures } => shown(f, area, check, pictures, look),
            Done::Failed(e) => {
                let lines = vec![
                    Line::from(Span::styled(
                        look.pick("券面確認できませんでした", "the face check did not finish"),
                        look.style(Tone::Bad),
                    )),
                    Line::from(e.message(look.lang)),
                    Line::from(format!("→ {}", e.remedy(look.lang))),
                ];
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
            }
        },
    }
}

fn problem_text(p: Problem, l: Lang) -> String {
    match (p, l) {
        (Problem::Parts { .. }, Lang::Ja) => "3 つとも入力してください".into(),
        (Problem::BirthDate, Lang::Ja) => {
            "生年月日が読めません (例 昭和55年2月17日、S55.2.17、1980-02-17)".into()
        }
        (Problem::ExpiryYear, Lang::Ja) => "有効期限の年は西暦 4 桁です (例 2035)".into(),
        (Problem::SecurityCode, Lang::Ja) => "セキュリティコードは数字 4 桁です".into(),
        (p, Lang::En) => p.text(),
    }
}

fn entry(
    f: &mut Frame,
    area: Rect,
    parts: &[zeroize::Zeroizing<String>; 3],
    at: usize,
    problem: Option<Problem>,
    look: Look,
) {
    let labels = [
        look.pick("生年月日 (券面の表記)", "birth date (as printed)"),
        look.pick("有効期限の年 (西暦)", "expiry year (4 digits)"),
        look.pick("セキュリティコード", "security code (4 digits)"),
    ];
    let mut lines = vec![
        Line::from(Span::styled(
            look.pick(
                "券面確認 (照合番号B): カードの表記のまま入力してください",
                "face check (照合番号B): type what is printed on the card",
            ),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::default(),
    ];
    for (i, label) in labels.iter().enumerate() {
        let mark = if i == at { "▶" } else { " " };
        let typed = "•".repeat(parts[i].chars().count());
        let cursor = if i == at { "▏" } else { "" };
        lines.push(Line::from(format!(
            "{mark} {} {typed}{cursor}",
            crate::i18n::pad(label, 26)
        )));
    }
    lines.push(Line::default());
    if let Some(p) = problem {
        lines.push(Line::from(Span::styled(
            problem_text(p, look.lang),
            look.style(Tone::Bad),
        )));
    }
    lines.push(Line::from(Span::styled(
        look.pick(
            "確定すると照合番号B を 1 回照合します。誤りは残り回数を 1 回使います (最後の 1 回はこの画面では使いません)",
            "Enter on the last part sends one 照合番号B check: a wrong code uses a try (this screen never uses the last one)",
        ),
        look.style(Tone::Dim),
    )));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn level(ok: bool, name: &str, look: Look) -> Line<'static> {
    let (tone, mark) = if ok {
        (Tone::Ok, look.pick("✓ 確認", "✓ ok"))
    } else {
        (Tone::Bad, look.pick("✗ 不可", "✗ FAILED"))
    };
    Line::from(vec![
        Span::raw(format!("  {} ", crate::i18n::pad(name, 20))),
        Span::styled(mark, look.style(tone)),
    ])
}

fn shown(f: &mut Frame, area: Rect, c: &FaceCheck, pics: &Pictures, look: Look) {
    let l = look.lang;
    let tone = match c.verdict {
        Verdict::Genuine => Tone::Ok,
        Verdict::TestCard => Tone::Warn,
        _ => Tone::Bad,
    };
    let mut lines = vec![
        Line::from(Span::styled(
            super::super::face_text::verdict_text(c.verdict, l),
            look.style(tone).add_modifier(Modifier::BOLD),
        )),
        level(
            c.certificate.ok,
            look.pick("1. CV 証明書", "1. CV certificate"),
            look,
        ),
        level(
            c.face_signature_ok,
            look.pick("2. 券面データの署名", "2. face signature"),
            look,
        ),
        level(
            c.chip_key_ok,
            look.pick("3. チップの鍵", "3. chip's key"),
            look,
        ),
        level(
            c.consistency.ok,
            look.pick("4. 印字との一致", "4. matches the print"),
            look,
        ),
    ];
    if let Some(n) = c.code_tries_left_before {
        lines.push(Line::from(Span::styled(
            match l {
                Lang::Ja => format!("  照合番号B の残り回数: {n} 回 (正しい入力では減りません)"),
                Lang::En => format!("  照合番号B tries left: {n} (a right code spends none)"),
            },
            look.style(Tone::Dim),
        )));
    }
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let top = 7.min(area.height);
    f.render_widget(
        text,
        Rect {
            height: top,
            ..area
        },
    );
    let below = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top),
        ..area
    };
    if !c.face_signed() {
        let msg = look.pick(
            "券面は表示しません: J-LIS が署名したままのデータではありません",
            "the face is not shown: the data are not as J-LIS signed them",
        );
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(msg, look.style(Tone::Bad)))),
            below,
        );
        return;
    }
    face(f, below, c, pics, look);
}

/// The photo on the left; the name and address images, birth date and sex
/// on the right.
fn face(f: &mut Frame, area: Rect, c: &FaceCheck, pics: &Pictures, look: Look) {
    let photo_w = 24.min(area.width / 3);
    if let Some(g) = &pics.photo {
        picture(
            f,
            Rect {
                width: photo_w,
                ..area
            },
            g,
            look,
        );
    }
    let right = Rect {
        x: area.x + photo_w + 2,
        width: area.width.saturating_sub(photo_w + 2),
        ..area
    };
    let mut y = right.y;
    let bottom = right.y + right.height;
    let label = |f: &mut Frame, y: &mut u16, s: String| {
        if *y < bottom {
            f.render_widget(
                Paragraph::new(Line::from(Span::styled(s, look.style(Tone::Dim)))),
                Rect {
                    y: *y,
                    height: 1,
                    ..right
                },
            );
            *y += 1;
        }
    };
    for (name, g, rows) in [
        (look.pick("氏名", "name"), &pics.name, 3),
        (look.pick("住所", "address"), &pics.address, 4),
    ] {
        label(f, &mut y, name.to_string());
        if let Some(g) = g {
            let h = rows.min(bottom.saturating_sub(y));
            let used = picture(
                f,
                Rect {
                    y,
                    height: h,
                    ..right
                },
                g,
                look,
            );
            y += used;
        }
    }
    let p = &c.personal;
    label(
        f,
        &mut y,
        format!(
            "{} {}   {} {}",
            look.pick("生年月日 (署名付き)", "birth date (signed)"),
            p.birth_date,
            look.pick("性別", "sex"),
            crate::i18n::sex_label(&p.sex_code, look.lang)
        ),
    );
    if let Some(e) = &pics.problem {
        label(f, &mut y, e.clone());
    }
}

/// A picture as half-blocks in `area`; the rows it took.
fn picture(f: &mut Frame, area: Rect, g: &Grey, look: Look) -> u16 {
    let (cols, rows) = face_image::fit(g.width, g.height, area.width, area.height);
    let cells = face_image::half_blocks(g, cols, rows, look.color);
    let lines: Vec<Line> = cells
        .iter()
        .map(|row| {
            Line::from(
                row.iter()
                    .map(|c| {
                        let style = if look.color {
                            Style::default()
                                .fg(Color::Rgb(c.top, c.top, c.top))
                                .bg(Color::Rgb(c.bottom, c.bottom, c.bottom))
                        } else {
                            Style::default()
                        };
                        Span::styled(c.ch.to_string(), style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            height: rows,
            ..area
        },
    );
    rows
}
