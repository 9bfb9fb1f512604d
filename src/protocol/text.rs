//! Text that came from a card or a certificate is shown to a person: it
//! must never carry terminal control sequences (an ESC in a token label
//! would reach the terminal raw) or reorder what is displayed.

/// `s` with every control character (C0, DEL, C1) and bidirectional
/// override replaced by U+FFFD, so it can be printed as it is.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_replaced() {
        assert_eq!(printable("JPKI\x1b[2J"), "JPKI\u{FFFD}[2J");
        assert_eq!(
            printable("a\u{202E}b\u{9b}c\n"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
        assert_eq!(printable("黒桐　幹也"), "黒桐　幹也");
    }
}
