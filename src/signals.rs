//! Interruption: SIGINT, SIGTERM and SIGHUP all cancel one token; the first signal decides the
//! exit code (130, 143, 129).

use std::sync::{Arc, OnceLock};

use tokio::signal::unix::{signal, SignalKind};
use tokio_util::sync::CancellationToken;

use crate::error::Signal;

/// A cancellation token and the signal that fired it.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    token: CancellationToken,
    signal: Arc<OnceLock<Signal>>,
}

impl Interrupt {
    /// A token nobody has cancelled (yet); nothing listens for signals until [`Interrupt::listen`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An interrupt driven by `token` (e.g. a scheduler's stop): cancelling it stops the run,
    /// which then counts as interrupted by SIGINT unless [`Interrupt::trigger`] names a signal.
    pub fn from_token(token: CancellationToken) -> Self {
        Interrupt {
            token,
            signal: Arc::default(),
        }
    }

    /// The token to hand to the run.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// The signal that cancelled the run, if one did.
    pub fn signal(&self) -> Option<Signal> {
        self.signal.get().copied()
    }

    /// Cancels as if `s` had arrived (the first signal wins).
    pub fn trigger(&self, s: Signal) {
        let _ = self.signal.set(s);
        self.token.cancel();
    }

    /// Listens for SIGINT, SIGTERM and SIGHUP (from now on they no longer end the process at
    /// once): each cancels the token. Needs a Tokio runtime.
    pub fn listen(&self) -> std::io::Result<()> {
        for (kind, sig) in [
            (SignalKind::interrupt(), Signal::Int),
            (SignalKind::terminate(), Signal::Term),
            (SignalKind::hangup(), Signal::Hup),
        ] {
            let mut stream = signal(kind)?;
            let me = self.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    tracing::warn!(signal = sig.name(), "interrupted; stopping the run");
                    me.trigger(sig);
                }
            });
        }
        Ok(())
    }
}
