//! C variadic functions (`PyUnicode_FromFormat(const char *format, ...)`) on stable Rust.
//!
//! Stable Rust can neither define a `...` function nor name C's `va_list`. On x86_64 SysV a
//! `va_list` is `__va_list_tag[1]`, which decays to a pointer when passed: [`va_list`] is that
//! pointer and [`VaListTag`] the struct, so every `...V` function (`PyUnicode_FromFormatV`)
//! takes the `va_list` a C caller built with `va_start`, and reads it with
//! [`VaListTag::next_gp`] / [`VaListTag::next_fp`] exactly as `va_arg` would.
//!
//! The `...` entry points themselves are naked functions whose body is
//! [`vararg_trampoline!`]: the prologue GCC emits for a variadic function (spill the six
//! integer argument registers and, when `al` says vector registers carry arguments, the eight
//! `xmm` registers into a register save area; point a `__va_list_tag` at it and at the caller's
//! stack arguments), followed by a call of the matching `...V`-style Rust function with the
//! tag's address as its extra last argument. cbindgen cannot spell their prototypes, so they
//! are excluded from it and declared by hand in the trailer of `cbindgen.toml`.

use core::ffi::c_void;
use core::mem::{offset_of, size_of};
use static_assertions::const_assert_eq;

/// The x86_64 SysV `__va_list_tag`: the state `va_arg` walks.
///
/// Integer and pointer arguments come from `reg_save_area + gp_offset` while `gp_offset < 48`
/// (six 8-byte slots), floating-point ones from `reg_save_area + fp_offset` while
/// `fp_offset < 176` (eight 16-byte slots after the integer ones); after that both come from
/// `overflow_arg_area`, the caller's stack arguments, 8 bytes each.
#[repr(C)]
pub struct VaListTag {
    gp_offset: u32,
    fp_offset: u32,
    overflow_arg_area: *mut c_void,
    reg_save_area: *mut c_void,
}

/// C's `va_list` as a function parameter (an array of one `__va_list_tag`, decayed).
///
/// The header uses `<stdarg.h>`'s own `va_list` for it (the name is excluded from cbindgen).
pub type va_list = *mut VaListTag;

/// End of the six integer-register slots of the register save area.
const GP_END: u32 = 48;
/// End of the eight vector-register slots that follow them.
const FP_END: u32 = 176;

impl VaListTag {
    /// `va_arg(ap, T)` for an integer or pointer type `T` of at most 8 bytes, as the raw 64-bit
    /// slot: the caller truncates (`as i32` for `int`, `as *mut T` for pointers). Types smaller
    /// than `int` arrive promoted to `int`.
    ///
    /// # Safety
    /// The caller must have passed another integer or pointer argument at this position.
    pub unsafe fn next_gp(&mut self) -> u64 {
        if self.gp_offset < GP_END {
            // SAFETY: the prologue that built this tag spilled all six integer registers into
            // the save area; gp_offset < 48 addresses one of those 8-byte slots.
            let value = unsafe {
                self.reg_save_area
                    .cast::<u8>()
                    .add(self.gp_offset as usize)
                    .cast::<u64>()
                    .read_unaligned()
            };
            self.gp_offset += 8;
            value
        } else {
            // SAFETY: the caller passed an argument at this position; past the registers it is
            // the next 8-byte stack slot of the caller's frame.
            unsafe { self.next_overflow() }
        }
    }

    /// `va_arg(ap, double)` (`float` arguments arrive promoted to `double`).
    ///
    /// # Safety
    /// The caller must have passed another `double` argument at this position.
    pub unsafe fn next_fp(&mut self) -> f64 {
        if self.fp_offset < FP_END {
            // SAFETY: fp_offset < 176 addresses one of the eight 16-byte xmm slots, which the
            // prologue filled because the caller announced vector arguments in `al`.
            let value = unsafe {
                self.reg_save_area
                    .cast::<u8>()
                    .add(self.fp_offset as usize)
                    .cast::<f64>()
                    .read_unaligned()
            };
            self.fp_offset += 16;
            value
        } else {
            // SAFETY: as `next_gp`: the next 8-byte slot of the caller's stack arguments.
            f64::from_bits(unsafe { self.next_overflow() })
        }
    }

