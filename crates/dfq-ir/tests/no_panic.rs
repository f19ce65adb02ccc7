//! The parser must report, never panic, whatever bytes it is given. Mutates the
//! round-trip corpus at random (deletions, insertions of syntax characters,
//! truncation) and parses each result.

use dfq_ir::{parse_module, source_from_bytes};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SYNTAX: &[u8] = b"%@\"{}()<>[]:,=#-x0123456789.e!?\n \\/fi";

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len());
        match rng.below(5) {
            0 => {
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => bytes.insert(at, SYNTAX[rng.below(SYNTAX.len())]),
            2 => bytes.truncate(at),
            3 => bytes.insert(at, 0xC3 ^ (rng.next() as u8 & 0x3F)),
            _ => {
                if at < bytes.len() {
                    bytes[at] = SYNTAX[rng.below(SYNTAX.len())];
                }
            }
        }
    }
    bytes
}

#[test]
fn mutated_inputs_never_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/roundtrip");
    let corpus: Vec<Vec<u8>> = std::fs::read_dir(dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    let mut rng = XorShift(0x5EED_F00D);
    let mut rejected = 0;
    for i in 0..3000 {
        let input = mutate(&mut rng, &corpus[i % corpus.len()]);
        let ok = match source_from_bytes("fuzz.mlir", &input) {
            Ok(src) => parse_module(&src).is_ok(),
            Err(_) => false,
        };
        rejected += usize::from(!ok);
    }
    // Most mutations break the syntax; all of them must have been reported, not panicked on.
    assert!(rejected > 1000, "only {rejected} mutants rejected");
}
