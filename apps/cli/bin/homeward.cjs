#!/usr/bin/env node
'use strict';
// The `homeward` operator command. It runs the TypeScript sources directly, compiled on load by
// SWC (fast, and it emits the decorator metadata NestJS needs), so there is no build step
// between `npm ci` and `npx homeward start`.
const path = require('node:path');

process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
