// For suites that start real databases and processes. (testTimeout in a Jest project config is
// ignored when projects run together from the root config, so it is set here instead.)
jest.setTimeout(180_000);