    /// The next 8-byte stack argument.
    unsafe fn next_overflow(&mut self) -> u64 {
        // SAFETY: the caller guarantees an argument is there; the slot is 8-byte aligned.
        let value = unsafe { self.overflow_arg_area.cast::<u64>().read_unaligned() };
        // SAFETY: moves to the next slot of the same argument area (wrapping never happens:
        // at worst one past the last argument).
        self.overflow_arg_area = unsafe { self.overflow_arg_area.cast::<u8>().add(8).cast() };
        value
    }
}

/// The body of a naked `...` function with `$named_gp` named integer/pointer arguments, as a
/// string literal for `naked_asm!` with one operand `target = sym F`, where `F` is an
/// `extern "C"` function taking the same named arguments followed by a [`va_list`].
///
/// `$named_gp` is the byte offset of the first variadic integer slot (8 per named argument)
/// and `$tag_reg` the register of the argument after the named ones (`rsi`, `rdx`, `rcx` for
/// one, two, three named arguments), which receives the tag's address. The named arguments'
/// registers are left as they came, so `F` sees them unchanged; the return value stays in
/// `rax`/`xmm0` from `F`.
///
/// Frame (rbp-relative, 16-aligned): 208 bytes below rbp hold the 176-byte register save area
/// at `rsp+0` (integer slots 0..48, xmm slots 48..176, `movaps` needs them 16-aligned) and the
/// 24-byte `VaListTag` at `rsp+176`; the call happens with rsp 16-aligned as the ABI requires.
/// The stack arguments of the caller start at `rbp+16`. CFI directives keep backtraces
/// (gdb, valgrind, profilers) working through the trampoline.
macro_rules! vararg_trampoline {
    ($named_gp:literal, $tag_reg:literal) => {
        concat!(
            ".cfi_startproc\n",
            "push rbp\n",
            ".cfi_def_cfa_offset 16\n",
            ".cfi_offset rbp, -16\n",
            "mov rbp, rsp\n",
            ".cfi_def_cfa_register rbp\n",
            "sub rsp, 208\n",
            "mov [rsp], rdi\n",
            "mov [rsp + 8], rsi\n",
            "mov [rsp + 16], rdx\n",
            "mov [rsp + 24], rcx\n",
            "mov [rsp + 32], r8\n",
            "mov [rsp + 40], r9\n",
            "test al, al\n",
            "je 2f\n",
            "movaps [rsp + 48], xmm0\n",
            "movaps [rsp + 64], xmm1\n",
            "movaps [rsp + 80], xmm2\n",
            "movaps [rsp + 96], xmm3\n",
            "movaps [rsp + 112], xmm4\n",
            "movaps [rsp + 128], xmm5\n",
            "movaps [rsp + 144], xmm6\n",
            "movaps [rsp + 160], xmm7\n",
            "2:\n",
            "mov dword ptr [rsp + 176], ",
            $named_gp,
            "\n",
            "mov dword ptr [rsp + 180], 48\n",
            "lea rax, [rbp + 16]\n",
            "mov [rsp + 184], rax\n",
            "mov [rsp + 192], rsp\n",
            "lea ",
            $tag_reg,
            ", [rsp + 176]\n",
            "call {target}\n",
            "leave\n",
            ".cfi_def_cfa rsp, 8\n",
            "ret\n",
            ".cfi_endproc\n",
        )
    };
}
pub(crate) use vararg_trampoline;

const_assert_eq!(size_of::<VaListTag>(), 24);
const_assert_eq!(offset_of!(VaListTag, fp_offset), 4);
const_assert_eq!(offset_of!(VaListTag, overflow_arg_area), 8);
const_assert_eq!(offset_of!(VaListTag, reg_save_area), 16);
