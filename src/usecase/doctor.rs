//! `mynacard doctor`: every step of the path from USB to the card checked
//! and named, so that a failing first read says which step failed. No PIN
//! is sent and no personal data is read: the card is only asked to SELECT
//! its applications and to read its (public) CA certificate.

use super::connect::{choose_reader, CardOptions};
use super::doctor_card::{self, CardProbe};
pub use super::doctor_model::{Finding, NotChecked, Service, Status, Step, StepId};
use super::doctor_usb;
use crate::error::Error;
use crate::platform::devices;
use std::path::{Path, PathBuf};

/// Everything the doctor found.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub steps: Vec<Step>,
    /// pcsc-lite's socket and whether `PCSCLITE_CSOCK_NAME` named it.
    pub socket: Option<(PathBuf, bool)>,
    pub readers: Vec<String>,
    pub usb: Vec<doctor_usb::UsbSeen>,
    pub probe: Option<CardProbe>,
}

impl Diagnosis {
    /// The first step that failed: the one to fix first.
    pub fn failed(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.status == Status::Fail)
    }

    /// The exit code: the one the same failure gives any other command.
    pub fn exit_code(&self) -> i32 {
        use crate::error::exit;
        use doctor_card::{AppsFinding, CardFinding};
        match self.failed().map(|s| &s.finding) {
            None => exit::OK,
            Some(Finding::Service(_)) => exit::NO_SERVICE,
            Some(Finding::Usb(_) | Finding::Readers(_)) => exit::NO_READER,
            Some(Finding::ReaderChoice { matches, .. }) if matches.is_empty() => exit::NO_READER,
            Some(Finding::ReaderChoice { .. }) => exit::USAGE,
            Some(Finding::Card(CardFinding::NoCard)) => exit::NO_CARD,
            Some(Finding::Card(CardFinding::Busy)) => exit::TIMEOUT,
            Some(Finding::Applications(AppsFinding::NotMyNumberCard)) => exit::NOT_MY_NUMBER_CARD,
            Some(_) => exit::CARD_ERROR,
        }
    }
}

fn step(id: StepId, status: Status, finding: Finding) -> Step {
    Step {
        id,
        status,
        finding,
    }
}

/// Check every step. `root` is where the system's files are read (`/`;
/// a fake tree in tests).
pub fn diagnose(o: &CardOptions, root: &Path) -> Diagnosis {
    if o.virtual_card.is_some() {
        return virtual_diagnosis(o);
    }
    let socket = devices::pcsc_socket();
    let listed = list_readers(o);
    let (service, readers) = match &listed {
        Ok(r) => (Service::Ok, r.clone()),
        Err(Error::NoReader) => (Service::Ok, Vec::new()),
        Err(e) => (service_problem(e, socket.as_ref(), root), Vec::new()),
    };
    let names: Vec<String> = readers.iter().map(|r| r.0.clone()).collect();
    let usb = doctor_usb::scan(root, (service == Service::Ok).then_some(&names[..]));
    let mut steps = vec![doctor_usb::step(&usb, root, names.len(), &service)];
    let service_ok = service == Service::Ok;
    let no_build = matches!(listed, Err(Error::NoPcscBuild));
    steps.push(if no_build {
        step(
            StepId::Service,
            Status::NotChecked,
            Finding::NotChecked(NotChecked::NoPcscBuild),
        )
    } else {
        let status = if service_ok { Status::Ok } else { Status::Fail };
        step(StepId::Service, status, Finding::Service(service))
    });
    if !service_ok {
        return finish(steps, socket, names, usb, None);
    }
    let status = if names.is_empty() {
        Status::Fail
    } else {
        Status::Ok
    };
    steps.push(step(StepId::Readers, status, Finding::Readers(names.len())));
    if names.is_empty() {
        return finish(steps, socket, names, usb, None);
    }
    let chosen = match o.reader.as_deref() {
        Some(q) => match choose_reader(&names, q) {
            Ok(name) => Some(name),
            Err(e) => {
                let matches = match e {
                    Error::AmbiguousReader { matches, .. } => matches,
                    _ => Vec::new(),
                };
                let query = q.to_string();
                steps.pop();
                let f = Finding::ReaderChoice { query, matches };
                steps.push(step(StepId::Readers, Status::Fail, f));
                return finish(steps, socket, names, usb, None);
            }
        },
        None => readers.iter().find(|r| r.1).map(|r| r.0.clone()),
    };
    let probe = doctor_card::probe(o, chosen.as_deref());
    steps.extend(doctor_card::steps(&probe));
    finish(steps, socket, names, usb, Some(probe))
}

