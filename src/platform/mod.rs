//! The one room with operating-system specifics: bounded reads of the files
//! the tool is given, and (under `cli`) signals and the terminal. Unix
//! only for now; the pcsc crate's WinSCard and PCSC.framework back ends
//! would need the `cfg(windows)`/macOS halves of these functions.

pub mod files;
