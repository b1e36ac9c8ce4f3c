import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareLogFile } from './log-file.js';

describe('prepareLogFile', () => {
  it('creates the directory and moves a large log aside', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-logs-')), 'logs');
    const file = prepareLogFile(dir, 10);
    expect(file).toBe(path.join(dir, 'main.log'));
    expect(fs.existsSync(dir)).toBe(true);
    fs.writeFileSync(file, 'small');
    prepareLogFile(dir, 10);
    expect(fs.readFileSync(file, 'utf8')).toBe('small');
    fs.writeFileSync(file, 'much more than ten bytes');
    prepareLogFile(dir, 10);
    // A fresh, empty log takes its place (created for the user alone before pino appends to it).
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    expect(fs.readFileSync(path.join(dir, 'main.1.log'), 'utf8')).toBe('much more than ten bytes');
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
});
