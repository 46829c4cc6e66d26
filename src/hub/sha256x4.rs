//! SHA-256 of four byte streams at once, one stream per lane of 128-bit SIMD words.
//!
//! A single SHA-256 cannot be split across cores: each block depends on the one before. Four
//! *independent* streams can share one core, though: every step of the compression function is
//! the same 32-bit add, xor, and, shift for each stream, so one SIMD instruction does it for all
//! four. Model shards are such streams. In WebAssembly (`simd128`) this hashes four files in
//! about the time scalar code hashes two, so the hashing worker can take a whole folder of
//! shards on one core and leave the other for uploading (measured in tests/bench/upload.sh).
//!
//! The lanes run in lockstep on whole 64-byte blocks; a stream's padding and length are
//! compressed on a copy of the state, so one lane can finish (and take a new stream) while the
//! others go on. Off wasm (the native tests) the same code runs on plain `[u32; 4]` arrays.

/// Four 32-bit words, one per lane.
#[derive(Clone, Copy, Debug)]
struct X4(imp::Word);

#[cfg(target_arch = "wasm32")]
mod imp {
    use core::arch::wasm32::*;

    pub type Word = v128;

    #[inline(always)]
    pub fn lanes(a: u32, b: u32, c: u32, d: u32) -> Word {
        u32x4(a, b, c, d)
    }
    #[inline(always)]
    pub fn lane(w: Word, k: usize) -> u32 {
        match k {
            0 => u32x4_extract_lane::<0>(w),
            1 => u32x4_extract_lane::<1>(w),
            2 => u32x4_extract_lane::<2>(w),
            _ => u32x4_extract_lane::<3>(w),
        }
    }
    /// Words `4q..4q+4` of each lane's block, big-endian, as four lane-words (a 4×4
    /// transpose of the four loaded rows).
    #[inline(always)]
    pub fn load4(blocks: [&[u8]; 4], q: usize) -> [Word; 4] {
        let row = |b: &[u8]| {
            let half = |at: usize| {
                let bytes: [u8; 8] = b[at..at + 8].try_into().unwrap_or([0; 8]);
                u64::from_le_bytes(bytes)
            };
            // Big-endian words: reverse the bytes of each.
            i8x16_swizzle(
                u64x2(half(16 * q), half(16 * q + 8)),
                i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12),
            )
        };
        let [r0, r1, r2, r3] = blocks.map(row);
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1); // a0 b0 a1 b1
        let t1 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3); // c0 d0 c1 d1
        let t2 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1); // a2 b2 a3 b3
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3); // c2 d2 c3 d3
        [
            i64x2_shuffle::<0, 2>(t0, t1),
            i64x2_shuffle::<1, 3>(t0, t1),
            i64x2_shuffle::<0, 2>(t2, t3),
            i64x2_shuffle::<1, 3>(t2, t3),
        ]
    }
    #[inline(always)]
    pub fn add(a: Word, b: Word) -> Word {
        u32x4_add(a, b)
    }
    #[inline(always)]
    pub fn xor(a: Word, b: Word) -> Word {
        v128_xor(a, b)
    }
    #[inline(always)]
    pub fn and(a: Word, b: Word) -> Word {
        v128_and(a, b)
    }
    /// `a & !b`
    #[inline(always)]
    pub fn and_not(a: Word, b: Word) -> Word {
        v128_andnot(a, b)
    }
    #[inline(always)]
    pub fn or(a: Word, b: Word) -> Word {
        v128_or(a, b)
    }
    #[inline(always)]
    pub fn shr(a: Word, n: u32) -> Word {
        u32x4_shr(a, n)
    }
    #[inline(always)]
    pub fn shl(a: Word, n: u32) -> Word {
        u32x4_shl(a, n)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub type Word = [u32; 4];

    fn each(a: Word, b: Word, f: impl Fn(u32, u32) -> u32) -> Word {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }
    pub fn lanes(a: u32, b: u32, c: u32, d: u32) -> Word {
        [a, b, c, d]
    }
    pub fn lane(w: Word, k: usize) -> u32 {
        w[k & 3]
    }
    pub fn load4(blocks: [&[u8]; 4], q: usize) -> [Word; 4] {
        let word = |b: &[u8], t: usize| {
            u32::from_be_bytes([b[4 * t], b[4 * t + 1], b[4 * t + 2], b[4 * t + 3]])
        };
        [0, 1, 2, 3].map(|j| blocks.map(|b| word(b, 4 * q + j)))
    }
    pub fn add(a: Word, b: Word) -> Word {
        each(a, b, u32::wrapping_add)
    }
    pub fn xor(a: Word, b: Word) -> Word {
        each(a, b, |x, y| x ^ y)
    }
    pub fn and(a: Word, b: Word) -> Word {
        each(a, b, |x, y| x & y)
    }
    pub fn and_not(a: Word, b: Word) -> Word {
        each(a, b, |x, y| x & !y)
    }
    pub fn or(a: Word, b: Word) -> Word {
        each(a, b, |x, y| x | y)
    }
    pub fn shr(a: Word, n: u32) -> Word {
        a.map(|x| x >> n)
    }
    pub fn shl(a: Word, n: u32) -> Word {
        a.map(|x| x << n)
    }
}

