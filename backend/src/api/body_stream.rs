//! A request body read as it arrives, by a blocking parser: the async side feeds chunks
//! through a small channel (so a slow parser slows the upload, not memory), the parser
//! reads them as a `std::io::Read`.

use std::io::Read;

use actix_web::web::{self, Bytes};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::error::ApiError;

/// Chunks in flight between the socket and the parser.
const CHUNKS_IN_FLIGHT: usize = 8;

/// The parser's side: a reader over the chunks.
pub struct BodyReader {
    rx: mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

/// The socket's side: sends the body's chunks, at most `limit` bytes in all.
pub struct BodyFeed {
    tx: mpsc::Sender<Result<Bytes, String>>,
    limit: usize,
}

/// A connected feed and reader.
pub fn body_stream(limit: usize) -> (BodyFeed, BodyReader) {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    (
        BodyFeed { tx, limit },
        BodyReader {
            rx,
            current: Bytes::new(),
        },
    )
}

impl BodyFeed {
    /// Sends every chunk of `payload`; past the limit or on a broken body the reader gets an
    /// error (so the parse stops) and so does the caller. Stops early, without error, when
    /// the reader has gone (it has what it needs, or failed on its own).
    pub async fn feed(self, mut payload: web::Payload) -> Result<(), ApiError> {
        let mut total = 0usize;
        while let Some(chunk) = payload.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let message = format!("cannot read body: {e}");
                    let _ = self.tx.send(Err(message.clone())).await;
                    return Err(ApiError::BadRequest {
                        message,
                        field: None,
                    });
                }
            };
            total = total.saturating_add(chunk.len());
            if total > self.limit {
                let _ = self.tx.send(Err("the body is over the limit".into())).await;
                return Err(ApiError::TooLarge(self.limit));
            }
            if self.tx.send(Ok(chunk)).await.is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}
