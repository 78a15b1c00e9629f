#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so .ts config modules and the sources load without a build step.
require('tsx/cjs');
require('../src/client.ts');
