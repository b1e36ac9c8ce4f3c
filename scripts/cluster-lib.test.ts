/**
 * The nginx configuration of the cluster: docs/deploy.md and docs/deploy/nginx.conf show exactly what
 * `npm run cluster` and `npm run test:cluster` run, and the standalone file nginx is started with passes `nginx -t`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NGINX, ROOT, nginxServerConfig, nginxStandaloneConfig } from './cluster-lib.js';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the cluster’s nginx configuration', () => {
  it('docs/deploy.md shows the tested configuration, for three nodes on a private network', () => {
    const block = /```nginx\n([\s\S]*?)```/.exec(read('docs/deploy.md'))?.[1];
    expect(block).toBe(nginxServerConfig({ listen: '80', upstreams: ['10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.13:8080'] }));
  });

  it('docs/deploy/nginx.conf, which docs/deploy/compose.yaml mounts, is the same for the containers’ names', () => {
    expect(read('docs/deploy/nginx.conf')).toBe(nginxServerConfig({ listen: '80', upstreams: ['parley-1:8080', 'parley-2:8080', 'parley-3:8080'] }));
    expect(read('docs/deploy/compose.yaml')).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });

  it('has what WebSockets, uploads and a dead node need', () => {
    const text = nginxServerConfig({ listen: '127.0.0.1:8000', upstreams: ['127.0.0.1:8001'] });
    for (const line of ['proxy_http_version 1.1;', 'proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Connection $parley_connection;', 'proxy_read_timeout 1h;', 'proxy_next_upstream error timeout http_502 http_503;', 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;', 'client_max_body_size 101m;']) {
      expect(text).toContain(line);
    }
  });

  it.skipIf(!fs.existsSync(DEFAULT_NGINX))('the standalone file passes nginx -t without touching /etc/nginx', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-'));
    try {
      for (const m of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'temp', m), { recursive: true });
      const conf = path.join(dir, 'nginx.conf');
      fs.writeFileSync(conf, nginxStandaloneConfig(dir, { listen: '127.0.0.1:8000', upstreams: ['127.0.0.1:8001', '127.0.0.1:8002'] }));
      const run = spawnSync(DEFAULT_NGINX, ['-t', '-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
