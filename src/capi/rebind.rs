//! Keeping pycoro's references to its own data when it is loaded beside libpython.
//!
//! pycoro exports data symbols with CPython's names (`_Py_NoneStruct`, `PyTuple_Type`,
//! `PyExc_TypeError`, ...). Its own code reaches them through the GOT, which the dynamic
//! linker fills from the global scope first. That is what a program linked against pycoro
//! needs: when the executable has copy relocations of `Py_None` and friends, pycoro must use
//! those copies too (so it is linked with `-Bsymbolic-functions`, not `-Bsymbolic`). But in a
//! process that already has libpython (Python's `ctypes` loading pycoro with `RTLD_LOCAL`),
//! the global scope finds libpython's objects of the same names first, and pycoro would build
//! its objects with libpython's types.
//!
//! So at load time (an ELF constructor) pycoro walks its own dynamic relocations, and every
//! reference to one of its own data symbols that the dynamic linker bound to another shared
//! object is pointed back at pycoro's definition. References bound to the main executable (copy
//! relocations) are left alone.

use core::ffi::{c_char, c_int, c_void};

/// cbindgen:ignore
#[repr(C)]
struct DlPhdrInfo {
    addr: usize,
    name: *const c_char,
    phdr: *const Phdr,
    phnum: u16,
}

/// cbindgen:ignore
#[repr(C)]
struct Phdr {
    p_type: u32,
    p_flags: u32,
    p_offset: u64,
    p_vaddr: u64,
    p_paddr: u64,
    p_filesz: u64,
    p_memsz: u64,
    p_align: u64,
}

/// cbindgen:ignore
#[repr(C)]
struct Dyn {
    tag: i64,
    val: u64,
}

/// cbindgen:ignore
#[repr(C)]
struct Rela {
    offset: u64,
    info: u64,
    addend: i64,
}

/// cbindgen:ignore
#[repr(C)]
struct Sym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_GNU_RELRO: u32 = 0x6474_e552;
const DT_NULL: i64 = 0;
const DT_RELA: i64 = 7;
const DT_RELASZ: i64 = 8;
const DT_SYMTAB: i64 = 6;
const R_X86_64_64: u32 = 1;
const R_X86_64_GLOB_DAT: u32 = 6;
const STT_OBJECT: u8 = 1;

/// What the walk over the loaded objects found: pycoro's own object and the main program's
/// load address.
struct Objects {
    me: usize,
    own: Option<(usize, *const Phdr, u16)>,
    main_base: Option<usize>,
    /// Load ranges of the main program.
    main_ranges: [(usize, usize); 8],
    main_count: usize,
}

unsafe fn contains(base: usize, phdr: *const Phdr, phnum: u16, addr: usize) -> bool {
    // SAFETY: the program headers of a loaded object.
    unsafe {
        (0..phnum as usize).any(|i| {
            let p = &*phdr.add(i);
            p.p_type == PT_LOAD
                && addr >= base + p.p_vaddr as usize
                && addr < base + (p.p_vaddr + p.p_memsz) as usize
        })
    }
}

unsafe extern "C" fn visit(info: *mut DlPhdrInfo, _size: usize, data: *mut c_void) -> c_int {
    // SAFETY: called by dl_iterate_phdr with a valid info and our `Objects`.
    unsafe {
        let objs = &mut *(data as *mut Objects);
        let info = &*info;
        if objs.main_base.is_none() {
            // The first object is the main program.
            objs.main_base = Some(info.addr);
            for i in 0..info.phnum as usize {
                let p = &*info.phdr.add(i);
                if p.p_type == PT_LOAD && objs.main_count < objs.main_ranges.len() {
                    let start = info.addr + p.p_vaddr as usize;
                    objs.main_ranges[objs.main_count] = (start, start + p.p_memsz as usize);
                    objs.main_count += 1;
                }
            }
        }
        if contains(info.addr, info.phdr, info.phnum, objs.me) {
            objs.own = Some((info.addr, info.phdr, info.phnum));
        }
    }
    0
}

/// A `.dynamic` address: glibc rewrites them to absolute addresses on x86_64; others keep
/// link-time values.
fn dyn_addr(base: usize, v: u64) -> usize {
    let v = v as usize;
    if v >= base { v } else { base + v }
}

