//! `Python/pyhash.c` and `Include/pyhash.h`: the hash secret and the hash functions over bytes,
//! with CPython 3.10's observable results (`sys.hash_info`: algorithm `siphash24`, 64-bit
//! hashes, 128 seed bits, `Py_HASH_CUTOFF` 0).
//!
//! The secret is 24 bytes (`_Py_HashSecret`); SipHash's keys `k0`/`k1` are its first 16 bytes
//! read as two little-endian 64-bit words. It is filled once per process, before any hash is
//! computed: from the OS's random source, or, when the environment variable `PYTHONHASHSEED`
//! holds an integer N in [1, 4294967295], from N by the linear congruential generator CPython
//! uses (so every process with the same N hashes strings alike, and alike CPython 3.10 with the
//! same seed); `PYTHONHASHSEED=0` leaves the secret all zeros (randomisation disabled).

use crate::objects::object::Py_hash_t;
use core::ffi::c_void;
use std::sync::Once;

/// The `fnv` view of the secret (unused by siphash24; kept for the layout).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _Py_HashSecret_fnv {
    pub prefix: Py_hash_t,
    pub suffix: Py_hash_t,
}

/// The `siphash` view of the secret: the two 64-bit keys.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _Py_HashSecret_siphash {
    pub k0: u64,
    pub k1: u64,
}

/// The `djbx33a` view of the secret (its `suffix` salts the small-string hash CPython uses
/// below `Py_HASH_CUTOFF`, which is 0 in 3.10: unused).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _Py_HashSecret_djbx33a {
    pub padding: [u8; 16],
    pub suffix: Py_hash_t,
}

/// The `expat` view of the secret (the salt CPython's pyexpat uses).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct _Py_HashSecret_expat {
    pub padding: [u8; 16],
    pub hashsalt: Py_hash_t,
}

/// CPython 3.10's `_Py_HashSecret_t`: 24 bytes seen as raw bytes or as the keys of the hash
/// algorithms.
#[repr(C)]
#[derive(Clone, Copy)]
pub union _Py_HashSecret_t {
    pub uc: [u8; 24],
    pub fnv: _Py_HashSecret_fnv,
    pub siphash: _Py_HashSecret_siphash,
    pub djbx33a: _Py_HashSecret_djbx33a,
    pub expat: _Py_HashSecret_expat,
}

static_assertions::const_assert_eq!(core::mem::size_of::<_Py_HashSecret_t>(), 24);

/// The process's hash secret (read-only after the library is loaded). See the module comment
/// for how it is chosen.
#[unsafe(no_mangle)]
pub static mut _Py_HashSecret: _Py_HashSecret_t = _Py_HashSecret_t { uc: [0; 24] };

static INIT: Once = Once::new();

/// How `PYTHONHASHSEED` asks for the secret to be made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SeedSetting {
    /// Unset, empty or "random": from the OS.
    Random,
    /// An integer: 0 disables randomisation, others seed the generator.
    Fixed(u32),
    /// Anything else (CPython refuses to start; pycoro says so on stderr and uses random).
    Invalid,
}

/// Parses a `PYTHONHASHSEED` value as CPython does (C's `strtoul` in base 10: leading blanks
/// and a sign allowed, nothing after the digits; the result must fit in 32 bits).
pub(crate) fn parse_seed(v: Option<&[u8]>) -> SeedSetting {
    let Some(v) = v else {
        return SeedSetting::Random;
    };
    if v.is_empty() || v == b"random" {
        return SeedSetting::Random;
    }
    let mut i = 0;
    while i < v.len() && matches!(v[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let negative = i < v.len() && v[i] == b'-';
    if i < v.len() && matches!(v[i], b'+' | b'-') {
        i += 1;
    }
    let digits = &v[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return SeedSetting::Invalid;
    }
    let mut n: u64 = 0;
    for &d in digits {
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add((d - b'0') as u64))
        {
            Some(n) if n <= u32::MAX as u64 => n,
            _ => return SeedSetting::Invalid,
        };
    }
    // strtoul negates in unsigned arithmetic: "-N" is out of range unless N is 0.
    if negative && n != 0 {
        return SeedSetting::Invalid;
    }
    SeedSetting::Fixed(n as u32)
}

/// Fills `out` from `seed` with the linear congruential generator of CPython's `lcg_urandom`
/// (state `x = x * 214013 + 2531011` modulo 2**32; each byte is bits 16..24 of the state).
pub(crate) fn lcg_fill(seed: u32, out: &mut [u8]) {
    let mut x = seed;
    for b in out {
        x = x.wrapping_mul(214013).wrapping_add(2531011);
        *b = (x >> 16) as u8;
    }
}

/// Fills `out` with random bytes from the OS; false if no source answered.
fn os_random(out: &mut [u8]) -> bool {
    let mut done = 0;
    while done < out.len() {
        // SAFETY: writing into the rest of `out`.
        let n = unsafe {
            libc::getrandom(out[done..].as_mut_ptr() as *mut c_void, out.len() - done, 0)
        };
        if n > 0 {
            done += n as usize;
        } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        } else {
            break;
        }
    }
    if done == out.len() {
        return true;
    }
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(out))
        .is_ok()
}

