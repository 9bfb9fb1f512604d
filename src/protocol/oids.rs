//! The J-LIS object identifiers under 1.2.392.200149.8.5 (named as in the
//! jsrsasign OID add-on; card-protocol.md §10.2): the certificate policies
//! and the holder attributes in the signature certificate's subjectAltName.

/// The arc of the holder attributes (otherName type-ids `ATTRIBUTES.n`,
/// n = 1 name … 6 address substitute flags).
pub const ATTRIBUTES: &str = "1.2.392.200149.8.5.5";

/// The certificate policies, with the names the reports use.
pub const SIGN_POLICY: &str = "1.2.392.200149.8.5.1.1";
pub const SIGN_CLASS20_POLICY: &str = "1.2.392.200149.8.5.1.1.20";
pub const AUTH_POLICY: &str = "1.2.392.200149.8.5.1.3";
pub const AUTH_CLASS30_POLICY: &str = "1.2.392.200149.8.5.1.3.30";
pub const POLICY_NAMES: &[(&str, &str)] = &[
    (SIGN_POLICY, "digitalSignature"),
    (SIGN_CLASS20_POLICY, "sign-class20"),
    (AUTH_POLICY, "authenticate"),
    (AUTH_CLASS30_POLICY, "auth-class30"),
];

/// The arcs of a dotted OID, for building one (`tlv::oid`).
pub fn arcs(dotted: &str) -> Vec<u64> {
    dotted.split('.').filter_map(|a| a.parse().ok()).collect()
}

/// The holder attribute `n` (1–6) as arcs.
pub fn attribute(n: u64) -> Vec<u64> {
    let mut v = arcs(ATTRIBUTES);
    v.push(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_of_the_attributes() {
        assert_eq!(attribute(1), [1, 2, 392, 200149, 8, 5, 5, 1]);
        assert_eq!(arcs(SIGN_CLASS20_POLICY).len(), 9);
        assert!(POLICY_NAMES
            .iter()
            .all(|(o, _)| o.starts_with("1.2.392.200149.8.5.1.")));
    }
}
