//! The integration tests, one binary (one link after a change): each file
//! a module; `common` holds what they share. Run one group with
//! `cargo test --test it cli_status::`.

mod common;

mod age_check;
mod age_openssl;
mod apdu_counts;
mod completion;
mod contradictions;
mod doctor;
mod e2e_doctor;
mod face_check;
mod face_judge;
mod face_show;

mod attacks;
mod cache_order;
mod card_session;
mod cli_cert;
mod cli_ecdsa;
mod cli_info;
mod cli_prove;
mod cli_sign;
mod cli_status;
mod cli_virtual;
mod cms_outcomes;
mod e2e_age;
mod e2e_exit_paths;
mod e2e_hostile;
mod e2e_pcscd;
mod e2e_readers;
mod e2e_screen;
mod e2e_sign;
mod e2e_watch_readers;
mod examples;
mod faults;
mod json_schema;
mod layers;
mod metadata;
mod pdf;
mod real_shape;
mod recorded_card;
mod same_name;
mod secrets;
mod trust_anchors;
mod words;
