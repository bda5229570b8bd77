//! Integration tests: the real `inkguard` binary on fixture files, one test binary.

mod batches;
mod browser;
mod catalog;
mod clock;
mod codes;
mod conventions;
mod doubt;
mod faults;
mod layout;
mod newcomer;
mod operations;
mod plain;
mod realdata;
mod recall;
mod records;
mod reference;
mod reliability;
mod safety;
mod sensitivities;
mod series;
mod serve;
mod stored;
mod support;
mod suspects;
mod tamper;
mod verdicts;
