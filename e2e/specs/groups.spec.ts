/**
 * Groups end to end, three users each in their own app: Alice creates a group with Bob, invites Carol from the
 * group's info panel, Carol @mentions Bob (picked from the autocomplete) and it reaches him although he muted
 * the group, Alice mutes Carol, then kicks Bob, who keeps what he had and can no longer write.
 */
import { type App, expect, messageRows, openConversation, openRegistered, send, test } from '../support/fixtures.js';

async function groupConvOf(app: App): Promise<string> {
  const convId = await app.page.getByTestId('conversation').getAttribute('data-conv-id');
  expect(convId).toMatch(/^g:/);
  return convId!;
}

async function memberAction(app: App, userId: string, action: string): Promise<void> {
  await app.page.getByTestId(`group-member-actions-${userId}`).click();
  await app.page.getByTestId(`menu-${action}`).click();
}

test('three users: create a group, invite, mention, mute, kick', async ({ openApp }) => {
  const [alice, bob, carol] = await openRegistered(openApp, 'alice', 'bob', 'carol');

  // Alice creates the group, picking Bob.
  await alice.page.getByTestId('new-group').click();
  await alice.page.getByTestId('group-name-input').fill('周末爬山');
  await alice.page.getByTestId('group-member-input').fill('bob');
  await alice.page.getByTestId('group-member-input').press('Enter');
  await expect(alice.page.getByTestId('group-member-chip-bob')).toBeVisible();
  await alice.page.getByTestId('group-create-submit').click();
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('周末爬山');
  const conv = await groupConvOf(alice);
  await expect(alice.page.getByTestId('message-list')).toContainText('created the group');

  // Bob has it, with the notice centred among the messages.
  await expect(bob.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(bob, conv);
  await expect(bob.page.getByTestId('message-list')).toContainText('Alice created the group');

  // Alice invites Carol from the info panel; everyone sees the notice.
  await alice.page.getByTestId('header-info').click();
  await expect(alice.page.getByTestId('group-info-panel')).toBeVisible();
  await alice.page.getByTestId('group-invite-input').fill('carol');
  await alice.page.getByTestId('group-invite-submit').click();
  await expect(alice.page.getByTestId('group-member-carol')).toBeVisible();
  await expect(alice.page.getByTestId('group-member-alice')).toHaveAttribute('data-role', 'owner');
  await expect(bob.page.getByTestId('message-list')).toContainText('invited');
  await expect(carol.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(carol, conv);

  // Alice's message shows how many have read it.
  await send(alice, 'Saturday 8am at the gate');
  await expect(messageRows(bob, 'Saturday 8am')).toBeVisible();
  await expect(messageRows(carol, 'Saturday 8am')).toBeVisible();
  await expect(messageRows(alice, 'Saturday 8am').getByTestId('read-count')).toContainText(/2|All/, { timeout: 40_000 });

  // Bob mutes the group and looks elsewhere; Carol mentions him through the autocomplete.
  await bob.page.getByTestId('header-mute').click();
  await expect(bob.page.getByTestId(`conv-${conv}`)).toHaveAttribute('data-muted', 'true');
  await bob.page.getByTestId('new-chat').click();
  await bob.page.getByTestId('new-chat-user').fill('alice');
  await bob.page.getByTestId('new-chat-start').click();
  await expect(bob.page.getByTestId('conversation-title')).toHaveText('Alice');

  const input = carol.page.getByTestId('composer-input');
  await input.fill('');
  await input.pressSequentially('@bo');
  await expect(carol.page.getByTestId('mention-popup')).toBeVisible();
  await expect(carol.page.getByTestId('mention-option-all')).toHaveCount(0); // @all is for admins
  await carol.page.getByTestId('mention-option-bob').click();
  await input.pressSequentially('can you bring the map?');
  await input.press('Enter');
  await expect(messageRows(carol, 'bring the map')).toHaveAttribute('data-status', 'sent');
  await expect(bob.page.getByTestId('toast')).toContainText('bring the map');
  await expect(bob.page.getByTestId(`conv-${conv}`).getByTestId('conv-marker-mention')).toBeVisible();

  // Alice mutes Carol: Carol is told and cannot send.
  await memberAction(alice, 'carol', 'mute-1h');
  await expect(alice.page.getByTestId('group-member-muted-carol')).toBeVisible();
  await expect(carol.page.getByTestId('composer-muted')).toBeVisible();

  // Alice kicks Bob: he keeps the history, sees why, and receives nothing more.
  await memberAction(alice, 'bob', 'kick');
  await alice.page.getByTestId('confirm-ok').click();
  await expect(alice.page.getByTestId('group-member-bob')).toHaveCount(0);
  await openConversation(bob, conv);
  await expect(bob.page.getByTestId('composer-left')).toBeVisible();
  await expect(bob.page.getByTestId('message-list')).toContainText('Saturday 8am');
  await expect(bob.page.getByTestId('message-list')).toContainText('removed');
  await send(alice, 'only for the members now');
  await expect(messageRows(alice, 'only for the members now')).toHaveAttribute('data-status', 'sent');
  await expect(messageRows(carol, 'only for the members now')).toBeVisible();
  await expect(messageRows(bob, 'only for the members now')).toHaveCount(0);
});
