//! `Modules/`: the cycle collector.

pub mod gcmodule;
