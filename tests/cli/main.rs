//! Integration tests: the real `inkguard` binary on fixture files, one test binary.

mod browser;
mod catalog;
mod clock;
mod codes;
mod newcomer;
mod operations;
mod realdata;
mod recall;
mod records;
mod reference;
mod reliability;
mod series;
mod serve;
mod support;
mod tamper;
mod verdicts;
