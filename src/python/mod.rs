//! `Python/`: the runtime without an interpreter loop of bytecode: frame evaluation of native
//! bodies (`ceval`), the error indicator (`errors`), thread state, warnings, tracebacks.

pub mod ceval;
pub mod errors;
pub mod getargs;
pub mod modsupport;
pub mod pyhash;
pub mod pylifecycle;
pub mod pystate;
pub mod structmember;
pub mod sysmodule;
pub mod traceback;
pub mod warnings;