impl X4 {
    #[inline(always)]
    fn splat(x: u32) -> Self {
        X4(imp::lanes(x, x, x, x))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        X4(imp::add(self.0, o.0))
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        X4(imp::xor(self.0, o.0))
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        X4(imp::or(imp::shr(self.0, n), imp::shl(self.0, 32 - n)))
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        X4(imp::shr(self.0, n))
    }
    /// `(e & f) ^ (!e & g)`
    #[inline(always)]
    fn ch(e: Self, f: Self, g: Self) -> Self {
        X4(imp::xor(imp::and(e.0, f.0), imp::and_not(g.0, e.0)))
    }
    /// `(a & b) ^ (a & c) ^ (b & c)`, as `(a & b) | (c & (a | b))`
    #[inline(always)]
    fn maj(a: Self, b: Self, c: Self) -> Self {
        X4(imp::or(
            imp::and(a.0, b.0),
            imp::and(c.0, imp::or(a.0, b.0)),
        ))
    }
    fn lane(self, k: usize) -> u32 {
        imp::lane(self.0, k)
    }
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One round; the caller rotates the names of the eight working words instead of moving them.
macro_rules! round {
    ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $w:expr, $t:expr) => {
        let t1 = $h
            .add($e.rotr(6).xor($e.rotr(11)).xor($e.rotr(25)))
            .add(X4::ch($e, $f, $g))
            .add(X4::splat(K[$t]))
            .add($w);
        let t2 = $a
            .rotr(2)
            .xor($a.rotr(13))
            .xor($a.rotr(22))
            .add(X4::maj($a, $b, $c));
        $d = $d.add(t1);
        $h = t1.add(t2);
    };
}

/// Eight rounds from round `$t`, computing the message schedule from round 16 on. Every index
/// is a constant, so the sixteen schedule words stay in registers (wasm locals).
macro_rules! eight {
    ($s:ident, $w:ident, $t:expr) => {
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = $s;
        eight!(@w $w, $t + 0); round!(a, b, c, d, e, f, g, h, $w[($t + 0) & 15], $t + 0);
        eight!(@w $w, $t + 1); round!(h, a, b, c, d, e, f, g, $w[($t + 1) & 15], $t + 1);
        eight!(@w $w, $t + 2); round!(g, h, a, b, c, d, e, f, $w[($t + 2) & 15], $t + 2);
        eight!(@w $w, $t + 3); round!(f, g, h, a, b, c, d, e, $w[($t + 3) & 15], $t + 3);
        eight!(@w $w, $t + 4); round!(e, f, g, h, a, b, c, d, $w[($t + 4) & 15], $t + 4);
        eight!(@w $w, $t + 5); round!(d, e, f, g, h, a, b, c, $w[($t + 5) & 15], $t + 5);
        eight!(@w $w, $t + 6); round!(c, d, e, f, g, h, a, b, $w[($t + 6) & 15], $t + 6);
        eight!(@w $w, $t + 7); round!(b, c, d, e, f, g, h, a, $w[($t + 7) & 15], $t + 7);
        $s = [a, b, c, d, e, f, g, h];
    };
    (@w $w:ident, $t:expr) => {
        if $t >= 16 {
            let w15 = $w[($t + 1) & 15];
            let w2 = $w[($t + 14) & 15];
            let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
            let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
            $w[$t & 15] = $w[$t & 15].add(s0).add($w[($t + 9) & 15]).add(s1);
        }
    };
}

