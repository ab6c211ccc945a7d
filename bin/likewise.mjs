#!/usr/bin/env node
// The `likewise` command: everything lives in the built CLI bundle.
import '../dist/cli.mjs';
