//! How the counter screen looks (the language, whether colour is used) and
//! the tones its words are drawn in: shared by the report (`view`) and the
//! face panel (`face_view`).

use crate::i18n::Lang;
use ratatui::style::{Color, Modifier, Style};

/// How the screen looks: the language and whether colour is used.
#[derive(Clone, Copy)]
pub struct Look {
    pub lang: Lang,
    pub color: bool,
}

#[derive(Clone, Copy)]
pub(super) enum Tone {
    Ok,
    Warn,
    Bad,
    Dim,
}

impl Look {
    pub(super) fn style(&self, t: Tone) -> Style {
        if !self.color {
            return match t {
                Tone::Bad => Style::default().add_modifier(Modifier::BOLD),
                _ => Style::default(),
            };
        }
        match t {
            Tone::Ok => Style::default().fg(Color::Green),
            Tone::Warn => Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Tone::Bad => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Dim => Style::default().fg(Color::DarkGray),
        }
    }

    pub(super) fn pick(&self, ja: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(ja, en)
    }
}
