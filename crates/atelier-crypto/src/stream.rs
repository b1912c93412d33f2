//! Adapters from byte streams (as `object_store` gives and takes them) to encrypted or decrypted
//! byte streams.

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::blob::{ChunkSize, Decryptor, Encryptor};
use crate::{CryptoError, DataKey};

/// An error from an encrypting or decrypting stream: the source stream's own, or a crypto one.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E> {
    /// The source stream failed; its error is passed on unchanged.
    #[error(transparent)]
    Source(E),
    /// Encryption or decryption failed (for decryption: the blob does not verify).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Encrypts a stream of plaintext pieces into a stream of blob pieces (header first), with the
/// default chunk size. Pieces are emitted as chunks complete; the stream ends after the final
/// chunk, or after the first error.
///
/// # Panics
/// If the operating system cannot provide random bytes.
pub fn encrypt_stream<S, E>(
    key: &DataKey,
    context: &[u8],
    input: S,
) -> impl Stream<Item = Result<Bytes, StreamError<E>>> + use<S, E>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    encrypt_stream_with_chunk_size(key, context, input, ChunkSize::DEFAULT)
}

/// [`encrypt_stream`] with a chosen chunk size.
///
/// # Panics
/// If the operating system cannot provide random bytes.
pub fn encrypt_stream_with_chunk_size<S, E>(
    key: &DataKey,
    context: &[u8],
    input: S,
    chunk_size: ChunkSize,
) -> impl Stream<Item = Result<Bytes, StreamError<E>>> + use<S, E>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    transform(Encryptor::with_chunk_size(key, context, chunk_size), input)
}

/// Decrypts a stream of blob pieces into a stream of verified plaintext pieces.
///
/// The stream ends with an error instead of its last piece if the blob was cut short, so a
/// consumer must not treat what it received as complete until the stream has ended cleanly (for
/// an HTTP response: the connection is aborted, and the client sees an incomplete body).
pub fn decrypt_stream<S, E>(
    key: &DataKey,
    context: &[u8],
    input: S,
) -> impl Stream<Item = Result<Bytes, StreamError<E>>> + use<S, E>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    transform(Decryptor::new(key, context), input)
}

/// What an [`Encryptor`] and a [`Decryptor`] have in common.
trait Transform {
    fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, CryptoError>;
    fn finish(self) -> Result<Vec<u8>, CryptoError>;
}

impl Transform for Encryptor {
    fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Self::update(self, data)
    }
    fn finish(self) -> Result<Vec<u8>, CryptoError> {
        Self::finish(self)
    }
}

impl Transform for Decryptor {
    fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Self::update(self, data)
    }
    fn finish(self) -> Result<Vec<u8>, CryptoError> {
        Self::finish(self)
    }
}

fn transform<T, S, E>(transform: T, input: S) -> impl Stream<Item = Result<Bytes, StreamError<E>>>
where
    T: Transform,
    S: Stream<Item = Result<Bytes, E>>,
{
    let state = Some((transform, Box::pin(input)));
    futures::stream::unfold(state, |state| async move {
        let (mut transform, mut input) = state?;
        loop {
            match input.next().await {
                Some(Ok(piece)) => match transform.update(&piece) {
                    Ok(out) if out.is_empty() => {}
                    Ok(out) => return Some((Ok(Bytes::from(out)), Some((transform, input)))),
                    Err(err) => return Some((Err(StreamError::Crypto(err)), None)),
                },
                Some(Err(err)) => return Some((Err(StreamError::Source(err)), None)),
                None => {
                    let last = transform.finish().map_err(StreamError::Crypto);
                    return match last {
                        Ok(out) if out.is_empty() => None,
                        other => Some((other.map(Bytes::from), None)),
                    };
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures::executor::block_on;
    use futures::stream;

    use super::*;
    use crate::{HEADER_LEN, decrypt, encrypt_with_chunk_size};

    const CTX: &[u8] = b"users/u1/originals/42.png";

    fn chunk_size() -> ChunkSize {
        ChunkSize::new(10).unwrap()
    }

    fn pieces(data: &[u8], sizes: &[usize]) -> Vec<Result<Bytes, Infallible>> {
        let mut out = Vec::new();
        let mut rest = data;
        for &size in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at(size.min(rest.len()));
            out.push(Ok(Bytes::copy_from_slice(piece)));
            rest = tail;
        }
        out
    }

    fn collect<E: std::fmt::Debug>(
        s: impl Stream<Item = Result<Bytes, StreamError<E>>>,
    ) -> Result<Vec<u8>, StreamError<E>> {
        block_on(async {
            let parts: Vec<_> = s.collect().await;
            let mut out = Vec::new();
            for part in parts {
                out.extend_from_slice(&part?);
            }
            Ok(out)
        })
    }

    #[test]
    fn streams_round_trip() {
        let key = DataKey::generate();
        let plaintext: Vec<u8> = (0..=255).collect();
        for sizes in [&[1][..], &[3, 17], &[10], &[1000], &[0, 7]] {
            let input = stream::iter(pieces(&plaintext, sizes));
            let ciphertext = collect(encrypt_stream_with_chunk_size(
                &key,
                CTX,
                input,
                chunk_size(),
            ))
            .unwrap();
            assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), plaintext);
            let input = stream::iter(pieces(&ciphertext, sizes));
            assert_eq!(
                collect(decrypt_stream(&key, CTX, input)).unwrap(),
                plaintext
            );
        }
        // An empty source still makes a valid (empty) blob.
        let empty = stream::iter(Vec::<Result<Bytes, Infallible>>::new());
        let ciphertext = collect(encrypt_stream(&key, CTX, empty)).unwrap();
        assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn a_cut_stream_ends_with_an_error() {
        let key = DataKey::generate();
        let ciphertext = encrypt_with_chunk_size(&key, CTX, &[5; 35], chunk_size()).unwrap();
        let cut = &ciphertext[..HEADER_LEN + 2 * (10 + 16)];
        let items: Vec<_> =
            block_on(decrypt_stream(&key, CTX, stream::iter(pieces(cut, &[7]))).collect());
        let (last, before) = items.split_last().unwrap();
        assert!(before.iter().all(Result::is_ok));
        assert!(matches!(
            last,
            Err(StreamError::Crypto(CryptoError::Truncated))
        ));
    }

    #[test]
    fn source_errors_pass_through_and_end_the_stream() {
        let key = DataKey::generate();
        let input = stream::iter(vec![
            Ok(Bytes::from_static(b"hello")),
            Err("disk on fire"),
            Ok(Bytes::from_static(b"never read")),
        ]);
        let items: Vec<_> = block_on(encrypt_stream(&key, CTX, input).collect());
        assert_eq!(items.len(), 2, "the header, then the error");
        assert!(matches!(items[1], Err(StreamError::Source("disk on fire"))));
    }
}
