#!/usr/bin/env node
'use strict';
// `npm run bench`: runs the TypeScript benchmark driver through SWC, as bin/homeward does.
const path = require('node:path');

process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('./bench.ts');
