#!/usr/bin/env node
// Committed entry point of the container runtime: npm links bins at install time, before the
// root `prepare` builds dist/, so in a fresh clone the bin must be a file that already exists.
import '../dist/runtime/container-entry.js';
