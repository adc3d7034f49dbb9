// kubernetes-models and @kubernetes-models/* publish ESM only, with export maps that name only
// the "import" condition; Jest (running CommonJS here) resolves with "require". For those
// packages alone, resolve with "import" (their files are then compiled to CommonJS by the
// transform). Every other package resolves as usual.
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+)(\/|$)/;

module.exports = (request, options) => {
  if (ESM_ONLY.test(request)) return options.defaultResolver(request, { ...options, conditions: ['import', 'default'] });
  return options.defaultResolver(request, options);
};
