//! Fallible growth: text and vectors that report allocation failure instead of aborting.
//!
//! Rust's `String`, `Vec`, `format!` and `to_string` call the allocation-failure handler when
//! memory runs out, which aborts the process. pycoro never grows memory that way when C input
//! decides the size (messages naming a type or an object's repr, formatted strings, reports,
//! argument lists, tables): it builds text in `Text` and vectors with `try_vec`/`try_push`,
//! whose growth uses `try_reserve` and comes back as `NoMemory`; callers turn that into
//! `MemoryError` (or, where no error can be raised, drop what they were doing).
//!
//! Growth is counted by the allocation-failure injection (`PyNative_SetAllocFailure`), so the
//! fault tests reach every growth site deterministically.
//!
//! What is left allocating infallibly, and why that is fine: nothing that C input sizes. Small
//! fixed texts (numbers, addresses, fixed messages with numbers) are formatted on the stack
//! (`Small`). A Rust panic (a bug in pycoro, turned into `SystemError` at the boundary)
//! allocates its message in the standard library's panic machinery; panics injected by the
//! tests carry a zero-sized payload. The thread state has its own fallback (`pystate.rs`).

use core::fmt;

/// An allocation failed (nothing is set: the caller raises `MemoryError` or gives up).
#[derive(Debug)]
pub(crate) struct NoMemory;

/// Makes room for `additional` more elements, counted by the failure injection when it
/// allocates.
pub(crate) fn try_reserve<T>(v: &mut Vec<T>, additional: usize) -> Result<(), NoMemory> {
    if v.capacity() - v.len() >= additional {
        return Ok(());
    }
    if crate::objects::obmalloc::injected_failure() {
        return Err(NoMemory);
    }
    v.try_reserve(additional).map_err(|_| NoMemory)
}

/// An empty vector with room for `n` elements.
pub(crate) fn try_vec<T>(n: usize) -> Result<Vec<T>, NoMemory> {
    let mut v = Vec::new();
    try_reserve(&mut v, n)?;
    Ok(v)
}

/// `v.push(x)`, failing instead of aborting.
pub(crate) fn try_push<T>(v: &mut Vec<T>, x: T) -> Result<(), NoMemory> {
    try_reserve(v, 1)?;
    v.push(x);
    Ok(())
}

/// `v.insert(0, x)`, failing instead of aborting.
pub(crate) fn try_push_front<T>(v: &mut Vec<T>, x: T) -> Result<(), NoMemory> {
    try_reserve(v, 1)?;
    v.insert(0, x);
    Ok(())
}

/// A growable UTF-8 text whose every growth may fail.
#[derive(Default)]
pub(crate) struct Text(String);

impl Text {
    pub(crate) const fn new() -> Self {
        Text(String::new())
    }

    /// Room for `additional` more bytes.
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), NoMemory> {
        if self.0.capacity() - self.0.len() >= additional {
            return Ok(());
        }
        if crate::objects::obmalloc::injected_failure() {
            return Err(NoMemory);
        }
        self.0.try_reserve(additional).map_err(|_| NoMemory)
    }

    pub(crate) fn push_str(&mut self, s: &str) -> Result<(), NoMemory> {
        self.reserve(s.len())?;
        self.0.push_str(s);
        Ok(())
    }

    pub(crate) fn push(&mut self, c: char) -> Result<(), NoMemory> {
        self.reserve(c.len_utf8())?;
        self.0.push(c);
        Ok(())
    }

    /// `n` copies of `c`.
    pub(crate) fn push_repeat(&mut self, c: char, n: usize) -> Result<(), NoMemory> {
        let bytes = n.checked_mul(c.len_utf8()).ok_or(NoMemory)?;
        self.reserve(bytes)?;
        if c.is_ascii() {
            // One byte per character: filled as bytes (a memset), which keeps the text UTF-8.
            let len = self.0.len() + n;
            // SAFETY: ASCII bytes are valid UTF-8 on their own.
            unsafe { self.0.as_mut_vec() }.resize(len, c as u8);
        } else {
            self.0.extend(core::iter::repeat_n(c, n));
        }
        Ok(())
    }

    /// Appends formatted text (`write!`), failing instead of aborting.
    pub(crate) fn push_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), NoMemory> {
        // Our `write_str` is the only way formatting can fail here: the arguments are plain
        // values (str, integers, chars) whose `Display` never fails by itself.
        fmt::write(self, args).map_err(|_| NoMemory)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s).map_err(|NoMemory| fmt::Error)
    }
}

/// `format!`, failing instead of aborting.
pub(crate) fn format(args: fmt::Arguments<'_>) -> Result<Text, NoMemory> {
    // A literal without arguments needs no formatting machinery.
    let mut t = Text::new();
    match args.as_str() {
        Some(s) => t.push_str(s)?,
        None => t.push_fmt(args)?,
    }
    Ok(t)
}