/// The in-process virtual card: no USB, no service, no reader to check.
fn virtual_diagnosis(o: &CardOptions) -> Diagnosis {
    let nc = |id| {
        step(
            id,
            Status::NotChecked,
            Finding::NotChecked(NotChecked::VirtualCard),
        )
    };
    let mut steps = vec![nc(StepId::Usb), nc(StepId::Service), nc(StepId::Readers)];
    let probe = doctor_card::probe(o, None);
    steps.extend(doctor_card::steps(&probe));
    finish(steps, None, Vec::new(), Vec::new(), Some(probe))
}

/// The steps not reached are listed as skipped.
fn finish(
    mut steps: Vec<Step>,
    socket: Option<(PathBuf, bool)>,
    readers: Vec<String>,
    usb: Vec<doctor_usb::UsbSeen>,
    probe: Option<CardProbe>,
) -> Diagnosis {
    for id in StepId::ALL {
        if !steps.iter().any(|s| s.id == id) {
            steps.push(step(id, Status::Skipped, Finding::Skipped));
        }
    }
    steps.sort_by_key(|s| StepId::ALL.iter().position(|i| *i == s.id));
    Diagnosis {
        steps,
        socket,
        readers,
        usb,
        probe,
    }
}

/// (name, card present) of every reader pcscd offers.
#[cfg(feature = "pcsc")]
fn list_readers(o: &CardOptions) -> crate::error::Result<Vec<(String, bool)>> {
    use crate::transport::agent::Agent;
    let readers = Agent::spawn(o.budget())?.readers()?;
    Ok(readers
        .into_iter()
        .map(|r| (r.name, r.card_present))
        .collect())
}

#[cfg(not(feature = "pcsc"))]
fn list_readers(_o: &CardOptions) -> crate::error::Result<Vec<(String, bool)>> {
    Err(Error::NoPcscBuild)
}

/// Why the service could not be reached, from what the system shows.
fn service_problem(e: &Error, socket: Option<&(PathBuf, bool)>, root: &Path) -> Service {
    if !matches!(e, Error::NoService) {
        return Service::Other(e.to_string());
    }
    let Some((path, from_env)) = socket else {
        return Service::Unavailable;
    };
    let present = devices::is_socket(path);
    if *from_env && !present {
        return Service::EnvSocketMissing(path.clone());
    }
    if devices::pcscd_installed(root) == Some(false) && !present {
        return Service::NotInstalled;
    }
    if present {
        Service::NoAnswer(path.clone())
    } else {
        Service::NotRunning(path.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reader_is_the_failing_step_and_the_rest_is_skipped() {
        let empty = tempfile::tempdir().unwrap();
        let usb = doctor_usb::step(&[], empty.path(), 0, &Service::Ok);
        let steps = vec![
            usb,
            step(StepId::Service, Status::Ok, Finding::Service(Service::Ok)),
            step(StepId::Readers, Status::Fail, Finding::Readers(0)),
        ];
        let d = finish(steps, None, Vec::new(), Vec::new(), None);
        assert_eq!(d.steps.len(), StepId::ALL.len());
        if devices::usb_tree_supported() {
            assert_eq!(d.steps[0].status, Status::Warn);
        }
        assert_eq!(d.failed().map(|s| s.id), Some(StepId::Readers));
        assert_eq!(d.exit_code(), crate::error::exit::NO_READER);
        assert!(d.steps[3..].iter().all(|s| s.status == Status::Skipped));
    }
}
