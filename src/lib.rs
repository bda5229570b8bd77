//! inkguard: keeps tattoo, permanent make-up and scalp micropigmentation clinics from putting a
//! pigment into a client who is allergic to it.
//!
//! Data flows one way: command line (`cli`) -> plan (`cmd`) -> library (`import`, `db`) ->
//! database -> output. `ident` holds the pure identifier functions.

pub mod app;
pub mod cli;
pub mod cmd;
pub mod complete;
pub mod db;
pub mod error;
pub mod files;
pub mod ident;
pub mod ids;
pub mod import;
pub mod output;
pub mod policy;
pub mod recall;
pub mod screening;
pub mod serve;
pub mod time;
pub mod treatments;
pub mod verdict;

pub use error::{Error, Result};

#[cfg(test)]
mod proptests;
