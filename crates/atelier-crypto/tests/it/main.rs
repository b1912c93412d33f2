//! The envelope end to end, through the public API only: a master key file, a user's wrapped
//! data key, a blob streamed in, read back whole and by range, and the key destroyed.

use atelier_crypto::{
    BlobHeader, CryptoError, DataKey, HEADER_LEN, MasterKey, StreamError, ciphertext_range_for,
    decrypt, decrypt_range, encrypt_stream, plaintext_len,
};
use bytes::Bytes;
use futures::executor::block_on;
use futures::{StreamExt, stream};

#[test]
fn envelope_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("master.key");
    let master = MasterKey::load_or_create(&key_file).unwrap();

    // Sign-up: a data key, stored wrapped next to the user.
    let wrapped = master.wrap(&DataKey::generate(), "user-1");

    // Upload: the blob is streamed through encryption into storage.
    let storage_key = "users/user-1/originals/img-1.png";
    let original: Vec<u8> = (0..300_000u32).map(|i| i.to_le_bytes()[1]).collect();
    let data_key = master.unwrap(&wrapped, "user-1").unwrap();
    let source = stream::iter(
        original
            .chunks(50_000)
            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let stored: Vec<u8> = block_on(
        encrypt_stream(&data_key, storage_key.as_bytes(), source)
            .map(|piece: Result<Bytes, StreamError<std::io::Error>>| piece.unwrap().to_vec())
            .concat(),
    );
    drop(data_key);

    // After a restart: same key file, same master key.
    let master = MasterKey::load_or_create(&key_file).unwrap();
    let data_key = master.unwrap(&wrapped, "user-1").unwrap();

    // Content-Length from the object size alone.
    let header = BlobHeader::parse(&stored).unwrap();
    let stored_len = u64::try_from(stored.len()).unwrap();
    let total = plaintext_len(stored_len, header.chunk_size()).unwrap();
    assert_eq!(total, u64::try_from(original.len()).unwrap());

    // Whole read, and an HTTP range read.
    assert_eq!(
        decrypt(&data_key, storage_key.as_bytes(), &stored).unwrap(),
        original
    );
    let plain = 100_000..200_001;
    let (range, first) = ciphertext_range_for(plain.clone(), total, header.chunk_size()).unwrap();
    let fetched =
        &stored[usize::try_from(range.start).unwrap()..usize::try_from(range.end).unwrap()];
    let part = decrypt_range(
        &data_key,
        storage_key.as_bytes(),
        &stored[..HEADER_LEN],
        first,
        fetched,
        plain,
        total,
    )
    .unwrap();
    assert_eq!(part, &original[100_000..200_001]);

    // The blob copied under another user's key, or the wrapped key presented as theirs: refused.
    assert!(matches!(
        decrypt(&data_key, b"users/user-2/originals/img-1.png", &stored),
        Err(CryptoError::AuthFailed)
    ));
    assert!(matches!(
        master.unwrap(&wrapped, "user-2"),
        Err(CryptoError::AuthFailed)
    ));

    // Account deletion drops the wrapped key: a fresh key cannot read the backup copy.
    drop(wrapped);
    assert!(decrypt(&DataKey::generate(), storage_key.as_bytes(), &stored).is_err());
}
