//! Tests of the blob format: round trips at chunk edges, streaming against one-shot, every kind of
//! tampering and truncation, the documented format decoded by hand, and range reads.

use super::*;
use crate::CryptoError;
use crate::keys::DataKey;
use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use std::ops::Range;

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

const CTX: &[u8] = b"users/u1/images/0001.webp";
const C: usize = 16;

fn small() -> ChunkSize {
    ChunkSize::new(16).unwrap()
}

fn sizes() -> [usize; 6] {
    [0, 1, C - 1, C, C + 1, C * 7 / 2]
}

fn seal(key: &DataKey, plaintext: &[u8]) -> Vec<u8> {
    encrypt_with_chunk_size(key, CTX, plaintext, small()).unwrap()
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap()
}

#[test]
fn round_trips_at_chunk_edges() {
    let key = DataKey::generate();
    let mut rng = Rng(1);
    for n in sizes() {
        let plaintext = rng.bytes(n);
        let ciphertext = seal(&key, &plaintext);
        assert_eq!(&ciphertext[..4], b"ATB1");
        let expected = ciphertext_len(u64_of(n), small()).unwrap();
        assert_eq!(u64_of(ciphertext.len()), expected, "size {n}");
        assert_eq!(
            plaintext_len(expected, small()).unwrap(),
            u64_of(n),
            "size {n}"
        );
        assert_eq!(
            decrypt(&key, CTX, &ciphertext).unwrap(),
            plaintext,
            "size {n}"
        );
    }
    // The default chunk size too, across a boundary.
    let plaintext = rng.bytes(64 * 1024 + 3);
    let ciphertext = encrypt(&key, CTX, &plaintext).unwrap();
    assert_eq!(ciphertext.len(), HEADER_LEN + plaintext.len() + 2 * TAG_LEN);
    assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), plaintext);
}

#[test]
fn empty_plaintext_is_one_empty_final_chunk() {
    let key = DataKey::generate();
    let ciphertext = seal(&key, &[]);
    assert_eq!(ciphertext.len(), HEADER_LEN + TAG_LEN);
    assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), Vec::<u8>::new());
    let err = decrypt(&key, CTX, &ciphertext[..HEADER_LEN]).unwrap_err();
    assert!(matches!(err, CryptoError::Truncated), "{err}");
}

#[test]
fn lengths_invert_and_impossible_lengths_are_rejected() {
    for size in [1, 3, 16] {
        let cs = ChunkSize::new(size).unwrap();
        let mut valid = std::collections::BTreeSet::new();
        for p in 0..200u64 {
            let c = ciphertext_len(p, cs).unwrap();
            assert_eq!(plaintext_len(c, cs).unwrap(), p);
            valid.insert(c);
        }
        let max = *valid.last().unwrap();
        for c in 0..max {
            if !valid.contains(&c) {
                assert!(
                    matches!(plaintext_len(c, cs), Err(CryptoError::Truncated)),
                    "length {c} at chunk size {size}"
                );
            }
        }
    }
    let seg = u64::from(small().get()) + TAG_LEN_U64;
    for claim in [0, HEADER_LEN_U64, HEADER_LEN_U64 + 15, HEADER_LEN_U64 + seg] {
        assert!(matches!(
            plaintext_len(claim, small()),
            Err(CryptoError::Truncated)
        ));
    }
    assert!(matches!(
        ciphertext_len(u64::MAX, ChunkSize::DEFAULT),
        Err(CryptoError::TooLarge)
    ));
    assert!(plaintext_len(u64::MAX, ChunkSize::new(1).unwrap()).is_err());
}

#[test]
fn streaming_with_random_splits_equals_one_shot() {
    let key = DataKey::generate();
    let mut rng = Rng(2);
    for n in sizes().into_iter().chain([100, 257]) {
        let plaintext = rng.bytes(n);
        let header = BlobHeader::random(small());
        let mut one = Encryptor::with_header(&key, CTX, &header);
        let mut expected = one.update(&plaintext).unwrap();
        expected.extend(one.finish().unwrap());
        for round in 0..20 {
            let mut streaming = Encryptor::with_header(&key, CTX, &header);
            let mut got = Vec::new();
            for piece in random_pieces(&mut rng, &plaintext, round) {
                got.extend(streaming.update(piece).unwrap());
            }
            got.extend(streaming.finish().unwrap());
            assert_eq!(got, expected, "size {n}, round {round}");

            let mut decryptor = Decryptor::new(&key, CTX);
            let mut back = Vec::new();
            for piece in random_pieces(&mut rng, &got, round) {
                back.extend(decryptor.update(piece).unwrap());
            }
            back.extend(decryptor.finish().unwrap());
            assert_eq!(back, plaintext, "size {n}, round {round}");
        }
    }
}

