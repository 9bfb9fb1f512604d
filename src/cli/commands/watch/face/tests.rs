use super::super::view::{draw, Look};
use super::super::worker::Seen;
use super::*;
use crate::i18n::Lang;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyEvent;
use ratatui::Terminal;

fn virtual_card(profile: &str, state: &std::path::Path) -> CardOptions {
    CardOptions {
        virtual_card: Some(profile.into()),
        state: Some(state.to_path_buf()),
        timeout: 10.0,
        no_cache: true,
        ..Default::default()
    }
}

fn report(o: &CardOptions) -> Seen {
    let st = crate::usecase::status::status(
        o,
        crate::usecase::status::Request {
            today: time::macros::date!(2026 - 11 - 25),
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

fn screen(seen: &Seen, face: &Face, color: bool) -> String {
    screen_in(seen, face, color, Lang::En)
}

fn screen_in(seen: &Seen, face: &Face, color: bool, lang: Lang) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let look = Look { lang, color };
    t.draw(|f| draw(f, seen, &face.panel, look)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..24)
        .map(|y| {
            (0..80)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn typed(face: &mut Face, o: &CardOptions, s: &str) {
    let now = Instant::now();
    for c in s.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        assert_eq!(
            face.key(KeyEvent::from(code), Some(o), now),
            KeyResult::Used
        );
    }
}

/// Wait for the check's thread.
fn settle(face: &mut Face) {
    let until = Instant::now() + Duration::from_secs(20);
    while matches!(face.panel, Panel::Checking) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
        face.tick(Instant::now());
    }
}

#[test]
fn the_entry_masks_the_parts_and_the_check_shows_verdict_and_face() {
    let d = tempfile::tempdir().unwrap();
    let o = virtual_card("", &d.path().join("s.json"));
    let seen = report(&o);
    let mut face = Face::default();
    assert!(!screen(&seen, &face, false).contains("1980"));
    face.open(Instant::now());
    typed(&mut face, &o, "1980-02-17\n2035");
    let s = screen(&seen, &face, false);
    assert!(s.contains("type what is printed on the card"), "{s}");
    assert!(
        s.contains("••••••••••") && !s.contains("1980") && !s.contains("2035"),
        "{s}"
    );
    assert!(s.contains("Esc: cancel"), "{s}");
    typed(&mut face, &o, "\n2285\n");
    settle(&mut face);
    let s = screen(&seen, &face, false);
    if std::env::var("SHOW_SCREEN").is_ok() {
        eprintln!("{s}");
    }
    assert!(s.contains("under a TEST CA"), "{s}");
    assert!(
        s.contains("4. matches the print") && s.contains("✓ ok"),
        "{s}"
    );
    assert!(
        s.contains("birth date (signed) 1980-02-17   sex male"),
        "{s}"
    );
    assert!(s.contains("tries left: 3"), "{s}");
    // The photo: half-blocks on the left, below the levels.
    let photo_rows = s
        .lines()
        .skip(8)
        .filter(|l| l.chars().take(24).any(|c| "▀▄█".contains(c)))
        .count();
    assert!(photo_rows >= 10, "{s}");
    // In colour: every photo cell a grey pair.
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let look = Look {
        lang: Lang::En,
        color: true,
    };
    t.draw(|f| draw(f, &seen, &face.panel, look)).unwrap();
    assert!(t
        .backend()
        .buffer()
        .content()
        .iter()
        .any(|c| c.symbol() == "▀" && matches!(c.bg, ratatui::style::Color::Rgb(..))));
    // In Japanese too, within 80×24.
    let ja = screen_in(&seen, &face, false, Lang::Ja);
    if std::env::var("SHOW_SCREEN").is_ok() {
        eprintln!("{ja}");
    }
    let flat = ja.replace(' ', "");
    for w in [
        "試験用のCA",
        "4.印字との一致✓確認",
        "生年月日(署名付き)1980-02-17",
        "性別男性",
        "Esc:閉じる",
    ] {
        assert!(flat.contains(w), "{w}:\n{ja}");
    }
    // Cleared: nothing of the face left.
    face.clear();
    let s = screen(&seen, &face, false);
    assert!(
        !s.contains("1980") && s.contains("PINs (tries left)"),
        "{s}"
    );
}

#[test]
fn a_bad_entry_says_what_is_wrong_sends_nothing_and_wipes_the_parts() {
    let d = tempfile::tempdir().unwrap();
    let o = virtual_card("", &d.path().join("s.json"));
    let seen = report(&o);
    let mut face = Face::default();
    face.open(Instant::now());
    typed(&mut face, &o, "1980-02-30\n2035\n2285\n");
    assert!(matches!(
        &face.panel,
        Panel::Entry { problem: Some(printed::Problem::BirthDate), at: 0, parts, .. }
            if parts.iter().all(|p| p.is_empty())
    ));
    let s = screen(&seen, &face, false);
    assert!(
        s.contains("the birth date is not one mynacard can read"),
        "{s}"
    );
    // Esc leaves the entry; nothing was sent (the counter is still 3).
    face.key(KeyEvent::from(KeyCode::Esc), Some(&o), Instant::now());
    assert!(!face.is_on());
    face.open(Instant::now());
    typed(&mut face, &o, "1980-02-17\n2035\n2285\n");
    settle(&mut face);
    let Panel::Shown { done, .. } = &face.panel else {
        panic!("not shown")
    };
    let Done::Checked { check, .. } = done.as_ref() else {
        panic!("failed")
    };
    assert_eq!(check.code_tries_left_before, Some(3));
}

#[test]
fn a_wrong_code_costs_one_try_and_the_last_is_never_spent() {
    let d = tempfile::tempdir().unwrap();
    let o = virtual_card("", &d.path().join("s.json"));
    let seen = report(&o);
    let mut face = Face::default();
    let wrong = |face: &mut Face| {
        face.open(Instant::now());
        typed(face, &o, "1980-02-17\n2035\n9999\n");
        settle(face);
        screen(&seen, face, false)
    };
    let s = wrong(&mut face);
    assert!(
        s.contains("the face check did not finish") && s.contains("2 tries left"),
        "{s}"
    );
    assert!(!s.contains("9999"));
    let s = wrong(&mut face);
    assert!(
        s.contains("1 tries left") || s.contains("1 try left"),
        "{s}"
    );
    // One try left: refused before any VERIFY, so the counter stays.
    let s = wrong(&mut face);
    assert!(s.to_lowercase().contains("last"), "{s}");
    let s = wrong(&mut face);
    assert!(s.to_lowercase().contains("last"), "{s}");
}

#[test]
fn a_result_for_a_card_that_left_is_dropped_and_time_clears_the_rest() {
    let d = tempfile::tempdir().unwrap();
    let o = virtual_card("", &d.path().join("s.json"));
    let mut face = Face::default();
    face.open(Instant::now());
    typed(&mut face, &o, "1980-02-17\n2035\n2285\n");
    assert!(matches!(face.panel, Panel::Checking));
    // Keys while checking neither close it nor start another.
    for k in [KeyCode::Esc, KeyCode::Enter, KeyCode::Char('f')] {
        assert_eq!(
            face.key(KeyEvent::from(k), Some(&o), Instant::now()),
            KeyResult::Used
        );
    }
    assert!(matches!(face.panel, Panel::Checking));
    // The card leaves before the answer: cleared, and the answer dropped.
    face.clear();
    std::thread::sleep(Duration::from_millis(1500));
    face.tick(Instant::now());
    assert!(!face.is_on());
    // Shown, then SHOWN_FOR later: gone. An entry left alone too.
    let t0 = Instant::now();
    face.show(Done::Failed(Error::CardRemoved), t0);
    face.tick(t0 + SHOWN_FOR - Duration::from_secs(1));
    assert!(face.is_on());
    face.tick(t0 + SHOWN_FOR);
    assert!(!face.is_on());
    face.open(t0);
    face.tick(t0 + SHOWN_FOR);
    assert!(!face.is_on());
}

#[test]
fn altered_data_show_no_face_and_copied_data_say_do_not_accept() {
    let d = tempfile::tempdir().unwrap();
    for (profile, want, face_shown) in [
        ("face-altered", "changed after J-LIS signed them", false),
        ("face-copied", "chip does not hold their key", true),
    ] {
        let file = format!("fixtures/profiles/{profile}.toml");
        let o = virtual_card(&file, &d.path().join(profile));
        let seen = report(&o);
        let mut face = Face::default();
        face.open(Instant::now());
        typed(&mut face, &o, "1980-02-17\n2035\n2285\n");
        settle(&mut face);
        let s = screen(&seen, &face, false);
        assert!(s.contains(want), "{profile}:\n{s}");
        assert_eq!(s.contains("1980-02-17"), face_shown, "{profile}:\n{s}");
        assert_eq!(
            s.contains("the face is not shown"),
            !face_shown,
            "{profile}:\n{s}"
        );
    }
}
