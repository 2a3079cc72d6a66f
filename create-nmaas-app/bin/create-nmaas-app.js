#!/usr/bin/env node
// Committed entry point: npm links bins at install time, before the root `prepare` builds dist/,
// so in a fresh clone the bin must be a file that already exists. It only loads the built CLI.
import '../dist/main.js';
