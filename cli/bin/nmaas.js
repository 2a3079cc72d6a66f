#!/usr/bin/env node
// Committed entry point: npm links bins at install time, before `prepare` builds dist/, so the
// bin must be a file that exists in the clone. It only loads the built CLI.
import '../dist/main.js';