fn init_secret() {
    let mut bytes = [0u8; 24];
    // SAFETY: getenv returns NULL or a NUL-terminated string; it is copied at once.
    let env = unsafe {
        let p = libc::getenv(c"PYTHONHASHSEED".as_ptr());
        if p.is_null() {
            None
        } else {
            Some(core::ffi::CStr::from_ptr(p).to_bytes().to_vec())
        }
    };
    let setting = parse_seed(env.as_deref());
    match setting {
        SeedSetting::Fixed(0) => {}
        SeedSetting::Fixed(n) => lcg_fill(n, &mut bytes),
        SeedSetting::Random | SeedSetting::Invalid => {
            if setting == SeedSetting::Invalid {
                eprintln!(
                    "pycoro: PYTHONHASHSEED must be \"random\" or an integer in range \
                     [0; 4294967295]; using a random hash seed"
                );
            }
            if !os_random(&mut bytes) {
                // No OS source at all: mix what differs between processes.
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0);
                let pid = std::process::id() as u64;
                lcg_fill(
                    (t ^ (t >> 32) ^ pid.rotate_left(16)) as u32,
                    &mut bytes[..8],
                );
                bytes[8..16].copy_from_slice(&t.to_le_bytes());
                bytes[16..24].copy_from_slice(&pid.to_le_bytes());
            }
        }
    }
    // SAFETY: written once, under `INIT`, before any reader (readers go through `secret()`).
    unsafe { _Py_HashSecret = _Py_HashSecret_t { uc: bytes } };
}

/// The SipHash keys, initializing the secret on first use.
#[inline]
pub(crate) fn sip_keys() -> (u64, u64) {
    INIT.call_once(init_secret);
    // SAFETY: initialized above and never written again.
    unsafe {
        let s = (&raw const _Py_HashSecret).read();
        (
            u64::from_le_bytes(s.uc[0..8].try_into().unwrap()),
            u64::from_le_bytes(s.uc[8..16].try_into().unwrap()),
        )
    }
}

/// Makes the secret at load time (from `pylifecycle::library_init`, after the data references
/// are rebound: in a process that has libpython, writing `_Py_HashSecret` before that would
/// write libpython's secret and break every dict of the interpreter).
pub(crate) fn init_at_load() {
    INIT.call_once(init_secret);
}

#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-2-4 of `data` under the keys `k0`, `k1` (the reference algorithm: two compression
/// rounds per 8-byte little-endian word, the length in the top byte of the last word, four
/// finalization rounds).
pub(crate) fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let m = u64::from_le_bytes(c.try_into().unwrap());
        v[3] ^= m;
        sip_round(&mut v);
        sip_round(&mut v);
        v[0] ^= m;
    }
    let mut last = (data.len() as u64 & 0xff) << 56;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        last |= (b as u64) << (8 * i);
    }
    v[3] ^= last;
    sip_round(&mut v);
    sip_round(&mut v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for _ in 0..4 {
        sip_round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// `_Py_HashBytes`: the hash of `data` under the process's secret; 0 for no bytes, -1 becomes
/// -2.
pub(crate) fn hash_bytes(data: &[u8]) -> Py_hash_t {
    if data.is_empty() {
        return 0;
    }
    let (k0, k1) = sip_keys();
    let h = siphash24(k0, k1, data) as Py_hash_t;
    if h == -1 { -2 } else { h }
}

/// Returns the hash of `len` bytes at `src`, as `hash()` of a bytes object with those bytes
/// (CPython's `_Py_HashBytes`): SipHash-2-4 keyed by `_Py_HashSecret`; 0 when `len` is 0 (then
/// `src` may be NULL). A NULL `src` with a positive `len`, or a negative `len`, hashes as no
/// bytes (CPython would crash).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_HashBytes(
    src: *const c_void,
    len: crate::objects::object::Py_ssize_t,
) -> Py_hash_t {
    if src.is_null() || len <= 0 {
        return 0;
    }
    // SAFETY: `len` bytes readable at `src` by contract.
    hash_bytes(unsafe { core::slice::from_raw_parts(src as *const u8, len as usize) })
}
