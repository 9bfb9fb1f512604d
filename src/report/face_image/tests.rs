use super::*;
use crate::protocol::face::Face;

fn test_card() -> Face {
    let b = std::fs::read("fixtures/surface-test-card/surface-0002.bin").unwrap();
    Face::parse(&b).unwrap()
}

#[test]
fn the_jpki_test_cards_photo_and_images_decode() {
    let f = test_card();
    let t = std::time::Instant::now();
    let photo = decode_photo(&f.photo).unwrap();
    eprintln!("decoded the test card's photo in {:?}", t.elapsed());
    // 378×472 greyscale, as its JP2 header says; not one flat grey.
    assert_eq!((photo.width, photo.height), (378, 472));
    let (lo, hi) = (0..photo.height)
        .flat_map(|y| (0..photo.width).map(move |x| (x, y)))
        .map(|(x, y)| photo.at(x, y))
        .fold((255, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
    assert!(hi - lo > 64, "{lo}..{hi}");
    let name = decode_png(&f.name_image).unwrap();
    assert_eq!((name.width, name.height), (216, 12));
    let address = decode_png(&f.address_image).unwrap();
    assert!(address.width > 0 && address.height > 0);
}

#[test]
fn the_virtual_cards_photo_decodes_to_its_drawn_face() {
    let b = std::fs::read("fixtures/vcard-photo/photo.jp2").unwrap();
    let g = decode_photo(&b).unwrap();
    assert_eq!((g.width, g.height), (150, 188));
    // Light background in the corner, dark hair at the top of the head,
    // dark clothes at the bottom.
    assert!(g.at(3, 3) > 200);
    assert!(g.at(75, 30) < 90, "{}", g.at(75, 30));
    assert!(g.at(75, 180) < 110, "{}", g.at(75, 180));
}

#[test]
fn garbage_truncation_and_giants_are_errors_never_panics() {
    let f = test_card();
    for n in [0, 4, 12, 40, 100, f.photo.len() / 2, f.photo.len() - 1] {
        let _ = decode_photo(&f.photo[..n]);
    }
    assert!(matches!(
        decode_photo(b"not a picture"),
        Err(ImageError::Jpeg2000(_))
    ));
    assert!(matches!(
        decode_png(b"\x89PNG\r\n"),
        Err(ImageError::Png(_))
    ));
    // A PNG header that claims 100 000 pixels a side.
    let mut giant = encode_png(&Grey::new(2, 2, vec![0; 4])).unwrap();
    giant[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(decode_png(&giant).is_err());
    // A flipped byte anywhere in the photo: an error or a picture.
    for i in (0..f.photo.len()).step_by(37) {
        let mut p = f.photo.clone();
        p[i] ^= 0x5A;
        let _ = decode_photo(&p);
    }
}

#[test]
fn png_round_trip_and_the_debug_form_hides_the_pixels() {
    let g = Grey::new(3, 2, vec![0, 128, 255, 10, 20, 30]);
    let back = decode_png(&encode_png(&g).unwrap()).unwrap();
    assert_eq!(back, g);
    assert_eq!(format!("{g:?}"), "Grey(3×2, REDACTED)");
}

#[test]
fn half_blocks_keep_the_shape_and_draw_light_and_dark() {
    // A portrait photo into 40×12 cells: 12 rows hold 24 pixels high.
    assert_eq!(fit(378, 472, 40, 12), (19, 12));
    assert_eq!(fit(216, 12, 60, 10), (60, 2));
    assert_eq!(fit(0, 10, 10, 10), (0, 0));
    // Top half white, bottom half black.
    let mut px = vec![255; 8 * 4];
    px[16..].fill(0);
    let g = Grey::new(8, 4, px);
    let mono = half_blocks(&g, 8, 2, false);
    assert_eq!(mono.len(), 2);
    assert!(mono[0].iter().all(|c| c.ch == '█'), "{mono:?}");
    assert!(mono[1].iter().all(|c| c.ch == ' '), "{mono:?}");
    let colour = half_blocks(&g, 8, 2, true);
    assert!(colour.iter().flatten().all(|c| c.ch == '▀'));
    assert_eq!((colour[0][0].top, colour[1][0].bottom), (255, 0));
    // Mid grey is dithered: some cells lit, some not.
    let mid = half_blocks(&Grey::new(8, 8, vec![128; 64]), 8, 4, false);
    let chars: std::collections::HashSet<char> = mid.iter().flatten().map(|c| c.ch).collect();
    assert!(chars.len() > 1, "{chars:?}");
}
