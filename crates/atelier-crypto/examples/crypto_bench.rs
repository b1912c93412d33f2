//! Encrypts and decrypts 64 MiB and prints the throughput.
//!
//! `cargo run --release -p atelier-crypto --example crypto_bench`

use std::time::Instant;

use atelier_crypto::{DataKey, Decryptor, Encryptor, decrypt, encrypt};

const MIB: usize = 1024 * 1024;
const SIZE: usize = 64 * MIB;

fn main() -> Result<(), atelier_crypto::CryptoError> {
    let key = DataKey::generate();
    let context = b"bench/blob";
    let plaintext: Vec<u8> = (0..SIZE).map(|i| i.to_le_bytes()[0]).collect();

    let start = Instant::now();
    let ciphertext = encrypt(&key, context, &plaintext)?;
    report("encrypt (one-shot)", start);

    let start = Instant::now();
    let decrypted = decrypt(&key, context, &ciphertext)?;
    report("decrypt (one-shot)", start);
    assert!(decrypted == plaintext, "round trip failed");

    // Streaming, in 1 MiB pieces as object_store would deliver them.
    let start = Instant::now();
    let mut encryptor = Encryptor::new(&key, context);
    let mut streamed = Vec::with_capacity(ciphertext.len());
    for piece in plaintext.chunks(MIB) {
        streamed.extend(encryptor.update(piece)?);
    }
    streamed.extend(encryptor.finish()?);
    report("encrypt (streaming)", start);

    let start = Instant::now();
    let mut decryptor = Decryptor::new(&key, context);
    let mut total = 0;
    for piece in streamed.chunks(MIB) {
        total += decryptor.update(piece)?.len();
    }
    total += decryptor.finish()?.len();
    report("decrypt (streaming)", start);
    assert!(total == SIZE, "streaming round trip lost bytes");
    Ok(())
}

fn report(what: &str, start: Instant) {
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = 64.0 * 1.048_576;
    println!("{what:20} {:8.1} MB/s", megabytes / seconds);
}
