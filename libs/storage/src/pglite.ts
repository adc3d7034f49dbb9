// A separate entry point so that loading @homeward/storage never loads the WebAssembly build.
export { PgliteDatabase } from './lib/drivers/pglite.driver';
