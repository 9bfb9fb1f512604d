//! A card connected through the helper: its transactions and APDUs.

use super::proto::{Reply, Request};
use super::{unexpected, Agent, Stopped, CLOSE_ALLOWANCE};
use crate::apdu::{Command, Response};
use crate::error::{Error, Result};
use crate::transport::{Connection, Transaction, Transport, Waiting};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A card connected through the helper.
pub struct AgentConnection {
    pub(super) agent: Agent,
    pub(super) reader: String,
    pub(super) atr: Vec<u8>,
}

struct AgentTx<'a> {
    agent: &'a mut Agent,
    reader: &'a str,
    ended: bool,
}

impl AgentTx<'_> {
    fn finish(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.ended, true) || self.agent.wedged.is_some() {
            return Ok(());
        }
        let until = self.agent.deadline.max(Instant::now() + CLOSE_ALLOWANCE);
        let r = self.agent.call(Request::End, until, Waiting::Answer)?;
        Agent::expect_done(r, Some(self.reader))
    }
}

impl Transaction for AgentTx<'_> {
    fn end(mut self: Box<Self>) -> Result<()> {
        self.finish()
    }
}

impl Drop for AgentTx<'_> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

impl Transport for AgentTx<'_> {
    fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let secret = cmd.is_secret() && !cmd.data.is_empty();
        if secret {
            self.agent.shared.pin_sent.store(true, Ordering::SeqCst);
        }
        let waiting = if secret {
            Waiting::SecretAnswer
        } else {
            Waiting::Answer
        };
        let deadline = self.agent.deadline;
        match self
            .agent
            .call(Request::Transmit(cmd.to_bytes()), deadline, waiting)?
        {
            Reply::Response(raw) => {
                Response::from_bytes(&raw).map_err(|e| Error::Data(e.to_string()))
            }
            other => Err(unexpected(other, Some(self.reader))),
        }
    }
}

impl Connection for AgentConnection {
    fn reader(&self) -> &str {
        &self.reader
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>> {
        let deadline = self.agent.deadline;
        let r = self
            .agent
            .call(Request::Begin, deadline, Waiting::Transaction)?;
        Agent::expect_done(r, Some(&self.reader))?;
        Ok(Box::new(AgentTx {
            agent: &mut self.agent,
            reader: &self.reader,
            ended: false,
        }))
    }

    fn close(mut self: Box<Self>, unpower: bool) -> Result<()> {
        let pin_sent = self.agent.shared.pin_sent.load(Ordering::SeqCst);
        if self.agent.wedged.is_none() {
            let until = Instant::now() + CLOSE_ALLOWANCE;
            let r = self
                .agent
                .call(Request::Disconnect { unpower }, until, Waiting::Answer)
                .and_then(|r| Agent::expect_done(r, Some(&self.reader)));
            if r.is_ok() {
                self.agent.shared.connected.store(false, Ordering::SeqCst);
            }
        }
        // Whatever happened above, stopping the helper powers the card
        // down if it is still connected.
        match self.agent.finish() {
            Stopped::NotConfirmed { .. } if pin_sent || unpower => {
                Err(Error::LeftPowered { cause: None })
            }
            _ => Ok(()),
        }
    }
}
