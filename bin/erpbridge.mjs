#!/usr/bin/env node
// The erpbridge CLI: runs the bundle in dist/, rebuilding it first when a source file is newer.
import { ensureBuilt } from '../scripts/build.mjs';

process.enableSourceMaps?.();
await ensureBuilt();
await import('../dist/cli.mjs');