/// Splits `data` at random points; round 0 feeds byte by byte.
fn random_pieces<'a>(rng: &mut Rng, data: &'a [u8], round: usize) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let take = if round == 0 {
            1
        } else {
            rng.below(rest.len() + C).min(rest.len())
        };
        let (piece, tail) = rest.split_at(take);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

#[test]
fn decryptor_emits_a_full_chunk_as_soon_as_it_arrives() {
    let key = DataKey::generate();
    let plaintext = Rng(3).bytes(C + 5);
    let ciphertext = seal(&key, &plaintext);
    let mut decryptor = Decryptor::new(&key, CTX);
    let first = decryptor
        .update(&ciphertext[..HEADER_LEN + C + TAG_LEN])
        .unwrap();
    assert_eq!(first, &plaintext[..C]);
    let rest = decryptor
        .update(&ciphertext[HEADER_LEN + C + TAG_LEN..])
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(decryptor.finish().unwrap(), &plaintext[C..]);
}

#[test]
fn every_flipped_bit_is_detected() {
    let key = DataKey::generate();
    let plaintext = Rng(4).bytes(C * 7 / 2);
    let ciphertext = seal(&key, &plaintext);
    for i in 0..ciphertext.len() {
        for bit in [0x01, 0x80] {
            let mut bad = ciphertext.clone();
            bad[i] ^= bit;
            assert!(decrypt(&key, CTX, &bad).is_err(), "byte {i} bit {bit:#x}");
        }
    }
}

#[test]
fn every_truncation_is_detected() {
    let key = DataKey::generate();
    for n in sizes() {
        let ciphertext = seal(&key, &Rng(5).bytes(n));
        for len in 0..ciphertext.len() {
            let err = decrypt(&key, CTX, &ciphertext[..len]).unwrap_err();
            let boundary = len >= HEADER_LEN && (len - HEADER_LEN).is_multiple_of(C + TAG_LEN);
            if boundary {
                assert!(matches!(err, CryptoError::Truncated), "len {len}: {err}");
            }
        }
    }
}

#[test]
fn reordered_dropped_duplicated_or_appended_chunks_are_detected() {
    let key = DataKey::generate();
    let plaintext = Rng(6).bytes(C * 7 / 2);
    let ciphertext = seal(&key, &plaintext);
    let (header, body) = ciphertext.split_at(HEADER_LEN);
    let chunks: Vec<&[u8]> = body.chunks(C + TAG_LEN).collect();
    assert_eq!(chunks.len(), 4);
    let rebuild = |order: &[usize]| {
        let mut out = header.to_vec();
        for &i in order {
            out.extend_from_slice(chunks[i]);
        }
        out
    };
    assert_eq!(
        decrypt(&key, CTX, &rebuild(&[0, 1, 2, 3])).unwrap(),
        plaintext
    );
    for order in [
        &[1, 0, 2, 3][..],
        &[0, 2, 1, 3],
        &[0, 1, 3],
        &[1, 2, 3],
        &[0, 0, 1, 2, 3],
        &[0, 1, 2, 2, 3],
        &[0, 1, 2, 3, 3],
        &[0, 1, 2],
    ] {
        assert!(decrypt(&key, CTX, &rebuild(order)).is_err(), "{order:?}");
    }
    for junk in [&[0u8][..], &[0; TAG_LEN], &[7; C + TAG_LEN], chunks[3]] {
        let mut extended = ciphertext.clone();
        extended.extend_from_slice(junk);
        let err = decrypt(&key, CTX, &extended).unwrap_err();
        assert!(
            matches!(err, CryptoError::AuthFailed),
            "{} bytes: {err}",
            junk.len()
        );
    }
}