/// Bytes as text, invalid UTF-8 replaced by U+FFFD (`String::from_utf8_lossy`, failing
/// instead of aborting). Valid UTF-8 is borrowed, not copied.
pub(crate) fn lossy(bytes: &[u8]) -> Result<Lossy<'_>, NoMemory> {
    if let Ok(s) = core::str::from_utf8(bytes) {
        return Ok(Lossy::Borrowed(s));
    }
    let mut t = Text::new();
    t.reserve(bytes.len())?;
    for chunk in bytes.utf8_chunks() {
        t.push_str(chunk.valid())?;
        if !chunk.invalid().is_empty() {
            t.push('\u{fffd}')?;
        }
    }
    Ok(Lossy::Owned(t))
}

/// What `lossy` gives: the bytes themselves when they were valid, else a repaired copy.
pub(crate) enum Lossy<'a> {
    Borrowed(&'a str),
    Owned(Text),
}

impl Lossy<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Lossy::Borrowed(s) => s,
            Lossy::Owned(t) => t.as_str(),
        }
    }
}

/// Bytes shown as text with invalid UTF-8 replaced by U+FFFD, written straight into the
/// formatter (nothing is allocated).
pub(crate) struct LossyDisplay<'a>(pub(crate) &'a [u8]);

impl LossyDisplay<'_> {
    /// A NUL-terminated C string; NULL shows as "(null)".
    ///
    /// # Safety
    /// `p` is NULL or a NUL-terminated string that outlives the result.
    pub(crate) unsafe fn of_c<'a>(p: *const core::ffi::c_char) -> LossyDisplay<'a> {
        if p.is_null() {
            return LossyDisplay(b"(null)");
        }
        // SAFETY: NUL-terminated by the caller's contract.
        LossyDisplay(unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes())
    }
}

impl fmt::Display for LossyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

/// A small text on the stack (numbers, addresses): formatting into it never allocates.
/// Text that does not fit is cut (callers size it for what they format).
pub(crate) struct Small<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Small<N> {
    pub(crate) const fn new() -> Self {
        Small {
            buf: [0; N],
            len: 0,
        }
    }

    /// `format!` into a stack buffer.
    pub(crate) fn format(args: fmt::Arguments<'_>) -> Self {
        let mut s = Self::new();
        let _ = fmt::write(&mut s, args);
        s
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are copied in (see `write_str`), so the bytes are valid UTF-8.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> fmt::Write for Small<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.len;
        if s.len() > room {
            return Err(fmt::Error);
        }
        self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

/// A hash set of `T` in one vector (open addressing, linear probing), for process-lifetime
/// tables. Its storage is one allocation whose start the table points to, and each entry points
/// to the start of whatever it owns, so valgrind sees everything in it as reachable (a
/// `HashMap` keeps a pointer into the middle of its allocation: "possibly lost"). Growth may
/// fail (`NoMemory`); the table is then unchanged.
pub(crate) struct Table<T> {
    slots: Vec<Option<(u64, T)>>,
    len: usize,
}

impl<T> Table<T> {
    pub(crate) const fn new() -> Self {
        Table {
            slots: Vec::new(),
            len: 0,
        }
    }

    /// The entry with hash `hash` for which `eq` is true.
    pub(crate) fn find(&self, hash: u64, eq: impl Fn(&T) -> bool) -> Option<&T> {
        let n = self.slots.len();
        if n == 0 {
            return None;
        }
        let mut i = (hash as usize) & (n - 1);
        loop {
            match &self.slots[i] {
                None => return None,
                Some((h, t)) if *h == hash && eq(t) => return Some(t),
                Some(_) => i = (i + 1) & (n - 1),
            }
        }
    }

    /// Adds `item` (the caller checked with `find` that it is not there yet).
    pub(crate) fn insert(&mut self, hash: u64, item: T) -> Result<(), NoMemory> {
        // At most half full, so probes stay short and there is always a free slot.
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(16);
            let mut bigger = try_vec(size)?;
            bigger.resize_with(size, || None);
            for (h, t) in core::mem::replace(&mut self.slots, bigger)
                .into_iter()
                .flatten()
            {
                self.place(h, t);
            }
        }
        self.place(hash, item);
        self.len += 1;
        Ok(())
    }

    fn place(&mut self, hash: u64, item: T) {
        let n = self.slots.len();
        let mut i = (hash as usize) & (n - 1);
        while self.slots[i].is_some() {
            i = (i + 1) & (n - 1);
        }
        self.slots[i] = Some((hash, item));
    }

    /// Empties the table and releases its storage.
    pub(crate) fn clear(&mut self) {
        self.slots = Vec::new();
        self.len = 0;
    }
}

/// FNV-1a over `bytes`, continuing from `h` (start with `FNV_START`).
pub(crate) fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;
