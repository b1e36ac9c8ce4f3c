// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Shell } from '../app/Shell';
import { renderWithModel } from '../testing/render';

const session = { state: 'signed-in' as const, userId: 'me', name: 'Mei Lin', serverUrl: 'http://127.0.0.1:8080' };

describe('the avatar menu', () => {
  it('opens your profile, whose links open the settings at the password or the devices', async () => {
    renderWithModel(<Shell session={session} />, { session });
    fireEvent.click(screen.getByTestId('me-menu'));
    fireEvent.click(await screen.findByTestId('menu-profile'));
    expect(await screen.findByTestId('profile-dialog')).toBeTruthy();

    fireEvent.click(screen.getByTestId('profile-open-devices'));
    await screen.findByTestId('settings-dialog');
    expect(screen.queryByTestId('profile-dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Devices'));

    fireEvent.click(screen.getByTestId('me-menu'));
    fireEvent.click(await screen.findByTestId('menu-profile'));
    fireEvent.click(await screen.findByTestId('profile-open-password'));
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Password'));
  });
});
