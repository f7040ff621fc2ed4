#!/usr/bin/env node
// Generates the Prisma client (src/generated/prisma) offline. The Prisma CLI insists on fetching its
// Rust schema engine even though `generate` never runs it; pointing PRISMA_SCHEMA_ENGINE_BINARY at
// any existing file stops the download. The generated client itself has no native engine.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