/// One compression of a 64-byte block per lane.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn compress(state: &mut [X4; 8], blocks: [&[u8]; 4]) {
    let mut w = [X4::splat(0); 16];
    for q in 0..4 {
        for (j, word) in imp::load4(blocks, q).into_iter().enumerate() {
            w[4 * q + j] = X4(word);
        }
    }
    let mut s = *state;
    eight!(s, w, 0);
    eight!(s, w, 8);
    eight!(s, w, 16);
    eight!(s, w, 24);
    eight!(s, w, 32);
    eight!(s, w, 40);
    eight!(s, w, 48);
    eight!(s, w, 56);
    for (x, v) in state.iter_mut().zip(s) {
        *x = x.add(v);
    }
}

/// Lane `k`'s eight words of `state`.
fn lane_words(state: &[X4; 8], k: usize) -> [u32; 8] {
    state.map(|x| x.lane(k))
}

/// Put `words` in lane `k` of `state`, the other lanes unchanged.
fn set_lane(state: &mut [X4; 8], k: usize, words: [u32; 8]) {
    for (x, w) in state.iter_mut().zip(words) {
        let mut l = [0, 1, 2, 3].map(|l| x.lane(l));
        l[k] = w;
        *x = X4(imp::lanes(l[0], l[1], l[2], l[3]));
    }
}

/// Compress whole 64-byte `blocks` into lane `k` alone, with the sha2 crate's scalar code.
fn scalar(state: &mut [X4; 8], k: usize, blocks: &[u8]) {
    if blocks.is_empty() {
        return;
    }
    let mut words = lane_words(state, k);
    for block in blocks.chunks_exact(64) {
        let block = sha2::digest::generic_array::GenericArray::from_slice(block);
        sha2::compress256(&mut words, std::slice::from_ref(block));
    }
    set_lane(state, k, words);
}

/// What one lane is hashing.
#[derive(Clone, Debug, Default)]
struct Lane {
    /// Bytes pushed but not yet compressed (less than a block once a round has run).
    pending: Vec<u8>,
    /// Bytes compressed so far.
    done: u64,
    busy: bool,
}

/// Four SHA-256 computations side by side. Start a stream on a free lane, push its bytes as
/// they come, call [`Sha256x4::run`] to compress what every busy lane has, and
/// [`Sha256x4::finish`] a lane when its stream ends.
#[derive(Clone, Debug)]
pub struct Sha256x4 {
    state: [X4; 8],
    lanes: [Lane; 4],
}

impl Default for Sha256x4 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256x4 {
    /// Four free lanes.
    pub fn new() -> Self {
        Sha256x4 {
            state: IV.map(X4::splat),
            lanes: Default::default(),
        }
    }

    /// Start a new stream on lane `k` (0–3), dropping whatever it held.
    pub fn start(&mut self, k: usize) {
        let k = k & 3;
        set_lane(&mut self.state, k, IV);
        self.lanes[k] = Lane {
            busy: true,
            ..Lane::default()
        };
    }

    /// Add bytes to lane `k`'s stream. A lane hashing alone hashes them at once, straight
    /// from `bytes` (scalar code, no copy); otherwise they wait for [`Sha256x4::run`].
    pub fn push(&mut self, k: usize, bytes: &[u8]) {
        let k = k & 3;
        let alone = self.lanes[k].busy && self.lanes.iter().filter(|l| l.busy).count() == 1;
        let Sha256x4 { state, lanes } = self;
        let lane = &mut lanes[k];
        if !alone {
            lane.pending.extend_from_slice(bytes);
            return;
        }
        let mut data = bytes;
        if !lane.pending.is_empty() {
            // Complete the waiting bytes to whole blocks first.
            let take = ((64 - lane.pending.len() % 64) % 64).min(data.len());
            lane.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if lane.pending.len() % 64 != 0 {
                return;
            }
            let whole = std::mem::take(&mut lane.pending);
            scalar(state, k, &whole);
            lane.done += whole.len() as u64;
        }
        let cut = data.len() / 64 * 64;
        scalar(state, k, &data[..cut]);
        lane.done += cut as u64;
        lane.pending.extend_from_slice(&data[cut..]);
    }

