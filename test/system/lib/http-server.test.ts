import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { listen } from '../../../system/lib/http/server.ts';

test('listen() serves an express app with requests and responses born with its prototypes, and express still works', async () => {
  const app = express();
  app.get('/probe', (req, res) => {
    res.json({ query: req.query.q, ip: req.ip, app: req.app === app });
  });
  const http = await listen(app, '127.0.0.1', 0);
  // Runs before express sees the request, so it records what node:http created.
  const born: boolean[] = [];
  http.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    born.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
  });
  try {
    const r = await fetch(`${http.url}/probe?q=1`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { query: '1', ip: '127.0.0.1', app: true });
    assert.deepEqual(born, [true]);
  } finally {
    await http.close();
  }
});

test('listen() serves a plain node:http handler with node:http\'s own classes', async () => {
  const http = await listen((_req, res) => res.end('plain'), '127.0.0.1', 0);
  const kinds: string[] = [];
  http.server.prependListener('request', (req: IncomingMessage) => kinds.push(Object.getPrototypeOf(req).constructor.name));
  try {
    const r = await fetch(http.url);
    assert.equal(await r.text(), 'plain');
    assert.deepEqual(kinds, ['IncomingMessage']);
  } finally {
    await http.close();
  }
});
