// @vitest-environment jsdom
import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithModel } from '../testing/render';
import { ConnectionBanner } from './ConnectionBanner';

describe('ConnectionBanner', () => {
  it('is absent while online', async () => {
    renderWithModel(<ConnectionBanner />);
    await act(async () => undefined);
    expect(screen.queryByTestId('connection-banner')).toBeNull();
  });

  it('shows offline with a retry countdown and the queued messages, as an alert', async () => {
    const { fake } = renderWithModel(<ConnectionBanner />);
    await act(async () => undefined);
    act(() => fake.setConnection({ state: 'offline', nextRetryAt: Date.now() + 4500, queued: 3 }));
    const banner = screen.getByTestId('connection-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Offline');
    expect(screen.getByTestId('connection-countdown').textContent).toBe('Retrying in 5 seconds');
    expect(screen.getByTestId('connection-queued').textContent).toBe('3 messages waiting to be sent');
    fireEvent.click(screen.getByTestId('connection-retry'));
    expect(fake.calls.filter((c) => c.method === 'connection.retry')).toHaveLength(1);
    act(() => fake.setConnection({ state: 'connecting', queued: 1 }));
    expect(screen.queryByTestId('connection-retry')).toBeNull(); // already trying
    expect(screen.getByTestId('connection-banner').textContent).toContain('Connecting…');
    expect(screen.getByTestId('connection-queued').textContent).toBe('1 message waiting to be sent');
  });
});
