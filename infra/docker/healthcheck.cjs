#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK, compose healthcheck): asks this container's own
// Homeward process whether it is ready. The URL follows the same settings the process reads: the
// API's /health/ready (HTTPS when HOMEWARD_HTTPS_CERT is set) or, for a process without the API
// (HOMEWARD_SERVICES=gateway, a rules worker), the metrics listener's. Exit 0 ready, 1 not.
'use strict';
const http = require('node:http');
const https = require('node:https');

const env = process.env;
const services = (env.HOMEWARD_SERVICES || 'gateway,api').split(',');
const worker = process.argv.includes('--metrics-port');
const url =
  services.includes('api') && !worker
    ? `${env.HOMEWARD_HTTPS_CERT ? 'https' : 'http'}://127.0.0.1:${env.HOMEWARD_API_PORT || '3000'}/health/ready`
    : `http://127.0.0.1:${env.HOMEWARD_METRICS_PORT || '9464'}/health/ready`;

// The certificate names the public host, not 127.0.0.1: this request never leaves the container.
const request = (url.startsWith('https') ? https : http).get(url, { rejectUnauthorized: false, timeout: 4000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  process.stderr.write(`health check ${url}: ${error.message}\n`);
  process.exit(1);
});
