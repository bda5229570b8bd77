//! Integration tests: the real `inkguard` binary on fixture files, one test binary.

mod catalog;
mod clock;
mod codes;
mod newcomer;
mod realdata;
mod records;
mod reference;
mod reliability;
mod series;
mod support;
mod verdicts;
