// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageView } from '../../../preload/api-types';
import { PREVIEW_MAX_BYTES } from '../../../protocol/pure.js';
import { textMessage } from '../testing/fake-api';
import { renderWithModel } from '../testing/render';
import { FileContent, ImageContent } from './MessageContent';

const C = 'p:alice|me';
type Of<K extends MessageView['kind']> = Extract<MessageView, { kind: K }>;

function message<K extends 'image' | 'file'>(kind: K, body: Record<string, unknown>): Of<K> {
  return textMessage(C, 1, 'alice', '', Date.now(), { kind, body } as Partial<MessageView>) as Of<K>;
}

const png = new Uint8Array([137, 80, 78, 71]);

beforeAll(() => {
  let n = 0;
  URL.createObjectURL = () => `blob:test/${++n}`;
  URL.revokeObjectURL = () => undefined;
});

describe('attachments from others in the window', () => {
  it('shows an "image" the server says is a program as a plain file, with the server size', async () => {
    const m = message('image', { fileId: 'F1', name: 'cat.png', size: 10_240, mime: 'image/png', width: 10, height: 10 });
    const { fake } = renderWithModel(<ImageContent message={m} localUrl={undefined} progress={undefined} onOpen={() => undefined} />, {
      files: { F1: { data: new Uint8Array(3), mime: 'application/x-msdownload', size: 80 * 1024 * 1024 } },
    });
    await waitFor(() => expect(screen.getByTestId('msg-file')).toBeTruthy());
    expect(screen.getByTestId('msg-file-size').textContent).toBe('80 MB');
    expect(document.querySelector('img')).toBeNull();
    expect(fake.calls.filter((c) => c.method === 'files.read').map((c) => (c.arg as { want?: string }).want)).toEqual(['preview']);
  });

  it('does not load a large image by itself: a click loads it', async () => {
    const m = message('image', { fileId: 'F2', name: 'big.png', size: 1000, mime: 'image/png', width: 400, height: 300 });
    const { fake } = renderWithModel(<ImageContent message={m} localUrl={undefined} progress={undefined} onOpen={() => undefined} />, {
      files: { F2: { data: png, mime: 'image/png', size: PREVIEW_MAX_BYTES + 1 } },
    });
    const placeholder = await screen.findByTestId('image-click-to-load');
    expect(placeholder.textContent).toContain('8 MB');
    expect(document.querySelector('img')).toBeNull();
    fireEvent.click(placeholder);
    await waitFor(() => expect(document.querySelector('img')).not.toBeNull());
    expect(fake.calls.filter((c) => c.method === 'files.read').map((c) => (c.arg as { want?: string }).want)).toEqual(['preview', 'bytes']);
  });

  it('shows a small image at once', async () => {
    const m = message('image', { fileId: 'F3', name: 'small.png', size: 4, mime: 'image/png', width: 10, height: 10 });
    renderWithModel(<ImageContent message={m} localUrl={undefined} progress={undefined} onOpen={() => undefined} />, { files: { F3: { data: png, mime: 'image/png' } } });
    await waitFor(() => expect(document.querySelector('img')).not.toBeNull());
    expect(screen.queryByTestId('image-click-to-load')).toBeNull();
  });

  it('shows and saves file names without bidirectional controls', async () => {
    const m = message('file', { fileId: 'F4', name: 'invoice\u202Egnp.exe', size: 1, mime: 'image/png' });
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    renderWithModel(<FileContent message={m} progress={undefined} />, { files: { F4: { data: new Uint8Array(2048), mime: 'application/octet-stream' } } });
    expect(document.querySelector('.msg-file-name')?.textContent).toBe('invoicegnp.exe');
    await waitFor(() => expect(screen.getByTestId('msg-file-size').textContent).toBe('2 KB'));
    fireEvent.click(screen.getByTestId('file-download'));
    await waitFor(() => expect(saved).toEqual(['invoicegnp.exe']));
    click.mockRestore();
  });
});