#[test]
fn wrong_key_context_or_header_fails() {
    let key = DataKey::generate();
    let plaintext = Rng(7).bytes(40);
    let ciphertext = seal(&key, &plaintext);
    let err = decrypt(&DataKey::generate(), CTX, &ciphertext).unwrap_err();
    assert!(matches!(err, CryptoError::AuthFailed), "{err}");
    let err = decrypt(&key, b"users/u2/images/0001.webp", &ciphertext).unwrap_err();
    assert!(matches!(err, CryptoError::AuthFailed), "{err}");
    // Another blob's header (other salt and prefix) on these chunks.
    let other = seal(&key, &plaintext);
    let mut spliced = other[..HEADER_LEN].to_vec();
    spliced.extend_from_slice(&ciphertext[HEADER_LEN..]);
    let err = decrypt(&key, CTX, &spliced).unwrap_err();
    assert!(matches!(err, CryptoError::AuthFailed), "{err}");
}

#[test]
fn header_errors_are_specific() {
    let key = DataKey::generate();
    let ciphertext = seal(&key, b"x");
    let mut bad = ciphertext.clone();
    bad[0] = b'X';
    assert!(matches!(
        decrypt(&key, CTX, &bad),
        Err(CryptoError::BadHeader(_))
    ));
    let mut bad = ciphertext.clone();
    bad[4] = 9;
    assert!(matches!(
        decrypt(&key, CTX, &bad),
        Err(CryptoError::UnsupportedVersion(9))
    ));
    for size in [0u32, ChunkSize::MAX + 1] {
        let mut bad = ciphertext.clone();
        bad[5..9].copy_from_slice(&size.to_be_bytes());
        assert!(matches!(
            decrypt(&key, CTX, &bad),
            Err(CryptoError::BadHeader(_))
        ));
        assert!(matches!(
            ChunkSize::new(size),
            Err(CryptoError::BadChunkSize(_))
        ));
    }
    assert!(matches!(
        decrypt(&key, CTX, &[]),
        Err(CryptoError::Truncated)
    ));
    assert!(matches!(
        decrypt(&key, CTX, &ciphertext[..HEADER_LEN - 1]),
        Err(CryptoError::Truncated)
    ));
    assert_eq!(
        BlobHeader::parse(&ciphertext).unwrap().chunk_size(),
        small()
    );
}

#[test]
fn a_failed_decryptor_stays_failed() {
    let key = DataKey::generate();
    let mut ciphertext = seal(&key, &[1; 3 * C]);
    ciphertext[HEADER_LEN] ^= 1;
    let mut decryptor = Decryptor::new(&key, CTX);
    assert!(matches!(
        decryptor.update(&ciphertext),
        Err(CryptoError::AuthFailed)
    ));
    assert!(matches!(decryptor.update(&[]), Err(CryptoError::Poisoned)));
    assert!(matches!(decryptor.finish(), Err(CryptoError::Poisoned)));
}

/// Decrypts following only the format described in the `blob` module docs, to keep docs and code
/// in agreement.
#[test]
fn format_matches_its_documentation() {
    let key = DataKey::from_bytes([9; 32]);
    let plaintext = Rng(8).bytes(C * 2);
    let ciphertext = seal(&key, &plaintext);
    let header = &ciphertext[..32];
    assert_eq!(&header[..4], b"ATB1");
    assert_eq!(header[4], 1);
    assert_eq!(u32::from_be_bytes(header[5..9].try_into().unwrap()), 16);
    let (salt, prefix) = (&header[9..25], &header[25..32]);
    let mut blob_key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), &[9; 32])
        .expand(b"atelier/blob-key/v1", &mut blob_key)
        .unwrap();
    let aead = Aes256Gcm::new(&blob_key.into());
    let mut aad_input = b"atelier/blob-aad/v1".to_vec();
    aad_input.extend_from_slice(header);
    aad_input.extend_from_slice(CTX);
    let aad = Sha256::digest(&aad_input);
    let chunks: Vec<&[u8]> = ciphertext[32..].chunks(16 + 16).collect();
    assert_eq!(chunks.len(), 3, "two full chunks and an empty final one");
    let mut out = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut nonce = prefix.to_vec();
        nonce.extend_from_slice(&u32::try_from(i).unwrap().to_be_bytes());
        nonce.push(u8::from(i == 2));
        let opened = aes_gcm::aead::Aead::decrypt(
            &aead,
            nonce.as_slice().into(),
            aes_gcm::aead::Payload {
                msg: chunk,
                aad: &aad,
            },
        )
        .unwrap();
        out.extend(opened);
    }
    assert_eq!(out, plaintext);
}