    /// Bytes waiting on lane `k`.
    pub fn pending(&self, k: usize) -> usize {
        self.lanes[k & 3].pending.len()
    }

    /// Compress the whole blocks that every busy lane has (lanes in lockstep: as many blocks
    /// as the busy lane with the fewest has). Free lanes compute on zeros, thrown away.
    pub fn run(&mut self) {
        let Sha256x4 { state, lanes } = self;
        let busy: Vec<usize> = (0..4).filter(|&k| lanes[k].busy).collect();
        let blocks = busy
            .iter()
            .map(|&k| lanes[k].pending.len() / 64)
            .min()
            .unwrap_or(0);
        if let [k] = busy[..] {
            // One stream left: three lanes of zeros would cost more than plain scalar code.
            scalar(state, k, &lanes[k].pending[..blocks * 64]);
        } else {
            let zeros = [0u8; 64];
            for n in 0..blocks {
                let at = n * 64;
                let block = |k: usize| -> &[u8] {
                    let lane = &lanes[k];
                    if lane.busy {
                        &lane.pending[at..at + 64]
                    } else {
                        &zeros
                    }
                };
                compress_step(state, [block(0), block(1), block(2), block(3)]);
            }
        }
        for lane in lanes.iter_mut().filter(|l| l.busy) {
            lane.pending.drain(..blocks * 64);
            lane.done += (blocks * 64) as u64;
        }
    }

    /// End lane `k`'s stream: compress what it still holds with the padding and length (on a
    /// copy, leaving the other lanes as they were) and return the digest in hex. The lane is
    /// then free.
    pub fn finish(&mut self, k: usize) -> String {
        let k = k & 3;
        let lane = std::mem::take(&mut self.lanes[k]);
        let total = lane.done + lane.pending.len() as u64;
        let mut tail = lane.pending;
        tail.push(0x80);
        while tail.len() % 64 != 56 {
            tail.push(0);
        }
        tail.extend_from_slice(&(total * 8).to_be_bytes());
        let mut state = self.state;
        for block in tail.chunks(64) {
            compress_step(&mut state, [block; 4]);
        }
        lane_words(&state, k)
            .iter()
            .map(|w| format!("{w:08x}"))
            .collect()
    }
}

/// What the hashing worker (`public/hash-worker.js`) drives: up to four SHA-256 streams at a
/// time, started, fed and finished lane by lane. [`Sha256x4`] hashes them side by side in SIMD
/// lanes; [`OneByOne`] hashes each with plain scalar code, for a browser without WebAssembly
/// SIMD (which refuses any module holding a SIMD instruction, so the two live in different
/// modules: see `src/bin/hash_worker.rs`).
pub trait Lanes {
    /// Start a new stream on lane `k` (0–3), dropping whatever it held.
    fn start(&mut self, k: usize);
    /// Add bytes to lane `k`'s stream.
    fn push(&mut self, k: usize, bytes: &[u8]);
    /// Bytes waiting on lane `k` for [`Lanes::run`].
    fn pending(&self, k: usize) -> usize;
    /// Hash what the busy lanes hold.
    fn run(&mut self);
    /// End lane `k`'s stream; its digest in lower-case hex. The lane is then free.
    fn finish(&mut self, k: usize) -> String;
}

impl Lanes for Sha256x4 {
    fn start(&mut self, k: usize) {
        Sha256x4::start(self, k);
    }
    fn push(&mut self, k: usize, bytes: &[u8]) {
        Sha256x4::push(self, k, bytes);
    }
    fn pending(&self, k: usize) -> usize {
        Sha256x4::pending(self, k)
    }
    fn run(&mut self) {
        Sha256x4::run(self);
    }
    fn finish(&mut self, k: usize) -> String {
        Sha256x4::finish(self, k)
    }
}

