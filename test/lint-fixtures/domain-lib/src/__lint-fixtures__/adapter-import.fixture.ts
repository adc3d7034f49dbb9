// Must be rejected twice: type:domain may not depend on type:adapter, runtime:any not on runtime:node.
import { openStorage } from '@homeward/storage';

export const forbidden = openStorage;