pub(crate) unsafe extern "C" fn rebind_own_data() {
    // Declared here, out of the header generator's sight (it is glibc's, not pycoro's).
    unsafe extern "C" {
        fn dl_iterate_phdr(
            callback: unsafe extern "C" fn(*mut DlPhdrInfo, usize, *mut c_void) -> c_int,
            data: *mut c_void,
        ) -> c_int;
    }
    let mut objs = Objects {
        me: rebind_own_data as *const () as usize,
        own: None,
        main_base: None,
        main_ranges: [(0, 0); 8],
        main_count: 0,
    };
    // SAFETY: walking the loaded objects' program headers, then this object's own relocation
    // tables; the only writes are to this object's relocated words, with the page made
    // writable for the duration.
    unsafe {
        dl_iterate_phdr(visit, &raw mut objs as *mut c_void);
        let Some((base, phdr, phnum)) = objs.own else {
            return;
        };
        let main = &objs.main_ranges[..objs.main_count];
        if objs.main_base == Some(base) {
            return; // linked statically into the program: nothing to interpose
        }
        let mut dynamic = None;
        let mut relro = (0usize, 0usize);
        for i in 0..phnum as usize {
            let p = &*phdr.add(i);
            match p.p_type {
                PT_DYNAMIC => dynamic = Some(base + p.p_vaddr as usize),
                PT_GNU_RELRO => {
                    relro = (
                        base + p.p_vaddr as usize,
                        base + (p.p_vaddr + p.p_memsz) as usize,
                    )
                }
                _ => {}
            }
        }
        let Some(dynamic) = dynamic else { return };
        let (mut rela, mut relasz, mut symtab) = (0usize, 0usize, 0usize);
        let mut d = dynamic as *const Dyn;
        while (*d).tag != DT_NULL {
            match (*d).tag {
                DT_RELA => rela = dyn_addr(base, (*d).val),
                DT_RELASZ => relasz = (*d).val as usize,
                DT_SYMTAB => symtab = dyn_addr(base, (*d).val),
                _ => {}
            }
            d = d.add(1);
        }
        if rela == 0 || symtab == 0 {
            return;
        }
        let page = libc::sysconf(libc::_SC_PAGESIZE).max(4096) as usize;
        let count = relasz / size_of::<Rela>();
        let mut unprotected = false;
        for i in 0..count {
            let r = &*(rela as *const Rela).add(i);
            let kind = (r.info & 0xffff_ffff) as u32;
            let sym_index = (r.info >> 32) as usize;
            if (kind != R_X86_64_64 && kind != R_X86_64_GLOB_DAT) || sym_index == 0 {
                continue;
            }
            let sym = &*(symtab as *const Sym).add(sym_index);
            if sym.shndx == 0 || sym.info & 0xf != STT_OBJECT {
                continue; // not one of our own data definitions
            }
            let own = base + sym.value as usize;
            let addend = if kind == R_X86_64_64 { r.addend } else { 0 };
            let slot = (base + r.offset as usize) as *mut usize;
            let bound = (*slot).wrapping_sub(addend as usize);
            if bound == own || main.iter().any(|&(s, e)| bound >= s && bound < e) {
                continue; // ours, or the program's copy of ours
            }
            let in_relro = (slot as usize) >= relro.0 && (slot as usize) < relro.1;
            if in_relro && !unprotected {
                let start = relro.0 & !(page - 1);
                if libc::mprotect(
                    start as *mut c_void,
                    relro.1 - start,
                    libc::PROT_READ | libc::PROT_WRITE,
                ) != 0
                {
                    continue;
                }
                unprotected = true;
            }
            *slot = own.wrapping_add(addend as usize);
        }
        if unprotected {
            let start = relro.0 & !(page - 1);
            libc::mprotect(start as *mut c_void, relro.1 - start, libc::PROT_READ);
        }
    }
}

/// The library's one load-time constructor: rebinding first (so that everything after it uses
/// pycoro's own objects), then readying the static types (`pylifecycle::library_init`).
#[used]
#[unsafe(link_section = ".init_array")]
static LIBRARY_INIT: unsafe extern "C" fn() = crate::python::pylifecycle::library_init;
