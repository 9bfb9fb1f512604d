//! Reading files: READ BINARY (by SFI, offset or extended length) and READ
//! RECORD, with the trace told which answers hold personal data.

use super::{sfi_rejected, Addressing, Session, MAX_OFFSET, SHORT_LE};
use crate::apdu::cmd::{self, Target};
use crate::apdu::{Response, StatusWord};
use crate::error::{Error, Result};
use crate::protocol::files::sfi;

impl Session<'_> {
    /// Whether `fid` of the current application holds personal data: its
    /// answers then show only their length in a trace.
    fn personal(&self, fid: u16) -> bool {
        self.ap
            .is_none_or(|app| crate::protocol::files::is_personal(app, fid))
    }

    /// One READ BINARY at `offset`; by SFI when `fid` is not current and the
    /// card takes SFIs (offset ≤ 255), else on the selected EF.
    fn read_chunk(&mut self, fid: u16, offset: usize, le: usize) -> Result<Response> {
        if offset > MAX_OFFSET {
            return Err(too_long(fid));
        }
        let at = if self.ef != Some(fid) && self.addressing == Addressing::Sfi && offset <= 255 {
            Target::Sfi(sfi(fid))
        } else {
            self.select_ef(fid)?;
            Target::Selected
        };
        let mut read = cmd::read_binary(at, offset, le);
        read.redact_response = self.personal(fid);
        let by_sfi = at.by_sfi();
        let r = self.send(&read)?;
        // More than was asked for: the answer cannot be trusted.
        if r.data.len() > le {
            return Err(Error::Data(format!(
                "the card answered {} bytes to a READ BINARY of {le} (EF {fid:04X})",
                r.data.len()
            )));
        }
        if by_sfi {
            if sfi_rejected(r.sw) {
                self.addressing = Addressing::Select;
                return self.read_chunk(fid, offset, le);
            }
            // Reading by SFI makes the EF current (ISO 7816-4 §7.2.2).
            if matches!(r.sw, StatusWord::Ok | StatusWord::EndOfFile) {
                self.ef = Some(fid);
            }
        }
        Ok(r)
    }

    /// Read `len` bytes from the start of `fid` (fewer if the file is
    /// shorter). Returns `None` when the file does not exist.
    pub fn read_binary(&mut self, fid: u16, len: usize) -> Result<Option<Vec<u8>>> {
        self.read_upto(fid, len, false)
    }

    /// `read_binary`, stopping early once a BER-TLV header is complete when
    /// `tlv`: a real card answers `9000` to a read running past the end
    /// (JICSAP 6.4.1), so a short answer alone does not say the file ended.
    fn read_upto(&mut self, fid: u16, len: usize, tlv: bool) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if tlv && crate::protocol::tlv::total_len(&out).is_some_and(|t| t <= out.len()) {
                break;
            }
            let want = (len - out.len()).min(SHORT_LE);
            let r = self.read_chunk(fid, out.len(), want)?;
            match r.sw {
                StatusWord::Ok => {
                    if r.data.is_empty() {
                        break;
                    }
                    out.extend_from_slice(&r.data);
                }
                StatusWord::EndOfFile => {
                    out.extend_from_slice(&r.data);
                    break;
                }
                StatusWord::WrongP1P2 if !out.is_empty() => break,
                StatusWord::FileNotFound if out.is_empty() => return Ok(None),
                sw => {
                    return Err(Error::UnexpectedStatus {
                        command: "READ BINARY",
                        sw,
                    })
                }
            }
        }
        Ok(Some(out))
    }

    /// Read a whole BER-TLV encoded EF (a certificate, a 0xFF20 record):
    /// the first chunk gives the length, the rest follows in ≤256-byte reads.
    pub fn read_tlv_file(&mut self, fid: u16) -> Result<Option<Vec<u8>>> {
        let (first, whole) = match self.read_extended(fid)? {
            Some(Some(d)) => (d, true),
            Some(None) => return Ok(None),
            None => match self.read_upto(fid, SHORT_LE, true)? {
                Some(d) => (d, false),
                None => return Ok(None),
            },
        };
        let asked = if whole { usize::MAX } else { SHORT_LE };
        self.finish_tlv(fid, first, asked).map(Some)
    }

    /// The rest of a BER-TLV EF whose first bytes (`first`, the answer to a
    /// read of `asked` bytes from offset 0) are already read.
    pub fn read_tlv_rest(&mut self, fid: u16, first: Vec<u8>, asked: usize) -> Result<Vec<u8>> {
        self.finish_tlv(fid, first, asked)
    }

    fn finish_tlv(&mut self, fid: u16, first: Vec<u8>, asked: usize) -> Result<Vec<u8>> {
        let total = crate::protocol::tlv::total_len(&first)
            .ok_or_else(|| Error::Data(format!("EF {fid:04X} does not start with a TLV header")))?;
        if total > MAX_OFFSET + 1 {
            return Err(too_long(fid));
        }
        if total <= first.len() {
            let mut d = first;
            d.truncate(total);
            return Ok(d);
        }
        // A first chunk shorter than asked for (or an extended read of the
        // whole file) that ends before the header says is a truncated file.
        if first.len() < asked || asked == usize::MAX {
            return Err(Error::Data(format!(
                "EF {fid:04X} is truncated: header promises {total} bytes, the card gave {}",
                first.len()
            )));
        }
        let mut out = first;
        while out.len() < total {
            let want = (total - out.len()).min(SHORT_LE);
            let r = self.read_chunk(fid, out.len(), want)?;
            match r.sw {
                StatusWord::Ok | StatusWord::EndOfFile if !r.data.is_empty() => {
                    out.extend_from_slice(&r.data)
                }
                StatusWord::Ok | StatusWord::EndOfFile | StatusWord::WrongP1P2 => {
                    return Err(Error::Data(format!(
                        "EF {fid:04X} ends at {} bytes, its header promises {total}",
                        out.len()
                    )))
                }
                sw => {
                    return Err(Error::UnexpectedStatus {
                        command: "READ BINARY",
                        sw,
                    })
                }
            }
        }
        Ok(out)
    }

    /// One extended-length READ BINARY by SFI (`00 B0 8x 00 00 00 00`, Le
    /// 65536) of a whole file. `None`: not tried or refused (6700 — short
    /// reads from now on); `Some(None)`: no such file.
    fn read_extended(&mut self, fid: u16) -> Result<Option<Option<Vec<u8>>>> {
        if !self.extended_length
            || self.extended_refused
            || self.addressing != Addressing::Sfi
            || self.ef == Some(fid)
        {
            return Ok(None);
        }
        let mut read = cmd::read_binary_whole(sfi(fid));
        read.redact_response = self.personal(fid);
        let r = self.send(&read)?;
        match r.sw {
            StatusWord::Ok | StatusWord::EndOfFile if !r.data.is_empty() => {
                self.ef = Some(fid);
                self.extended_worked = true;
                Ok(Some(Some(r.data)))
            }
            StatusWord::FileNotFound => Ok(Some(None)),
            sw if sfi_rejected(sw) => {
                self.addressing = Addressing::Select;
                Ok(None)
            }
            // 6700 (or anything else): this card or reader does not take
            // it; the short reads decide what is wrong, if anything.
            _ => {
                self.extended_refused = true;
                Ok(None)
            }
        }
    }

    /// READ RECORD `n` of `fid` (by SFI in P2 where possible).
    pub fn read_record(&mut self, fid: u16, n: u8) -> Result<Option<Vec<u8>>> {
        let r = if self.ef != Some(fid) && self.addressing == Addressing::Sfi {
            let r = self.send(&cmd::read_record(Target::Sfi(sfi(fid)), n, SHORT_LE))?;
            if sfi_rejected(r.sw) {
                self.addressing = Addressing::Select;
                return self.read_record(fid, n);
            }
            r
        } else {
            if !self.try_select_ef(fid)? {
                return Ok(None);
            }
            self.send(&cmd::read_record(Target::Selected, n, SHORT_LE))?
        };
        match r.sw {
            StatusWord::Ok => Ok(Some(r.data)),
            StatusWord::FileNotFound | StatusWord::RecordNotFound => Ok(None),
            sw => Err(Error::UnexpectedStatus {
                command: "READ RECORD",
                sw,
            }),
        }
    }
}

fn too_long(fid: u16) -> Error {
    Error::Data(format!(
        "EF {fid:04X} is longer than the 32 KiB that READ BINARY can address; it was not read"
    ))
}
