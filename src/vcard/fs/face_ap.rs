//! The 券面事項確認AP (card-face AP) as the virtual card builds it: the
//! 照合番号B-guarded face record signed by the key its CV certificate
//! certifies, that certificate, and the chip's own key.

use super::*;

/// 券面AP (§2.3).
pub(super) fn surface_files(f: &mut Files, p: &Profile) {
    use tags::surface as tag;
    let s = App::Surface;
    let surface_id = key_id("6000023", "001");
    let birth = tlv(&tag::AGE_BIRTH_DATE, ymd(p.holder.birth_date).as_bytes());
    let card_key = tlv(&tag::AGE_CARD_KEY, &rsa_pub(&pki::SURFACE_CHIP));
    let age_sig = pki::sign_sha256(&SURFACE_AP, &[birth.clone(), card_key.clone()].concat())
        .unwrap_or_default();
    let age = tlv(
        &tag::AGE_RECORD,
        &[birth, card_key, tlv(&tag::AGE_SIGNATURE, &age_sig)].concat(),
    );
    f.insert(
        (s, surface::AGE_RECORD),
        guarded(age, &[KeyRef::SurfaceBirth]),
    );
    f.insert(
        (s, surface::CARD_FACE),
        guarded(card_face(p), &[KeyRef::SurfaceCodeA, KeyRef::SurfaceCodeB]),
    );
    f.insert((s, surface::BASIC_INFO), bin(basic_info(p, &surface_id)));
    f.insert(
        (s, surface::CV_CERT),
        bin(cv_cert(&surface_issuer(p), &surface_id, &SURFACE_AP)),
    );
    // EF 0005 as the recorded card has it (myna-card `MyNumberImage`): the
    // image, the card key, and the certified key's signature over both.
    let png = tlv(&tag::NUMBER_PNG, &blank_png(72, 12));
    // DF42 holds the card key (the tag's name predates the recorded layout).
    let card_key = tlv(&tag::NUMBER_KEY_ID, &rsa_pub(&pki::SURFACE_CHIP));
    let sig = pki::sign_sha256(&SURFACE_AP, &[png.clone(), card_key.clone()].concat())
        .unwrap_or_default();
    let number_image = tlv(
        &tag::NUMBER_IMAGE,
        &[png, card_key, tlv(&tag::NUMBER_SIGNATURE, &sig)].concat(),
    );
    f.insert(
        (s, surface::NUMBER_IMAGE),
        guarded(number_image, &[KeyRef::SurfaceCodeA]),
    );
}

/// 券面AP EF 0003 in the recorded card's layout: DF33 one byte (`00` on
/// that card); DF35 a 16-byte key ID and 256 bytes. On the recorded card
/// those 256 bytes name J-LIS's `5900025/001` and no key on the card or in
/// the J-LIS test CV hierarchy recovers a padding from them (measured), so
/// their meaning is unknown. Ours are a value of the same kind, not zeros:
/// the virtual CV CA's (`6000001/001`, named in DF35) PKCS#1 SHA-256
/// signature over DF31–DF34 as stored.
pub(super) fn basic_info(p: &Profile, key: &[u8]) -> Vec<u8> {
    use tags::surface as tag;
    let clear = [
        tlv(&tag::BASIC_AP_ID, &[0x06, 0x03, 0x0E, 0x01]),
        tlv(&tag::BASIC_KEY_ID, key),
        tlv(&tag::BASIC_VERSION, &[0x00]),
        tlv(&tag::BASIC_MUNICIPALITY, p.card.municipality.as_bytes()),
    ]
    .concat();
    let block = pki::sign_sha256(&CV_CA, &clear).unwrap_or_default();
    let df35 = tlv(&tag::BASIC_OPAQUE, &[cv_issuer_id(), block].concat());
    tlv(&tag::BASIC_INFO, &[clear, df35].concat())
}

/// Who the 券面AP's CV certificate names as its signer: the virtual CA, or
/// (profile `face-lookalike-ca`) J-LIS's production `5000023`, which did
/// not sign it.
fn surface_issuer(p: &Profile) -> Vec<u8> {
    if p.faults.face_lookalike_ca {
        key_id("5000023", "001")
    } else {
        cv_issuer_id()
    }
}

/// 券面AP EF 0002 (§8.4). DF28 signs DigestInfo(SHA-256, H(DF22‖DF23‖DF24)
/// ‖ H(DF25‖DF26) ‖ H(DF27)); DF29 (the card expiry) follows the signature
/// and is not covered by it.
pub(super) fn card_face(p: &Profile) -> Vec<u8> {
    use tags::surface as tag;
    let df22 = tlv(&tag::FACE_BIRTH_DATE, ymd(p.holder.birth_date).as_bytes());
    let df23 = tlv(&tag::FACE_SEX, p.holder.sex.as_bytes());
    // DF24: the chip's own key; the face data are signed by the key the
    // CV certificate in EF 0004 certifies (myna-card `ap/surface.rs`).
    let df24 = tlv(&tag::FACE_CARD_KEY, &rsa_pub(&pki::SURFACE_CHIP));
    let df25 = tlv(&tag::NAME_IMAGE, &blank_png(400, 64));
    let df26 = tlv(&tag::ADDRESS_IMAGE, &blank_png(800, 96));
    let df27 = tlv(&tag::PHOTO, &photo_jp2());
    let mut hashes = Vec::new();
    hashes.extend_from_slice(&Sha256::digest(
        [df22.clone(), df23.clone(), df24.clone()].concat(),
    ));
    hashes.extend_from_slice(&Sha256::digest([df25.clone(), df26.clone()].concat()));
    hashes.extend_from_slice(&Sha256::digest(&df27));
    // AlgorithmIdentifier of SHA-256, then the 96 bytes of three digests.
    let alg = &pki::SHA256_DIGEST_INFO[2..17];
    let di = tlv(&[0x30], &[alg, &tlv(&[0x04], &hashes)].concat());
    let sig = pki::sign_raw(&SURFACE_AP, &di).unwrap_or_default();
    let df28 = tlv(&tag::FACE_SIGNATURE, &sig);
    // Profile `face-altered`: a byte of the name image changed after signing.
    let mut df25 = df25;
    if let Some(b) = df25.last_mut().filter(|_| p.faults.face_altered) {
        *b ^= 0x01;
    }
    let df29 = tlv(&tag::CARD_EXPIRY, ymd(p.card.expiry).as_bytes());
    let df2a = tlv(&tag::SECURITY_CODE_IMAGE, &blank_png(24, 12));
    with_offsets(
        tag::FACE,
        tag::FACE_OFFSETS,
        &[df22, df23, df24, df25, df26, df27, df28, df29, df2a],
    )
}
