// Each import below must be rejected by @nx/enforce-module-boundaries: a browser project may not
// load a database driver or a node-only library.
import pg from 'pg';
import { openStorage } from '@homeward/storage';

export const forbidden = [pg, openStorage];