/// Four SHA-256 streams, each hashed as its bytes come with the sha2 crate's scalar code:
/// nothing ever waits for [`Lanes::run`]. The lanes of a browser without SIMD.
#[derive(Clone, Debug, Default)]
pub struct OneByOne {
    lanes: [Option<sha2::Sha256>; 4],
}

impl Lanes for OneByOne {
    fn start(&mut self, k: usize) {
        self.lanes[k & 3] = Some(sha2::Sha256::default());
    }
    fn push(&mut self, k: usize, bytes: &[u8]) {
        use sha2::Digest;
        self.lanes[k & 3]
            .get_or_insert_with(sha2::Sha256::default)
            .update(bytes);
    }
    fn pending(&self, _k: usize) -> usize {
        0
    }
    fn run(&mut self) {}
    fn finish(&mut self, k: usize) -> String {
        use sha2::Digest;
        let lane = self.lanes[k & 3].take().unwrap_or_default();
        super::lower_hex(&lane.finalize())
    }
}

/// [`compress`] behind a safe call: on wasm it is compiled for `simd128`, which every browser
/// flockboard supports has (Chrome 91, Firefox 89, Safari 16.4).
#[inline(always)]
fn compress_step(state: &mut [X4; 8], blocks: [&[u8]; 4]) {
    // On wasm, simd128 is a property of the module, not a CPU probe: a browser without it
    // refuses the module rather than misbehave, so the call is safe.
    compress(state, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn reference(bytes: &[u8]) -> String {
        crate::hub::lower_hex(&Sha256::digest(bytes))
    }

    fn data(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn known_digests() {
        let mut x = Sha256x4::new();
        x.start(0);
        x.run();
        assert_eq!(
            x.finish(0),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        x.start(2);
        x.push(2, b"abc");
        x.run();
        assert_eq!(
            x.finish(2),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn four_streams_of_different_lengths_in_uneven_pushes() {
        uneven_pushes(Sha256x4::new);
    }

    #[test]
    fn scalar_lanes_hash_the_same_streams() {
        uneven_pushes(OneByOne::default);
    }

    /// Four streams of lengths around block and padding edges (and of several blocks per
    /// step), pushed in uneven pieces, through the worker's loop: push, run, finish.
    fn uneven_pushes<L: Lanes>(lanes: fn() -> L) {
        let lens = [0usize, 55, 56, 63, 64, 65, 119, 120, 1000, 200_003];
        for (i, &first) in lens.iter().enumerate() {
            let streams: Vec<Vec<u8>> = (0..4)
                .map(|k| data(lens[(i + k * 3) % lens.len()] + first, k as u8))
                .collect();
            let mut x = lanes();
            (0..4).for_each(|k| x.start(k));
            let mut at = [0usize; 4];
            let mut done = [None, None, None, None];
            let mut round = 0;
            while done.iter().any(Option::is_none) {
                round += 1;
                for k in 0..4 {
                    if done[k].is_some() {
                        continue;
                    }
                    let take = (7 + 13 * k + round * 101) % 5000;
                    let end = (at[k] + take).min(streams[k].len());
                    x.push(k, &streams[k][at[k]..end]);
                    at[k] = end;
                }
                x.run();
                for k in 0..4 {
                    if done[k].is_none() && at[k] == streams[k].len() {
                        done[k] = Some(x.finish(k));
                    }
                }
            }
            for k in 0..4 {
                assert_eq!(done[k].as_deref(), Some(reference(&streams[k]).as_str()));
            }
        }
    }

    #[test]
    fn a_lane_takes_a_new_stream_while_others_go_on() {
        let long = data(10_000, 1);
        let short = data(300, 2);
        let next = data(4321, 3);
        let mut x = Sha256x4::new();
        x.start(0);
        x.start(1);
        x.push(0, &long[..5000]);
        x.push(1, &short);
        x.run();
        assert_eq!(x.finish(1), reference(&short));
        x.start(1);
        x.push(1, &next);
        x.push(0, &long[5000..]);
        x.run();
        assert_eq!(x.finish(1), reference(&next));
        assert_eq!(x.finish(0), reference(&long));
    }
}