#[test]
fn random_ranges_decrypt_to_slices() {
    let key = DataKey::generate();
    let mut rng = Rng(9);
    for n in sizes().into_iter().chain([100]) {
        let plaintext = rng.bytes(n);
        let ciphertext = seal(&key, &plaintext);
        let total = u64_of(n);
        let header = &ciphertext[..HEADER_LEN];
        let mut ranges = vec![(0, n), (n, n), (0, 0)];
        for _ in 0..60 {
            let a = rng.below(n + 1);
            let b = a + rng.below(n - a + 1);
            ranges.push((a, b));
        }
        for (a, b) in ranges {
            let plain = u64_of(a)..u64_of(b);
            let (range, first) = ciphertext_range_for(plain.clone(), total, small()).unwrap();
            assert!(range.start >= HEADER_LEN_U64);
            let fetched = &ciphertext
                [usize::try_from(range.start).unwrap()..usize::try_from(range.end).unwrap()];
            let got = decrypt_range(&key, CTX, header, first, fetched, plain, total).unwrap();
            assert_eq!(got, &plaintext[a..b], "size {n}, range {a}..{b}");
            if b == n {
                assert_eq!(
                    range.end,
                    u64_of(ciphertext.len()),
                    "reaches the final chunk"
                );
            }
        }
    }
}

#[test]
fn range_reads_verify_what_they_touch() {
    let key = DataKey::generate();
    let plaintext = Rng(10).bytes(C * 7 / 2);
    let ciphertext = seal(&key, &plaintext);
    let total = u64_of(plaintext.len());
    let header = &ciphertext[..HEADER_LEN];
    let (range, first) = ciphertext_range_for(20..40, total, small()).unwrap();
    assert_eq!(first, 1);
    let (s, e) = (
        usize::try_from(range.start).unwrap(),
        usize::try_from(range.end).unwrap(),
    );
    let fetched = &ciphertext[s..e];
    let read = |fetched: &[u8], first, plain: Range<u64>, total| {
        decrypt_range(&key, CTX, header, first, fetched, plain, total)
    };
    assert_eq!(
        read(fetched, first, 20..40, total).unwrap(),
        &plaintext[20..40]
    );

    let mut bad = fetched.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(
        read(&bad, first, 20..40, total),
        Err(CryptoError::AuthFailed)
    ));
    assert!(matches!(
        read(fetched, 0, 20..40, total),
        Err(CryptoError::BadRange(_))
    ));
    assert!(matches!(
        read(&fetched[1..], first, 20..40, total),
        Err(CryptoError::Truncated)
    ));
    assert!(matches!(
        read(&[], first, 20..40, total),
        Err(CryptoError::Truncated)
    ));
    let mut longer = fetched.to_vec();
    longer.push(0);
    assert!(matches!(
        read(&longer, first, 20..40, total),
        Err(CryptoError::BadRange(_))
    ));
    let err = decrypt_range(
        &DataKey::generate(),
        CTX,
        header,
        first,
        fetched,
        20..40,
        total,
    );
    assert!(matches!(err, Err(CryptoError::AuthFailed)));
    let err = decrypt_range(&key, b"other", header, first, fetched, 20..40, total);
    assert!(matches!(err, Err(CryptoError::AuthFailed)));

    // A read to the end checks the final flag: a blob cut at a chunk boundary, presented as
    // shorter, does not pass.
    let cut = HEADER_LEN + 3 * (C + TAG_LEN);
    let lie = u64_of(2 * C + 5);
    let (range, first) = ciphertext_range_for(0..lie, lie, small()).unwrap();
    let fetched = &ciphertext[usize::try_from(range.start).unwrap()..cut];
    assert!(u64_of(cut) >= range.end);
    let fetched = &fetched[..usize::try_from(range.end - range.start).unwrap()];
    assert!(read(fetched, first, 0..lie, lie).is_err());

    for (plain, total) in [(Range { start: 5, end: 4 }, 10), (0..11, 10), (11..11, 10)] {
        assert!(matches!(
            ciphertext_range_for(plain, total, small()),
            Err(CryptoError::BadRange(_))
        ));
    }
    assert!(matches!(
        decrypt_range(&key, CTX, &header[1..], 0, &[], 0..0, 0),
        Err(CryptoError::BadHeader(_))
    ));
}
