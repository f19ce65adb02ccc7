//! Any bytes as a .npy file: a tensor or an error, never a panic; a decoded
//! tensor encodes to bytes that decode and encode to the same bytes. (Bytes,
//! not tensors, are compared: NaN elements never compare equal.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = dfq_npy::decode("fuzz.npy", data) {
        let bytes = dfq_npy::encode(&t).expect("a decoded tensor encodes");
        let again = dfq_npy::decode("again.npy", &bytes).expect("re-decodes");
        assert_eq!(dfq_npy::encode(&again).expect("encodes again"), bytes);
    }
});
